/**
 * Small helpers shared by the runtime benchmarks (run-latency.ts, throughput.ts).
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The bwrap command line the issue compares against (all namespaces, host root read-only). */
export const BWRAP_ARGS = ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"];

/** The namespaces alone, as startup.sh measures them: user, mount, net, pid and a fresh /proc, no
 * view, Landlock, seccomp or limits. What the kernel charges for those is a floor under any
 * sandbox that makes them per call, so the benchmarks show it beside the targets. */
export const UNSHARE_ARGS = ["-Urmnpf", "--mount-proc"];

/** Spawns a command with no stdio and resolves when it has exited; rejects on a non-zero status. */
export function spawnToExit(file: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`"${file}" ended with code ${code} signal ${signal}`));
    });
  });
}

/** Runs a command synchronously with no stdio; throws on a non-zero status. */
export function spawnSyncToExit(file: string, args: readonly string[]): void {
  const res = spawnSync(file, args, { stdio: "ignore" });
  if (res.status !== 0) throw new Error(`"${file}" ended with status ${res.status} signal ${res.signal}: ${res.error ?? ""}`);
}

/** The q-quantile (0..1) of unsorted samples, interpolated. */
export function quantile(samples: readonly number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.ceil(at)] - s[lo]) * (at - lo);
}

/** `1.23×`, or `n/a` when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? "n/a" : `${(a / b).toFixed(2)}×`;
}

/** The current 1, 5 and 15 minute load averages, as /proc/loadavg shows them. */
export function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** How to start a TypeScript file under each runtime, from the repository root. */
export function runtimes(root: string): [name: string, argv: string[]][] {
  return [
    ["node", [process.execPath, "--import", "tsx"]],
    ["deno", [join(root, "node_modules/.bin/deno"), "run", "-A", "--no-check"]],
    ["bun", [join(root, "node_modules/.bin/bun")]],
  ];
}
