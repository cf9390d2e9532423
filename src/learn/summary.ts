/**
 * The human summary of a learn run: what the learned policy grants, and what was seen but not
 * learned (with why).
 *
 * @module
 */
import type { LearnedPolicy } from "./policy.ts";
import type { Observed } from "./records.ts";

const list = (items: readonly string[]) => items.map((i) => `  ${i}`);

/** Lines like `Files read (2 rules):` followed by the rules, then hosts, calls and what was refused. */
export function summarise(policy: LearnedPolicy, observed: Observed): string {
  const lines: string[] = [];
  const section = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`, ...list(items));
  };
  section("Read", policy.fs?.read ?? []);
  section("Written", policy.fs?.write ?? []);
  section("Hosts", observed.hosts.map((h) => `${h.host.includes(":") ? `[${h.host}]` : h.host}:${h.port} (${h.protocol})`));
  section(
    "System calls",
    observed.syscalls.map((c) => {
      const name = c.name ?? `#${c.nr}`;
      const families = c.families && !c.anyFamily ? ` (family ${c.families.join(", ")})` : "";
      return `${name}${families}${c.arch === "x86_64" || c.arch === "aarch64" ? "" : ` on ${c.arch}`}`;
    }),
  );
  section("Not learned: refused by the base policy", observed.refused.map((r) => `${r.name ?? `#${r.nr}`} on ${r.arch} (${r.action})`));
  section(
    "Not learned: the base policy decides these by their arguments; allow them in its own text if they are needed",
    observed.conditional.map((c) => `${c.name ?? `#${c.nr}`} on ${c.arch}`),
  );
  section("Warnings", observed.warnings);
  if (lines.length === 0) lines.push("Nothing beyond the base policy was needed.");
  return lines.join("\n");
}
