/**
 * The pure parts of learn mode: folding paths into rules, what a write needs, the learned Kafel,
 * merging into an existing policy, and the generated strict preset being current.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { assetUrl } from "../../src/assets.ts";
import { compileSeccomp } from "../../src/compile.ts";
import { fold, needs, sandboxOwn } from "../../src/learn/fold.ts";
import { learnedKafel, mergePolicies, parseLearnedKafel, syscallFilters, withVariables } from "../../src/learn/policy.ts";
import { strictKafel } from "../../src/learn/strict.ts";
import { baselinePolicy, seccompArches } from "../../src/policy.ts";

// Not under /tmp: that is the sandbox's own, which needs never grants.
const tmp = mkdtempSync("/var/tmp/stockade-learn-unit-");
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("sandboxOwn", () => {
  test("the sandbox's /tmp, /proc and /dev need no rule, a host directory bound under /tmp does", () => {
    assert.equal(sandboxOwn("/tmp/scratch", ["/srv/project"]), true);
    assert.equal(sandboxOwn("/proc/self/status", []), true);
    assert.equal(sandboxOwn("/tmp/project/out.txt", ["/tmp/project"]), false);
    assert.equal(sandboxOwn("/srv/project/out.txt", ["/srv/project"]), false);
  });
});

describe("fold", () => {
  test("four or more siblings become their directory; fewer stay as they are", () => {
    assert.deepEqual(fold(["/srv/a/1", "/srv/a/2", "/srv/a/3", "/srv/a/4", "/srv/b/1", "/srv/b/2"], []), [
      "/srv/a",
      "/srv/b/1",
      "/srv/b/2",
    ]);
  });

  test("folding repeats upwards and drops what a rule already covers", () => {
    const paths = ["/srv/x/a/1", "/srv/x/a/2", "/srv/x/a/3", "/srv/x/a/4", "/srv/x/b", "/srv/x/c", "/srv/x/d"];
    assert.deepEqual(fold(paths, []), ["/srv/x"]);
    assert.deepEqual(fold(["/srv/x", "/srv/x/y/z"], []), ["/srv/x"]);
  });

  test("never folds into /, a top-level directory, the home directory or above it", () => {
    assert.deepEqual(fold(["/a", "/b", "/c", "/d"], []), ["/a", "/b", "/c", "/d"]);
    assert.deepEqual(fold(["/opt/1", "/opt/2", "/opt/3", "/opt/4"], []), ["/opt/1", "/opt/2", "/opt/3", "/opt/4"]);
    const home = ["/home/me/.a", "/home/me/.b", "/home/me/.c", "/home/me/.d"];
    assert.deepEqual(fold(home, ["/home/me"]), home);
  });
});

describe("needs", () => {
  test("a created or deleted name needs its directory, a written file itself, a read only what exists", () => {
    const dir = join(tmp, "needs");
    mkdirSync(join(dir, "d"), { recursive: true });
    writeFileSync(join(dir, "file"), "x");
    const files = new Map<string, Set<string>>([
      ["create", new Set([join(dir, "d", "new"), join(dir, "gone", "deeper", "x")])],
      ["write", new Set([join(dir, "file")])],
      ["read", new Set([join(dir, "file"), join(dir, "missing"), "/usr/bin/env", "/proc/self/status", "/"])],
      ["delete", new Set(["/tmp/x"])],
    ]);
    const got = needs(files as never, ["/usr", "/proc"], ["/tmp"]);
    assert.deepEqual(got.write.sort(), [dir, join(dir, "d"), join(dir, "file")].sort());
    assert.deepEqual(got.read, [], "the file read is written anyway; the rest is covered, missing or /");
  });
});

describe("learned policy", () => {
  test("one filter per call, socket with its families, names the table lacks by number", () => {
    assert.deepEqual(
      syscallFilters([
        { arch: "x86_64", nr: 41, name: "socket", families: [1, 2] },
        { arch: "x86_64", nr: 42, name: "connect" },
        { arch: "i386", nr: 999 },
      ]),
      ["SYSCALL[999] ON i386", "connect ON x86_64", "socket ON x86_64 { family == 1, family == 2 }"],
    );
  });

  test("learned Kafel compiles and reads back", async () => {
    const filters = ["connect ON x86_64", "socket ON x86_64 { family == 2 }"];
    const text = learnedKafel(filters);
    assert.deepEqual(parseLearnedKafel(text), filters);
    await compileSeccomp(text + (await baselinePolicy()), { arch: seccompArches("x86_64") });
  });

  test("paths under the project and the home directory are written with variables", () => {
    assert.equal(withVariables("/home/me/p/out", "/home/me/p", "/home/me"), "${PROJECT}/out");
    assert.equal(withVariables("/home/me/.cache/x", "/home/me/p", "/home/me"), "${HOME}/.cache/x");
    assert.equal(withVariables("/srv/x", "/home/me/p", "/home/me"), "/srv/x");
  });

  test("--into unions paths, hosts and learned calls, and keeps the rest of the file", () => {
    const existing = {
      description: "build step",
      extends: "npm",
      fs: { read: ["/srv/a"], hide: ["/srv/a/secret"] },
      network: { allow: ["registry.npmjs.org"], deny: ["evil.example"] },
      seccomp: { kafel: learnedKafel(["connect ON x86_64"]) },
      limits: { memory: "1g" },
    };
    const merged = mergePolicies(existing, {
      extends: "strict",
      fs: { read: ["/srv/b"], write: ["${PROJECT}"] },
      network: { allow: ["pypi.org"] },
      seccomp: { kafel: learnedKafel(["socket ON x86_64 { family == 2 }"]) },
    });
    assert.deepEqual(merged, {
      description: "build step",
      extends: "npm",
      fs: { read: ["/srv/a", "/srv/b"], hide: ["/srv/a/secret"], write: ["${PROJECT}"] },
      network: { allow: ["pypi.org", "registry.npmjs.org"], deny: ["evil.example"] },
      seccomp: { kafel: learnedKafel(["connect ON x86_64", "socket ON x86_64 { family == 2 }"]) },
      limits: { memory: "1g" },
    });
  });

  test("--into keeps hand-written Kafel and puts the learned block before it", () => {
    const merged = mergePolicies({ seccomp: { kafel: "ERRNO(1) { ptrace }" } }, { seccomp: { kafel: learnedKafel(["bind ON x86_64"]) } });
    assert.equal(
      merged.seccomp && "kafel" in merged.seccomp && merged.seccomp.kafel,
      `${learnedKafel(["bind ON x86_64"])}\nERRNO(1) { ptrace }`,
    );
  });
});

test("policies/strict.kafel is what src/learn/strict.ts generates from the current baseline", async () => {
  const committed = readFileSync(assetUrl("policies/strict.kafel"), "utf8");
  assert.equal(committed, await strictKafel(await baselinePolicy()), "regenerate it: npx tsx src/learn/strict-gen.ts");
});
