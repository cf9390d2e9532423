/**
 * The proxy end to end (issue 4): curl downloading SIZE MB from a local HTTP server, run on the
 * host, inside a run() sandbox with `network: "host"`, and inside a run() sandbox with an
 * allowlist (through the engine's proxy and the in-sandbox forwarder). Rounds alternate the modes;
 * the best round counts. Then the median of `time_total` for a tiny request on a fresh curl
 * process (one per request) in each mode.
 *
 *   node --import tsx bench/proxy-e2e.ts [SIZE_MB] [ROUNDS] [REQUESTS]   (default 200, 3, 100)
 *
 * The origin is a separate Node process writing one preallocated buffer, so it costs the same in
 * every mode. `--noproxy ''` makes curl use the proxy for 127.0.0.1 too (the engine's NO_PROXY
 * lists loopback); the allow rule names the origin's address and port, which the proxy's SSRF
 * check requires for a loopback destination.
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { run, type RunOptions } from "../src/run.ts";
import { loadAverage, quantile } from "./measure.ts";

const sizeMB = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const requests = Number(process.argv[4] ?? 100);

const ORIGIN = `
const http = require("node:http");
const chunk = Buffer.alloc(1 << 20, 120);
const server = http.createServer((req, res) => {
  const n = Number(req.url.slice(1));
  res.writeHead(200, { "content-length": n });
  let left = n;
  const pump = () => {
    while (left > 0) {
      const m = Math.min(left, chunk.length);
      left -= m;
      if (!res.write(m === chunk.length ? chunk : chunk.subarray(0, m))) return res.once("drain", pump);
    }
    res.end();
  };
  pump();
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

const origin = spawn(process.execPath, ["-e", ORIGIN], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((resolve, reject) => {
  origin.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim())));
  origin.once("exit", (code) => reject(new Error(`The origin server exited with ${code}`)));
});

type Mode = "host curl" | "sandbox host net" | "sandbox allowlist";
const modes: Record<Mode, RunOptions | null> = {
  "host curl": null,
  "sandbox host net": { network: "host" },
  "sandbox allowlist": { network: { allow: [`127.0.0.1:${port}`] } },
};
const CURL = ["curl", "-sS", "--noproxy", "", "-o", "/dev/null"];

/** Runs a command on the host (options null) or in a sandbox; returns its stdout. */
async function exec(argv: string[], options: RunOptions | null): Promise<string> {
  if (options) {
    const r = await run(argv, options);
    if (r.code !== 0) throw new Error(`${argv.join(" ")} exited with ${r.code}: ${r.stderrText}`);
    return r.stdoutText;
  }
  return await new Promise<string>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(" ")} exited with ${code}`))));
  });
}

try {
  const url = (bytes: number) => `http://127.0.0.1:${port}/${bytes}`;
  const best: Partial<Record<Mode, number>> = {};
  for (let i = 0; i < rounds; i++) {
    for (const [mode, options] of Object.entries(modes) as [Mode, RunOptions | null][]) {
      const out = await exec([...CURL, "-w", "%{size_download} %{speed_download}", url(sizeMB << 20)], options);
      const [size, speed] = out.trim().split(" ").map(Number);
      if (size !== sizeMB << 20) throw new Error(`${mode}: downloaded ${size} bytes, expected ${sizeMB << 20}`);
      best[mode] = Math.max(best[mode] ?? 0, speed / (1 << 20));
    }
  }
  const latency: Partial<Record<Mode, number>> = {};
  const loop = `for i in $(seq ${requests}); do ${CURL.map((a) => `'${a}'`).join(" ")} -w '%{time_total}\\n' ${url(2)}; done`;
  for (const [mode, options] of Object.entries(modes) as [Mode, RunOptions | null][]) {
    const times = (await exec(["sh", "-c", loop], options)).trim().split("\n").map((s) => Number(s) * 1000);
    latency[mode] = quantile(times, 0.5);
  }
  const direct = best["sandbox host net"]!;
  console.log(`${sizeMB} MB, best of ${rounds}; tiny request median of ${requests} fresh curl processes; load ${loadAverage()}`);
  console.log(`${"mode".padEnd(20)} ${"MB/s".padStart(8)} ${"÷ host net".padStart(11)} ${"tiny ms".padStart(9)} ${"added ms".padStart(9)}`);
  for (const mode of Object.keys(modes) as Mode[]) {
    const r = best[mode]! / direct;
    const added = latency[mode]! - latency["sandbox host net"]!;
    console.log(`${mode.padEnd(20)} ${best[mode]!.toFixed(0).padStart(8)} ${r.toFixed(2).padStart(10)}× ${latency[mode]!.toFixed(3).padStart(9)} ${added.toFixed(3).padStart(9)}`);
  }
  const r = best["sandbox allowlist"]! / direct;
  console.log(`allowlist vs host net: ${r.toFixed(2)}× (target ≥ 0.8×: ${r >= 0.8 ? "met" : "MISSED"})`);
} finally {
  origin.kill();
}
