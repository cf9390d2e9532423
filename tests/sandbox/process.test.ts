/**
 * Escapes through processes and the kernel surface: namespaces, ptrace, other processes' pids
 * and secrets, io_uring, x32, inherited fds and environment. Each test runs a real sandboxed
 * process that tries one.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import process from "node:process";
import { after, describe, test } from "node:test";
import { arch, attempt, cleanup, py, PY_PRELUDE, report, sh, skip } from "./helpers.ts";

// A secret in the caller's environment: it must reach neither the target nor any process whose
// /proc/PID/environ the target can read (the engine, the sandbox's PID 1).
const SECRET_NAME = "STOCKADE_TEST_SECRET_TOKEN";
const SECRET = `env-secret-${randomUUID()}`;
process.env[SECRET_NAME] = SECRET;
process.env.CALLER_ONLY_VARIABLE = SECRET;

// A process outside the sandbox, owned by the same user: the target to ptrace and spy on.
const outsider: ChildProcess | undefined = skip ? undefined : spawn("sleep", ["60"], { stdio: "ignore" });
const outsiderPid = outsider?.pid ?? 0;

const namespaces = attempt(() =>
  py(`${PY_PRELUDE}
import subprocess
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWPID, SIGCHLD = 0x20000, 0x10000000, 0x40000000, 0x20000000, 17
SYS = {"x86_64": {"clone": 56, "clone3": 435, "setns": 308}, "aarch64": {"clone": 220, "clone3": 435, "setns": 268}}[${
    JSON.stringify(arch)
  }]
res = {}
for name, flags in [("user", CLONE_NEWUSER), ("mount", CLONE_NEWNS), ("net", CLONE_NEWNET), ("pid", CLONE_NEWPID)]:
    res["unshare " + name] = call(libc.unshare, flags)
    r = libc.syscall(SYS["clone"], flags | SIGCHLD, 0, 0, 0, 0)
    if r == 0: os._exit(0)          # a child made it: leave at once, the parent reports
    res["clone " + name] = {"ret": r, "errno": ctypes.get_errno() if r == -1 else 0}
    if r > 0: os.waitpid(r, 0)
args = (ctypes.c_uint64 * 11)(CLONE_NEWUSER, 0, 0, 0, SIGCHLD, 0, 0, 0, 0, 0, 0)
r = libc.syscall(SYS["clone3"], args, 88)
if r == 0: os._exit(0)
res["clone3"] = {"ret": r, "errno": ctypes.get_errno() if r == -1 else 0}
fd = os.open("/proc/self/ns/user", os.O_RDONLY)
res["setns"] = call(libc.setns, fd, 0)
pid = os.fork()
if pid == 0: os._exit(7)
res["plain fork"] = os.waitpid(pid, 0)[1] >> 8
res["unshare -U"] = subprocess.run(["unshare", "-U", "true"], capture_output=True).returncode
out(res)`)
);

const ptrace = attempt(() =>
  py(`${PY_PRELUDE}
import time
PTRACE_ATTACH, PTRACE_SEIZE = 16, 0x4206
res = {"outside attach": call(libc.ptrace, PTRACE_ATTACH, ${outsiderPid}, None, None),
       "outside seize": call(libc.ptrace, PTRACE_SEIZE, ${outsiderPid}, None, None)}
child = os.fork()
if child == 0:
    time.sleep(5); os._exit(0)
res["sibling attach"] = call(libc.ptrace, PTRACE_ATTACH, child, None, None)
buf = ctypes.create_string_buffer(8)
iov = (ctypes.c_void_p * 2)(ctypes.addressof(buf), 8)
res["process_vm_readv"] = call(libc.process_vm_readv, child, iov, 1, iov, 1, 0)
os.kill(child, 9); os.waitpid(child, 0)
out(res)`)
);

const pids = attempt(() =>
  py(`${PY_PRELUDE}
secret = ${JSON.stringify([...SECRET].reverse().join(""))}[::-1].encode()  # reversed: not in our own cmdline
procs = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
leaks = []
for p in procs:
    for f in ("environ", "cmdline"):
        try:
            data = open("/proc/%d/%s" % (p, f), "rb").read()
            if secret in data: leaks.append("%d/%s" % (p, f))
        except OSError: pass
res = {"procs": procs, "self": os.getpid(), "leaks": leaks,
       "outsider": call(libc.kill, ${outsiderPid}, 0)}
try: res["outsider environ"] = open("/proc/${outsiderPid}/environ", "rb").read().decode(errors="replace")
except OSError as e: res["outsider environ"] = e.errno
out(res)`)
);

const ioUring = attempt(() =>
  py(`${PY_PRELUDE}
params = ctypes.create_string_buffer(120)
res = {"io_uring_setup": call(libc.syscall, 425, 8, params),
       "io_uring_enter": call(libc.syscall, 426, 0, 1, 0, 0, None, 0),
       "io_uring_register": call(libc.syscall, 427, 0, 0, None, 0)}
out(res)`)
);

// x32: the x86_64 getpid (39) with the x32 bit set. Only the compiler's arch check can stop it.
const x32 = attempt(() => py(`${PY_PRELUDE}\nout({"ret": libc.syscall(0x40000000 | 39)})`));
// A syscall the baseline kills outright, to see the engine report it.
const killed = attempt(() => py(`${PY_PRELUDE}\nout(call(libc.syscall, ${arch === "aarch64" ? 105 : 175}, None, 0, b""))`));

const fds = attempt(() => py(`${PY_PRELUDE}\nout({"fds": sorted(int(f) for f in os.listdir("/proc/self/fd"))})`));

const environment = attempt(() => sh("env"));
const environmentPassed = attempt(() => sh("env", { env: ["CALLER_ONLY_VARIABLE"] }));
const environmentSet = attempt(() => sh("env", { env: { GREETING: "hello" } }));

describe("processes and the kernel surface", () => {
  after(() => {
    outsider?.kill("SIGKILL");
    cleanup();
  });

  test("new namespaces cannot be made: unshare, clone with CLONE_NEW*, clone3, setns", { skip }, async () => {
    const r = await namespaces();
    const res = report<Record<string, { ret: number; errno: number } | number>>(r);
    for (const kind of ["user", "mount", "net", "pid"]) {
      for (const how of ["unshare", "clone"]) {
        const got = res[`${how} ${kind}`] as { ret: number; errno: number };
        assert.deepEqual(got, { ret: -1, errno: 1 }, `${how} ${kind}: ${JSON.stringify(got)}`);
      }
    }
    assert.deepEqual(res.clone3, { ret: -1, errno: 38 }, "clone3 must fail with ENOSYS");
    assert.deepEqual(res.setns, { ret: -1, errno: 1 }, "setns must fail with EPERM");
    assert.notEqual(res["unshare -U"], 0, "the unshare tool made a user namespace");
    assert.equal(res["plain fork"], 7, "control: a plain fork still works");
  });

  test("ptrace and process_vm_readv reach neither an outside process nor a sibling", { skip }, async () => {
    const res = report<Record<string, { ret: number; errno: number }>>(await ptrace());
    for (const [name, got] of Object.entries(res)) assert.equal(got.ret, -1, `${name}: ${JSON.stringify(got)}`);
    const status = readFileSync(`/proc/${outsiderPid}/status`, "utf8");
    assert.match(status, /^TracerPid:\s+0$/m, "the outside process is being traced");
  });

  test("host pids are invisible: only the sandbox's own processes are in /proc", { skip }, async () => {
    const res = report<{ procs: number[]; self: number; outsider: { ret: number } }>(await pids());
    assert.ok(res.procs.length <= 4, `the sandbox sees ${res.procs.length} processes: ${res.procs.join(" ")}`);
    assert.ok(res.self < 10, `the target's pid is ${res.self}: no pid namespace`);
    assert.equal(res.outsider.ret, -1, "the outside process can be signalled");
  });

  test("no process the target can see holds the caller's environment", { skip }, async () => {
    const r = await pids();
    const res = report<{ leaks: string[]; "outsider environ": unknown }>(r);
    assert.deepEqual(res.leaks, [], `the secret is readable in /proc: ${res.leaks.join(", ")}`);
    assert.equal(typeof res["outsider environ"], "number", "an outside process's environ is readable");
    assert.ok(!r.stdoutText.includes(SECRET));
  });

  test("io_uring is unavailable (ENOSYS), so its operations cannot bypass the filter", { skip }, async () => {
    const res = report<Record<string, { ret: number; errno: number }>>(await ioUring());
    for (const [name, got] of Object.entries(res)) assert.deepEqual(got, { ret: -1, errno: 38 }, `${name}: ${JSON.stringify(got)}`);
  });

  test("an x32 syscall kills the process", { skip: skip || (arch !== "x86_64" && "x32 exists only on x86_64") }, async () => {
    const r = await x32();
    assert.equal(r.signal, "SIGSYS", `x32 getpid returned ${r.stdoutText.trim()} (code ${r.code})`);
    assert.equal(r.code, 128 + 31);
  });

  test("a syscall only an attack makes (init_module) kills the process and is reported", { skip }, async () => {
    const r = await killed();
    assert.equal(r.signal, "SIGSYS", `init_module returned ${r.stdoutText.trim()}`);
    assert.ok(r.events.some((e) => e.type === "violation" && e.kind === "syscall"), `no violation event in ${JSON.stringify(r.events)}`);
  });

  test("the target holds no fd but 0, 1 and 2", { skip }, async () => {
    const { fds: open } = report<{ fds: number[] }>(await fds());
    // listdir holds one fd of its own while it reads /proc/self/fd.
    assert.ok([0, 1, 2].every((fd) => open.includes(fd)), `open fds: ${open.join(" ")}`);
    assert.ok(open.filter((fd) => fd > 2).length <= 1, `extra fds: ${open.join(" ")}`);
  });

  test("the environment is minimal: the caller's secrets stay outside", { skip }, async () => {
    const r = await environment();
    assert.equal(r.code, 0, r.stderrText);
    assert.ok(!r.stdoutText.includes(SECRET), "a caller's variable reached the target");
    const names = r.stdoutText.trim().split("\n").map((l) => l.split("=")[0]).filter((n) => n !== "PWD" && n !== "SHLVL" && n !== "_");
    const allowed = ["PATH", "HOME", "LANG", "LC_ALL", "TERM"];
    assert.deepEqual(names.filter((n) => !allowed.includes(n)), [], `unexpected variables: ${names.join(" ")}`);
    assert.ok(names.includes("PATH") && names.includes("HOME"));
  });

  test("variables pass through only when named, and can be set", { skip }, async () => {
    assert.match((await environmentPassed()).stdoutText, new RegExp(`^CALLER_ONLY_VARIABLE=${SECRET}$`, "m"));
    assert.match((await environmentSet()).stdoutText, /^GREETING=hello$/m);
  });
});
