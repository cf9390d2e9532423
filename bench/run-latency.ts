/**
 * Per-call latency from a running runtime (issue 3): `await run(["/bin/true"])` against a bare
 * `spawn("/bin/true")` awaited to exit, and bwrap through `spawnSync` and `spawn`, in Node, Deno
 * and Bun. Within one runtime the cases are interleaved call by call, so drift in machine load
 * hits them alike. Target: run() ≤ 3× bare spawn. A fifth case spawns the engine itself on a
 * prepared frame file (`run --frame`, the same isolation run() asks for), so run() minus it is
 * the library's own cost (validation, config, frame, pipes, events).
 *
 *   node --import tsx bench/run-latency.ts [ITERATIONS]           all three runtimes, one table
 *   node --import tsx bench/run-latency.ts --worker [ITERATIONS]  this runtime only, one JSON line
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { encodeFrame } from "../src/engine/frame.ts";
import { locateEngine } from "../src/engine/locate.ts";
import { baselinePolicy, compileRunSeccomp, toExecConfig } from "../src/policy.ts";
import { run } from "../src/run.ts";
import { BWRAP_ARGS, loadAverage, quantile, ratio, runtimes, spawnSyncToExit, spawnToExit } from "./measure.ts";

const WARMUP = 20;
const frameFile = join(mkdtempSync(join(tmpdir(), "stockade-latency-")), "true.frame");
writeFileSync(frameFile, encodeFrame({ config: toExecConfig(["/bin/true"]), seccomp: await compileRunSeccomp(await baselinePolicy()) }));
const engine = locateEngine();
const cases: Record<string, () => unknown> = {
  spawn: () => spawnToExit("/bin/true", []),
  run: async () => {
    const r = await run(["/bin/true"]);
    if (r.code !== 0) throw new Error(`run(["/bin/true"]) exited with ${r.code}: ${r.stderrText}`);
  },
  "engine --frame": () => spawnToExit(engine, ["run", "--frame", frameFile]),
  "bwrap spawnSync": () => spawnSyncToExit("bwrap", [...BWRAP_ARGS, "/bin/true"]),
  "bwrap spawn": () => spawnToExit("bwrap", [...BWRAP_ARGS, "/bin/true"]),
};
type Medians = Record<string, { medianMs: number; p90Ms: number }>;

async function measure(iterations: number): Promise<Medians> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < WARMUP + iterations; i++) {
    for (const [name, call] of Object.entries(cases)) {
      const t0 = performance.now();
      await call();
      if (i >= WARMUP) samples[name].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, { medianMs: quantile(s, 0.5), p90Ms: quantile(s, 0.9) }]));
}

const args = process.argv.slice(2);
const worker = args[0] === "--worker";
const iterations = Number((worker ? args[1] : args[0]) ?? 200);

if (worker) {
  console.log(JSON.stringify(await measure(iterations)));
} else {
  const root = new URL("../", import.meta.url).pathname;
  console.log(`run-latency: ${iterations} calls each after ${WARMUP} warm-up, interleaved; load ${loadAverage()}`);
  const names = Object.keys(cases);
  console.log(`median (p90) in ms\n${"runtime".padEnd(8)}${names.map((n) => n.padStart(18)).join("")}   run/spawn  bwrap spawnSync/spawn`);
  for (const [name, cmd] of runtimes(root)) {
    const res = spawnSync(cmd[0], [...cmd.slice(1), new URL(import.meta.url).pathname, "--worker", String(iterations)], {
      encoding: "utf8",
      cwd: root,
    });
    if (res.status !== 0) {
      console.log(`${name.padEnd(8)}failed: ${(res.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`);
      continue;
    }
    const m = JSON.parse(res.stdout.trim().split("\n").pop()!) as Medians;
    const cells = names.map((n) => `${m[n].medianMs.toFixed(2)} (${m[n].p90Ms.toFixed(2)})`.padStart(18)).join("");
    const runRatio = ratio(m.run.medianMs, m.spawn.medianMs);
    console.log(`${name.padEnd(8)}${cells}   ${runRatio.padStart(9)}  ${ratio(m["bwrap spawnSync"].medianMs, m.spawn.medianMs).padStart(21)}`);
  }
  console.log(`\ntarget: run/spawn ≤ 3×; load after ${loadAverage()}`);
}
