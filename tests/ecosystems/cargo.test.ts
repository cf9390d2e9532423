/**
 * cargo inside the sandbox with the cargo preset (policies/cargo.json through `loadPolicy`),
 * offline: a crate without dependencies builds, and its build.rs
 * (tests/fixtures/ecosystems/cargo/build.rs) fails to read ~/.ssh, write ~/.bashrc, write
 * .git/hooks/pre-commit and reach a non-registry host.
 *
 * Debian's cargo and rustc (/usr/bin, on the sandbox's PATH): a rustup toolchain lives under the
 * installing user's HOME, which neither the sandbox nor CI's unprivileged user can see.
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
  scene,
  skip as engineSkip,
  toolMissing,
} from "./helpers.ts";

const RUSTC = "/usr/bin/rustc";
const skip: string | false = engineSkip || toolMissing(["/usr/bin/cargo", "--version"], "apt-get install cargo");
if (skip && !engineSkip) process.stderr.write(`Skipping the cargo ecosystem proof: ${skip}\n`);
after(cleanupScenes);

/** An extracted crate in the host's registry; later builds outside compile (and run the build.rs of) it as is. */
const CACHED_FILE = ".cargo/registry/src/index.crates.io-6f17d22bba15001f/cached-dep-1.0.0/src/lib.rs";

const build = attempt(async () => {
  const s = await scene("cargo", CACHED_FILE);
  aim(s, s.project);
  const result = await run(["cargo", "build", "--offline"], { ...await presetFor("cargo", s), timeout: 120_000 });
  return { s, result };
});

const control = attempt(async () => {
  const s = await scene("cargo", CACHED_FILE);
  aim(s, s.project);
  // The build script alone, compiled and run on the host the way cargo runs it.
  const probe = join(s.project, "build-probe");
  execFileSync(RUSTC, ["--edition", "2021", "-o", probe, join(s.project, "build.rs")], { stdio: "pipe" });
  return { s, result: await hostRun([probe], s.project, { CARGO_MANIFEST_DIR: s.project }) };
});

describe("cargo build, offline, with the cargo preset and a malicious build.rs", () => {
  test("builds the crate", { skip, timeout: 150_000 }, async () => {
    const { s, result } = await build();
    assert.equal(result.code, 0, result.stderrText);
    assert.ok(existsSync(join(s.project, "target/debug/stockade-victim")), "target/debug/stockade-victim is missing");
  });

  test("build.rs cannot read ~/.ssh/id_ed25519", { skip, timeout: 150_000 }, async () => {
    const { s, result } = await build();
    assertDenied(result, "ssh-read");
    assertSecretKept(result, s);
  });

  test("build.rs cannot write ~/.bashrc", { skip, timeout: 150_000 }, async () => {
    const { s, result } = await build();
    assertDenied(result, "bashrc-write");
    assertBashrcKept(s);
  });

  test("build.rs cannot write .git/hooks/pre-commit", { skip, timeout: 150_000 }, async () => {
    const { s, result } = await build();
    assertDenied(result, "hook-write");
    assertNoHook(s);
  });

  test("build.rs cannot reach a non-registry host", { skip, timeout: 150_000 }, async () => {
    const { s, result } = await build();
    assertNetworkRefused(result, s);
  });

  test("build.rs cannot write the host's cargo registry (~/.cargo/registry)", { skip, timeout: 150_000 }, async () => {
    const { s, result } = await build();
    assertDenied(result, "cache-write");
    assertCacheKept(s);
  });

  test("control: the same build script succeeds on the host, outside the sandbox", { skip, timeout: 60_000 }, async () => {
    const { s, result } = await control();
    assertControlSucceeded(result, s, ["cache-write"]);
  });
});
