/**
 * Unix sockets and the network: a read-only bind does not stop connect() to a socket file, so
 * sockets under readable paths must be masked; abstract sockets and host TCP must stay behind the
 * network namespace. Listeners run on the host; each test checks which connections arrived.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { cleanup, py, PY_PRELUDE, report, skip, tempDir } from "./helpers.ts";

const sockDir = skip ? "" : tempDir("sock");
const sockFile = join(sockDir, "host.sock");
const abstractName = `stockade-test-${randomUUID()}`;
/** The host's first nameserver (any routable address works: the sandbox must not reach it). */
const NAMESERVER = (() => {
  try {
    return /^nameserver\s+(\d+\.\d+\.\d+\.\d+)/m.exec(readFileSync("/etc/resolv.conf", "utf8"))?.[1] ?? "1.1.1.1";
  } catch {
    return "1.1.1.1";
  }
})();

let listener: ChildProcess | undefined;
let port = 0;
const accepted: string[] = [];

function connectAll(): string {
  return `${PY_PRELUDE}
import socket
res = {}
for kind, family, addr in [("file", socket.AF_UNIX, ${JSON.stringify(sockFile)}), ("abstract", socket.AF_UNIX, "\\0" + ${
    JSON.stringify(abstractName)
  }),
                           ("tcp", socket.AF_INET, ("127.0.0.1", ${"PORT"}))]:
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(addr); res[kind] = "connected"
    except OSError as e: res[kind] = e.errno or str(e)
    s.close()
# DNS: a resolver reachable from inside leaks data in query names even with no HTTP allowed.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.sendto(b"\\0" * 12, (${JSON.stringify(NAMESERVER)}, 53)); res["udp to the host's resolver"] = "sent"
except OSError as e: res["udp to the host's resolver"] = e.errno
try:
    socket.getaddrinfo("registry.npmjs.org", 443); res["name lookup"] = "resolved"
except OSError as e: res["name lookup"] = str(e)
out(res)`;
}

/** The connections the listener reported after index `from`, once in-flight reports have arrived. */
async function acceptedSince(from: number): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 200));
  return accepted.slice(from);
}

describe("sockets and the network", () => {
  before(async () => {
    if (skip) return;
    listener = spawn("python3", [new URL("./listeners.py", import.meta.url).pathname, sockFile, abstractName], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffer = "";
    await new Promise<void>((resolve, reject) => {
      listener!.on("error", reject);
      listener!.stdout!.on("data", (chunk: Uint8Array) => {
        buffer += new TextDecoder().decode(chunk);
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          if (line.startsWith("{")) {
            port = (JSON.parse(line) as { port: number }).port;
            resolve();
          } else accepted.push(line);
        }
      });
    });
  });

  after(() => {
    listener?.kill("SIGKILL");
    cleanup();
  });

  test("host unix sockets, abstract sockets, host TCP and DNS are unreachable by default", { skip }, async () => {
    const from = accepted.length;
    // The socket's directory is the working directory: readable, so only masking protects it.
    const r = await py(connectAll().replace("PORT", String(port)), { cwd: sockDir });
    const res = report<Record<string, unknown>>(r);
    for (const kind of ["file", "abstract", "tcp"]) assert.notEqual(res[kind], "connected", `${kind}: connected`);
    assert.notEqual(res["udp to the host's resolver"], "sent", "a DNS query could leave the sandbox");
    assert.notEqual(res["name lookup"], "resolved", "names resolve inside the sandbox");
    assert.deepEqual(await acceptedSince(from), [], "the host listener accepted a connection from the sandbox");
  });

  test("an explicitly allowed socket file is reachable (control)", { skip }, async () => {
    const from = accepted.length;
    const r = await py(connectAll().replace("PORT", String(port)), { sockets: [sockFile] });
    const res = report<Record<string, unknown>>(r);
    assert.equal(res.file, "connected", `the allowed socket gave ${JSON.stringify(res.file)}`);
    assert.notEqual(res.abstract, "connected");
    assert.deepEqual(await acceptedSince(from), ["file"]);
  });

  test("with network: host the same probes get through (control)", { skip }, async () => {
    const from = accepted.length;
    const res = report<Record<string, unknown>>(await py(connectAll().replace("PORT", String(port)), { network: "host" }));
    assert.equal(res.tcp, "connected");
    assert.equal(res["udp to the host's resolver"], "sent");
    assert.ok((await acceptedSince(from)).includes("tcp"));
  });
});
