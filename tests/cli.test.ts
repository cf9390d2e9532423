import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cli } from "./helpers/runtime.ts";

const dir = mkdtempSync(join(tmpdir(), "stockade-cli-"));
writeFileSync(join(dir, "io.inc"), "read, write");
writeFileSync(join(dir, "main.policy"), 'ALLOW {\n  #include "io.inc"\n}\nDEFAULT KILL\n');
writeFileSync(join(dir, "broken.policy"), "ALLOW { nosuchcall }\nERRNO(1) { alsonotacall }\n");

describe("stockade compile", () => {
  it("writes raw BPF with -o, resolving includes beside the policy", () => {
    const out = join(dir, "out.bpf");
    const res = cli(["compile", "--arch", "x86_64", "-o", out, join(dir, "main.policy")]);
    assert.equal(res.status, 0, res.stderr.toString());
    const bytes = readFileSync(out);
    assert.ok(bytes.length > 0 && bytes.length % 8 === 0);
  });

  it("prints hex and disassembly, reading the policy from stdin", () => {
    const hex = cli(["compile", "--arch", "x86_64", "--format", "hex", "-"], "ALLOW { read } DEFAULT KILL");
    assert.equal(hex.status, 0, hex.stderr.toString());
    assert.match(hex.stdout.toString(), /^([0-9a-f]{16}\n)+$/);
    const dis = cli(["compile", "--arch", "x86_64", "--format", "disasm", "-"], "ALLOW { read } DEFAULT KILL");
    assert.equal(dis.status, 0, dis.stderr.toString());
    assert.match(dis.stdout.toString(), /ret #0x7fff0000 +; ALLOW/);
  });

  it("searches -I directories for includes", () => {
    const res = cli(["compile", "--arch", "x86_64", "--format", "hex", "-I", dir, "-"], 'ALLOW { #include "io.inc"\n }');
    assert.equal(res.status, 0, res.stderr.toString());
  });

  it("exits 2 and prints every diagnostic as FILE:LINE:COL", () => {
    const file = join(dir, "broken.policy");
    const res = cli(["compile", "--arch", "x86_64", "--format", "hex", file]);
    assert.equal(res.status, 2);
    const lines = res.stderr.toString().trim().split("\n");
    assert.ok(lines.length >= 2, res.stderr.toString());
    for (const l of lines) assert.ok(l.startsWith(`${file}:`), l);
    assert.match(lines[0], /:1:\d+: /);
    assert.match(lines[1], /:2:\d+: /);
  });

  it("exits 64 with a hint on usage errors", () => {
    for (const args of [["compile"], ["compile", "--format", "xml", "x"], ["compile", "--arch", "sparc", "x"], ["compile", "--bogus", "x"], ["nosuch"]]) {
      const res = cli(args);
      assert.equal(res.status, 64, `${args.join(" ")}: ${res.stderr}`);
      assert.match(res.stderr.toString(), /stockade/);
    }
  });

  it("has --help for the command and for compile", () => {
    assert.match(cli(["--help"]).stdout.toString(), /Commands:/);
    assert.match(cli(["compile", "--help"]).stdout.toString(), /--format FORMAT/);
    assert.match(cli(["--version"]).stdout.toString(), /^stockade \d+\.\d+\.\d+/);
  });
});
