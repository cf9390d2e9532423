/**
 * The proxy end to end (issue 4): curl downloading SIZE MB from a local HTTP server, run on the
 * host, inside a run() sandbox with `network: "host"`, and inside a run() sandbox with an
 * allowlist (curl connects to the proxy's listener in the sandbox's loopback; the engine accepts
 * on it outside and dials the origin). Each round runs every mode once, in turn; a mode's ratio is
 * the median over rounds of its MB/s divided by the same round's "sandbox host net" MB/s. Then the
 * median of `time_total` for a tiny request on a fresh curl process (one per request) in each mode,
 * the modes taking turns in slices.
 *
 *   node --import tsx bench/proxy-e2e.ts [SIZE_MB] [ROUNDS] [REQUESTS]   (default 200, 5, 100)
 *   PROXY_E2E_BASELINE=/path/to/old/stockade-engine node --import tsx bench/proxy-e2e.ts …
 *
 * The origin is a separate Node process writing one preallocated buffer, so it costs the same in
 * every mode. With PROXY_E2E_ORIGIN=nginx it is nginx (Debian's nginx-light) sending files with
 * sendfile(2), as a registry or CDN serves a tarball: the origin then costs almost no CPU, and on a
 * machine of 2 CPUs the comparison is of the proxied path (curl and the proxy) against curl alone
 * rather than of three busy processes against two. `--noproxy ''` makes curl use the proxy for 127.0.0.1 too (the engine's NO_PROXY
 * lists loopback); the allow rule names the origin's address and port, which the proxy's SSRF
 * check requires for a loopback destination.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { run, type RunOptions } from "../src/run.ts";
import { loadAverage, quantile } from "./measure.ts";

const sizeMB = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
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

const origin = process.env.PROXY_E2E_ORIGIN === "nginx" ? await startNginx() : spawn(process.execPath, ["-e", ORIGIN], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((resolve, reject) => {
  origin.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim())));
  origin.once("exit", (code) => reject(new Error(`The origin server exited with ${code}`)));
});

/** nginx serving SIZE_MB and 2-byte files named by their size; its port comes on stdout like the Node origin's. */
async function startNginx() {
  const dir = mkdtempSync(join(tmpdir(), "stockade-e2e-nginx-"));
  for (const n of [sizeMB << 20, 2]) writeFileSync(join(dir, String(n)), Buffer.alloc(n, 120));
  const free = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => free.once("listening", r));
  const p = (free.address() as { port: number }).port;
  await new Promise((r) => free.close(r));
  writeFileSync(join(dir, "nginx.conf"), `pid ${dir}/nginx.pid; error_log stderr; events {}
http { access_log off; sendfile on; tcp_nopush on; server { listen 127.0.0.1:${p}; root ${dir}; } }`);
  const child = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off; master_process off;"], { stdio: ["ignore", "pipe", "inherit"] });
  setTimeout(() => child.stdout!.emit("data", Buffer.from(String(p))), 200); // nginx says nothing when ready
  return child;
}

type Mode = "host curl" | "sandbox host net" | "sandbox allowlist" | "baseline allowlist";
const modes: Partial<Record<Mode, RunOptions | null>> = {
  "host curl": null,
  "sandbox host net": { network: "host" },
  "sandbox allowlist": { network: { allow: [`127.0.0.1:${port}`] } },
};
// PROXY_E2E_BASELINE=PATH adds the same allowlist run by another engine binary (an older build),
// taking its turn in every round, so a change is measured side by side.
const baseline = process.env.PROXY_E2E_BASELINE;
if (baseline) modes["baseline allowlist"] = modes["sandbox allowlist"];
const engine = process.env.STOCKADE_ENGINE;
const CURL = ["curl", "-sS", "--noproxy", "", "-o", "/dev/null"];

/** Runs a command on the host (options null) or in a sandbox; returns its stdout. */
async function exec(argv: string[], options: RunOptions | null, mode?: Mode): Promise<string> {
  if (options) {
    // run() looks the engine up when called; restore the caller's choice after the baseline.
    if (mode === "baseline allowlist") process.env.STOCKADE_ENGINE = baseline;
    else if (engine === undefined) delete process.env.STOCKADE_ENGINE;
    else process.env.STOCKADE_ENGINE = engine;
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
  const speeds: Record<Mode, number[]> = { "host curl": [], "sandbox host net": [], "sandbox allowlist": [], "baseline allowlist": [] };
  for (let i = 0; i < rounds; i++) {
    for (const [mode, options] of Object.entries(modes) as [Mode, RunOptions | null][]) {
      const out = await exec([...CURL, "-w", "%{size_download} %{speed_download}", url(sizeMB << 20)], options, mode);
      const [size, speed] = out.trim().split(" ").map(Number);
      if (size !== sizeMB << 20) throw new Error(`${mode}: downloaded ${size} bytes, expected ${sizeMB << 20}`);
      speeds[mode].push(speed / (1 << 20));
    }
  }
  const perRound = (mode: Mode) => speeds[mode].map((s, i) => s / speeds["sandbox host net"][i]);
  // The tiny requests run in 5 slices per mode, the modes taking turns, so a change of load
  // during the measurement falls on every mode alike.
  const slices = Math.min(5, requests);
  const times: Record<Mode, number[]> = { "host curl": [], "sandbox host net": [], "sandbox allowlist": [], "baseline allowlist": [] };
  for (let i = 0; i < slices; i++) {
    const count = Math.floor(requests / slices) + (i < requests % slices ? 1 : 0);
    const loop = `for i in $(seq ${count}); do ${CURL.map((a) => `'${a}'`).join(" ")} -w '%{time_total}\\n' ${url(2)}; done`;
    for (const [mode, options] of Object.entries(modes) as [Mode, RunOptions | null][]) {
      times[mode].push(...(await exec(["sh", "-c", loop], options, mode)).trim().split("\n").map((t) => Number(t) * 1000));
    }
  }
  const latency = (mode: Mode) => quantile(times[mode], 0.5);
  console.log(`${sizeMB} MB, ${rounds} rounds, medians; tiny request median of ${requests} fresh curl processes; load ${loadAverage()}`);
  console.log(`${"mode".padEnd(20)} ${"MB/s".padStart(8)} ${"÷ host net".padStart(11)} ${"tiny ms".padStart(9)} ${"added ms".padStart(9)}`);
  for (const mode of Object.keys(modes) as Mode[]) {
    const added = latency(mode) - latency("sandbox host net");
    console.log(`${mode.padEnd(20)} ${quantile(speeds[mode], 0.5).toFixed(0).padStart(8)} ${quantile(perRound(mode), 0.5).toFixed(2).padStart(10)}× ${latency(mode).toFixed(3).padStart(9)} ${added.toFixed(3).padStart(9)}`);
  }
  for (const mode of ["sandbox allowlist", "baseline allowlist"] as const) {
    if (!(mode in modes)) continue;
    const r = quantile(perRound(mode), 0.5);
    const each = perRound(mode).map((x) => x.toFixed(2)).join(" ");
    const name = mode === "baseline allowlist" ? `baseline engine ${baseline}: allowlist` : "allowlist";
    console.log(`${name} vs host net: ${r.toFixed(2)}× median of rounds [${each}] (target ≥ 0.8×: ${r >= 0.8 ? "met" : "MISSED"})`);
  }
} finally {
  origin.kill();
}
