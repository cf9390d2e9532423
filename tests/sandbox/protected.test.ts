/**
 * Protected paths, proven by real sandboxed processes: inside a writable project the command
 * cannot plant git hooks (with or without a `.git`), rewrite git config or a `.git` file, edit
 * editor or agent settings, create them, touch shell rc files, or read `.env` secrets; and each
 * `unprotect` name lets exactly that through. The host is checked afterwards.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import type { RunOptions } from "../../src/policy.ts";
import { cli } from "../helpers/runtime.ts";
import { attempt, cleanup, py, PY_PRELUDE, report, skip, tempDir } from "./helpers.ts";

const SECRET = "API_KEY=do-not-leak";

/** A project: `withGit` makes `.git/hooks` and `.git/config`; always `.env`, `.env.local`, `.vscode/`, `.bashrc`. */
function project(withGit: boolean): string {
  if (skip) return "";
  const dir = tempDir("protected");
  if (withGit) {
    mkdirSync(join(dir, ".git", "hooks"), { recursive: true });
    writeFileSync(join(dir, ".git", "config"), "[core]\n");
  }
  writeFileSync(join(dir, ".env"), SECRET);
  writeFileSync(join(dir, ".env.local"), SECRET);
  mkdirSync(join(dir, ".vscode"));
  writeFileSync(join(dir, ".vscode", "settings.json"), "{}");
  writeFileSync(join(dir, ".bashrc"), "# rc\n");
  writeFileSync(join(dir, ".yarnrc.yml"), "nodeLinker: node-modules\n");
  return dir;
}

/** Python that tries each attack in the working directory and reports `{name: "done" | errno}`. */
const ATTACKS = `${PY_PRELUDE}
def attempt(fn):
    try:
        return fn() or "done"
    except OSError as e:
        return e.errno
def write(path, mode="w", data="pwned\\n"):
    def go():
        d = os.path.dirname(path)
        if d: os.makedirs(d, exist_ok=True)
        with open(path, mode) as f: f.write(data)
    return go
def read(path):
    def go():
        with open(path) as f: return "read:" + f.read()
    return go
out({
    "hook": attempt(write(".git/hooks/pre-commit")),
    "git config": attempt(write(".git/config", "a", "[core]\\n\\tfsmonitor = evil\\n")),
    "vscode tasks": attempt(write(".vscode/tasks.json")),
    "vscode replaced": attempt(lambda: os.rename(".vscode", "old-vscode")),
    "claude settings": attempt(write(".claude/settings.json")),
    "mcp servers": attempt(write(".mcp.json")),
    "bashrc": attempt(write(".bashrc", "a")),
    "yarnrc": attempt(write(".yarnrc.yml", "a", "yarnPath: ./evil.cjs\\n")),
    "read .env": attempt(read(".env")),
    "read .env.local": attempt(read(".env.local")),
    "new .env": attempt(write(".env.new-file-is-fine")),
    "ordinary file": attempt(write("src/ok.txt")),
})`;

const withGitDir = project(true);
const withoutGitDir = project(false);
const unprotectedDir = project(true);
const gitFileDir = skip ? "" : tempDir("gitfile");
if (!skip) writeFileSync(join(gitFileDir, ".git"), "gitdir: /elsewhere/.git\n");
const noEnvDir = skip ? "" : tempDir("noenv");

const inProject = (cwd: string, extra: RunOptions = {}) => attempt(() => py(ATTACKS, { cwd, writeCwd: true, ...extra }));
const withGit = inProject(withGitDir);
const withoutGit = inProject(withoutGitDir);
const unprotected = inProject(unprotectedDir, { unprotect: [".git/hooks", ".env", ".vscode", ".claude", ".bashrc"] });
const gitFile = attempt(() =>
  py(
    `${PY_PRELUDE}
try:
    with open(".git", "w") as f: f.write("gitdir: ./evil\\n")
    res = "written"
except OSError as e: res = e.errno
out({"git file": res})`,
    { cwd: gitFileDir, writeCwd: true },
  )
);
const plantEnv = attempt(() =>
  py(
    `${PY_PRELUDE}
res = {}
for name in [".env", ".git/config"]:
    try:
        os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
        with open(name, "w") as f: f.write("NODE_OPTIONS=--require=./evil.js\\n")
        res[name] = "written"
    except OSError as e: res[name] = e.errno
out(res)`,
    { cwd: noEnvDir, writeCwd: true },
  )
);
const missingReadOnly = skip ? "" : tempDir("missing-ro");
const readOnlyMissing = attempt(() =>
  py(
    `${PY_PRELUDE}
try:
    os.makedirs("later/hooks", exist_ok=True); open("later/hooks/x", "w").write("x"); res = "written"
except OSError as e: res = e.errno
out({"missing readOnly": res})`,
    { cwd: missingReadOnly, writeCwd: true, readOnly: ["later"] },
  )
);

// A writable home directory: its shell start-up files cannot be changed, nor created.
const fakeHome = skip ? "" : tempDir("home");
if (!skip) {
  writeFileSync(join(fakeHome, ".bashrc"), "# rc\n");
  mkdirSync(join(fakeHome, ".aws"));
  writeFileSync(join(fakeHome, ".aws", "credentials"), SECRET);
  writeFileSync(join(fakeHome, ".npmrc"), SECRET);
}
const inHome = attempt(() => {
  const saved = process.env.HOME;
  process.env.HOME = fakeHome; // the home protect.ts sees; run() reads it before its first await
  try {
    return py(
      `${PY_PRELUDE}
res = {}
for name, mode in [(".bashrc", "a"), (".bash_profile", "w"), (".profile", "w"), (".zshrc", "w"), (".gitconfig", "w"),
                   (".ssh/config", "w"), ("notes.txt", "w"), (".aws/credentials", "r"), (".npmrc", "r")]:
    path = ${JSON.stringify(fakeHome)} + "/" + name
    try:
        if mode == "r":
            with open(path) as f: res[name] = "read:" + f.read()
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode) as f: f.write("pwned\\n")
        res[name] = "written"
    except OSError as e: res[name] = e.errno
out(res)`,
      { write: [fakeHome] },
    );
  } finally {
    process.env.HOME = saved;
  }
});

// The CLI: a policy file that makes the project writable, with and without --unprotect .env.
const cliDir = project(false);
if (!skip) {
  writeFileSync(join(cliDir, "policy.json"), JSON.stringify({ fs: { write: ["${PROJECT}"] }, env: { set: { WHERE: "${PROJECT}" } } }));
}
const viaCli = (extra: string[]) =>
  attempt(() =>
    Promise.resolve(
      cli(["run", "--policy", join(cliDir, "policy.json"), "--cwd", cliDir, ...extra, "--", "sh", "-c", 'echo "$WHERE"; cat .env']),
    )
  );
const cliProtected = viaCli([]);
const cliUnprotected = viaCli(["--unprotect", ".env"]);

function refused(res: Record<string, unknown>, names: string[]): void {
  for (const name of names) assert.equal(typeof res[name], "number", `${name}: ${JSON.stringify(res[name])}`);
}

describe("protected paths inside a writable project", () => {
  after(cleanup);

  test("git hooks, git config, editor and agent settings, shell rc files cannot be changed or created", { skip }, async () => {
    const res = report(await withGit());
    refused(res, ["hook", "git config", "vscode tasks", "vscode replaced", "claude settings", "mcp servers", "bashrc", "yarnrc"]);
    assert.equal(res["ordinary file"], "done", "the project itself is writable (control)");
    assert.ok(!existsSync(join(withGitDir, ".git", "hooks", "pre-commit")));
    assert.equal(readFileSync(join(withGitDir, ".git", "config"), "utf8"), "[core]\n");
    assert.equal(readFileSync(join(withGitDir, ".bashrc"), "utf8"), "# rc\n");
    assert.deepEqual(readdirSync(join(withGitDir, ".vscode")), ["settings.json"]);
  });

  test(".env files cannot be read; other new files can be made", { skip }, async () => {
    const res = report(await withGit());
    refused(res, ["read .env", "read .env.local"]);
    assert.equal(res["new .env"], "done");
  });

  test("without a .git, the command cannot create one (so no hooks that run later)", { skip }, async () => {
    const res = report(await withoutGit());
    refused(res, ["hook", "git config", "claude settings", "mcp servers"]);
    assert.equal(res["ordinary file"], "done");
    // The placeholders that made them uncreatable are gone from the host afterwards.
    for (const name of [".git", ".claude", ".cursor", ".mcp.json", ".idea"]) assert.ok(!existsSync(join(withoutGitDir, name)), name);
  });

  test("a .git file (worktree, submodule) cannot be pointed elsewhere", { skip }, async () => {
    refused(report(await gitFile()), ["git file"]);
    assert.equal(readFileSync(join(gitFileDir, ".git"), "utf8"), "gitdir: /elsewhere/.git\n");
  });

  test("a project without .env cannot get one planted", { skip }, async () => {
    refused(report(await plantEnv()), [".env", ".git/config"]);
    assert.ok(!existsSync(join(noEnvDir, ".env")) && !existsSync(join(noEnvDir, ".git")));
  });

  test("a readOnly path that does not exist cannot be created, and leaves nothing behind", { skip }, async () => {
    refused(report(await readOnlyMissing()), ["missing readOnly"]);
    assert.ok(!existsSync(join(missingReadOnly, "later")));
  });

  test("unprotect lets each named path through, and only those", { skip }, async () => {
    const res = report(await unprotected());
    for (const name of ["hook", "vscode tasks", "claude settings", "bashrc"]) assert.equal(res[name], "done", name);
    assert.equal(res["read .env"], `read:${SECRET}`);
    assert.equal(res["read .env.local"], `read:${SECRET}`);
    refused(res, ["git config", "mcp servers"]);
    assert.ok(existsSync(join(unprotectedDir, ".git", "hooks", "pre-commit")));
  });

  test(
    "in a writable home, shell start-up files, git and ssh config cannot be changed or created, credentials not read",
    { skip },
    async () => {
      const res = report(await inHome());
      refused(res, [".bashrc", ".bash_profile", ".profile", ".zshrc", ".gitconfig", ".ssh/config", ".aws/credentials", ".npmrc"]);
      assert.equal(res["notes.txt"], "written");
      assert.equal(readFileSync(join(fakeHome, ".bashrc"), "utf8"), "# rc\n");
      for (const name of [".bash_profile", ".profile", ".zshrc", ".gitconfig", ".ssh"]) assert.ok(!existsSync(join(fakeHome, name)), name);
    },
  );

  test("stockade run --policy FILE --unprotect NAME", { skip }, async () => {
    const hidden = await cliProtected();
    assert.equal(hidden.stdout.toString(), `${cliDir}\n`, hidden.stderr.toString());
    assert.notEqual(hidden.status, 0, "cat .env succeeded");
    const shown = await cliUnprotected();
    assert.equal(shown.status, 0, shown.stderr.toString());
    assert.equal(shown.stdout.toString(), `${cliDir}\n${SECRET}`);
  });
});
