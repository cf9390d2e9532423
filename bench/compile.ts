/**
 * Compiler benchmark (issue 2): our WASM compiler in Node, Deno and Bun vs libseccomp's export_bpf
 * (Debian's python3-seccomp) on the same Docker-default-like policy, in one run.
 *
 *   node --import tsx bench/compile.ts [POLICY] [ITERATIONS]
 *
 * Prints module size, load time per runtime, warm compile time per runtime, program length and
 * mean/max instructions executed per syscall (over x86_64 numbers 0..460, zero arguments), each with
 * its ratio to libseccomp.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileSeccomp } from "../src/compile.ts";
import { stringifyOciProfile, toOciProfile } from "../src/oci.ts";
import { AUDIT, runBpf } from "../tests/helpers/bpf.ts";

const root = new URL("../", import.meta.url).pathname;
const policy = process.argv[2] ?? join(root, "bench/policies/docker-like.kafel");
const iterations = process.argv[3] ?? "2000";
const text = readFileSync(policy, "utf8");
const dir = mkdtempSync(join(tmpdir(), "stockade-bench-"));

function execStats(prog: Uint8Array): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let nr = 0; nr <= 460; nr++) {
    const { executed } = runBpf(prog, { arch: AUDIT.x86_64, nr });
    sum += executed;
    max = Math.max(max, executed);
  }
  return { mean: sum / 461, max };
}

const runtimes: [string, string[]][] = [
  ["node", [process.execPath, "--import", "tsx"]],
  ["deno", [join(root, "node_modules/.bin/deno"), "run", "-A", "--no-check"]],
  ["bun", [join(root, "node_modules/.bin/bun")]],
];
const worker = join(root, "bench/compile-worker.ts");
const ours: Record<string, { loadMs: number; warmCompileUs: number; p90Us: number; insns: number }> = {};
for (const [name, cmd] of runtimes) {
  const res = spawnSync(cmd[0], [...cmd.slice(1), worker, policy, iterations], { encoding: "utf8", cwd: root });
  if (res.status !== 0) throw new Error(`${name} worker failed: ${res.stderr}`);
  ours[name] = JSON.parse(res.stdout.trim().split("\n").pop()!);
}

const oci = join(dir, "policy.json");
// libseccomp compares all 64 bits of an argument, and OCI has no 32-bit "!=" short of one entry per
// bit: the text fed to libseccomp declares socket's and ioctl's arguments 64-bit (custom names),
// the rules otherwise the same.
const wide = text.replace("socket {", "socket(family) {").replace("ioctl {", "ioctl(fd, cmd) {");
if (wide === text || wide.split("(fd, cmd)").length !== 2) throw new Error("docker-like.kafel no longer has the socket/ioctl rules this bench widens");
writeFileSync(oci, stringifyOciProfile(await toOciProfile(wide, { arch: "x86_64" })));
const py = spawnSync("/usr/bin/python3", [join(root, "bench/libseccomp_compile.py"), oci, join(dir, "libseccomp"), iterations], { encoding: "utf8" });
if (py.status !== 0) throw new Error(`libseccomp bench failed (apt-get install python3-seccomp): ${py.stderr}`);
const lib = JSON.parse(py.stdout) as Record<"linear" | "tree", { median_us: number; bytes: number }> & { skipped: string[] };

const ourProg = await compileSeccomp(text, { arch: "x86_64" });
const ourExec = execStats(ourProg);
const libProg = { linear: new Uint8Array(readFileSync(join(dir, "libseccomp-linear.bpf"))), tree: new Uint8Array(readFileSync(join(dir, "libseccomp-tree.bpf"))) };
const libExec = { linear: execStats(libProg.linear), tree: execStats(libProg.tree) };
const best = Math.min(lib.linear.median_us, lib.tree.median_us);

const f = (n: number, d = 1) => n.toFixed(d);
console.log(`policy: ${policy}`);
if (lib.skipped.length) console.log(`libseccomp 2.5 does not know ${lib.skipped.length} allowed syscalls, left out of its filter: ${lib.skipped.join(", ")}`);
console.log(`wasm/kafel.wasm: ${f(statSync(join(root, "wasm/kafel.wasm")).size / 1024)} KiB`);
console.log(`\nwarm compile (median of ${iterations})      vs libseccomp export_bpf ${f(lib.linear.median_us)} µs linear / ${f(lib.tree.median_us)} µs tree`);
for (const [name, o] of Object.entries(ours)) {
  console.log(`  ${name.padEnd(5)} ${f(o.warmCompileUs).padStart(7)} µs (p90 ${f(o.p90Us)})  = ${f(o.warmCompileUs / best, 3)}× libseccomp's faster   load ${f(o.loadMs, 2)} ms`);
}
console.log(`\nprogram length (instructions)`);
console.log(`  stockade ${ourProg.length / 8}   libseccomp linear ${libProg.linear.length / 8}   tree ${libProg.tree.length / 8}`);
console.log(`instructions executed per syscall (x86_64 nr 0..460, zero args): mean / max`);
console.log(`  stockade ${f(ourExec.mean)} / ${ourExec.max}   libseccomp linear ${f(libExec.linear.mean)} / ${libExec.linear.max}   tree ${f(libExec.tree.mean)} / ${libExec.tree.max}`);
console.log(`  ratio of means: ${f(ourExec.mean / libExec.linear.mean, 3)}× linear, ${f(ourExec.mean / libExec.tree.mean, 3)}× tree`);
