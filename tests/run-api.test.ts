/**
 * The run() API itself: option validation, engine lookup errors, stdin kinds, streaming and
 * abort. Tests that start a sandbox need the engine (skipped without it unless
 * STOCKADE_REQUIRE_ENGINE is set, see tests/sandbox/helpers.ts).
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { parseDuration, parseSize, runCommand } from "../src/cli/run.ts";
import { locateEngine } from "../src/engine/locate.ts";
import { ConfigError, StockadeError } from "../src/errors.ts";
import { SANDBOX_PATH, toExecConfig } from "../src/policy.ts";
import { run, spawnSandbox } from "../src/run.ts";
import { skip } from "./sandbox/helpers.ts";

const scratch = mkdtempSync(join(tmpdir(), "stockade-run-api-"));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail("no error was thrown");
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("the promise resolved");
}

after(() => rmSync(scratch, { recursive: true, force: true }));

describe("run options", () => {
  test("validation errors name every bad field path", () => {
    const e = configError(() =>
      toExecConfig(["sh"], {
        read: ["/ok", 3],
        env: ["GOOD", "BAD=NAME"],
        network: { allow: ["example.com", "not a host"] },
        memory: 0,
        tmpSize: -1,
        surprise: true,
      } as never)
    );
    const paths = e.issues.map((i) => i.path).sort();
    assert.deepEqual(paths, ["env[1]", "memory", "network.allow[1]", "read[1]", "surprise", "tmpSize"]);
    assert.match(e.message, /surprise: Unknown option "surprise"/);
    assert.equal(e.code, "CONFIG_ERROR");
  });

  test("a missing or empty command is refused", () => {
    assert.deepEqual(configError(() => toExecConfig([])).issues.map((i) => i.path), ["command"]);
    assert.deepEqual(configError(() => toExecConfig([""])).issues.map((i) => i.path), ["command"]);
  });

  test("spawnSandbox() throws bad options at once", () => {
    assert.throws(
      () => spawnSandbox(["true"], { stdout: "file" } as never),
      (e: unknown) => e instanceof ConfigError && e.issues[0].path === "stdout",
    );
  });

  test("run() rejects bad options before looking for the engine", async () => {
    const e = await rejection(run(["true"], { timeout: 1.5 }));
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.issues.map((i) => i.path), ["timeout"]);
  });

  test("defaults deny: no network, a minimal environment, nothing writable, a new session", () => {
    process.env.RUN_API_SECRET = "x";
    const config = toExecConfig(["sh"], { cwd: scratch });
    assert.deepEqual(config.network, { mode: "none" });
    assert.deepEqual(Object.keys(config.env).filter((k) => !["LANG", "LC_ALL", "TERM"].includes(k)).sort(), ["HOME", "PATH"]);
    assert.equal(config.env.PATH, SANDBOX_PATH);
    assert.deepEqual(config.fs.write, []);
    assert.ok(config.fs.read.includes(scratch) && config.fs.read.includes("/usr"));
    assert.ok(!config.fs.read.some((p) => ["/run", "/var/run", "/tmp", "/home", "/root"].includes(p)));
    assert.deepEqual(config.process, { newSession: true, dieWithParent: true });
    assert.deepEqual(config.limits, {});
  });

  test("paths resolve against cwd; writeCwd makes it writable and keeps git hooks read-only", () => {
    const cwd = mkdtempSync(join(scratch, "cwd-"));
    const hooks = join(cwd, ".git", "hooks");
    mkdirSync(hooks, { recursive: true });
    const config = toExecConfig(["sh"], { cwd, writeCwd: true, read: ["data"], hide: ["../secret"], timeout: 5000 });
    assert.deepEqual(config.fs.write, [cwd]);
    assert.ok(config.fs.read.includes(join(cwd, "data")));
    assert.ok(config.fs.hide.includes(resolve(cwd, "../secret")));
    assert.ok(config.fs.readOnly.includes(hooks), `readOnly: ${config.fs.readOnly.join(" ")}`);
    assert.equal(config.limits.wallMs, 5000);
  });

  test("env passes named variables through and sets given values", () => {
    process.env.RUN_API_PASSED = "passed";
    assert.equal(toExecConfig(["sh"], { env: ["RUN_API_PASSED", "RUN_API_UNSET"] }).env.RUN_API_PASSED, "passed");
    assert.equal(toExecConfig(["sh"], { env: { FOO: "bar" } }).env.FOO, "bar");
  });

  test("an allowlist network asks the caller only when onNetworkRequest is given", () => {
    assert.deepEqual(toExecConfig(["sh"], { network: { allow: ["*.npmjs.org"] } }).network, {
      mode: "allowlist",
      allow: ["*.npmjs.org"],
      deny: [],
      ask: false,
    });
    assert.equal(toExecConfig(["sh"], { network: { allow: [] }, onNetworkRequest: () => true }).network.mode, "allowlist");
  });
});

describe("engine lookup", () => {
  test("a wrong STOCKADE_ENGINE is an error naming it and how to build the engine", () => {
    assert.throws(() => locateEngine({ STOCKADE_ENGINE: "/nonexistent/stockade-engine" }), (e: unknown) => {
      assert.ok(e instanceof StockadeError);
      assert.equal(e.code, "ENGINE_NOT_FOUND");
      assert.match(e.message, /STOCKADE_ENGINE is "\/nonexistent\/stockade-engine"/);
      assert.match(e.message, /npm run build:engine/);
      return true;
    });
  });

  test("the engine is found on PATH when STOCKADE_ENGINE is unset", {
    skip: !!locateEngineOrUndefined() && "the packaged engine is built and takes precedence",
  }, () => {
    const bin = mkdtempSync(join(scratch, "bin-"));
    const fake = join(bin, "stockade-engine");
    writeFileSync(fake, "#!/bin/sh\nexit 125\n");
    chmodSync(fake, 0o755);
    assert.equal(locateEngine({ PATH: `/nonexistent:${bin}` }), fake);
  });

  test("run() rejects with ENGINE_NOT_FOUND when the engine is missing", async () => {
    const saved = process.env.STOCKADE_ENGINE;
    process.env.STOCKADE_ENGINE = "/nonexistent/stockade-engine";
    try {
      const e = await rejection(run(["true"]));
      assert.ok(e instanceof StockadeError && e.code === "ENGINE_NOT_FOUND", String(e));
    } finally {
      if (saved === undefined) delete process.env.STOCKADE_ENGINE;
      else process.env.STOCKADE_ENGINE = saved;
    }
  });
});

function locateEngineOrUndefined(): string | undefined {
  try {
    return locateEngine({ PATH: "" });
  } catch {
    return undefined;
  }
}

describe("running", () => {
  test("stdin as a string, bytes or a stream reaches the target", { skip }, async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("from "));
        c.enqueue(new TextEncoder().encode("a stream"));
        c.close();
      },
    });
    const [text, bytes, streamed, none] = await Promise.all([
      run(["cat"], { stdin: "from a string" }),
      run(["cat"], { stdin: new Uint8Array([0, 255, 10]) }),
      run(["cat"], { stdin: stream }),
      run(["cat"]),
    ]);
    assert.equal(text.stdoutText, "from a string");
    assert.deepEqual([...bytes.stdout], [0, 255, 10]);
    assert.equal(streamed.stdoutText, "from a stream");
    assert.equal(none.stdoutText, "", "without stdin the target reads EOF");
  });

  test("spawnSandbox streams output as it is written and takes input", { skip }, async () => {
    const box = spawnSandbox(["sh", "-c", 'echo first; read line; echo "got $line"']);
    const reader = box.stdout.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "first\n", "the first line arrives before the target ends");
    const writer = box.stdin.getWriter();
    await writer.write(new TextEncoder().encode("hello\n"));
    await writer.close();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    assert.equal(rest, "got hello\n");
    const result = await box.done;
    assert.equal(result.code, 0);
    const types = [];
    for await (const e of box.events) types.push(e.type);
    assert.ok(types.includes("exited"), `events: ${types.join(" ")}`);
  });

  test("spawnSandbox kill() ends the sandbox and done resolves with the signal", { skip }, async () => {
    const box = spawnSandbox(["sh", "-c", "echo up; sleep 30"]);
    const reader = box.stdout.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), "up\n");
    const started = performance.now();
    box.kill();
    const result = await box.done;
    assert.ok(result.signal !== null && result.code > 128, `code ${result.code}, signal ${result.signal}`);
    assert.ok(performance.now() - started < 3000, "kill() did not end the sandbox promptly");
  });

  test("an AbortSignal kills the target and rejects with its reason", { skip }, async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = run(["sleep", "30"], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop now")), 300);
    const e = await rejection(pending);
    assert.equal((e as Error).message, "stop now");
    assert.ok(performance.now() - started < 5000, "the abort did not end the run promptly");
  });

  test("an already aborted signal never starts the target", { skip }, async () => {
    const e = await rejection(run(["true"], { signal: AbortSignal.abort() }));
    assert.equal((e as Error).name, "AbortError");
  });

  test("onNetworkRequest decides hosts no rule matches; a throwing callback refuses", { skip }, async () => {
    const asked: string[] = [];
    const r = await run([
      "python3",
      "-c",
      `
import urllib.request
for host in ["yes.example", "no.example", "throws.example"]:
    try: print(host, urllib.request.urlopen("http://%s/" % host, timeout=10).status)
    except urllib.error.HTTPError as e: print(host, e.code)
    except Exception as e: print(host, "error")
`,
    ], {
      network: { allow: ["allowed.example"] },
      onNetworkRequest: ({ host }) => {
        asked.push(host);
        if (host === "throws.example") throw new Error("callback failure");
        return host === "yes.example";
      },
    });
    assert.deepEqual(asked, ["yes.example", "no.example", "throws.example"]);
    const status = Object.fromEntries(r.stdoutText.trim().split("\n").map((l) => l.split(" ")));
    assert.notEqual(status["yes.example"], "403", "an allowed host was refused");
    assert.equal(status["no.example"], "403");
    assert.equal(status["throws.example"], "403");
    const refused = r.events.filter((e) => e.type === "violation" && e.kind === "network").map((e) => e.type === "violation" && e.detail);
    assert.ok(refused.includes("no.example:80") && refused.includes("throws.example:80"), JSON.stringify(r.events));
  });

  test("the timeout ends the run and says so", { skip }, async () => {
    const r = await run(["sleep", "30"], { timeout: 300 });
    assert.equal(r.timedOut, true);
    assert.notEqual(r.code, 0);
  });
});

describe("stockade run", () => {
  test("sizes and durations parse with their units", () => {
    assert.equal(parseSize("512m"), 512 * 1024 ** 2);
    assert.equal(parseSize("2G"), 2 * 1024 ** 3);
    assert.equal(parseSize("4096"), 4096);
    assert.equal(parseDuration("1500ms"), 1500);
    assert.equal(parseDuration("30"), 30_000);
    assert.equal(parseDuration("2m"), 120_000);
    assert.throws(() => parseSize("lots"), /Invalid size "lots"/);
    assert.throws(() => parseDuration("1h"), /Invalid duration "1h"/);
  });

  test("usage errors exit 64", async () => {
    assert.equal(await runCommand([]), 64);
    assert.equal(await runCommand(["--pids", "many", "--", "true"]), 64);
    assert.equal(await runCommand(["--net", "sometimes", "--", "true"]), 64);
    assert.equal(await runCommand(["--bogus", "--", "true"]), 64);
    assert.equal(await runCommand(["--allow-read", "", "--", "true"]), 64, "an empty path is a usage error");
  });

  test("the target's exit status is the command's", { skip }, async () => {
    assert.equal(await runCommand(["--quiet", "--", "sh", "-c", "exit 42"]), 42);
    assert.equal(await runCommand(["-q", "--", "sh", "-c", "kill -KILL $$"]), 137);
  });
});
