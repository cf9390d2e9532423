/**
 * The sandbox's lifetime: run() resolves at the end-of-file the engine gives once the target has
 * ended, before the engine itself exits. Nothing of the sandbox may be alive at that moment.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { describe, test } from "node:test";
import { run } from "../../src/run.ts";
import { skip } from "./helpers.ts";

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
