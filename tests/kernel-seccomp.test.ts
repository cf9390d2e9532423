import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compileSeccomp, hostArch } from "../mod.ts";

// Syscall numbers for the probe (test data; the compiler resolves the names itself).
const NUMBERS: Record<string, { seccomp: number; getppid: number; getpriority: number; getpgid: number }> = {
  x86_64: { seccomp: 317, getppid: 110, getpriority: 140, getpgid: 121 },
  aarch64: { seccomp: 277, getppid: 173, getpriority: 141, getpgid: 155 },
};

describe("a compiled program in the real kernel", { skip: process.platform !== "linux" && "needs Linux seccomp" }, () => {
  it("allows, fails with ERRNO(n) and kills with SIGSYS as the policy says", async () => {
    const arch = hostArch();
    const nr = NUMBERS[arch];
    assert.ok(nr, `no probe numbers for ${arch}`);
    const bpf = await compileSeccomp("ERRNO(42) { getpriority } KILL_PROCESS { getpgid } DEFAULT ALLOW", { arch });
    const dir = mkdtempSync(join(tmpdir(), "stockade-seccomp-"));
    const file = join(dir, "policy.bpf");
    writeFileSync(file, bpf);
    const probe = new URL("./helpers/seccomp_probe.py", import.meta.url).pathname;
    const res = spawnSync("python3", [probe, file, String(nr.seccomp), String(nr.getppid), String(nr.getpriority), String(nr.getpgid)], {
      encoding: "utf8",
    });
    const lines = res.stdout.trim().split("\n").map((l) => l.split(" ").map(Number));
    assert.equal(lines.length, 2, `stdout: ${res.stdout} stderr: ${res.stderr}`);
    assert.equal(lines[0][0], nr.getppid);
    assert.ok(lines[0][1] > 0, "getppid is allowed and returns a pid");
    assert.deepEqual(lines[1], [nr.getpriority, -1, 42], "getpriority fails with errno 42");
    assert.equal(res.signal, "SIGSYS", "getpgid kills the process with SIGSYS");
  });
});
