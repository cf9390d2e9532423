/**
 * The learned policy file: JSON in the policy-file format (docs/policy-file.md) that extends the
 * base the command was learned under and adds exactly what was observed; and its merge into an
 * existing file (`--into`), so several steps add up to one policy.
 *
 * @module
 */
import { StockadeError } from "../errors.ts";
import type { LearnedSyscall } from "./records.ts";
import { under } from "./fold.ts";

/** The fields of a policy file that learning writes (the format's own names). */
export interface LearnedPolicy {
  $schema?: string;
  description?: string;
  extends?: string | string[];
  fs?: { read?: string[]; write?: string[]; [key: string]: unknown };
  network?: "none" | "host" | { allow: string[]; deny?: string[] };
  seccomp?: { kafel: string } | { include: string };
  [key: string]: unknown;
}

/** The header line of learned Kafel; merge recognises learned blocks by it. */
export const LEARNED_HEADER = "// Learned by stockade learn: calls the base policy leaves to its default.";

/** One Kafel filter per learned call: `socket ON x86_64 { family == 1, family == 2 }`. */
export function syscallFilters(calls: readonly LearnedSyscall[]): string[] {
  return calls.map((c) => {
    const name = c.name && /^[A-Za-z][A-Za-z0-9_]*$/.test(c.name) ? c.name : `SYSCALL[${c.nr}]`;
    const families = c.name === "socket" && !c.anyFamily && c.families?.length
      ? ` { ${c.families.map((f) => `family == ${f}`).join(", ")} }`
      : "";
    return `${name} ON ${c.arch}${families}`;
  }).sort();
}

/** Learned Kafel text for these filters: one filter a line, so merging is a union of lines. */
export function learnedKafel(filters: readonly string[]): string {
  return `${LEARNED_HEADER}\nALLOW {\n${filters.map((f, i) => `  ${f}${i < filters.length - 1 ? "," : ""}`).join("\n")}\n}\n`;
}

/** The filters of learned Kafel text, or `undefined` when the text is not (only) a learned block. */
export function parseLearnedKafel(text: string): string[] | undefined {
  const m = /^\/\/ Learned by stockade learn[^\n]*\nALLOW \{\n([^]*?)\n?\}\s*$/.exec(text.trim() + "\n");
  if (!m) return undefined;
  return m[1].split("\n").map((l) => l.trim().replace(/,$/, "")).filter((l) => l !== "");
}

/** Writes `${PROJECT}` and `${HOME}` for paths under them (the project first: it is more specific). */
export function withVariables(path: string, project: string, home: string): string {
  if (under(path, project) && project !== "/") return path === project ? "${PROJECT}" : "${PROJECT}" + path.slice(project.length);
  if (under(path, home) && home !== "/") return path === home ? "${HOME}" : "${HOME}" + path.slice(home.length);
  return path;
}

const union = (a: readonly string[] | undefined, b: readonly string[] | undefined) => [...new Set([...(a ?? []), ...(b ?? [])])].sort();

/**
 * Merges a learned policy into an existing policy file: read, write and allowed hosts are unioned;
 * learned Kafel lines are unioned with the existing learned block (other Kafel text is kept, the
 * learned block placed before it); `extends`, description and every other field of the existing
 * file stay as they are. A `network` of `"host"` stays; `"none"` becomes the learned allowlist.
 */
export function mergePolicies(existing: LearnedPolicy, learned: LearnedPolicy): LearnedPolicy {
  const out: LearnedPolicy = { ...existing };
  out.extends ??= learned.extends;
  out.description ??= learned.description;
  if (learned.fs) {
    const fs = { ...(existing.fs ?? {}) };
    for (const key of ["read", "write"] as const) {
      const merged = union(existing.fs?.[key], learned.fs[key]);
      if (merged.length) fs[key] = merged;
    }
    out.fs = fs;
  }
  if (typeof learned.network === "object" && existing.network !== "host") {
    const old = typeof existing.network === "object" ? existing.network : undefined;
    out.network = { ...old, allow: union(old?.allow, learned.network.allow) };
  }
  if (learned.seccomp && "kafel" in learned.seccomp) {
    const mine = parseLearnedKafel(learned.seccomp.kafel) ?? [];
    const theirs = existing.seccomp && "kafel" in existing.seccomp ? existing.seccomp.kafel : undefined;
    const theirLines = theirs === undefined ? [] : parseLearnedKafel(theirs);
    if (existing.seccomp && "include" in existing.seccomp) {
      throw new StockadeError(
        "USAGE_ERROR",
        `Cannot merge learned system calls into a policy whose Kafel comes from "${existing.seccomp.include}"`,
        `add them to that file: ALLOW { ${mine.join(", ")} }`,
      );
    }
    out.seccomp = {
      kafel: theirLines === undefined ? `${learnedKafel(mine)}\n${theirs}` : learnedKafel(union(theirLines, mine)),
    };
  }
  return out;
}
