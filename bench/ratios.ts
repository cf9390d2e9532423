/**
 * Reads hyperfine `--export-json` files and prints each command's median (with p10/p90) and its
 * ratio to named references, all from that one run. Several files (comma-separated: the rounds of
 * one interleaved run, bench/startup.sh) are merged command by command.
 *
 *   node --import tsx bench/ratios.ts RESULTS.json[,MORE.json...] SUBJECT REFERENCE...
 *
 * SUBJECT and REFERENCE are hyperfine command names (`-n`). Targets, when given as
 * REFERENCE=LIMIT (e.g. bwrap=1.0), are printed as met or missed.
 */
import { readFileSync } from "node:fs";

interface HyperfineResult {
  command: string;
  times: number[];
}

const [file, subject, ...references] = process.argv.slice(2);
if (!file || !subject) {
  console.error("usage: node --import tsx bench/ratios.ts RESULTS.json SUBJECT [REFERENCE[=TARGET]...]");
  process.exit(2);
}
const merged = new Map<string, number[]>();
for (const f of file.split(",")) {
  for (const r of (JSON.parse(readFileSync(f, "utf8")) as { results: HyperfineResult[] }).results) {
    merged.set(r.command, [...(merged.get(r.command) ?? []), ...r.times]);
  }
}
const results = [...merged].map(([command, times]) => ({ command, times }));

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.ceil(at)] - sorted[lo]) * (at - lo);
}

const medians = new Map<string, number>();
console.log(`${"command".padEnd(12)} ${"median".padStart(9)} ${"p10".padStart(9)} ${"p90".padStart(9)}  runs`);
for (const r of results) {
  const t = [...r.times].sort((a, b) => a - b).map((s) => s * 1000);
  medians.set(r.command, quantile(t, 0.5));
  const ms = (x: number) => `${x.toFixed(2)} ms`.padStart(9);
  console.log(`${r.command.padEnd(12)} ${ms(quantile(t, 0.5))} ${ms(quantile(t, 0.1))} ${ms(quantile(t, 0.9))}  ${t.length}`);
}

const median = (name: string) => {
  const m = medians.get(name);
  if (m === undefined) throw new Error(`No command named "${name}" in "${file}"; names are ${[...medians.keys()].map((k) => `"${k}"`).join(", ")}`);
  return m;
};
const own = median(subject);
console.log(`\n${subject} median vs`);
for (const ref of references) {
  const [name, target] = ref.split("=");
  const ratio = own / median(name);
  const verdict = target === undefined ? "" : `   target ≤ ${target}×: ${ratio <= Number(target) ? "met" : "MISSED"}`;
  console.log(`  ${name.padEnd(10)} ${ratio.toFixed(2)}×${verdict}`);
}
