/**
 * `--diff`: what did a command actually write? The writable paths are snapshotted before and after
 * the run (size, mtime, ctime, inode and device of every entry, without following symlinks), and
 * every file created, modified or deleted is reported with its size and the SHA-256 of its new
 * content. ctime is the witness: a process may set mtime back with utimes(2), but the kernel sets
 * ctime on every change and no system call can set it. (Deno's node:fs reports ctime to the
 * second: there, a same-size rewrite with a forged mtime within the second of the snapshot is
 * missed; Node and Bun report nanoseconds.)
 *
 * @module
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { StockadeError } from "./errors.ts";

/** The kind of a file system entry. */
export type EntryType = "file" | "directory" | "symlink" | "other";

/** One entry as the snapshot saw it. */
interface Entry {
  type: EntryType;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  dev: bigint;
}

/** The state of the writable paths at one moment (`snapshot`). */
export interface Snapshot {
  /** The directories (or files) walked. */
  roots: string[];
  /** @internal path → entry */
  entries: Map<string, Entry>;
}

/** One created, modified or deleted entry. */
export interface FileChange {
  path: string;
  type: EntryType;
  /** Size in bytes after the run (before it, for a deleted entry). */
  size: number;
  /** SHA-256 (hex) of the content after the run: regular files that were created or modified. */
  sha256?: string;
  /** The link's target, for a created or modified symlink. */
  target?: string;
}

/** What a run changed under its writable paths. Directories whose listing changed are not "modified". */
export interface DiffReport {
  roots: string[];
  created: FileChange[];
  modified: FileChange[];
  deleted: FileChange[];
}

/** At most this many entries per snapshot: a walk of a whole disk is a mistake, not a diff. */
export const MAX_SNAPSHOT_ENTRIES = 1_000_000;

function entryType(mode: bigint): EntryType {
  const fmt = Number(mode) & 0o170000;
  return fmt === 0o100000 ? "file" : fmt === 0o040000 ? "directory" : fmt === 0o120000 ? "symlink" : "other";
}

/**
 * Records every entry under `roots` (paths that do not exist are skipped). Unreadable directories
 * are recorded as such but not entered.
 *
 * @throws {StockadeError} `USAGE_ERROR` when the roots hold more than `MAX_SNAPSHOT_ENTRIES` entries.
 * @example
 * ```ts
 * import { diffSnapshots, snapshot } from "./diff.ts";
 * const before = snapshot(["/tmp/project"]);
 * // … run something …
 * console.log(diffSnapshots(before, snapshot(before.roots)).created);
 * ```
 */
export function snapshot(roots: readonly string[]): Snapshot {
  const entries = new Map<string, Entry>();
  const visit = (path: string) => {
    let st;
    try {
      st = lstatSync(path, { bigint: true });
    } catch {
      return; // gone, or not reachable: nothing to compare
    }
    if (entries.size >= MAX_SNAPSHOT_ENTRIES) {
      throw new StockadeError(
        "USAGE_ERROR",
        `The writable paths hold more than ${MAX_SNAPSHOT_ENTRIES} entries`,
        "use --diff with narrower write paths",
      );
    }
    const type = entryType(st.mode);
    entries.set(path, { type, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino, dev: st.dev });
    if (type !== "directory") return;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      return;
    }
    for (const name of names.sort()) visit(path === "/" ? `/${name}` : `${path}/${name}`);
  };
  // A root inside another root is walked once.
  const sorted = [...new Set(roots)].sort();
  const walked = sorted.filter((r, i) => !sorted.slice(0, i).some((o) => r.startsWith(o === "/" ? "/" : `${o}/`)));
  for (const root of walked) visit(root);
  return { roots: walked, entries };
}

function sha256(path: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined; // removed or unreadable since the snapshot
  }
}

function describe(path: string, e: Entry, withContent: boolean): FileChange {
  const change: FileChange = { path, type: e.type, size: Number(e.size) };
  if (!withContent) return change;
  if (e.type === "file") {
    const digest = sha256(path);
    if (digest !== undefined) change.sha256 = digest;
  } else if (e.type === "symlink") {
    try {
      change.target = readlinkSync(path);
    } catch {
      // gone since the snapshot
    }
  }
  return change;
}

/**
 * Compares two snapshots of the same roots. An entry whose inode, device or type changed counts as
 * modified (it was replaced); a file or symlink whose size, mtime or ctime changed, too.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): DiffReport {
  const report: DiffReport = { roots: before.roots, created: [], modified: [], deleted: [] };
  for (const [path, now] of after.entries) {
    const was = before.entries.get(path);
    if (!was) {
      report.created.push(describe(path, now, true));
      continue;
    }
    const replaced = was.ino !== now.ino || was.dev !== now.dev || was.type !== now.type;
    const changed = now.type !== "directory" && (was.size !== now.size || was.mtimeNs !== now.mtimeNs || was.ctimeNs !== now.ctimeNs);
    if (replaced || changed) report.modified.push(describe(path, now, true));
  }
  for (const [path, was] of before.entries) {
    if (!after.entries.has(path)) report.deleted.push(describe(path, was, false));
  }
  return report;
}

/**
 * The report as text, one line per entry: `+ created`, `~ modified`, `- deleted`, with size and
 * SHA-256 (or a symlink's target).
 */
export function formatDiff(report: DiffReport): string {
  const lines: string[] = [];
  const line = (sign: string, c: FileChange) => {
    const what = c.type === "directory"
      ? "directory"
      : c.type === "symlink"
      ? `symlink -> ${c.target ?? "?"}`
      : `${c.size} bytes${c.sha256 ? `  sha256:${c.sha256}` : ""}`;
    lines.push(`${sign} ${c.path}  ${what}`);
  };
  report.created.forEach((c) => line("+", c));
  report.modified.forEach((c) => line("~", c));
  report.deleted.forEach((c) => line("-", c));
  const n = report.created.length + report.modified.length + report.deleted.length;
  lines.push(
    n === 0
      ? `No file created, modified or deleted under ${report.roots.join(", ") || "(no writable path)"}`
      : `${report.created.length} created, ${report.modified.length} modified, ${report.deleted.length} deleted`,
  );
  return lines.join("\n");
}
