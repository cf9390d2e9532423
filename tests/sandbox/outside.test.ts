/**
 * Escapes that need something from outside the test process: a real terminal to inject
 * keystrokes into (TIOCSTI), and fds inherited from the process that started the runtime.
 * A separate runtime process (child-entry.ts) calls run() with the terminal or fds in place.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { tsCommand } from "../helpers/runtime.ts";
import { attempt, cleanup, skip, tempDir } from "./helpers.ts";

const entry = new URL("./child-entry.ts", import.meta.url).pathname;
const driver = new URL("./tty_driver.py", import.meta.url).pathname;
const dir = skip ? "" : tempDir("outside");

interface Outcome {
  ownFds?: Record<string, string>;
  results?: { code: number; signal: string | null; stdout: string; stderr: string }[];
  error?: string;
}

/** Runs argv to completion; resolves with its stdout. */
function exec(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (c: Uint8Array) => (out += new TextDecoder().decode(c)));
    child.on("error", reject);
    child.on("close", () => resolve(out));
  });
}

/** child-entry.ts argv running `runs`, and the file it writes its outcome to. */
function entryArgv(runs: { command: string[]; options?: object }[]): { argv: string[]; file: string } {
  const file = join(dir, `${randomUUID()}.json`);
  return { argv: [...tsCommand(entry), file, JSON.stringify({ runs: runs.map((r) => ({ options: {}, ...r })) })], file };
}

function outcome(file: string): Outcome {
  assert.ok(existsSync(file), "the runtime process wrote no outcome");
  const o = JSON.parse(readFileSync(file, "utf8")) as Outcome;
  assert.equal(o.error, undefined, `run() failed in the runtime process: ${o.error}`);
  return o;
}

const TIOCSTI_ATTACKS = {
  "TIOCSTI": `import fcntl, termios\nfor c in b"echo PWNED\\n": fcntl.ioctl(0, termios.TIOCSTI, bytes([c]))\nprint("survived")`,
  "TIOCSTI | 1 << 32":
    `import ctypes\nlibc = ctypes.CDLL(None)\nfor c in b"echo PWNED\\n": libc.ioctl(0, ctypes.c_ulong(0x100005412), ctypes.c_char_p(bytes([c])))\nprint("survived")`,
  "TIOCLINUX": `import fcntl\nfcntl.ioctl(0, 0x541C, bytes([3]) + bytes(15))\nprint("survived")`,
};

function tiocstiEnabled(): boolean {
  try {
    return readFileSync("/proc/sys/dev/tty/legacy_tiocsti", "utf8").trim() !== "0";
  } catch {
    return true; // kernels before 6.2 have no switch: TIOCSTI always works
  }
}

const terminal = attempt(async () => {
  const { argv, file } = entryArgv(
    Object.values(TIOCSTI_ATTACKS).map((code) => ({ command: ["python3", "-c", code], options: { stdin: "inherit" } })),
  );
  const report = JSON.parse(await exec(["python3", driver, ...argv])) as { status: number; injected: string };
  return { report, outcome: outcome(file) };
});
const terminalControl = attempt(async () =>
  JSON.parse(await exec(["python3", driver, "python3", "-c", TIOCSTI_ATTACKS.TIOCSTI])) as { status: number; injected: string }
);

const secretFile = skip ? "" : join(dir, "inherited-secret");
if (!skip) writeFileSync(secretFile, "inherited secret");
const inherited = attempt(async () => {
  const listFds =
    `import os, json\nprint(json.dumps({f: os.readlink("/proc/self/fd/" + f) for f in os.listdir("/proc/self/fd") if os.path.exists("/proc/self/fd/" + f)}))`;
  // The first run starts an engine of its own, the later ones go to an engine serving them.
  const { argv, file } = entryArgv([1, 2, 3].map(() => ({ command: ["python3", "-c", listFds] })));
  // fd 7 is open on a secret, without close-on-exec, in the process that starts the runtime.
  await exec(["sh", "-c", 'exec 7<"$0"; exec "$@"', secretFile, ...argv]);
  return outcome(file);
});

describe("from outside the test process", () => {
  after(cleanup);

  test("keystroke injection into a real terminal is killed and types nothing", { skip }, async () => {
    const { report, outcome } = await terminal();
    const names = Object.keys(TIOCSTI_ATTACKS);
    outcome.results!.forEach((r, i) => {
      assert.equal(r.signal, "SIGSYS", `${names[i]}: code ${r.code}, ${r.stdout}${r.stderr}`);
      assert.ok(!r.stdout.includes("survived"), `${names[i]} returned`);
    });
    assert.equal(report.injected, "", `keystrokes reached the terminal: ${JSON.stringify(report.injected)}`);
  });

  test("the terminal probe sees injection when it is not sandboxed (control)", {
    skip: skip || (!tiocstiEnabled() && "this kernel disables TIOCSTI"),
  }, async () => {
    const report = await terminalControl();
    assert.equal(report.injected, "echo PWNED\n");
  });

  test("fds inherited by the caller's process do not reach the target, spawned or served", { skip }, async () => {
    const o = await inherited();
    assert.equal(o.ownFds!["7"], secretFile, "control: the runtime process did not inherit fd 7");
    assert.equal(o.results!.length, 3);
    for (const r of o.results!) {
      const target = JSON.parse(r.stdout) as Record<string, string>;
      assert.deepEqual(Object.keys(target).map(Number).filter((fd) => fd > 2), [], `the target holds ${JSON.stringify(target)}`);
      assert.ok(!Object.values(target).includes(secretFile));
    }
  });
});
