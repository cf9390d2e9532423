/**
 * `diff: true`: a real sandboxed command creates, modifies, forges the mtime of and deletes files;
 * the report names exactly those, with sizes and the SHA-256 of the new content.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { formatDiff } from "../../src/diff.ts";
import { run } from "../../src/run.ts";
import { cleanup, skip, tempDir } from "./helpers.ts";

after(cleanup);

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

test("diff reports exactly the files a run created, modified and deleted, with size and SHA-256", { skip, timeout: 30_000 }, async () => {
  const dir = tempDir("diff");
  writeFileSync(join(dir, "keep.txt"), "unchanged\n");
  writeFileSync(join(dir, "append.txt"), "one\n");
  writeFileSync(join(dir, "forged.txt"), "aaaa");
  writeFileSync(join(dir, "gone.txt"), "bye\n");
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "deep.txt"), "x");
  const forged = statSync(join(dir, "forged.txt"), { bigint: true });
  const stamp = `${forged.mtimeNs / 1_000_000_000n}.${String(forged.mtimeNs % 1_000_000_000n).padStart(9, "0")}`;
  // Same size, mtime set back: only ctime tells. (Deno's node:fs reports ctime to the second, so
  // the forged write waits for the next one; Node and Bun report nanoseconds.)
  const script =
    `printf 'new file\\n' > new.txt; printf 'two\\n' >> append.txt; sleep 1; printf bbbb > forged.txt; touch -m -d @${stamp} forged.txt;
    rm gone.txt; rm -r sub; mkdir made; ln -s keep.txt link`;
  const result = await run(["sh", "-c", script], { cwd: dir, write: [dir], diff: true });
  assert.equal(result.code, 0, result.stderrText);
  assert.equal(statSync(join(dir, "forged.txt"), { bigint: true }).mtimeNs, forged.mtimeNs, "the mtime was not forged back");
  const diff = result.diff;
  assert.ok(diff);
  assert.deepEqual(diff.created, [
    { path: join(dir, "link"), type: "symlink", size: 8, target: "keep.txt" },
    { path: join(dir, "made"), type: "directory", size: diff.created[1]?.size },
    { path: join(dir, "new.txt"), type: "file", size: 9, sha256: sha("new file\n") },
  ]);
  assert.deepEqual(diff.modified, [
    { path: join(dir, "append.txt"), type: "file", size: 8, sha256: sha("one\ntwo\n") },
    { path: join(dir, "forged.txt"), type: "file", size: 4, sha256: sha("bbbb") },
  ]);
  assert.deepEqual(diff.deleted.map((c) => [c.path, c.type, c.size]), [
    [join(dir, "gone.txt"), "file", 4],
    [join(dir, "sub"), "directory", diff.deleted[1]?.size],
    [join(dir, "sub", "deep.txt"), "file", 1],
  ]);
  const text = formatDiff(diff);
  assert.match(text, new RegExp(`^\\+ ${join(dir, "new.txt")} {2}9 bytes {2}sha256:${sha("new file\n")}$`, "m"));
  assert.match(text, /^3 created, 2 modified, 3 deleted$/m);
});
