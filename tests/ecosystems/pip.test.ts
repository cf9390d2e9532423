/**
 * pip inside the sandbox with the pip preset (policies/pip.json through `loadPolicy`), offline: a
 * wheel built on the host from a tiny local package installs, and an sdist whose setup.py attacks
 * (tests/fixtures/ecosystems/pip/evil) fails to read ~/.ssh, write ~/.bashrc, write
 * .git/hooks/pre-commit and reach a non-registry host. A wheel runs no code when installed;
 * setup.py is where Python packages run code at install time.
 *
 * Debian's own Python (/usr/bin/python3, the one on the sandbox's PATH) builds the wheel too, so
 * both sides use the same pip and setuptools. Its pip is "externally managed" (PEP 668): the
 * install goes to `--target`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { run } from "../../src/run.ts";
import {
  aim,
  assertBashrcKept,
  assertCacheKept,
  assertControlSucceeded,
  assertDenied,
  assertNetworkRefused,
  assertNoHook,
  assertSecretKept,
  attempt,
  cleanupScenes,
  hostRun,
  presetFor,
  type Scene,
  scene,
  skip as engineSkip,
  toolMissing,
} from "./helpers.ts";

const PYTHON = "/usr/bin/python3";
const skip: string | false = engineSkip ||
  toolMissing([PYTHON, "-c", "import pip, setuptools, wheel"], "apt-get install python3-pip python3-setuptools python3-wheel");
if (skip && !engineSkip) process.stderr.write(`Skipping the pip ecosystem proof: ${skip}\n`);
after(cleanupScenes);

/**
 * Builds the good package's wheel on the host, into PROJECT/wheels, through setuptools' PEP 517
 * backend: what `pip wheel --no-build-isolation` calls, without pip's start-up second.
 */
function buildWheel(s: Scene): string {
  const wheels = join(s.project, "wheels");
  execFileSync(PYTHON, ["-c", "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])", wheels], {
    cwd: join(s.project, "good"),
    stdio: "pipe",
  });
  return wheels;
}

/** A wheel pip built and cached on the host; a later install outside reuses it without a check. */
const CACHED_FILE = ".cache/pip/wheels/5e/2a/stockade_cached-1.0.0-py3-none-any.whl";

const install = attempt(async () => {
  const s = await scene("pip", CACHED_FILE);
  aim(s, join(s.project, "evil"));
  const wheels = buildWheel(s);
  // -v: pip shows setup.py's output (the attack's lines) instead of swallowing it.
  const argv = [
    PYTHON,
    "-m",
    "pip",
    "install",
    "-v",
    "--no-index",
    "--find-links",
    wheels,
    "--no-build-isolation",
    "--disable-pip-version-check",
    "--target",
    join(s.project, "site"),
    "stockade-good",
    "./evil",
  ];
  const result = await run(argv, { ...await presetFor("pip", s), timeout: 90_000 });
  return { s, result };
});

const control = attempt(async () => {
  const s = await scene("pip", CACHED_FILE);
  aim(s, join(s.project, "evil"));
  // `setup.py --version` runs the module (and so the attack) and builds nothing.
  return { s, result: await hostRun([PYTHON, "setup.py", "--version"], join(s.project, "evil")) };
});

describe("pip install, offline, with the pip preset and a malicious setup.py", () => {
  test("installs the local wheel", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assert.equal(result.code, 0, `${result.stdoutText}\n${result.stderrText}`);
    assert.ok(existsSync(join(s.project, "site/stockade_good/__init__.py")), "site/stockade_good is missing");
  });

  test("setup.py cannot read ~/.ssh/id_ed25519", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "ssh-read");
    assertSecretKept(result, s);
  });

  test("setup.py cannot write ~/.bashrc", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "bashrc-write");
    assertBashrcKept(s);
  });

  test("setup.py cannot write .git/hooks/pre-commit", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "hook-write");
    assertNoHook(s);
  });

  test("setup.py cannot reach a non-registry host", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertNetworkRefused(result, s);
  });

  test("setup.py cannot write the host's pip cache (~/.cache/pip)", { skip, timeout: 120_000 }, async () => {
    const { s, result } = await install();
    assertDenied(result, "cache-write");
    assertCacheKept(s);
  });

  test("control: the same setup.py succeeds on the host, outside the sandbox", { skip, timeout: 60_000 }, async () => {
    const { s, result } = await control();
    assertControlSucceeded(result, s, ["cache-write"]);
  });
});
