/**
 * A real package manager through the proxy: `npm install is-number` inside the sandbox with only
 * `registry.npmjs.org` allowed succeeds (npm honours HTTPS_PROXY), and fails cleanly, with a
 * refusal event naming the registry, when the registry is not allowed. Skipped only when the
 * host itself cannot reach the registry.
 */
import assert from "node:assert/strict";
import { lookup } from "node:dns/promises";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { run, type RunOptions } from "../../src/run.ts";
import { registryUnreachable } from "../helpers/registry.ts";
import { attempt } from "../sandbox/helpers.ts";
import { cleanup, refusals, skip as networkSkip, tempDir } from "./helpers.ts";

const REGISTRY = "registry.npmjs.org";

const skip: string | false = networkSkip || await registryUnreachable(`https://${REGISTRY}/is-number`);
if (skip && !networkSkip) process.stderr.write(`Skipping the npm proof: ${skip}\n`);
after(cleanup);

/** `npm install is-number` into a fresh project; the cache lives in the sandbox's own /tmp. */
function npmInstall(network: RunOptions["network"]) {
  const project = tempDir("npm-project");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "probe", version: "1.0.0", private: true }));
  const result = run([
    "npm",
    "install",
    "is-number",
    "--no-audit",
    "--no-fund",
    "--no-update-notifier",
    "--fetch-retries=0",
    "--cache",
    "/tmp/npm-cache",
    "--loglevel=error",
  ], { cwd: project, write: [project], network, timeout: 60_000 });
  return result.then((r) => ({ result: r, installed: existsSync(join(project, "node_modules/is-number/package.json")) }));
}

const allowed = attempt(() => npmInstall({ allow: [REGISTRY] }));
/** IP rules naming the addresses the registry resolves to here, for the SSRF opt-in. */
const registryAddressRules = async () =>
  (await lookup(REGISTRY, { all: true })).map(({ address, family }) => family === 6 ? `[${address}]:443` : `${address}:443`);
const allowedWithAddresses = attempt(async () => npmInstall({ allow: [REGISTRY, ...await registryAddressRules()] }));
const notAllowed = attempt(() => npmInstall({ allow: ["example.org"] }));

describe("npm through the allowlist proxy", () => {
  // Fails while engine/internal/netproxy/ssrf.go counts 203.0.113.0/24 (TEST-NET-3, where this
  // machine's resolver puts the registry) as special: it is not private, loopback, link-local or
  // metadata, so a name rule alone must admit it.
  test(`installs a package with only ${REGISTRY} allowed`, { skip, timeout: 90_000 }, async () => {
    const { result, installed } = await allowed();
    assert.deepEqual(refusals(result.events), [], "the proxy refused a request npm needed");
    assert.equal(result.code, 0, result.stderrText);
    assert.ok(installed, "node_modules/is-number is missing");
  });

  // On a machine where the registry resolves to a special address (here TEST-NET-3,
  // 203.0.113.80), naming the address too is the documented opt-in; npm itself works.
  test("installs a package with the registry and the addresses it resolves to allowed", { skip, timeout: 90_000 }, async () => {
    const { result, installed } = await allowedWithAddresses();
    assert.deepEqual(refusals(result.events), []);
    assert.equal(result.code, 0, result.stderrText);
    assert.ok(installed, "node_modules/is-number is missing");
  });

  test("fails cleanly when the registry is not allowed, naming it in a refusal event", { skip, timeout: 90_000 }, async () => {
    const { result, installed } = await notAllowed();
    assert.notEqual(result.code, 0);
    assert.equal(result.signal, null, "npm was killed instead of failing");
    assert.ok(!installed);
    const refused = refusals(result.events).filter((r) => r.host === REGISTRY);
    assert.ok(refused.length > 0, JSON.stringify(result.events));
    assert.deepEqual(refused[0], { host: REGISTRY, port: 443, protocol: "https", reason: "no allow rule matches" });
  });
});
