/**
 * Shared by the ecosystem proofs (npm, pip, cargo): a scene per test — a fake HOME holding a dummy
 * SSH key and a `.bashrc`, a git project, a TCP listener on the host — the fixture copied into the
 * project with the attack's targets beside it, and the checks that each attempt failed, seen both
 * from the attack's own output and from the host afterwards. The attempts are described in
 * tests/fixtures/ecosystems/README.md.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import process from "node:process";
import { loadPolicy } from "../../src/policyfile/options.ts";
import type { RunOptions, RunResult } from "../../src/run.ts";

export { attempt, skip } from "../sandbox/helpers.ts";

/**
 * Every attempt a malicious step makes, in the order it makes them. `cache-write`: pip and cargo;
 * `yarnrc-write`, `npx-plant` and `cache-poison`: npm.
 */
export const ATTEMPTS = [
  "ssh-read",
  "bashrc-write",
  "hook-write",
  "net-loopback",
  "net-name",
  "net-proxy",
  "cache-write",
  "yarnrc-write",
  "npx-plant",
  "cache-poison",
] as const;
/** One of `ATTEMPTS`. */
export type AttemptName = typeof ATTEMPTS[number];

/** The non-registry host the attack tries to reach, directly and through the sandbox's proxy. */
export const FOREIGN_HOST = "example.com";

/** The package (a real one, with a bin) the npm attack plants in npx's cache. */
export const NPX_SPEC = "semver@7.6.0";
/** The package (a real one) the npm attack poisons in npm's cache. */
export const POISON_SPEC = "is-number@7.0.0";

/**
 * Scenes live under /var/tmp, not /tmp: the sandbox mounts a private /tmp, which would shadow a
 * HOME under /tmp, so a write to its `.bashrc` would land in that scratch space instead of meeting
 * the policy the way a write to a real /home/USER does.
 */
const SCENE_BASE = "/var/tmp";

/** Where the ecosystem tests stand: a fake HOME and a project inside one temporary directory. */
export interface Scene {
  /** The fake HOME: `.ssh/id_ed25519`, `.bashrc` and the tool's cache directories. */
  home: string;
  /** The project: a git repository (so `.git/hooks` exists) holding the fixture. */
  project: string;
  /** The random text inside the dummy key; it must never appear in the sandbox's output. */
  secret: string;
  /** What `.bashrc` held before the run. */
  bashrc: string;
  /** The hook the attack tries to create. */
  hook: string;
  /** Connections the host listener on 127.0.0.1 received. */
  arrivals(): number;
  /** The listener's port (`net-loopback` aims at it). */
  port: number;
  /** A file in the host's own cache of the tool that a later run outside uses (`cache-write`), or "". */
  cacheFile: string;
}

/** What the scene's cached file holds before the run. */
export const CACHED_TEXT = "a file from the host's own cache\n";

const roots: string[] = [];
const servers: Server[] = [];

/** Removes every scene and stops every listener. */
export function cleanupScenes(): void {
  for (const server of servers.splice(0)) server.close();
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

function listen(): Promise<{ port: number; arrivals: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as AddressInfo).port, arrivals: () => count }));
  });
}

/**
 * Builds a scene: a fake HOME, the fixture directory `tests/fixtures/ecosystems/<fixture>` copied
 * into a fresh git project, and a host listener. `cachedFile` (relative to HOME) is a file of the
 * tool's default cache that the host's later runs use, made with CACHED_TEXT. The tool's other
 * directories are not made here: `loadPolicy` creates the writable ones its preset names.
 */
export async function scene(fixture: string, cachedFile = ""): Promise<Scene> {
  const root = mkdtempSync(join(SCENE_BASE, `stockade-${fixture}-`));
  roots.push(root);
  chmodSync(root, 0o755);
  const home = join(root, "home");
  const project = join(root, "project");
  const secret = `stockade-dummy-secret-${randomUUID()}`;
  const bashrc = `# fake .bashrc of the ${fixture} proof\nexport PS1='$ '\n`;
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, ".ssh/id_ed25519"), `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret}\n-----END OPENSSH PRIVATE KEY-----\n`, {
    mode: 0o600,
  });
  writeFileSync(join(home, ".bashrc"), bashrc);
  const cacheFile = cachedFile && join(home, cachedFile);
  if (cacheFile) {
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, CACHED_TEXT);
  }
  cpSync(new URL(`../fixtures/ecosystems/${fixture}`, import.meta.url).pathname, project, { recursive: true });
  execFileSync("git", ["init", "-q", project], { stdio: "pipe" });
  const { port, arrivals } = await listen();
  return { home, project, secret, bashrc, hook: join(project, ".git/hooks/pre-commit"), arrivals, port, cacheFile };
}

/**
 * The run options of preset `name` for a caller whose HOME is the scene's fake one and whose
 * project is the scene's: what `loadPolicy` gives a real user, aimed at the scene.
 */
export function presetFor(name: string, s: Scene): Promise<RunOptions> {
  const env: Record<string, string | undefined> = { HOME: s.home, PATH: process.env.PATH };
  return loadPolicy(name, { cwd: s.project, env });
}

/** Writes `escape-targets` into `dir` (where the malicious file reads it), aiming at `s`. */
export function aim(s: Scene, dir: string): void {
  const targets = {
    secret: join(s.home, ".ssh/id_ed25519"),
    bashrc: join(s.home, ".bashrc"),
    hook: s.hook,
    yarnrc: join(s.project, ".yarnrc.yml"),
    port: String(s.port),
    host: FOREIGN_HOST,
    "npx-spec": NPX_SPEC,
    "poison-spec": POISON_SPEC,
    "cache-file": s.cacheFile,
    "npm-cache": join(s.home, ".npm"),
  };
  writeFileSync(join(dir, "escape-targets"), Object.entries(targets).map(([k, v]) => `${k}=${v}\n`).join(""));
}

/** The outcomes the attack printed, per attempt (pip runs setup.py more than once). */
export function outcomes(result: Pick<RunResult, "stdoutText" | "stderrText">): Map<AttemptName, string[]> {
  const found = new Map<AttemptName, string[]>();
  const line = new RegExp(`\\b(${ATTEMPTS.join("|")}): ((?:OK|denied|error)\\b.*)$`, "gm");
  for (const m of `${result.stdoutText}\n${result.stderrText}`.matchAll(line)) {
    const name = m[1] as AttemptName;
    found.set(name, [...found.get(name) ?? [], m[2]]);
  }
  return found;
}

function transcript(result: RunResult): string {
  return `exit ${result.code}, signal ${result.signal}\n--- stdout\n${result.stdoutText}\n--- stderr\n${result.stderrText}`;
}

/** Asserts that the attack ran `name` and every run of it was refused by the system. */
export function assertDenied(result: RunResult, name: AttemptName): void {
  const seen = outcomes(result).get(name) ?? [];
  assert.ok(seen.length > 0, `The attack never reported "${name}": it did not run\n${transcript(result)}`);
  for (const outcome of seen) assert.match(outcome, /^denied /, `"${name}" was not refused: ${outcome}\n${transcript(result)}`);
}

/** Asserts that the dummy key's text is nowhere in the run's output. */
export function assertSecretKept(result: RunResult, s: Scene): void {
  assert.ok(!`${result.stdoutText}${result.stderrText}`.includes(s.secret), "The dummy SSH key's text is in the output");
}

/** Asserts that the host's `.bashrc` is unchanged. */
export function assertBashrcKept(s: Scene): void {
  assert.equal(readFileSync(join(s.home, ".bashrc"), "utf8"), s.bashrc, "The host's .bashrc changed");
}

/** Asserts that the file in the host's own cache is unchanged. */
export function assertCacheKept(s: Scene): void {
  assert.equal(readFileSync(s.cacheFile, "utf8"), CACHED_TEXT, `${s.cacheFile} in the host's cache changed`);
}

/** Asserts that no `pre-commit` hook exists on the host (git init makes only `*.sample` files). */
export function assertNoHook(s: Scene): void {
  assert.ok(!existsSync(s.hook), `${s.hook} exists on the host`);
  assert.deepEqual(readdirSync(dirname(s.hook)).filter((f) => !f.endsWith(".sample")), [], "A hook appeared on the host");
}

/**
 * Asserts that the network attempts failed: none reached the host listener, and the proxy refused
 * the tunnel with a refusal event naming the foreign host.
 */
export function assertNetworkRefused(result: RunResult, s: Scene): void {
  for (const name of ["net-loopback", "net-name", "net-proxy"] as const) assertDenied(result, name);
  assert.equal(s.arrivals(), 0, "A connection from the sandbox reached the host listener");
  const refused = result.events.filter((e) => e.type === "violation" && e.kind === "network" && e.data?.host === FOREIGN_HOST);
  assert.ok(refused.length > 0, `No refusal event names ${FOREIGN_HOST}: ${JSON.stringify(result.events)}`);
}

/**
 * Asserts the positive control: the same attack run on the host, outside the sandbox, against a
 * throwaway scene, succeeds at every attempt this machine allows (the file attempts and the
 * loopback connection; the foreign host may be unreachable from here). A probe that cannot
 * succeed would make the sandboxed runs prove nothing.
 */
export function assertControlSucceeded(result: RunResult, s: Scene, extra: readonly AttemptName[] = []): void {
  const names: AttemptName[] = ["ssh-read", "bashrc-write", "hook-write", "net-loopback", ...extra];
  for (const name of names) {
    const seen = outcomes(result).get(name) ?? [];
    assert.ok(
      seen.length > 0 && seen.every((o) => o.startsWith("OK ")),
      `"${name}" did not succeed on the host: ${seen}\n${transcript(result)}`,
    );
  }
  assert.ok(result.stdoutText.includes(s.secret), "The control did not read the dummy key");
  assert.ok(existsSync(s.hook), "The control did not create the hook");
  assert.ok(s.arrivals() > 0, "The control's connection did not reach the listener");
}

/**
 * Runs `argv` on the host, outside any sandbox, as a RunResult (for the control). Asynchronous, so
 * the host listener in this process keeps accepting meanwhile.
 */
export function hostRun(argv: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const status = (error as { code?: unknown } | null)?.code;
      if (error && typeof status !== "number") return reject(error);
      resolve({
        code: typeof status === "number" ? status : 0,
        signal: null,
        durationMs: 0,
        stdout: new TextEncoder().encode(stdout),
        stderr: new TextEncoder().encode(stderr),
        stdoutText: stdout,
        stderrText: stderr,
        events: [],
        timedOut: false,
      });
    });
  });
}

/**
 * Why a tool the proof needs is missing, or `false`. Missing tools skip the proof on a developer
 * machine; in CI (STOCKADE_REQUIRE_ENGINE set, .ci/setup installs them) the proof runs and fails.
 */
export function toolMissing(argv: readonly string[], hint: string): string | false {
  if (process.env.STOCKADE_REQUIRE_ENGINE) return false;
  const r = spawnSync(argv[0], argv.slice(1), { stdio: "pipe" });
  return r.status === 0 ? false : `"${argv.join(" ")}" does not work here (${hint})`;
}
