/**
 * Learn mode, proved with real processes: a script learned once runs under the learned policy,
 * a variant that touches one more file is refused; a tree of children is observed whole; the base
 * policy's denials are reported and never learned.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { learn, type LearnResult } from "../../src/learn/learn.ts";
import { loadPolicy } from "../../src/policyfile/options.ts";
import { run, type RunResult } from "../../src/run.ts";
import { attempt, skip } from "./helpers.ts";

// Not under /tmp: the sandbox has its own /tmp, so the learn view shows the host's /var/tmp instead.
const root = mkdtempSync("/var/tmp/stockade-learn-");
chmodSync(root, 0o755);
after(() => rmSync(root, { recursive: true, force: true }));

/** A project directory and a data directory with `in.txt` and `other.txt`. */
function fixture(name: string) {
  const project = join(root, name, "project");
  const data = join(root, name, "data");
  mkdirSync(project, { recursive: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, "in.txt"), "hello\n");
  writeFileSync(join(data, "other.txt"), "not learned\n");
  return { project, data, policyFile: join(root, name, "learned.json") };
}

/** Learns `argv(data)` under strict, writes the policy, then runs it and a variant that reads other.txt. */
async function learnAndReplay(name: string, argv: (inFile: string, extra: string) => string[]) {
  const { project, data, policyFile } = fixture(name);
  const learned = await learn(argv(join(data, "in.txt"), ""), { policy: "strict", cwd: project });
  writeFileSync(policyFile, JSON.stringify(learned.policy, null, 2));
  rmSync(join(project, "out.txt"), { force: true });
  const options = await loadPolicy(policyFile, { cwd: project });
  const replay = await run(argv(join(data, "in.txt"), ""), options);
  const variant = await run(argv(join(data, "in.txt"), join(data, "other.txt")), options);
  // The base alone, with the same files: the learned system calls are what makes the difference.
  const strictOnly = await run(argv(join(data, "in.txt"), ""), {
    ...await loadPolicy("strict", { cwd: project }),
    read: [data],
    write: [project],
  });
  return { learned, replay, variant, strictOnly, project, data };
}

const PY = `
import socket, sys
print(open(sys.argv[1]).read().strip())
if sys.argv[2]: print(open(sys.argv[2]).read().strip())
open("out.txt", "w").write("x")
import errno
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("127.0.0.1", 9))
except OSError as e: print("socket:", errno.errorcode[e.errno])
`;
const NODE = `
const fs = require("fs");
console.log(fs.readFileSync(process.argv[1], "utf8").trim());
if (process.argv[2]) console.log(fs.readFileSync(process.argv[2], "utf8").trim());
fs.writeFileSync("out.txt", "x");
require("net").connect(9, "127.0.0.1").on("error", (e) => console.log("socket:", e.code));
`;

const python = attempt(() => learnAndReplay("python", (f, extra) => ["python3", "-c", PY, f, extra]));
const node = attempt(() => learnAndReplay("node", (f, extra) => ["node", "-e", NODE, f, extra]));

function checkProof(name: string, p: Awaited<ReturnType<typeof learnAndReplay>>) {
  const { learned, replay, variant, strictOnly, project, data } = p;
  assert.equal(learned.result.code, 0, `${name} failed while learned: ${learned.result.stderrText}`);
  assert.deepEqual(learned.policy.extends, "strict");
  assert.ok(learned.policy.fs?.read?.includes(join(data, "in.txt")), `in.txt not learned: ${learned.summary}`);
  assert.ok(!learned.policy.fs?.read?.some((p) => p.includes("other.txt")), "a file never read was learned");
  assert.deepEqual(learned.policy.fs?.write, ["${PROJECT}"], "out.txt is created in the project");
  const kafel = learned.policy.seccomp && "kafel" in learned.policy.seccomp ? learned.policy.seccomp.kafel : "";
  assert.match(kafel, /socket ON x86_64 \{ family == 2 \}|socket ON aarch64 \{ family == 2 \}/);
  assert.match(kafel, /\bconnect ON /);
  assert.equal(replay.code, 0, `the learned policy refused ${name}: ${replay.stderrText}`);
  // The socket opens; connecting to a port that is not the proxy's is refused (Landlock, or nobody listens).
  assert.match(replay.stdoutText, /^hello\nsocket: (EACCES|ECONNREFUSED)\n$/);
  assert.ok(existsSync(join(project, "out.txt")), "the replay did not write out.txt");
  assert.notEqual(variant.code, 0, "a variant that reads one more file was allowed");
  assert.doesNotMatch(variant.stdoutText, /not learned/);
  assert.match(variant.stderrText, /ENOENT|No such file/);
  // (python3 reports ENOSYS from socket(2); node cannot even set up its piped stdout without getsockname(2).)
  assert.doesNotMatch(strictOnly.stdoutText, /socket: (EACCES|ECONNREFUSED)/, `${name} ran under strict without the learned calls`);
}

/** A tree: 20 shells, each exec'ing cat on its own input and creating its own output. */
const tree = attempt(async () => {
  const { project, data } = fixture("tree");
  for (let i = 1; i <= 20; i++) writeFileSync(join(data, `in${i}`), `${i}\n`);
  const script = `for i in $(seq 1 20); do sh -c "cat ${data}/in$i > out$i" & done; wait`;
  return { data, project, learned: await learn(["sh", "-c", script], { cwd: project }) };
});

/** Under strict, calls the base denies (unshare, ptrace) next to one it leaves to learning (socketpair). */
const denials = attempt(() => {
  const { project } = fixture("denials");
  return learn([
    "python3",
    "-c",
    `
import ctypes, errno, os, socket
libc = ctypes.CDLL(None, use_errno=True)
for nr in (272, 101):  # unshare(CLONE_NEWUSER), ptrace(PTRACE_TRACEME)
    r = libc.syscall(nr, 0x10000000 if nr == 272 else 0, 0, 0, 0)
    print(nr, r, ctypes.get_errno())
socket.socketpair()
`,
  ], { policy: "strict", cwd: project });
});

describe("learn mode", { skip }, () => {
  test(
    "a python3 -c script that reads a file, writes a file and opens a socket: learned, replayed, a variant refused",
    { timeout: 60_000 },
    async () => {
      checkProof("python3", await python());
    },
  );

  test(
    "a node -e script that reads a file, writes a file and opens a socket: learned, replayed, a variant refused",
    { timeout: 60_000 },
    async () => {
      checkProof("node", await node());
    },
  );

  test(
    "every process of a tree that forks and execs is observed, and many siblings fold into their directory",
    { timeout: 60_000 },
    async () => {
      const { data, project, learned } = await tree();
      assert.equal(learned.result.code, 0, learned.result.stderrText);
      const reads = learned.observed.files.get("read") ?? new Set();
      const creates = learned.observed.files.get("create") ?? new Set();
      for (let i = 1; i <= 20; i++) {
        assert.ok(reads.has(join(data, `in${i}`)), `child ${i}'s read is missing`);
        assert.ok(creates.has(join(project, `out${i}`)), `child ${i}'s write is missing`);
      }
      assert.ok(
        learned.observed.files.get("exec")?.has("/usr/bin/cat") || learned.observed.files.get("exec")?.has("/bin/cat"),
        "no exec of cat",
      );
      assert.deepEqual(learned.policy.fs?.read, [data], "20 siblings read: one rule for their directory");
    },
  );

  test("the base policy's denials are reported and never learned", { timeout: 60_000 }, async () => {
    const learned: LearnResult = await denials();
    const result: RunResult = learned.result;
    assert.equal(result.code, 0, result.stderrText);
    // Both calls failed with EPERM, as the baseline answers them, while being observed.
    assert.match(result.stdoutText, /^272 -1 1\n101 -1 1\n$/);
    const refused = learned.observed.refused.map((r) => `${r.name} ${r.action}`).sort();
    assert.deepEqual(refused, ["ptrace errno 1", "unshare errno 1"]);
    const kafel = learned.policy.seccomp && "kafel" in learned.policy.seccomp ? learned.policy.seccomp.kafel : "";
    assert.match(kafel, /socketpair/, "the call left to learning was learned");
    assert.doesNotMatch(kafel, /unshare|ptrace/);
    assert.match(learned.summary, /Not learned: refused by the base policy \(2\):/);
    assert.match(learned.summary, /\n {2}unshare on x86_64 \(errno 1\)\n/);
  });
});
