/**
 * Writes a frame file for `stockade-engine run --frame FILE`, with the same full isolation `run()`
 * uses by default: every namespace including net, Landlock, and the baseline seccomp program
 * (policies/baseline.kafel, x86_64 + i386). Used by bench/startup.sh.
 *
 *   node --import tsx bench/frame.ts OUT.bin [COMMAND ARGS...]     (default command: /bin/true)
 *
 * Extra run() options may be given as JSON in BENCH_RUN_OPTIONS (e.g. '{"network":{"allow":["x"]}}').
 */
import { writeFileSync } from "node:fs";
import { encodeFrame } from "../src/engine/frame.ts";
import { baselinePolicy, compileRunSeccomp, type RunOptions, toExecConfig } from "../src/policy.ts";

const [out, ...argv] = process.argv.slice(2);
if (!out) {
  console.error("usage: node --import tsx bench/frame.ts OUT.bin [COMMAND ARGS...]");
  process.exit(2);
}
const options = JSON.parse(process.env.BENCH_RUN_OPTIONS ?? "{}") as RunOptions;
const config = toExecConfig(argv.length > 0 ? argv : ["/bin/true"], options);
const seccomp = await compileRunSeccomp(await baselinePolicy());
writeFileSync(out, encodeFrame({ config, seccomp }));
console.error(`frame: ${out} (${config.argv.join(" ")}; network ${config.network.mode}; seccomp ${seccomp.length / 8} instructions)`);
