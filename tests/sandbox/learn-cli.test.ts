/**
 * `stockade learn` from the shell: usage errors, a learned file that `stockade run --policy`
 * accepts, and two steps merged with `--into`.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { cli } from "../helpers/runtime.ts";
import { skip } from "./helpers.ts";

const root = mkdtempSync("/var/tmp/stockade-learn-cli-");
chmodSync(root, 0o755);
after(() => rmSync(root, { recursive: true, force: true }));

describe("stockade learn", () => {
  test("exits 64 on usage errors and has --help", () => {
    for (
      const args of [["learn"], ["learn", "--bogus", "--", "true"], ["learn", "--timeout", "soon", "--", "true"], [
        "learn",
        "x",
        "--",
        "true",
      ]]
    ) {
      const res = cli(args);
      assert.equal(res.status, 64, `${args.join(" ")}: ${res.stderr}`);
      assert.match(res.stderr.toString(), /^stockade learn: /);
    }
    assert.match(cli(["learn", "--help"]).stdout.toString(), /--into FILE/);
  });

  test("-o writes a policy that stockade run --policy runs; --into adds a second step to it", { skip, timeout: 60_000 }, () => {
    const data = join(root, "data");
    const project = join(root, "project");
    mkdirSync(data);
    mkdirSync(project);
    writeFileSync(join(data, "a.txt"), "A\n");
    writeFileSync(join(data, "b.txt"), "B\n");
    writeFileSync(join(data, "c.txt"), "C\n");
    const file = join(root, "steps.json");
    const first = cli(["learn", "--cwd", project, "--into", file, "-q", "--", "cat", join(data, "a.txt")]);
    assert.equal(first.status, 0, first.stderr.toString());
    assert.equal(first.stdout.toString(), "A\n", "the command's output");
    const second = cli(["learn", "--cwd", project, "--into", file, "--", "sh", "-c", `cat ${join(data, "b.txt")} > copy.txt`]);
    assert.equal(second.status, 0, second.stderr.toString());
    assert.match(second.stderr.toString(), /Written \(1\):\n {2}\$\{PROJECT\}/);
    const policy = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(policy.fs, { read: [join(data, "a.txt"), join(data, "b.txt")], write: ["${PROJECT}"] });
    assert.equal(policy.extends, "base");
    for (const name of ["a.txt", "b.txt"]) {
      const res = cli(["run", "--policy", file, "--cwd", project, "--", "cat", join(data, name)]);
      assert.equal(res.status, 0, res.stderr.toString());
    }
    const res = cli(["run", "--policy", file, "--cwd", project, "--", "cat", join(data, "c.txt")]);
    assert.notEqual(res.status, 0, "a file no step read is readable");
  });
});
