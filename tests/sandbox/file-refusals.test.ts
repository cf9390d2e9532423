/**
 * Refused files reported after ordinary runs (`reportFiles`, docs/learn.md "Refused files"):
 * a real command reads a hidden file, writes into a read-only directory, creates a file outside
 * the writable paths, reads an allowed file, creates one where it may and reads a path the host
 * does not have. With the switch exactly the three refused accesses are reported, with the same
 * output as without it; without it nothing is.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type FileRefusal, isFileRefusal, refusedFiles, refusedOnHost } from "../../src/engine/file-refusals.ts";
import { run, type RunOptions } from "../../src/run.ts";
import { cli } from "../helpers/runtime.ts";
import { attempt, cleanup, skip, tempDir } from "./helpers.ts";

const dir = tempDir("file-refusals");
const rw = join(dir, "rw");
mkdirSync(join(rw, "ro"), { recursive: true });
writeFileSync(join(dir, "secret.txt"), "secret\n");
writeFileSync(join(dir, "allowed.txt"), "allowed\n");
writeFileSync(join(rw, "ro", "existing.txt"), "kept\n");

const SCRIPT = [
  "cat secret.txt",
  "echo changed >> rw/ro/existing.txt",
  "touch outside.txt",
  "cat allowed.txt",
  "echo new > rw/new.txt",
  "cat /nonexistent-stockade-file-refusals",
  "exit 0",
].join("; ");
const options: RunOptions = { cwd: dir, write: [rw], readOnly: [join(rw, "ro")], hide: [join(dir, "secret.txt")] };

const plain = attempt(() => run(["sh", "-c", SCRIPT], options));
const reported = attempt(() => run(["sh", "-c", SCRIPT], { ...options, reportFiles: true }));

after(cleanup);

describe("refused files after a run", () => {
  test("are the hidden read, the read-only write and the outside create, once each", { skip }, async () => {
    const result = await reported();
    const want: FileRefusal[] = [
      { path: join(dir, "secret.txt"), access: "read" },
      { path: join(rw, "ro", "existing.txt"), access: "write" },
      { path: join(dir, "outside.txt"), access: "create" },
    ];
    assert.deepEqual(refusedFiles(result.events), want, result.stderrText);
    const secret = result.events.find(isFileRefusal);
    assert.equal(secret?.detail, `${join(dir, "secret.txt")} (read)`);
    assert.equal(result.events.at(-1)?.type, "exited", "the reports come before the exit");
  });

  test("change nothing the command sees", { skip }, async () => {
    const [off, on] = [await plain(), await reported()];
    assert.equal(off.stdoutText, "allowed\n", off.stderrText);
    assert.equal(on.stdoutText, off.stdoutText);
    assert.equal(on.stderrText, off.stderrText);
    assert.equal(on.code, off.code);
  });

  test("count only where the host has the path (its directory, for a create)", () => {
    assert.equal(refusedOnHost({ path: "/nonexistent-stockade-file-refusals", access: "read" }), false);
    assert.equal(refusedOnHost({ path: join(dir, "secret.txt"), access: "read" }), true);
    assert.equal(refusedOnHost({ path: join(dir, "not-yet"), access: "create" }), true);
    assert.equal(refusedOnHost({ path: join(dir, "no-dir", "not-yet"), access: "create" }), false);
  });

  test("are not reported without the switch", { skip }, async () => {
    assert.deepEqual(refusedFiles((await plain()).events), []);
  });

  test("stockade run prints them, --json carries them, --no-report-files and -q skip them", { skip, timeout: 60_000 }, () => {
    const flags = ["--cwd", dir, "--allow-write", rw, "--hide", join(dir, "secret.txt")];
    const text = cli(["run", ...flags, "--", "sh", "-c", "cat secret.txt; touch outside.txt; exit 0"]);
    assert.equal(text.status, 0, text.stderr.toString());
    assert.match(
      text.stderr.toString(),
      new RegExp(`^stockade: refused files: ${join(dir, "secret.txt")} \\(read\\), ${join(dir, "outside.txt")} \\(create\\)$`, "m"),
    );
    const json = JSON.parse(cli(["run", "--json", ...flags, "--", "cat", "secret.txt"]).stdout.toString());
    assert.deepEqual(json.refusedFiles, [{ path: join(dir, "secret.txt"), access: "read" }]);
    for (const off of ["--no-report-files", "-q"]) {
      const quiet = cli(["run", off, ...flags, "--", "sh", "-c", "cat secret.txt; exit 0"]);
      assert.equal(quiet.status, 0, quiet.stderr.toString());
      assert.doesNotMatch(quiet.stderr.toString(), /refused files/, off);
    }
    const noWatch = JSON.parse(cli(["run", "--json", "--no-report-files", ...flags, "--", "cat", "secret.txt"]).stdout.toString());
    assert.equal(noWatch.refusedFiles, undefined);
  });
});
