/**
 * Shared by the network proof: test host names in /etc/hosts, HTTP and HTTPS servers on
 * 127.0.0.1 that record what reaches them, a self-signed certificate, and the network events of
 * a run. All traffic stays on the loopback interface.
 */
import { execFileSync } from "node:child_process";
import { accessSync, appendFileSync, constants, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import process from "node:process";
import type { EngineEvent } from "../../src/engine/events.ts";
import { skip as engineSkip, tempDir } from "../sandbox/helpers.ts";

export { cleanup, tempDir } from "../sandbox/helpers.ts";

/** Test names and the addresses /etc/hosts gives them (the proxy resolves them on the host side). */
export const TEST_HOSTS: Readonly<Record<string, string>> = {
  "allowed.stockade.test": "127.0.0.1",
  "denied.stockade.test": "127.0.0.1",
  "wild.stockade.test": "127.0.0.1",
  "sub.wild.stockade.test": "127.0.0.1",
  "deep.sub.wild.stockade.test": "127.0.0.1",
  "denied.wild.stockade.test": "127.0.0.1",
  "ask.stockade.test": "127.0.0.1",
  "meta.stockade.test": "169.254.169.254",
};

/** Adds the missing TEST_HOSTS lines to /etc/hosts; returns why it cannot, or false. */
function addTestHosts(): string | false {
  const file = "/etc/hosts";
  try {
    accessSync(file, constants.W_OK);
  } catch {
    return `${file} is not writable (the network proof needs its test names there; run as root)`;
  }
  const present = new Set(
    readFileSync(file, "utf8").split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 2).map((f) => `${f[0]} ${f[1]}`),
  );
  const missing = Object.entries(TEST_HOSTS).map(([name, ip]) => `${ip} ${name}`).filter((l) => !present.has(l));
  // Appended in one write, so test files setting up concurrently add at most duplicate lines.
  if (missing.length) appendFileSync(file, `${missing.join("\n")}\n`);
  return false;
}

function opensslMissing(): string | false {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
    return false;
  } catch {
    return "openssl is not installed (it makes the test certificate)";
  }
}

/** `false` when the network proof can run, else why it is skipped. */
export const skip: string | false = engineSkip || opensslMissing() || addTestHosts();
if (skip && !engineSkip) process.stderr.write(`Skipping the network proof: ${skip}\n`);

/** What one request that reached a test server looked like. */
export interface Arrival {
  host: string | undefined;
  url: string | undefined;
}

/** A test server on 127.0.0.1 that answers `hello from HOST` and records every request. */
export interface TestServer {
  port: number;
  arrivals: Arrival[];
  /** The requests whose Host header names `host` (any port). */
  from(host: string): Arrival[];
  close(): Promise<void>;
}

function listen(server: Server): Promise<TestServer> {
  const arrivals: Arrival[] = [];
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    arrivals.push({ host: req.headers.host, url: req.url });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`hello from ${req.headers.host}`);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        arrivals,
        from: (host) => arrivals.filter((a) => a.host?.replace(/:[0-9]+$/, "") === host),
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** A self-signed certificate for every test name, in a directory readable from the sandbox. */
export interface Certificate {
  dir: string;
  certFile: string;
  key: string;
  cert: string;
}

/** Makes a certificate with `openssl` (installed on Debian and in CI). */
export function makeCertificate(): Certificate {
  const dir = tempDir("net-cert");
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  const names = Object.keys(TEST_HOSTS).map((n) => `DNS:${n}`).join(",");
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=stockade.test",
    "-addext",
    `subjectAltName=${names}`,
    // A leaf, not a CA: rustls (Deno) refuses a CA certificate presented as the server's own.
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-addext",
    "extendedKeyUsage=serverAuth",
    "-keyout",
    keyFile,
    "-out",
    certFile,
  ], { stdio: "pipe" });
  const key = readFileSync(keyFile, "utf8");
  writeFileSync(keyFile, ""); // the sandbox may read the directory; it needs only the certificate
  return { dir, certFile, key, cert: readFileSync(certFile, "utf8") };
}

/** Starts an HTTP server on 127.0.0.1. */
export function httpServer(): Promise<TestServer> {
  return listen(createHttpServer());
}

/** Starts an HTTPS server on 127.0.0.1 with `cert`. */
export function httpsServer(cert: Certificate): Promise<TestServer> {
  return listen(createHttpsServer({ key: cert.key, cert: cert.cert }));
}

/** A network refusal as the run result carries it. */
export interface Refusal {
  host: string;
  port: number;
  protocol: string;
  reason: string;
}

/** The network refusals among a run's events. */
export function refusals(events: readonly EngineEvent[]): Refusal[] {
  return events.flatMap((e) =>
    e.type === "violation" && e.kind === "network"
      ? [{ host: String(e.data?.host), port: Number(e.data?.port), protocol: String(e.data?.protocol), reason: String(e.data?.reason) }]
      : []
  );
}

/**
 * A `curl` command through the proxy from the environment that prints
 * `%{http_code}:%{http_connect}`: plain HTTP answered 200 is "200:000", an HTTPS tunnel "200:200",
 * a refused plain request "403:000", a refused CONNECT "000:403".
 */
export function curl(url: string, extra = ""): string {
  return `curl -sS -m 10 -o /dev/null -w '%{http_code}:%{http_connect}' ${extra} '${url}'`;
}
