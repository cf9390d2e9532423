/**
 * Per-call latency from a running runtime (issue 3): `await run(["/bin/true"])` against a bare
 * `spawn("/bin/true")` awaited to exit, and bwrap through `spawnSync` and `spawn`, in Node, Deno
 * and Bun. Within one runtime the cases are interleaved call by call, so drift in machine load
 * hits them alike. Target: run() ≤ 3× bare spawn. Two more cases run the same isolation run()
 * asks for without the library: the engine spawned on a prepared frame file (`run --frame`), and
 * that frame sent to one `stockade-engine serve` by a bare client (run() from its second call on
 * is served), so run() minus it is the library's own cost (validation, config, frame, streams,
 * events). `unshare spawn` is the namespaces alone (measure.ts UNSHARE_ARGS), the floor under any
 * sandbox that makes them per call.
 *
 *   node --import tsx bench/run-latency.ts [ITERATIONS]           all three runtimes, one table
 *   node --import tsx bench/run-latency.ts --worker [ITERATIONS]  this runtime only, one JSON line
 */
import { spawn, spawnSync } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { encodeFrame } from "../src/engine/frame.ts";
import { locateEngine } from "../src/engine/locate.ts";
import { baselinePolicy, compileRunSeccomp, toExecConfig } from "../src/policy.ts";
import { run } from "../src/run.ts";
import { BWRAP_ARGS, loadAverage, quantile, ratio, runtimes, spawnSyncToExit, spawnToExit, UNSHARE_ARGS } from "./measure.ts";

const WARMUP = 20;
const frameFile = join(mkdtempSync(join(tmpdir(), "stockade-latency-")), "true.frame");
const frame = encodeFrame({ config: toExecConfig(["/bin/true"]), seccomp: await compileRunSeccomp(await baselinePolicy()) });
writeFileSync(frameFile, frame);
const engine = locateEngine();

/** Runs the frame on one `stockade-engine serve` (its wire format: docs/engine-protocol.md). */
function servedFrame(): () => Promise<void> {
  const server = spawn(engine, ["serve"], { stdio: ["ignore", "ignore", "inherit", "pipe", "pipe"], env: {} });
  const [requests, replies] = [server.stdio[3] as Writable, server.stdio[4] as Readable];
  let ended: () => void = () => {};
  let pending: Uint8Array = new Uint8Array(0);
  replies.on("data", (chunk: Uint8Array) => {
    pending = pending.length ? new Uint8Array([...pending, ...chunk]) : chunk;
    while (pending.length >= 9) {
      const view = new DataView(pending.buffer, pending.byteOffset);
      const size = view.getUint32(0, true);
      if (pending.length < 9 + size) break;
      if (view.getUint8(4) === 4) ended(); // end
      pending = pending.subarray(9 + size);
    }
  });
  // Referenced only while a run is under way: the worker exits when it is done.
  const handles = [server, requests, replies] as unknown as { ref(): void; unref(): void }[];
  let id = 0;
  return () => {
    const m = new Uint8Array(10 + frame.length);
    const view = new DataView(m.buffer);
    view.setUint32(0, 1 + frame.length, true);
    view.setUint8(4, 1); // start, stdin /dev/null
    view.setUint32(5, ++id, true);
    m.set(frame, 10);
    handles.forEach((h) => h.ref());
    requests.write(m);
    return new Promise((resolve) =>
      ended = () => {
        handles.forEach((h) => h.unref());
        resolve();
      }
    );
  };
}
const cases: Record<string, () => unknown> = {
  spawn: () => spawnToExit("/bin/true", []),
  run: async () => {
    const r = await run(["/bin/true"]);
    if (r.code !== 0) throw new Error(`run(["/bin/true"]) exited with ${r.code}: ${r.stderrText}`);
  },
  "engine --frame": () => spawnToExit(engine, ["run", "--frame", frameFile]),
  "engine serve": (() => {
    let call: (() => Promise<void>) | undefined;
    return () => (call ??= servedFrame())();
  })(),
  "bwrap spawnSync": () => spawnSyncToExit("bwrap", [...BWRAP_ARGS, "/bin/true"]),
  "bwrap spawn": () => spawnToExit("bwrap", [...BWRAP_ARGS, "/bin/true"]),
  "unshare spawn": () => spawnToExit("unshare", [...UNSHARE_ARGS, "/bin/true"]),
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
  console.log(`median (p90) in ms\n${"runtime".padEnd(8)}${names.map((n) => n.padStart(18)).join("")}   run/spawn  bwrap spawnSync/spawn  unshare/spawn`);
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
    const floor = ratio(m["unshare spawn"].medianMs, m.spawn.medianMs);
    console.log(`${name.padEnd(8)}${cells}   ${runRatio.padStart(9)}  ${ratio(m["bwrap spawnSync"].medianMs, m.spawn.medianMs).padStart(21)}  ${floor.padStart(13)}`);
  }
  console.log(`\ntarget: run/spawn ≤ 3×; load after ${loadAverage()}`);
}
