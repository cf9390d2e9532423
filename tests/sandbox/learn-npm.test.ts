/**
 * Learn `npm install` of a small package, then run it again under the learned policy alone: the
 * npm registry is the only host it allows. Skipped only when the host itself cannot reach the
 * registry.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { learn } from "../../src/learn/learn.ts";
import { loadPolicy } from "../../src/policyfile/options.ts";
import { run } from "../../src/run.ts";
import { registryUnreachable } from "../helpers/registry.ts";
import { skip as engineSkip } from "./helpers.ts";

const REGISTRY = "registry.npmjs.org";
const skip: string | false = engineSkip || await registryUnreachable(`https://${REGISTRY}/is-number`);
if (skip && !engineSkip) process.stderr.write(`Skipping the npm learn proof: ${skip}\n`);

const root = mkdtempSync("/var/tmp/stockade-learn-npm-");
chmodSync(root, 0o755);
after(() => rmSync(root, { recursive: true, force: true }));

const NPM_INSTALL = [
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
];

test(`npm install learned once runs again with ${REGISTRY} as its only host`, { skip, timeout: 120_000 }, async () => {
  const project = join(root, "project");
  const fresh = () => {
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "probe", version: "1.0.0", private: true }));
  };
  fresh();
  const learned = await learn(NPM_INSTALL, { cwd: project, timeout: 90_000 });
  assert.equal(learned.result.code, 0, learned.result.stderrText);
  assert.deepEqual(learned.policy.network, { allow: [REGISTRY] }, learned.summary);
  assert.deepEqual(learned.policy.fs?.write, ["${PROJECT}"], learned.summary);
  const policyFile = join(root, "npm-install.json");
  writeFileSync(policyFile, JSON.stringify(learned.policy, null, 2));

  fresh();
  const replay = await run(NPM_INSTALL, { ...await loadPolicy(policyFile, { cwd: project }), timeout: 90_000 });
  assert.equal(replay.code, 0, replay.stderrText);
  assert.ok(existsSync(join(project, "node_modules/is-number/package.json")), "node_modules/is-number is missing");
  assert.deepEqual(replay.events.filter((e) => e.type === "violation"), []);
});
