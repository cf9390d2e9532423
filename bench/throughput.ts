/**
 * Throughput with concurrent callers (issue 3): sandboxes per second when CALLERS async loops each
 * `await run(["/bin/true"])` back to back for SECONDS, against the same loops spawning bwrap
 * (`--unshare-all`, host root read-only). The subjects take turns twice (half the time each) so
 * drift in machine load hits all. Target: run() ≥ 2× bwrap's rate. The same loops spawning
 * `unshare` with the namespaces alone (measure.ts UNSHARE_ARGS) give the rate of the kernel's part,
 * for reference.
 *
 *   node --import tsx bench/throughput.ts [SECONDS] [CALLERS]     (default 10 s, 2 callers)
 *
 * Runs under Deno and Bun as well (`npx deno run -A bench/throughput.ts`, `npx bun bench/throughput.ts`).
 */
import process from "node:process";
import { run } from "../src/run.ts";
import { BWRAP_ARGS, loadAverage, spawnToExit, UNSHARE_ARGS } from "./measure.ts";

const seconds = Number(process.argv[2] ?? 10);
const callers = Number(process.argv[3] ?? 2);

const subjects: Record<string, () => Promise<unknown>> = {
  "run()": async () => {
    const r = await run(["/bin/true"]);
    if (r.code !== 0) throw new Error(`run(["/bin/true"]) exited with ${r.code}: ${r.stderrText}`);
  },
  "bwrap spawn": () => spawnToExit("bwrap", [...BWRAP_ARGS, "/bin/true"]),
  "unshare spawn": () => spawnToExit("unshare", [...UNSHARE_ARGS, "/bin/true"]),
};

/** Runs `callers` loops of `call` for `ms`; returns completed calls and the elapsed time. */
async function phase(call: () => Promise<unknown>, ms: number): Promise<{ done: number; elapsedMs: number }> {
  const t0 = performance.now();
  const end = t0 + ms;
  let done = 0;
  await Promise.all(Array.from({ length: callers }, async () => {
    while (performance.now() < end) {
      await call();
      done++;
    }
  }));
  return { done, elapsedMs: performance.now() - t0 };
}

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : `node ${process.version}`;
console.log(`throughput: ${callers} concurrent callers, ${seconds} s per subject in 2 alternating halves; ${runtime}; load ${loadAverage()}`);
for (const call of Object.values(subjects)) await phase(call, 500); // warm-up: compile cache, page cache
const totals: Record<string, { done: number; elapsedMs: number }> = {};
for (let half = 0; half < 2; half++) {
  for (const [name, call] of Object.entries(subjects)) {
    const r = await phase(call, (seconds * 1000) / 2);
    totals[name] ??= { done: 0, elapsedMs: 0 };
    totals[name].done += r.done;
    totals[name].elapsedMs += r.elapsedMs;
  }
}
const rate = (name: string) => totals[name].done / (totals[name].elapsedMs / 1000);
for (const name of Object.keys(subjects)) console.log(`  ${name.padEnd(13)} ${rate(name).toFixed(1).padStart(7)} sandboxes/s  (${totals[name].done} in ${(totals[name].elapsedMs / 1000).toFixed(1)} s)`);
const r = rate("run()") / rate("bwrap spawn");
console.log(`  run() / bwrap: ${r.toFixed(2)}×   target ≥ 2×: ${r >= 2 ? "met" : "MISSED"}; 2× bwrap / unshare: ${((2 * rate("bwrap spawn")) / rate("unshare spawn")).toFixed(2)}×; load after ${loadAverage()}`);
