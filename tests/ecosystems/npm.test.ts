/**
 * npm inside the sandbox with the npm preset (policies/npm.json through `loadPolicy`): `npm
 * install` of a project that depends on the real `is-number` works, and the project's postinstall
 * script (tests/fixtures/ecosystems/npm/escape.cjs) fails to read ~/.ssh, write ~/.bashrc, write
 * .git/hooks/pre-commit and reach a non-registry host. Skipped only when the engine is missing or
 * the host itself cannot reach the registry.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { run } from "../../src/run.ts";
import { registryUnreachable } from "../helpers/registry.ts";
import {
  aim,
  assertBashrcKept,
  assertControlSucceeded,
  assertDenied,
  assertNetworkRefused,
  assertNoHook,
  assertSecretKept,
  attempt,
  cleanupScenes,
  hostRun,
  NPX_SPEC,
  POISON_SPEC,
  presetFor,
  type Scene,
  scene,
  skip as engineSkip,
} from "./helpers.ts";

const REGISTRY = "registry.npmjs.org";
const skip: string | false = engineSkip || await registryUnreachable(`https://${REGISTRY}/is-number`);
if (skip && !engineSkip) process.stderr.write(`Skipping the npm ecosystem proof: ${skip}\n`);
after(cleanupScenes);

const install = attempt(async () => {
  const s = await scene("npm");
  aim(s, s.project);
  // --foreground-scripts: the postinstall's lines reach our stdout instead of npm's log.
  const argv = ["npm", "install", "--foreground-scripts", "--no-audit", "--no-fund", "--no-update-notifier", "--fetch-retries=0"];
  const result = await run(argv, { ...await presetFor("npm", s), timeout: 90_000 });
  return { s, result, later: await laterInstall(s) };
});

/**
 * What a later `npm install POISON_SPEC` on the host, outside the sandbox, as the scene's user
 * (its HOME and npm cache), installs: whether it ran code from a poisoned cache (its marker file, or our index.js).
 */
async function laterInstall(s: Scene) {
  const project = join(s.home, "later-project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "later", version: "1.0.0", private: true }));
  const argv = ["npm", "install", POISON_SPEC, "--no-audit", "--no-fund", "--foreground-scripts", "--fetch-retries=0"];
  const result = await hostRun(argv, project, { HOME: s.home, npm_config_cache: join(s.home, ".npm") });
  const installed = join(project, "node_modules", POISON_SPEC.split("@")[0]);
  const poisoned = existsSync(join(installed, "POISONED")) ||
    (existsSync(join(installed, "index.js")) && readFileSync(join(installed, "index.js"), "utf8").includes("poisoned"));
  return { result, poisoned };
}

/** Yarn classic, which (like berry) runs a project's `yarnPath`. */
const YARN_SPEC = "yarn@1.22.22";

/** Where npx keeps (and looks for) `spec` under the npm cache of `home`. */
const npxDir = (home: string, spec: string) => join(home, ".npm/_npx", createHash("sha512").update(spec).digest("hex").slice(0, 16));

const control = attempt(async () => {
  const s = await scene("npm");
  aim(s, s.project);
  // npm_execpath set as npm sets it for scripts (the attack finds npm's modules through it).
  const npmCli = realpathSync(execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
  const result = await hostRun(["node", "escape.cjs"], s.project, { npm_execpath: npmCli });
  const cache = { HOME: s.home, npm_config_cache: join(s.home, ".npm") };
  // What the planted package does to the next `npx` outside: it runs (npx fetches the real
  // manifest, then finds the version "installed" in its cache).
  const npx = await hostRun(["npx", "--yes", NPX_SPEC, "--help"], s.home, cache);
  // What the planted .yarnrc.yml does to the next yarn command in the project: it runs our file.
  const yarn = await hostRun(["npx", "--yes", YARN_SPEC, "--version"], s.project, cache);
  return { s, result, npx, yarn, later: await laterInstall(s) };
});

describe("npm install with the npm preset and a malicious postinstall", () => {
  test("installs is-number from the registry", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assert.equal(result.code, 0, result.stderrText);
    assert.ok(existsSync(join(s.project, "node_modules/is-number/package.json")), "node_modules/is-number is missing");
  });

  test("the postinstall script cannot read ~/.ssh/id_ed25519", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "ssh-read");
    assertSecretKept(result, s);
  });

  test("the postinstall script cannot write ~/.bashrc", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "bashrc-write");
    assertBashrcKept(s);
  });

  test("the postinstall script cannot write .git/hooks/pre-commit", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "hook-write");
    assertNoHook(s);
  });

  test("the postinstall script cannot reach a non-registry host", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertNetworkRefused(result, s);
  });

  test("the postinstall script cannot make the next yarn command in the project run its code", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "yarnrc-write");
    assert.ok(!existsSync(join(s.project, ".yarnrc.yml")), "The project has a planted .yarnrc.yml");
  });

  test("the postinstall script cannot plant a package that a later npx runs outside", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "npx-plant");
    assert.ok(!existsSync(join(npxDir(s.home, NPX_SPEC), "node_modules")), `${NPX_SPEC} was planted in the host's npx cache`);
  });

  test("the postinstall script cannot poison npm's cache for a later npm install outside", { skip, timeout: 120_000 }, async () => {
    const { result, later } = await install();
    assertDenied(result, "cache-poison");
    assert.equal(later.result.code, 0, later.result.stderrText);
    assert.ok(!later.poisoned, `A later npm install of ${POISON_SPEC} on the host took the poisoned cache:\n${later.result.stdoutText}`);
  });

  test("control: the same script succeeds on the host, outside the sandbox", { skip, timeout: 60_000 }, async () => {
    const { s, result } = await control();
    assertControlSucceeded(result, s, ["yarnrc-write", "npx-plant", "cache-poison"]);
  });

  test("control: npm install on the host takes a package from a poisoned cache", { skip, timeout: 60_000 }, async () => {
    const { later } = await control();
    assert.ok(later.poisoned, `${later.result.stdoutText}\n${later.result.stderrText}`);
  });

  test("control: yarn on the host runs the yarnPath of a planted .yarnrc.yml", { skip, timeout: 60_000 }, async () => {
    const { yarn } = await control();
    assert.match(yarn.stdoutText, /planted code ran outside the sandbox/, `${yarn.stdoutText}\n${yarn.stderrText}`);
  });

  test("control: npx on the host runs a package planted in its cache", { skip, timeout: 60_000 }, async () => {
    const { npx } = await control();
    assert.match(npx.stdoutText, /planted code ran outside the sandbox/, `${npx.stdoutText}\n${npx.stderrText}`);
  });
});
