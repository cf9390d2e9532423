/**
 * One runtime's compile figures, printed as JSON: module load time (first load in this process)
 * and warm compile time of a policy (median of many runs). Run by bench/compile.ts under Node, Deno
 * and Bun.
 */
import { readFileSync } from "node:fs";
import { compileSeccomp } from "../src/compile.ts";
import { loadModule } from "../src/wasm.ts";

const [policyPath, iterations = "2000"] = process.argv.slice(2);
const text = readFileSync(policyPath, "utf8");

const t0 = performance.now();
await loadModule();
const loadMs = performance.now() - t0;

let bytes = await compileSeccomp(text, { arch: "x86_64" });
for (let i = 0; i < 200; i++) bytes = await compileSeccomp(text, { arch: "x86_64" }); // warm-up
const times: number[] = [];
for (let i = 0; i < Number(iterations); i++) {
  const s = performance.now();
  bytes = await compileSeccomp(text, { arch: "x86_64" });
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ loadMs, warmCompileUs: times[times.length >> 1] * 1000, p90Us: times[Math.floor(times.length * 0.9)] * 1000, insns: bytes.length / 8 }));
