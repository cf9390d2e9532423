/**
 * The sandbox's lifetime: run() resolves at the end-of-file the engine gives once the target has
 * ended, before the engine itself exits. Nothing of the sandbox may be alive at that moment.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { describe, test } from "node:test";
import { run } from "../../src/run.ts";
import { cleanup, skip, tempDir } from "./helpers.ts";

/** Pids of the processes that have `arg` as one of their arguments. */
function processesRunning(arg: string): string[] {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return `\0${readFileSync(`/proc/${pid}/cmdline`, "latin1")}`.includes(`\0${arg}\0`);
    } catch {
      return false; // gone meanwhile
    }
  });
}

describe("sandbox lifetime", () => {
  test("when run() resolves, the processes the target left in the background are gone", { skip }, async () => {
    const marker = `${3000 + (process.pid % 1000)}.${Date.now() % 1000}`;
    const r = await run(["sh", "-c", `sleep ${marker} & setsid sleep ${marker} & sleep 0.1; echo left; exit 4`]);
    const left = processesRunning(marker);
    assert.equal(r.code, 4);
    assert.equal(r.stdoutText, "left\n");
    assert.deepEqual(left, [], `sandbox processes alive after run() resolved: pids ${left.join(", ")}`);
  });
});

describe("spare engines", () => {
  test("a spare engine started before the caller changed its umask is not used", { skip }, async () => {
    const dir = tempDir("umask");
    const options = { write: [dir], cwd: dir };
    await run(["true"], options);
    await run(["true"], options); // a spare engine starts with the umask in force now (022 or so)
    const before = process.umask(0o077);
    try {
      const r = await run(["sh", "-c", "echo x > made; stat -c %a made"], options);
      assert.equal(r.stdoutText.trim(), "600", r.stderrText);
    } finally {
      process.umask(before);
      cleanup();
    }
  });
});

describe("served runs", () => {
  test("concurrent run() calls keep their input, output, events and exit codes apart", { skip }, async () => {
    await run(["true"]); // from the second run on, one engine serves them all
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) =>
      run(["sh", "-c", `read line; echo "out $line"; echo "err ${i}" >&2; exit ${40 + i}`], { stdin: `in ${i}\n` })
    ));
    results.forEach((r, i) => {
      assert.equal(r.code, 40 + i);
      assert.equal(r.stdoutText, `out in ${i}\n`);
      assert.equal(r.stderrText, `err ${i}\n`);
      const exited = r.events.filter((e) => e.type === "exited");
      assert.equal(exited.length, 1, JSON.stringify(r.events));
      assert.equal(r.events.filter((e) => e.type === "started").length, 1);
    });
    const pids = new Set(results.map((r) => r.events.find((e) => e.type === "started")?.pid));
    assert.equal(pids.size, results.length, "each run has a target of its own");
  });
});
