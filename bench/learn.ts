/**
 * Overhead of learn mode (issue 6, target ≤ 2×): `npm install is-number` under `learn()` against
 * the same install under a plain `run()` with the same policy, interleaved run by run (in ABBA
 * order) so drift in machine load and registry latency hits both alike; median of N (default 6) each.
 *
 * Two workloads: `online`, a cold npm cache in the sandbox's /tmp (the registry is fetched every
 * time), and `offline`, a warm cache shared by every run (`--offline`: no network, so the figure
 * is the supervisor's cost on npm's own file work alone); and, as a worst case only, `opens`: a
 * loop of 20 000 open(2) calls, each one a round trip to the supervisor.
 *
 *   node --import tsx bench/learn.ts [ITERATIONS]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { learn } from "../src/learn/learn.ts";
import { loadPolicy } from "../src/policyfile/options.ts";
import { run } from "../src/run.ts";
import { loadAverage, quantile, ratio } from "./measure.ts";

const N = Number(process.argv[2] ?? 6);
const root = mkdtempSync("/var/tmp/stockade-bench-learn-");
const cache = join(root, "npm-cache");
const policyFile = join(root, "bench.json");
mkdirSync(cache);
// The same base for both sides: base, the project and the shared cache writable, the registry allowed.
writeFileSync(
  policyFile,
  JSON.stringify({ extends: "base", fs: { write: ["${PROJECT}", cache] }, network: { allow: ["registry.npmjs.org"] } }),
);

const common = ["install", "is-number", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"];
const workloads: Record<string, string[]> = {
  online: ["npm", ...common, "--prefer-online", "--cache", "/tmp/npm-cache"],
  offline: ["npm", ...common, "--offline", "--cache", cache],
  // The worst case, not a target: nothing but notified calls (20 000 opens, 20 000 round trips).
  opens: ["python3", "-c", "for _ in range(20000): open('/etc/hostname').close()"],
};

let serial = 0;
/** A fresh project with an empty package.json. */
function project(): string {
  const dir = join(root, `p${serial++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench", version: "1.0.0", private: true }));
  return dir;
}

async function plain(argv: string[]): Promise<number> {
  const cwd = project();
  const started = performance.now();
  const r = await run(argv, { ...await loadPolicy(policyFile, { cwd }), timeout: 120_000 });
  const ms = performance.now() - started;
  if (r.code !== 0) throw new Error(`plain run failed (${r.code}): ${r.stderrText}`);
  rmSync(cwd, { recursive: true, force: true });
  return ms;
}

async function learned(argv: string[]): Promise<number> {
  const cwd = project();
  const started = performance.now();
  const { result } = await learn(argv, { policy: policyFile, cwd, timeout: 120_000 });
  const ms = performance.now() - started;
  if (result.code !== 0) throw new Error(`learn run failed (${result.code}): ${result.stderrText}`);
  rmSync(cwd, { recursive: true, force: true });
  return ms;
}

// Warm the shared cache (and the compiled policies) once.
await plain(["npm", ...common, "--cache", cache]);
console.log(`bench/learn: ${N} interleaved runs each; load before: ${loadAverage()}`);
console.log("workload   plain median   learn median   ratio   (p25..p75 plain | learn)");
for (const [name, argv] of Object.entries(workloads)) {
  const p: number[] = [];
  const l: number[] = [];
  // ABBA order: the second of two back-to-back installs finds the registry's edge warmer.
  for (let i = 0; i < N; i++) {
    if (i % 2 === 0) {
      p.push(await plain(argv));
      l.push(await learned(argv));
    } else {
      l.push(await learned(argv));
      p.push(await plain(argv));
    }
  }
  const fmt = (xs: number[]) => `${quantile(xs, 0.25).toFixed(0)}..${quantile(xs, 0.75).toFixed(0)}`;
  console.log(
    `${name.padEnd(10)} ${quantile(p, 0.5).toFixed(0).padStart(9)} ms   ${quantile(l, 0.5).toFixed(0).padStart(9)} ms   ${
      ratio(quantile(l, 0.5), quantile(p, 0.5))
    }   (${fmt(p)} | ${fmt(l)})`,
  );
}
console.log(`load after: ${loadAverage()}`);
rmSync(root, { recursive: true, force: true });
