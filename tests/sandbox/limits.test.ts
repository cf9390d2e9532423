/**
 * Resource abuse and the process lifecycle: fork and memory bombs, the wall-clock limit and
 * abort taking down grandchildren, exit statuses, and large output arriving intact.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import process from "node:process";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { attempt, cleanup, py, PY_PRELUDE, report, sh, skip, tempDir } from "./helpers.ts";

// The marker names the bomb's processes on the host, to check none outlives the sandbox.
const BOMB_MARKER = `fork-bomb-${randomUUID()}`;
const forkBomb = attempt(() =>
  py(
    `${PY_PRELUDE}
import time
marker = "${BOMB_MARKER}"
n, err = 0, None
while n < 200:   # a bound far above the limit: a failed limit shows, the shared host survives
    try: pid = os.fork()
    except OSError as e:
        err = e.errno; break
    if pid == 0:
        time.sleep(30); os._exit(0)
    n += 1
out({"forked": n, "errno": err})`,
    { pids: 32, timeout: 20_000 },
  )
);

const memoryBomb = attempt(() =>
  py(
    `${PY_PRELUDE}
chunks, err = [], None
try:
    while len(chunks) < 32:   # 512 MiB: well past the limit, bounded for the host
        chunks.append(bytearray(16 << 20))   # 16 MiB, touched: bytearray zero-fills
        sys.stdout.write("%d\\n" % len(chunks)); sys.stdout.flush()
except MemoryError: err = "MemoryError"
out({"mib": len(chunks) * 16, "error": err})`,
    { memory: 128 << 20, timeout: 20_000 },
  )
);

/** A grandchild that leaves the target's process group and writes a heartbeat until killed. */
function heartbeat(file: string): string {
  return `(setsid sh -c 'while :; do date +%s%N >> ${file}; sleep 0.05; done' &) ; sleep 30`;
}

const beatDir = skip ? "" : tempDir("beat");
const TIMEOUT_MS = 1500;
const timeoutRun = attempt(() => sh(heartbeat(join(beatDir, "timeout")), { timeout: TIMEOUT_MS, write: [beatDir] }));
const abortRun = attempt(() => {
  const controller = new AbortController();
  const beat = join(beatDir, "abort");
  // Abort once the grandchild is surely running (its first beat is written; the file alone is
  // created before the beat), however slow the host.
  const beating = () => existsSync(beat) && statSync(beat).size > 0;
  const poll = setInterval(() => beating() && (clearInterval(poll), controller.abort()), 20);
  return sh(heartbeat(beat), { signal: controller.signal, write: [beatDir], timeout: 20_000 }).then(
    () => "resolved",
    (e: unknown) => e,
  ).finally(() => clearInterval(poll));
});

const statuses = attempt(() =>
  Promise.all([
    sh("exit 0"),
    sh("exit 1"),
    sh("exit 42"),
    sh("kill -TERM $$"),
    sh("kill -KILL $$"),
    py("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"),
  ])
);

const FIFTY_MB = 50 * 1024 * 1024;
const bigOutput = attempt(() =>
  py(`import hashlib, os, sys
h, left = hashlib.sha256(), ${FIFTY_MB}
while left:
    b = os.urandom(min(left, 1 << 20)); h.update(b); sys.stdout.buffer.write(b); left -= len(b)
sys.stdout.flush()
sys.stderr.write(h.hexdigest())`)
);

/** Host pids whose command line contains `marker`. */
function hostProcessesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Asserts that the heartbeat file stops growing once the run has ended. */
async function assertStopped(file: string): Promise<void> {
  const size = () => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  assert.ok(size() > 0, "control: the grandchild never wrote its heartbeat");
  const before = size();
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(size(), before, `a grandchild is still writing: ${readFileSync(file, "utf8").split("\n").length} beats`);
}

describe("limits and lifecycle", () => {
  after(cleanup);

  test("a fork bomb stops at the pids limit and the host keeps working", { skip }, async () => {
    const r = await forkBomb();
    const res = report<{ forked: number; errno: number | null }>(r);
    assert.equal(res.errno, 11, `expected EAGAIN, got ${JSON.stringify(res)}`);
    assert.ok(res.forked < 32, `forked ${res.forked} processes under a limit of 32`);
    // The kernel kills a pid namespace's processes when its PID 1 ends; give it a moment to reap.
    for (let i = 0; i < 20 && hostProcessesWith(BOMB_MARKER).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(hostProcessesWith(BOMB_MARKER), [], "the bomb's processes outlived the sandbox");
    assert.equal(spawnSync("true").status, 0, "the host can still start processes");
  });

  test("a memory bomb stops at the memory limit", { skip }, async () => {
    const r = await memoryBomb();
    const last = Number(r.stdoutText.trim().split("\n").filter((l) => /^\d+$/.test(l)).pop() ?? 0) * 16;
    assert.ok(last <= 128, `allocated ${last} MiB under a limit of 128 MiB`);
    if (r.code === 0) assert.equal(report<{ error: string }>(r).error, "MemoryError");
    else assert.equal(r.signal, "SIGKILL", `the bomb ended with code ${r.code}: ${r.stderrText}`);
  });

  test("the timeout kills the whole tree, grandchildren in their own session included", { skip }, async () => {
    const r = await timeoutRun();
    assert.equal(r.timedOut, true);
    assert.ok(r.durationMs < TIMEOUT_MS + 2500, `the run took ${Math.round(r.durationMs)} ms with a ${TIMEOUT_MS} ms timeout`);
    assert.notEqual(r.code, 0);
    await assertStopped(join(beatDir, "timeout"));
  });

  test("aborting kills the whole tree and rejects with the abort reason", { skip }, async () => {
    const outcome = await abortRun();
    assert.ok(outcome instanceof Error && outcome.name === "AbortError", `run() settled with ${String(outcome)}`);
    await assertStopped(join(beatDir, "abort"));
  });

  test("exit statuses propagate: 0, 1, 42, and 128 + signal", { skip }, async () => {
    const [ok, one, answer, term, kill, segv] = await statuses();
    assert.deepEqual([ok.code, one.code, answer.code], [0, 1, 42]);
    assert.deepEqual([ok.signal, one.signal, answer.signal], [null, null, null]);
    assert.deepEqual([term.code, term.signal], [143, "SIGTERM"]);
    assert.deepEqual([kill.code, kill.signal], [137, "SIGKILL"]);
    assert.deepEqual([segv.code, segv.signal], [139, "SIGSEGV"]);
    assert.equal(ok.timedOut, false);
  });

  test("50 MB of output arrives intact", { skip }, async () => {
    const r = await bigOutput();
    assert.equal(r.code, 0, r.stderrText.slice(0, 500));
    assert.equal(r.stdout.length, FIFTY_MB);
    assert.equal(createHash("sha256").update(r.stdout).digest("hex"), r.stderrText.trim());
  });
});
