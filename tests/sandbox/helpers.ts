/**
 * Shared by the escape tests: whether they can run, temporary directories, and attempts that
 * start at once so independent escapes run concurrently in every runtime (Bun and Deno run the
 * tests of a file one after another).
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { locateEngine } from "../../src/engine/locate.ts";
import { run, type RunOptions, type RunResult } from "../../src/run.ts";

function engineSkipReason(): string | false {
  try {
    locateEngine();
    return false;
  } catch (e) {
    // CI sets STOCKADE_REQUIRE_ENGINE: there a missing engine fails every test instead.
    if (process.env.STOCKADE_REQUIRE_ENGINE) return false;
    return `no engine: ${(e as Error).message}`;
  }
}

/** `false` when the engine is there (or required), else why the escape tests are skipped. */
export const skip: string | false = engineSkipReason();
// Deno and Bun do not print skip reasons: say it once, loudly.
if (skip) process.stderr.write(`Skipping the sandbox escape tests: ${skip} (set STOCKADE_REQUIRE_ENGINE=1 to fail instead)\n`);

const dirs: string[] = [];

/** A fresh directory under the system temp dir, removed by `cleanup()`; readable by anyone. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `stockade-${prefix}-`));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

/** Removes every directory made by `tempDir`. */
export function cleanup(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts `work` now (when the engine is there) and returns its promise, marked handled so a
 * failure surfaces in the test that awaits it rather than as an unhandled rejection.
 */
export function attempt<T>(work: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  const get = () => {
    if (!started) {
      started = work();
      started.catch(() => {});
    }
    return started;
  };
  if (!skip) get();
  return get;
}

/** Runs Python code in the sandbox. */
export function py(code: string, options: RunOptions = {}): Promise<RunResult> {
  return run(["python3", "-c", code], options);
}

/** Runs a shell script in the sandbox. */
export function sh(script: string, options: RunOptions = {}): Promise<RunResult> {
  return run(["sh", "-c", script], options);
}

/** The JSON object a probe printed as its last stdout line. */
export function report<T = Record<string, unknown>>(result: RunResult): T {
  const lines = result.stdoutText.trim().split("\n");
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    throw new Error(
      `The probe printed no JSON report (code ${result.code}, signal ${result.signal}):\n${result.stdoutText}\n${result.stderrText}`,
    );
  }
}

/** A Python prelude: libc through ctypes, errno access and `out(obj)` to print the report. */
export const PY_PRELUDE = `
import ctypes, ctypes.util, errno, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(fn, *args):
    r = fn(*args)
    return {"ret": r, "errno": ctypes.get_errno() if r == -1 else 0}
def out(obj):
    sys.stdout.write(json.dumps(obj) + "\\n")
    sys.stdout.flush()
`;

/** The machine's architecture as seccomp names it. */
export const arch = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : process.arch;
