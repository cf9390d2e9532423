/**
 * Refused system calls reported after ordinary runs (`reportRefusals`, docs/learn.md): real
 * processes try calls the baseline refuses with an errno; with the switch each is refused with
 * the same errno as without it, and named once with its count; without it nothing is reported.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isRefusal, refusedSyscalls } from "../../src/engine/refusals.ts";
import { cli } from "../helpers/runtime.ts";
import { arch, attempt, PY_PRELUDE, skip } from "./helpers.ts";
import { run } from "../../src/run.ts";

const IO_URING_SETUP = 425; // the same number on x86_64 and aarch64
const unsupported = skip || (arch !== "x86_64" && arch !== "aarch64" ? `no io_uring_setup number for ${arch}` : false);

// unshare(1) twice, then ptrace and io_uring_setup from Python, each errno printed.
const SCRIPT = `unshare -U true; unshare -U true; echo "unshare $?"; python3 -c '${PY_PRELUDE}
p = call(libc.ptrace, 0, 0, None, None)
u = libc.syscall(${IO_URING_SETUP}, 8, ctypes.create_string_buffer(120))
out({"ptrace": p["errno"], "io_uring_setup": ctypes.get_errno() if u == -1 else 0})'`;

const plain = attempt(() => run(["sh", "-c", SCRIPT]));
const reported = attempt(() => run(["sh", "-c", SCRIPT], { reportRefusals: true }));

describe("refused system calls after a run", () => {
  test("are refused with the same errno as without the report", { skip: unsupported }, async () => {
    const [off, on] = [await plain(), await reported()];
    assert.equal(off.stdoutText, `unshare 1\n{"ptrace": 1, "io_uring_setup": 38}\n`, off.stderrText);
    assert.equal(on.stdoutText, off.stdoutText);
    assert.equal(on.stderrText, off.stderrText);
    assert.equal(on.code, off.code);
  });

  test("are reported once each, named, with their errno and count", { skip: unsupported }, async () => {
    const byName = new Map(refusedSyscalls((await reported()).events).map((r) => [r.syscall, r]));
    assert.deepEqual(byName.get("unshare"), { syscall: "unshare", arch, nr: arch === "x86_64" ? 272 : 97, errno: 1, count: 2 });
    assert.deepEqual(byName.get("ptrace"), { syscall: "ptrace", arch, nr: arch === "x86_64" ? 101 : 117, errno: 1, count: 1 });
    assert.deepEqual(byName.get("io_uring_setup"), { syscall: "io_uring_setup", arch, nr: IO_URING_SETUP, errno: 38, count: 1 });
    const events = (await reported()).events;
    assert.equal(events.filter(isRefusal).length, byName.size, "one event per call");
    const unshare = events.find((e) => isRefusal(e) && e.data.syscall === "unshare");
    assert.equal(unshare?.type === "violation" && unshare.detail, `unshare (${arch})`);
    assert.equal(events.at(-1)?.type, "exited", "the reports come before the exit");
  });

  test("are not reported without the switch", { skip: unsupported }, async () => {
    assert.deepEqual(refusedSyscalls((await plain()).events), []);
  });

  test("stockade run prints them, --json carries them, -q prints nothing", { skip: unsupported, timeout: 60_000 }, () => {
    const text = cli(["run", "--", "sh", "-c", "unshare -U true; unshare -U true; exit 0"]);
    assert.equal(text.status, 0, text.stderr.toString());
    assert.match(text.stderr.toString(), /^stockade: refused syscalls: unshare ×2$/m);
    const json = cli(["run", "--json", "-q", "--", "unshare", "-U", "true"]);
    const result = JSON.parse(json.stdout.toString());
    assert.equal(result.code, 1);
    assert.deepEqual(result.refusedSyscalls.map((r: { syscall: string }) => r.syscall), ["unshare"]);
    const quiet = cli(["run", "-q", "--", "sh", "-c", "unshare -U true; exit 0"]);
    assert.doesNotMatch(quiet.stderr.toString(), /stockade:/);
  });
});
