/**
 * Turning observed paths into policy rules: which paths need a rule at all (not what the base
 * policy or the sandbox already provides), what a write needs (the file, or its directory for a
 * new name), and folding many siblings into their directory.
 *
 * @module
 */
import { lstatSync } from "node:fs";
import { dirname } from "node:path";

/** At least this many distinct entries of one directory become a rule on the directory. */
export const FOLD_SIBLINGS = 4;

/** Whether `path` is `dir` or inside it. */
export function under(path: string, dir: string): boolean {
  return path === dir || dir === "/" || path.startsWith(dir + "/");
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The nearest existing directory at or above `path`. */
function existingDir(path: string): string {
  let p = path;
  while (p !== "/" && !exists(p)) p = dirname(p);
  return p;
}

/** Paths the sandbox provides on its own: its /proc, /dev, /sys and private /tmp. */
export const SANDBOX_OWN: readonly string[] = ["/proc", "/dev", "/sys", "/tmp"];

/**
 * Whether `path` is the sandbox's own (needs no rule): under /proc, /dev, /sys or /tmp, unless a
 * host directory is bound there (a project in /tmp/work is the host's, and needs its rules).
 */
export function sandboxOwn(path: string, hostBound: readonly string[]): boolean {
  return SANDBOX_OWN.some((o) => under(path, o)) && !hostBound.some((b) => b !== "/" && under(path, b));
}

/** What the paths of one kind need, before folding. */
export interface Needs {
  /** Paths that were read or executed and exist. */
  read: string[];
  /** Existing files written, and directories that got or lost a name. */
  write: string[];
}

/**
 * The rules the observed accesses need: reads of existing paths; for `write` the path itself when
 * it still exists, else its nearest existing directory; for `create`/`delete` the directory (the
 * nearest existing one: a created tree needs its top to be writable). Paths under `covered` (what
 * the base grants, the sandbox's own /proc, /dev, /sys, /tmp, the learn view's hidden secrets) are
 * left out, and so is `/` itself.
 */
export function needs(
  files: ReadonlyMap<string, ReadonlySet<string>>,
  coveredRead: readonly string[],
  coveredWrite: readonly string[],
): Needs {
  const get = (access: string) => [...(files.get(access as never) ?? [])];
  const write = new Set<string>();
  for (const p of get("write")) write.add(exists(p) ? p : existingDir(dirname(p)));
  for (const p of [...get("create"), ...get("delete")]) write.add(existingDir(dirname(p)));
  const writes = [...write].filter((p) => p !== "/" && !coveredWrite.some((c) => under(p, c)));
  const read = [...get("read"), ...get("exec")].filter((p) =>
    p !== "/" && exists(p) && !coveredRead.some((c) => under(p, c)) && !writes.some((w) => under(p, w))
  );
  return { read: [...new Set(read)], write: writes };
}

/**
 * Folds paths into rules: `FOLD_SIBLINGS` or more entries of one directory become the directory,
 * repeatedly, but never a directory in `keepOut` or above one (the home directory, `/`, a top-level
 * directory: a rule there would grant far more than was seen); paths inside another are dropped.
 * Sorted.
 *
 * @example
 * ```ts
 * import { fold } from "./fold.ts";
 * fold(["/srv/a/1", "/srv/a/2", "/srv/a/3", "/srv/a/4", "/srv/b"], ["/home/me"]); // ["/srv/a", "/srv/b"]
 * ```
 */
export function fold(paths: readonly string[], keepOut: readonly string[]): string[] {
  let set = new Set(paths);
  for (;;) {
    const byParent = new Map<string, string[]>();
    for (const p of set) {
      const parent = dirname(p);
      byParent.set(parent, [...(byParent.get(parent) ?? []), p]);
    }
    let changed = false;
    for (const [parent, children] of byParent) {
      const tooHigh = parent.split("/").length < 3 || keepOut.some((k) => under(k, parent));
      if (children.length < FOLD_SIBLINGS || tooHigh) continue;
      for (const c of children) set.delete(c);
      set.add(parent);
      changed = true;
    }
    const sorted = [...set].sort();
    set = new Set(sorted.filter((p) => !sorted.some((o) => o !== p && under(p, o))));
    if (!changed) return [...set].sort();
  }
}
