/**
 * In allowlist mode the proxy is the only way out: inside, names do not resolve through DNS, and
 * direct TCP and UDP reach nothing outside the sandbox's own loopback. Listeners on the host's
 * 127.0.0.1 record what arrives; each probe has a control run with `network: "host"` so the test
 * fails if the probe itself could not have worked.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import type { RunOptions } from "../../src/run.ts";
import { attempt, py, PY_PRELUDE, report } from "../sandbox/helpers.ts";
import { cleanup, httpServer, skip } from "./helpers.ts";

const web = skip ? undefined : await httpServer();
const udp = skip ? undefined : createSocket("udp4");
const udpArrivals: string[] = [];
udp?.on("message", (m) => udpArrivals.push(m.toString()));
if (udp) await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
const UDP_PORT = (udp?.address().port as number | undefined) ?? 0;
after(async () => {
  await web?.close();
  udp?.close();
  cleanup();
});

/** A name the host resolves through DNS (not /etc/hosts, which the sandbox can read). */
const DNS_NAME = "pypi.org";
/** The first nameserver in /etc/resolv.conf: where a DNS query would go. */
const NAMESERVER = /^nameserver\s+([0-9.]+)\s*$/m.exec(readFileSync("/etc/resolv.conf", "utf8"))?.[1] ?? "8.8.8.8";
const ALLOWLIST: RunOptions = { network: { allow: ["registry.npmjs.org"] } };

const DNS_PROBE = `${PY_PRELUDE}
import socket, subprocess
res = {}
try: res["getaddrinfo"] = sorted({a[4][0] for a in socket.getaddrinfo("${DNS_NAME}", 443)})
except OSError as e: res["getaddrinfo"] = "error " + type(e).__name__
res["getent"] = subprocess.run(["getent", "hosts", "${DNS_NAME}"], capture_output=True).returncode
out(res)`;

const TCP_PROBE = `${PY_PRELUDE}
import socket
res = {}
for key, addr in [("loopback", ("127.0.0.1", ${web?.port ?? 0})), ("outside", ("${NAMESERVER}", 53))]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect(addr)
        s.sendall(b"GET /direct-tcp HTTP/1.0\\r\\nHost: direct\\r\\n\\r\\n")
        s.recv(100)
        res[key] = "connected"
    except OSError as e:
        res[key] = errno.errorcode.get(e.errno, str(e)) if e.errno else type(e).__name__
    s.close()
out(res)`;

const UDP_PROBE = `${PY_PRELUDE}
import socket
res = {}
for key, addr in [("loopback", ("127.0.0.1", ${UDP_PORT})), ("nameserver", ("${NAMESERVER}", 53))]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.sendto(b"udp-escape", addr)
        res[key] = "sent"
    except OSError as e:
        res[key] = errno.errorcode.get(e.errno, str(e))
    s.close()
out(res)`;

const dnsInside = attempt(() => py(DNS_PROBE, ALLOWLIST));
const tcpInside = attempt(() => py(TCP_PROBE, ALLOWLIST));
const udpInside = attempt(() => py(UDP_PROBE, ALLOWLIST));
const tcpHost = attempt(() => py(TCP_PROBE.replace("/direct-tcp", "/direct-tcp-control"), { network: "host" }));
const udpHost = attempt(() => py(UDP_PROBE.replace("udp-escape", "udp-control"), { network: "host" }));

describe("allowlist mode: nothing leaves except through the proxy", () => {
  test("DNS lookups fail inside (getaddrinfo, getent), though the host resolves the name", { skip }, async () => {
    const onHost = await lookup(DNS_NAME).then(() => true, () => false);
    if (!onHost) return void assert.fail(`the host itself cannot resolve "${DNS_NAME}": the test cannot tell`);
    const res = report<{ getaddrinfo: unknown; getent: number }>(await dnsInside());
    assert.equal(res.getaddrinfo, "error gaierror");
    assert.equal(res.getent, 2, "getent hosts found the name");
  });

  test("direct TCP reaches neither the host's 127.0.0.1 (its own loopback is separate) nor outside", { skip }, async () => {
    const inside = await tcpInside();
    const res = report<Record<string, string>>(inside);
    // Landlock (ABI 4+) refuses TCP connects to any port but the proxy's (EACCES); without it the
    // sandbox's own loopback has no listener there (ECONNREFUSED). Either way: not the host's.
    assert.ok(["EACCES", "ECONNREFUSED"].includes(res.loopback), JSON.stringify(res));
    assert.ok(["EACCES", "ENETUNREACH"].includes(res.outside), JSON.stringify(res));
    assert.equal(web?.arrivals.filter((a) => a.url === "/direct-tcp").length, 0);
    // Control: with the host's network the same connect arrives, so the probe itself works.
    assert.equal(report<Record<string, string>>(await tcpHost()).loopback, "connected");
    assert.equal(web?.arrivals.filter((a) => a.url === "/direct-tcp-control").length, 1);
  });

  test("UDP sends reach nothing: not the host's loopback, not the nameserver", { skip }, async () => {
    const res = report<Record<string, string>>(await udpInside());
    // The sandbox's own loopback accepts the datagram; it never reaches the host's listener.
    assert.equal(res.loopback, "sent");
    assert.equal(res.nameserver, "ENETUNREACH");
    // Control: with the host's network the same datagram arrives.
    assert.equal(report<Record<string, string>>(await udpHost()).loopback, "sent");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(udpArrivals, ["udp-control"]);
  });
});
