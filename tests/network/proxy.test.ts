/**
 * The allowlist proxy end to end: real clients inside the sandbox (curl, Bun's and Deno's fetch,
 * Node through an explicit proxy request) reach HTTP and HTTPS servers on the host's 127.0.0.1
 * only as the rules say, and every refusal comes back as an event.
 *
 * The test servers listen on 127.0.0.1, so an allowed test name also needs the IP rule
 * "127.0.0.1:PORT": the proxy refuses loopback destinations a name resolves to (SSRF) unless an
 * IP rule names them, which one test shows. Each test uses its own URL paths, so the servers'
 * records tell which requests of which test arrived.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { run, type RunOptions, type RunResult } from "../../src/run.ts";
import { attempt, report, sh } from "../sandbox/helpers.ts";
import { cleanup, curl, httpServer, httpsServer, makeCertificate, refusals, skip, type TestServer } from "./helpers.ts";

const cert = skip ? undefined : makeCertificate();
const web = skip ? undefined : await httpServer();
const tls = skip || !cert ? undefined : await httpsServer(cert);
const WEB = web?.port ?? 0;
const TLS = tls?.port ?? 0;
after(async () => {
  await web?.close();
  await tls?.close();
  cleanup();
});

const BUN = new URL("../../node_modules/bun/bin/bun.exe", import.meta.url).pathname;
const DENO = new URL("../../node_modules/deno/deno", import.meta.url).pathname;

/** Name and loopback rules that admit `name` on the test servers' ports. */
function reach(name: string, ...ports: number[]): string[] {
  return ports.flatMap((p) => [`${name}:${p}`, `127.0.0.1:${p}`]);
}

/** Runs a shell script whose `echo KEY $(curl …)` lines become a { KEY: status } report. */
async function statuses(script: string, options: RunOptions): Promise<{ result: RunResult; status: Record<string, string> }> {
  const result = await sh(script, { read: cert ? [cert.dir] : [], ...options });
  const status = Object.fromEntries(
    result.stdoutText.trim().split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]),
  );
  return { result, status };
}

function arrived(server: TestServer | undefined, path: string): number {
  return server?.arrivals.filter((a) => a.url === path).length ?? 0;
}

const CACERT = cert ? `--cacert ${cert.certFile}` : "";

const allowedCurl = attempt(() =>
  statuses(
    `echo http $(${curl(`http://allowed.stockade.test:${WEB}/curl-http`)})
     echo https $(${curl(`https://allowed.stockade.test:${TLS}/curl-https`, CACERT)})
     echo socks5 $(${curl(`http://allowed.stockade.test:${WEB}/curl-socks`, '--proxy "$ALL_PROXY"')})`,
    { network: { allow: reach("allowed.stockade.test", WEB, TLS) } },
  )
);

const FETCH = `
const out = {};
for (const [k, u] of [["http", "http://allowed.stockade.test:${WEB}/RT-http"], ["https", "https://allowed.stockade.test:${TLS}/RT-https"]]) {
  try { const r = await fetch(u.replace("RT", globalThis.Deno ? "deno" : "bun")); out[k] = r.status + " " + (await r.text()); }
  catch (e) { out[k] = "error " + e.message; }
}
console.log(JSON.stringify(out));`;
const bunFetch = attempt(() =>
  sh(`exec ${BUN} -e '${FETCH}'`, {
    read: cert ? [cert.dir] : [],
    env: { NODE_EXTRA_CA_CERTS: cert?.certFile ?? "" },
    network: { allow: reach("allowed.stockade.test", WEB, TLS) },
  })
);
const denoFetch = attempt(() =>
  sh(`exec ${DENO} eval '${FETCH}'`, {
    read: cert ? [cert.dir] : [],
    env: { DENO_CERT: cert?.certFile ?? "", DENO_NO_UPDATE_CHECK: "1" },
    network: { allow: reach("allowed.stockade.test", WEB, TLS) },
  })
);

// Node 20's fetch ignores HTTP(S)_PROXY, so a Node program must use the proxy explicitly: an
// absolute-URI request for HTTP, a CONNECT tunnel for HTTPS.
const NODE_EXPLICIT = `
const http = require("node:http"), tls = require("node:tls"), fs = require("node:fs");
const proxy = new URL(process.env.HTTP_PROXY);
const out = {};
const done = () => { if (out.http && out.https) console.log(JSON.stringify(out)); };
http.get({ host: proxy.hostname, port: proxy.port, path: "http://allowed.stockade.test:${WEB}/node-http",
  headers: { host: "allowed.stockade.test:${WEB}" } }, (res) => {
  let body = ""; res.on("data", (d) => body += d); res.on("end", () => { out.http = res.statusCode + " " + body; done(); });
}).on("error", (e) => { out.http = "error " + e.message; done(); });
http.request({ host: proxy.hostname, port: proxy.port, method: "CONNECT", path: "allowed.stockade.test:${TLS}",
  headers: { host: "allowed.stockade.test:${TLS}" } })
  .on("connect", (res, socket) => {
    if (res.statusCode !== 200) { out.https = "connect " + res.statusCode; return done(); }
    const s = tls.connect({ socket, servername: "allowed.stockade.test", ca: fs.readFileSync(process.env.CA) }, () => {
      s.write("GET /node-https HTTP/1.0\\r\\nHost: allowed.stockade.test\\r\\nConnection: close\\r\\n\\r\\n");
    });
    let text = ""; s.on("data", (d) => text += d);
    s.on("end", () => { out.https = text.split(" ")[1] + " " + text.split("\\r\\n\\r\\n")[1]; done(); });
  }).on("error", (e) => { out.https = "error " + e.message; done(); }).end();`;
const nodeExplicit = attempt(() =>
  run(["node", "-e", NODE_EXPLICIT], {
    read: cert ? [cert.dir] : [],
    env: { CA: cert?.certFile ?? "" },
    network: { allow: reach("allowed.stockade.test", WEB, TLS) },
  })
);

const disallowed = attempt(() =>
  statuses(
    `echo http $(${curl(`http://denied.stockade.test:${WEB}/disallowed-http`)})
     echo https $(${curl(`https://denied.stockade.test:${TLS}/disallowed-https`, CACERT)})
     echo socks5 $(${curl(`http://denied.stockade.test:${WEB}/disallowed-socks`, '--proxy "$ALL_PROXY"')})`,
    { network: { allow: reach("allowed.stockade.test", WEB, TLS) } },
  )
);

const wildcard = attempt(() =>
  statuses(
    `echo sub $(${curl(`http://sub.wild.stockade.test:${WEB}/wild-sub`)})
     echo deep $(${curl(`http://deep.sub.wild.stockade.test:${WEB}/wild-deep`)})
     echo apex $(${curl(`http://wild.stockade.test:${WEB}/wild-apex`)})`,
    { network: { allow: reach("*.wild.stockade.test", WEB) } },
  )
);

const denyWins = attempt(() =>
  statuses(
    `echo denied $(${curl(`http://denied.wild.stockade.test:${WEB}/deny-denied`)})
     echo sub $(${curl(`http://sub.wild.stockade.test:${WEB}/deny-sub`)})`,
    // The deny rule comes last and names no port: it still wins, on every port.
    {
      network: { allow: [...reach("*.wild.stockade.test", WEB), `denied.wild.stockade.test:${WEB}`], deny: ["denied.wild.stockade.test"] },
    },
  )
);

const nameAlone = attempt(() =>
  statuses(`echo http $(${curl(`http://allowed.stockade.test:${WEB}/ssrf-name`)})`, {
    network: { allow: [`allowed.stockade.test:${WEB}`] },
  })
);

// Port 9 (discard): with the opt-in, the proxy really dials 169.254.169.254, and nothing should
// answer there; the point is only which verdict the proxy reaches.
const metadata = attempt(() =>
  statuses(`echo meta $(${curl("http://meta.stockade.test:9/ssrf-meta", "-m 3")})`, { network: { allow: ["meta.stockade.test:9"] } })
);
const metadataOptIn = attempt(() =>
  statuses(`echo meta $(${curl("http://meta.stockade.test:9/ssrf-meta-optin", "-m 3")})`, {
    network: { allow: ["meta.stockade.test:9", "169.254.169.254:9"] },
  })
);

const hostMismatch = attempt(() =>
  statuses(`echo http $(${curl(`http://allowed.stockade.test:${WEB}/host-mismatch`, "-H 'Host: denied.stockade.test'")})`, {
    network: { allow: [...reach("allowed.stockade.test", WEB), `denied.stockade.test:${WEB}`] },
  })
);

const asked: { host: string; port: number; protocol: string }[] = [];
const asking = attempt(() =>
  statuses(
    `(echo yes $(${curl(`http://ask.stockade.test:${WEB}/ask-yes`)}) &
      echo no $(${curl(`http://denied.stockade.test:${WEB}/ask-no`)}) &
      echo silent $(${curl(`http://allowed.stockade.test:${WEB}/ask-silent`, "-m 45")}) &
      wait)`,
    {
      network: { allow: [`127.0.0.1:${WEB}`] },
      onNetworkRequest: (request) => {
        asked.push(request);
        if (request.host === "ask.stockade.test") return true;
        if (request.host === "denied.stockade.test") return false;
        return new Promise<boolean>(() => {}); // never answers: the engine's 30 s timeout refuses
      },
    },
  )
);

describe("network allowlist through the proxy", () => {
  test("curl reaches an allowed host over HTTP, an HTTPS CONNECT tunnel and SOCKS5 (ALL_PROXY)", { skip }, async () => {
    const { result, status } = await allowedCurl();
    assert.deepEqual(status, { http: "200:000", https: "200:200", socks5: "200:000" }, result.stderrText);
    assert.equal(arrived(web, "/curl-http"), 1);
    assert.equal(arrived(web, "/curl-socks"), 1);
    assert.equal(arrived(tls, "/curl-https"), 1);
    assert.deepEqual(refusals(result.events), []);
  });

  test("Bun's and Deno's fetch use the proxy from the environment, HTTP and HTTPS", { skip }, async () => {
    for (const [name, res] of [["bun", await bunFetch()], ["deno", await denoFetch()]] as const) {
      const out = report<Record<string, string>>(res);
      assert.deepEqual(out, {
        http: `200 hello from allowed.stockade.test:${WEB}`,
        https: `200 hello from allowed.stockade.test:${TLS}`,
      }, `${name}: ${res.stderrText}`);
      assert.equal(arrived(web, `/${name}-http`), 1, name);
      assert.equal(arrived(tls, `/${name}-https`), 1, name);
    }
  });

  test("Node reaches them through the proxy explicitly (its fetch ignores proxy variables)", { skip }, async () => {
    const res = await nodeExplicit();
    assert.deepEqual(report<Record<string, string>>(res), {
      http: `200 hello from allowed.stockade.test:${WEB}`,
      https: "200 hello from allowed.stockade.test",
    }, res.stderrText);
  });

  test("a host no rule allows is refused over HTTP, HTTPS and SOCKS5, each with a refusal event", { skip }, async () => {
    const { result, status } = await disallowed();
    // A refused SOCKS5 connect has no HTTP status at all: "000:000".
    assert.deepEqual(status, { http: "403:000", https: "000:403", socks5: "000:000" }, result.stderrText);
    assert.equal(arrived(web, "/disallowed-http") + arrived(tls, "/disallowed-https") + arrived(web, "/disallowed-socks"), 0);
    assert.deepEqual(refusals(result.events), [
      { host: "denied.stockade.test", port: WEB, protocol: "http", reason: "no allow rule matches" },
      { host: "denied.stockade.test", port: TLS, protocol: "https", reason: "no allow rule matches" },
      { host: "denied.stockade.test", port: WEB, protocol: "socks5", reason: "no allow rule matches" },
    ]);
  });

  test("a wildcard matches subdomains at any depth, not the apex", { skip }, async () => {
    const { result, status } = await wildcard();
    assert.deepEqual(status, { sub: "200:000", deep: "200:000", apex: "403:000" }, result.stderrText);
    assert.equal(arrived(web, "/wild-apex"), 0);
    assert.deepEqual(refusals(result.events), [
      { host: "wild.stockade.test", port: WEB, protocol: "http", reason: "no allow rule matches" },
    ]);
  });

  test("deny beats allow, whatever the order and the port", { skip }, async () => {
    const { result, status } = await denyWins();
    assert.deepEqual(status, { denied: "403:000", sub: "200:000" }, result.stderrText);
    assert.equal(arrived(web, "/deny-denied"), 0);
    assert.deepEqual(refusals(result.events), [
      { host: "denied.wild.stockade.test", port: WEB, protocol: "http", reason: 'denied by rule "denied.wild.stockade.test"' },
    ]);
  });

  test("an allowed name that resolves to 127.0.0.1 is refused without the IP rule (SSRF)", { skip }, async () => {
    const { result, status } = await nameAlone();
    assert.deepEqual(status, { http: "403:000" }, result.stderrText);
    assert.equal(arrived(web, "/ssrf-name"), 0);
    const [refusal, ...more] = refusals(result.events);
    assert.deepEqual(more, []);
    assert.equal(refusal.host, "allowed.stockade.test");
    assert.match(refusal.reason, /resolves to the loopback address 127\.0\.0\.1, refused to prevent SSRF/);
    assert.ok(refusal.reason.includes(`allow it with the rule "127.0.0.1:${WEB}"`), refusal.reason);
  });

  test("an allowed name that resolves to 169.254.169.254 is refused unless an IP rule names it", { skip }, async () => {
    const refused = await metadata();
    assert.deepEqual(refused.status, { meta: "403:000" }, refused.result.stderrText);
    const [refusal] = refusals(refused.result.events);
    assert.match(refusal?.reason ?? "", /resolves to the link-local \(cloud metadata\) address 169\.254\.169\.254/);
    const optIn = await metadataOptIn();
    assert.notEqual(optIn.status.meta, "403:000", "the explicit IP rule did not admit the address");
    assert.deepEqual(refusals(optIn.result.events), []);
  });

  test("a Host header that disagrees with the request target is refused", { skip }, async () => {
    const { result, status } = await hostMismatch();
    assert.deepEqual(status, { http: "403:000" }, result.stderrText);
    assert.equal(arrived(web, "/host-mismatch"), 0);
    const [refusal] = refusals(result.events);
    assert.match(refusal?.reason ?? "", /Host header "denied\.stockade\.test" disagrees with the request target/);
  });

  test("onNetworkRequest decides hosts no rule matches: allow, deny, no answer in time", { skip, timeout: 90_000 }, async () => {
    const { result, status } = await asking();
    assert.deepEqual(status, { yes: "200:000", no: "403:000", silent: "403:000" }, result.stderrText);
    assert.deepEqual(
      [...asked].sort((a, b) => a.host.localeCompare(b.host)),
      ["allowed", "ask", "denied"].map((h) => ({ host: `${h}.stockade.test`, port: WEB, protocol: "http" })),
    );
    assert.equal(arrived(web, "/ask-yes"), 1);
    assert.equal(arrived(web, "/ask-no") + arrived(web, "/ask-silent"), 0);
    const reasons = Object.fromEntries(refusals(result.events).map((r) => [r.host, r.reason]));
    assert.deepEqual(reasons, {
      "denied.stockade.test": "refused by the network request decision",
      "allowed.stockade.test": "no network request decision within 30s",
    });
  });
});
