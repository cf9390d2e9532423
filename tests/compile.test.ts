import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileSeccomp, disassemble, PolicyError } from "../mod.ts";
import { AUDIT, errno, RET, runBpf } from "./helpers/bpf.ts";

const x86 = { arch: "x86_64" } as const;
const NR = { read: 0, write: 1, open: 2, close: 3, exit: 60, getpid: 39, exit_group: 231 };
const on = (prog: Uint8Array, nr: number, args: bigint[] = [], arch: number = AUDIT.x86_64) => runBpf(prog, { arch, nr, args }).ret;

describe("compileSeccomp()", () => {
  it("compiles ALLOW { read, write, exit } DEFAULT KILL to at most 10 instructions (KAFEL.md §8)", async () => {
    const prog = await compileSeccomp("ALLOW { read, write, exit } DEFAULT KILL", x86);
    assert.equal(prog.length % 8, 0);
    assert.ok(prog.length / 8 <= 10, `${prog.length / 8} instructions`);
    assert.equal(on(prog, NR.read), RET.ALLOW);
    assert.equal(on(prog, NR.exit), RET.ALLOW);
    assert.equal(on(prog, NR.open), RET.KILL_THREAD);
  });

  it("lets the first match win: ALLOW {read}, DENY {read, write}", async () => {
    const prog = await compileSeccomp("ALLOW {read}, DENY {read, write}", x86);
    assert.equal(on(prog, NR.read), RET.ALLOW);
    assert.equal(on(prog, NR.write), RET.KILL_THREAD);
  });

  it("takes each path of a conditional read rule with DEFAULT LOG", async () => {
    const prog = await compileSeccomp("ALLOW { read { fd == 1 } } ERRNO(5) { read { count > 10 } } DEFAULT LOG", x86);
    assert.equal(on(prog, NR.read, [1n, 0n, 100n]), RET.ALLOW);
    assert.equal(on(prog, NR.read, [2n, 0n, 11n]), errno(5));
    assert.equal(on(prog, NR.read, [2n, 0n, 10n]), RET.LOG);
  });

  it("compares a 4-byte argument on its low 32 bits only", async () => {
    const prog = await compileSeccomp("ALLOW { read { fd == 0x1234 } } DEFAULT KILL", x86);
    assert.equal(on(prog, NR.read, [0x1_0000_1234n]), RET.ALLOW);
    const wide = await compileSeccomp("ALLOW { read { (fd & 0x1ffffffff) == 3 } } DEFAULT KILL", x86);
    assert.equal(on(wide, NR.read, [0x1_0000_0003n]), RET.KILL_THREAD);
    assert.equal(on(wide, NR.read, [3n]), RET.ALLOW);
  });

  it("gives foreign architectures KILL_PROCESS and closes x32 on x86_64", async () => {
    const prog = await compileSeccomp("DEFAULT ALLOW", x86);
    assert.equal(on(prog, NR.read), RET.ALLOW);
    assert.equal(on(prog, NR.read, [], AUDIT.i386), RET.KILL_PROCESS);
    assert.equal(on(prog, 0x40000000 | NR.getpid), RET.KILL_PROCESS);
  });

  it("compiles for several architectures at once", async () => {
    const prog = await compileSeccomp("ALLOW { read } DEFAULT ERRNO(1)", { arch: ["x86_64", "aarch64"] });
    assert.equal(on(prog, 0), RET.ALLOW);
    assert.equal(on(prog, 63, [], AUDIT.aarch64), RET.ALLOW); // read on aarch64
    assert.equal(on(prog, 0, [], AUDIT.aarch64), errno(1)); // io_setup on aarch64
  });

  it("resolves includes from a map and from an async function", async () => {
    const fromMap = await compileSeccomp('ALLOW { #include "io"\n } DEFAULT KILL', { ...x86, includes: { io: "read, write" } });
    assert.equal(on(fromMap, NR.write), RET.ALLOW);
    const fromFn = await compileSeccomp('#include "p"\nUSE p DEFAULT KILL', {
      ...x86,
      includes: async (name) => (name === "p" ? "POLICY p { ALLOW { getpid } }" : undefined),
    });
    assert.equal(on(fromFn, NR.getpid), RET.ALLOW);
  });

  it("reports every diagnostic with FILE:LINE:COL", async () => {
    const err = await compileSeccomp("ALLOW { nosuchcall }\nERRNO(70000) { read }", { ...x86, filename: "p.kafel" }).catch((e) => e);
    assert.ok(err instanceof PolicyError);
    assert.ok(err.diagnostics.length >= 1);
    for (const d of err.diagnostics) assert.equal(d.file, "p.kafel");
    assert.match(err.message, /^p\.kafel:\d+:\d+: /m);
  });

  it("reports a missing include at the include, naming it", async () => {
    const err = await compileSeccomp('ALLOW { read }\n#include "missing"\n', x86).catch((e) => e);
    assert.ok(err instanceof PolicyError);
    assert.equal(err.diagnostics[0].line, 2);
    assert.match(err.diagnostics[0].message, /missing/);
  });

  it("rejects an unknown architecture", async () => {
    await assert.rejects(compileSeccomp("DEFAULT ALLOW", { arch: "mips" as "x86_64" }), /No syscall table for architecture "mips"/);
  });
});

describe("disassemble()", () => {
  it("lists one instruction a line with jump targets and actions named", async () => {
    const prog = await compileSeccomp("ALLOW { read } ERRNO(1) { write } DEFAULT KILL_PROCESS", x86);
    const text = await disassemble(prog);
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, prog.length / 8);
    assert.match(text, /ld +\[4\] +; arch/);
    assert.match(text, /; x86_64/);
    assert.match(text, /; ALLOW/);
    assert.match(text, /; ERRNO\(1\)/);
    assert.match(text, /; KILL_PROCESS/);
    for (const m of text.matchAll(/jt (\d+) +jf (\d+)/g)) {
      assert.ok(Number(m[1]) < lines.length && Number(m[2]) < lines.length);
    }
  });

  it("rejects bytes that are not a whole number of instructions", async () => {
    await assert.rejects(disassemble(new Uint8Array(7)), /multiple of 8 bytes/);
  });
});
