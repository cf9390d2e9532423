/**
 * The baseline seccomp policy in the real kernel, without the engine: a Python process installs
 * the compiled program on itself (seccomp_exec.py) and tries each denied syscall. This pins the
 * policy's meaning (argument checks, errno vs kill) independently of the rest of the sandbox.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { baselinePolicy, compileRunSeccomp, seccompText } from "../../src/policy.ts";
import { arch, PY_PRELUDE } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "stockade-baseline-"));
const NR: Record<string, Record<string, number>> = {
  x86_64: { clone: 56, clone3: 435, ioctl: 16, personality: 135, io_uring_setup: 425, init_module: 175, ptrace: 101, getppid: 110 },
  aarch64: { clone: 220, clone3: 435, ioctl: 29, personality: 92, io_uring_setup: 425, init_module: 105, ptrace: 117, getppid: 173 },
};
const nr = NR[arch];
const unsupported = process.platform !== "linux" ? "needs Linux seccomp" : !nr ? `no syscall numbers for ${arch}` : false;

interface Probe {
  code: number | null;
  signal: string | null;
  stdout: string;
}

/** Runs `code` under the compiled policy `text` in a fresh Python process. */
async function underPolicy(text: string, code: string): Promise<Probe> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.bpf`);
  writeFileSync(file, await compileRunSeccomp(text));
  const exec = new URL("./seccomp_exec.py", import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [exec, file, `${PY_PRELUDE}\n${code}`], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Uint8Array) => (stdout += new TextDecoder().decode(c)));
    child.stderr!.on("data", (c: Uint8Array) => (stderr += new TextDecoder().decode(c)));
    child.on("error", reject);
    child.on("close", (code, signal) => (stderr.includes("Traceback") ? reject(new Error(stderr)) : resolve({ code, signal, stdout })));
  });
}

const probes = unsupported ? undefined : (async () => {
  const baseline = await baselinePolicy();
  const errnos = underPolicy(
    baseline,
    `
SYS = ${JSON.stringify(nr)}
CLONE_NEWUSER, CLONE_NEWNET, SIGCHLD = 0x10000000, 0x40000000, 17
res = {}
for name, flags in [("clone newuser", CLONE_NEWUSER | SIGCHLD), ("clone newnet", CLONE_NEWNET | SIGCHLD)]:
    r = libc.syscall(SYS["clone"], flags, 0, 0, 0, 0)
    if r == 0: os._exit(0)
    res[name] = [r, ctypes.get_errno() if r == -1 else 0]
    if r > 0: os.waitpid(r, 0)
pid = os.fork()
if pid == 0: os._exit(3)
res["fork"] = os.waitpid(pid, 0)[1] >> 8
args = (ctypes.c_uint64 * 11)(0, 0, 0, 0, SIGCHLD, 0, 0, 0, 0, 0, 0)
r = libc.syscall(SYS["clone3"], args, 88)
if r == 0: os._exit(0)
res["clone3"] = [r, ctypes.get_errno() if r == -1 else 0]
for name, fn, a in [("unshare 0", libc.unshare, (0,)), ("ptrace", libc.ptrace, (0, 0, None, None)),
                    ("mount", libc.mount, (b"none", b"/", None, 32, None)),
                    ("personality exec", libc.personality, (0x0400000,)),
                    ("keyctl", libc.syscall, (250 if SYS["clone"] == 56 else 219, 0, 0, 0, 0, 0))]:
    c = call(fn, *a); res[name] = [c["ret"], c["errno"]]
res["personality query"] = libc.personality(0xffffffff)
res["io_uring_setup"] = [libc.syscall(SYS["io_uring_setup"], 8, ctypes.create_string_buffer(120)), ctypes.get_errno()]
r = libc.ioctl(0, ctypes.c_ulong(0x5401), ctypes.create_string_buffer(64))
res["ioctl TCGETS"] = [r, ctypes.get_errno()]
out(res)`,
  );
  const killers: Record<string, string> = {
    "ioctl TIOCSTI": `libc.ioctl(0, ctypes.c_ulong(0x5412), ctypes.c_char_p(b"x"))`,
    "ioctl TIOCSTI | 1 << 32": `libc.ioctl(0, ctypes.c_ulong(0x100005412), ctypes.c_char_p(b"x"))`,
    "ioctl TIOCLINUX": `libc.ioctl(0, ctypes.c_ulong(0x541c), ctypes.c_char_p(b"x"))`,
    "init_module": `libc.syscall(${nr.init_module}, None, 0, b"")`,
    ...(arch === "x86_64" ? { "x32 getpid": `libc.syscall(0x40000000 | 39)` } : {}),
  };
  const kills = Object.fromEntries(
    await Promise.all(
      Object.entries(killers).map(async ([name, code]) => [name, await underPolicy(baseline, `${code}\nprint("survived")`)] as const),
    ),
  );
  const extended = underPolicy(
    await seccompText({ extend: "ERRNO(13) { getppid }" }),
    `out([libc.syscall(${nr.getppid}), ctypes.get_errno()])`,
  );
  return { errnos: await errnos, kills, extended: await extended };
})();
probes?.catch(() => {});

describe("the baseline seccomp policy in the kernel", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("new namespaces, ptrace, mount, keyctl and execution domains fail with EPERM", { skip: unsupported }, async () => {
    const { errnos } = await probes!;
    const res = JSON.parse(errnos.stdout) as Record<string, [number, number] | number>;
    for (const name of ["clone newuser", "clone newnet", "unshare 0", "ptrace", "mount", "personality exec", "keyctl"]) {
      assert.deepEqual(res[name], [-1, 1], `${name}: ${JSON.stringify(res[name])}`);
    }
  });

  test("clone3 and io_uring fail with ENOSYS so programs fall back", { skip: unsupported }, async () => {
    const res = JSON.parse((await probes!).errnos.stdout) as Record<string, [number, number]>;
    assert.deepEqual(res.clone3, [-1, 38]);
    assert.deepEqual(res.io_uring_setup, [-1, 38]);
  });

  test("ordinary use stays allowed: fork, the personality query, other ioctls", { skip: unsupported }, async () => {
    const res = JSON.parse((await probes!).errnos.stdout) as Record<string, [number, number] | number>;
    assert.equal(res.fork, 3);
    assert.notEqual(res["personality query"], -1);
    assert.deepEqual(res["ioctl TCGETS"], [-1, 25], "TCGETS on /dev/null reaches the kernel (ENOTTY)");
  });

  test("TIOCSTI (also with high bits set), TIOCLINUX, module loading and x32 kill the process", { skip: unsupported }, async () => {
    const { kills } = await probes!;
    for (const [name, probe] of Object.entries(kills)) {
      assert.equal(probe.signal, "SIGSYS", `${name}: ${probe.stdout.trim()} (code ${probe.code})`);
      assert.ok(!probe.stdout.includes("survived"));
    }
  });

  test("the baseline compiles for x86_64 with i386, aarch64 and riscv64", async () => {
    const text = await baselinePolicy();
    for (const arches of [["x86_64", "i386"], ["aarch64"], ["riscv64"]] as const) {
      const bpf = await compileRunSeccomp(text, [...arches]);
      assert.ok(bpf.length > 0 && bpf.length % 8 === 0, `${arches.join("+")}: ${bpf.length} bytes`);
    }
  });

  test("seccomp.extend puts the caller's rules before the baseline", { skip: unsupported }, async () => {
    assert.deepEqual(JSON.parse((await probes!).extended.stdout), [-1, 13]);
  });
});
