/**
 * Escapes through the file view: each test runs a real sandboxed process that tries one, and
 * checks the host afterwards. Positive controls show each probe would notice a success.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { StockadeError } from "../../src/errors.ts";
import { attempt, cleanup, py, PY_PRELUDE, report, skip, tempDir } from "./helpers.ts";

const TOKEN = `secret-${randomUUID()}`;
const secretDir = skip ? "" : tempDir("secret");
const secretFile = join(secretDir, "secret.txt");
if (!skip) writeFileSync(secretFile, TOKEN);

/** Python that tries to read each path and reports `{path: content-or-errno}`. */
function readAll(paths: string[]): string {
  return `${PY_PRELUDE}
res = {}
for p in ${JSON.stringify(paths)}:
    try:
        with open(p) as f: res[p] = f.read()
    except OSError as e: res[p] = e.errno
try: res["listdir"] = os.listdir(${JSON.stringify(secretDir)})
except OSError as e: res["listdir"] = e.errno
out(res)`;
}

const readSecret = attempt(() => py(readAll([secretFile, "/etc/shadow", "/etc/gshadow"])));
const readSecretAllowed = attempt(() => py(readAll([secretFile]), { read: [secretDir] }));

const writeDir = skip ? "" : tempDir("write");
const writeTargets = skip ? [] : [
  join(process.cwd(), `pwned-${randomUUID()}`),
  "/usr/stockade-pwned",
  "/etc/stockade-pwned",
  join(secretDir, "pwned"),
  join(writeDir, "allowed"),
];
const writeOutside = attempt(() =>
  py(
    `${PY_PRELUDE}
res = {}
for p in ${JSON.stringify(writeTargets)}:
    try:
        with open(p, "w") as f: f.write("pwned")
        res[p] = "written"
    except OSError as e: res[p] = e.errno
out(res)`,
    { write: [writeDir] },
  )
);

const remount = attempt(() =>
  py(`${PY_PRELUDE}
MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096
res = {}
res["remount /"] = call(libc.mount, None, b"/", None, MS_REMOUNT | MS_BIND, None)
res["remount /usr"] = call(libc.mount, None, b"/usr", None, MS_REMOUNT | MS_BIND, None)
res["remount / plain"] = call(libc.mount, b"none", b"/", None, MS_REMOUNT, None)
try:
    open("/usr/stockade-remount-pwned", "w").write("x"); res["write /usr"] = "written"
except OSError as e: res["write /usr"] = e.errno
out(res)`)
);

const mountFresh = attempt(() =>
  py(`${PY_PRELUDE}
os.makedirs("/tmp/m", exist_ok=True)
res = {}
res["tmpfs"] = call(libc.mount, b"tmpfs", b"/tmp/m", b"tmpfs", 0, None)
res["bind"] = call(libc.mount, b"/usr", b"/tmp/m", None, 4096, None)
res["proc"] = call(libc.mount, b"proc", b"/tmp/m", b"proc", 0, None)
out(res)`)
);

// A symlink planted in a writable directory points outside the view.
const linkDir = skip ? "" : tempDir("links");
const symlinkSameRun = attempt(() =>
  py(
    `${PY_PRELUDE}
d = ${JSON.stringify(linkDir)}
os.symlink(${JSON.stringify(secretDir)}, d + "/dir")
os.symlink(${JSON.stringify(secretFile)}, d + "/file")
res = {}
for name, fn in [("read via dir", lambda: open(d + "/dir/secret.txt").read()),
                 ("read via file", lambda: open(d + "/file").read()),
                 ("write via dir", lambda: open(d + "/dir/pwned-link", "w").write("x")),
                 ("write via file", lambda: open(d + "/file", "a").write("pwned"))]:
    try: res[name] = fn()
    except OSError as e: res[name] = e.errno
out(res)`,
    { write: [linkDir] },
  )
);

// The next run is told to write to the path the previous run replaced with a symlink.
const plantDir = skip ? "" : tempDir("plant");
const symlinkNextRun = attempt(async () => {
  const plant = await py(`import os; os.symlink(${JSON.stringify(secretDir)}, ${JSON.stringify(join(plantDir, "out"))}); print("{}")`, {
    write: [plantDir],
  });
  try {
    const next = await py(
      `${PY_PRELUDE}
res = {}
try: res["read"] = open(${JSON.stringify(join(plantDir, "out", "secret.txt"))}).read()
except OSError as e: res["read"] = e.errno
try:
    open(${JSON.stringify(join(plantDir, "out", "pwned-next"))}, "w").write("x"); res["write"] = "written"
except OSError as e: res["write"] = e.errno
out(res)`,
      { write: [join(plantDir, "out")] },
    );
    return { plant, next, refused: undefined };
  } catch (e) {
    if (e instanceof StockadeError) return { plant, next: undefined, refused: e };
    throw e;
  }
});

const denyDir = skip ? "" : tempDir("deny");
const createDenied = attempt(() =>
  py(
    `${PY_PRELUDE}
d = ${JSON.stringify(denyDir)}
res = {}
for name, fn in [("file", lambda: open(d + "/new.txt", "w").write("pwned")),
                 ("mkdir", lambda: os.mkdir(d + "/newdir")),
                 ("in dir", lambda: open(d + "/newdir/f", "w").write("pwned")),
                 ("rename", lambda: (open(d + "/tmp.txt", "w").write("pwned"), os.rename(d + "/tmp.txt", d + "/new.txt")))]:
    try:
        fn(); res[name] = "done"
    except OSError as e: res[name] = e.errno
out(res)`,
    { write: [denyDir], hide: [join(denyDir, "new.txt"), join(denyDir, "newdir")] },
  )
);

const fillTmp = attempt(() =>
  py(
    `${PY_PRELUDE}
total, err = 0, None
try:
    with open("/tmp/fill", "wb") as f:
        while total < 64 << 20:
            f.write(b"\\0" * (1 << 20)); f.flush(); total += 1 << 20
except OSError as e: err = e.errno
out({"total": total, "errno": err})`,
    { tmpSize: 8 << 20 },
  )
);

const hostSockets = attempt(() =>
  py(`${PY_PRELUDE}
res = {}
for p in ["/run", "/var/run", "/home", "/root", "/run/docker.sock", "/var/run/dbus/system_bus_socket"]:
    try:
        os.lstat(p)
        res[p] = os.listdir(p) if os.path.isdir(p) else "exists"
    except OSError as e: res[p] = e.errno
out(res)`)
);

// A writable project directory holding files that run later, outside the sandbox.
const project = skip ? "" : tempDir("project");
if (!skip) {
  mkdirSync(join(project, ".git", "hooks"), { recursive: true });
  writeFileSync(join(project, ".git", "config"), "[core]\n");
  writeFileSync(join(project, ".bashrc"), "# rc\n");
}
const runLater = attempt(() =>
  py(
    `${PY_PRELUDE}
res = {}
for name, path, mode in [("hook", ".git/hooks/pre-commit", "w"), ("git config", ".git/config", "a"),
                         ("bashrc", ".bashrc", "a"), ("ordinary file", "ok.txt", "w")]:
    try:
        with open(path, mode) as f: f.write("pwned\\n")
        res[name] = "written"
    except OSError as e: res[name] = e.errno
out(res)`,
    { cwd: project, writeCwd: true },
  )
);

describe("the file view", () => {
  after(cleanup);

  test("a secret outside the view cannot be read or listed", { skip }, async () => {
    const r = await readSecret();
    assert.ok(!r.stdoutText.includes(TOKEN), "the secret reached the sandbox");
    const res = report<Record<string, unknown>>(r);
    assert.equal(typeof res[secretFile], "number", `reading the secret gave ${JSON.stringify(res[secretFile])}`);
    assert.equal(typeof res.listdir, "number", `listing the secret's directory gave ${JSON.stringify(res.listdir)}`);
  });

  test("the probe does see the secret when the policy allows it (control)", { skip }, async () => {
    const res = report<Record<string, unknown>>(await readSecretAllowed());
    assert.equal(res[secretFile], TOKEN);
  });

  test("/etc/shadow and /etc/gshadow are hidden although /etc is readable", { skip }, async () => {
    const res = report<Record<string, unknown>>(await readSecret());
    for (const path of ["/etc/shadow", "/etc/gshadow"]) {
      if (!existsSync(path)) continue;
      const got = res[path];
      assert.ok(typeof got === "number" || got === "", `${path} gave ${JSON.stringify(got)}`);
    }
  });

  test("writes outside the writable paths fail and leave the host untouched", { skip }, async () => {
    const res = report<Record<string, unknown>>(await writeOutside());
    const allowed = join(writeDir, "allowed");
    assert.equal(res[allowed], "written", "control: the writable directory must be writable");
    assert.equal(readFileSync(allowed, "utf8"), "pwned");
    for (const path of writeTargets.filter((p) => p !== allowed)) {
      assert.equal(typeof res[path], "number", `writing ${path} gave ${JSON.stringify(res[path])}`);
      assert.ok(!existsSync(path), `${path} exists on the host`);
    }
  });

  test("remounting / or /usr read-write fails", { skip }, async () => {
    const res = report<Record<string, { ret: number; errno: number } | number | string>>(await remount());
    for (const key of ["remount /", "remount /usr", "remount / plain"]) {
      assert.equal((res[key] as { ret: number }).ret, -1, `${key}: ${JSON.stringify(res[key])}`);
    }
    assert.equal(typeof res["write /usr"], "number");
    assert.ok(!existsSync("/usr/stockade-remount-pwned"));
  });

  test("mount of tmpfs, bind or proc fails", { skip }, async () => {
    const res = report<Record<string, { ret: number; errno: number }>>(await mountFresh());
    for (const [kind, r] of Object.entries(res)) assert.equal(r.ret, -1, `mount ${kind}: ${JSON.stringify(r)}`);
  });

  test("a symlink planted in a writable directory does not reach outside the view", { skip }, async () => {
    const r = await symlinkSameRun();
    assert.ok(!r.stdoutText.includes(TOKEN), "the secret was read through the symlink");
    const res = report<Record<string, unknown>>(r);
    for (const [name, got] of Object.entries(res)) assert.equal(typeof got, "number", `${name}: ${JSON.stringify(got)}`);
    assert.ok(!existsSync(join(secretDir, "pwned-link")));
    assert.equal(readFileSync(secretFile, "utf8"), TOKEN);
  });

  test("a symlink planted by one run does not widen the next run's view", { skip }, async () => {
    const { plant, next, refused } = await symlinkNextRun();
    assert.equal(plant.code, 0, `planting failed: ${plant.stderrText}`);
    if (next) {
      assert.ok(!next.stdoutText.includes(TOKEN), "the next run read the secret through the planted symlink");
      assert.equal(typeof report(next).write, "number");
    } else {
      assert.ok(refused instanceof StockadeError, "the engine may refuse the symlinked path");
    }
    assert.ok(!existsSync(join(secretDir, "pwned-next")), "the next run wrote through the planted symlink");
  });

  test("a hidden path that did not exist cannot be created", { skip }, async () => {
    const res = report<Record<string, unknown>>(await createDenied());
    for (const name of ["file", "mkdir", "in dir", "rename"]) {
      assert.equal(typeof res[name], "number", `${name}: ${JSON.stringify(res[name])}`);
    }
    const created = join(denyDir, "new.txt");
    assert.ok(!existsSync(created) || readFileSync(created, "utf8") === "", "the hidden file got content on the host");
    assert.ok(!existsSync(join(denyDir, "newdir", "f")));
  });

  test("git hooks, git config and shell rc files stay read-only in a writable directory", { skip }, async () => {
    const res = report<Record<string, unknown>>(await runLater());
    assert.equal(res["ordinary file"], "written", "control: the directory must be writable");
    for (const name of ["hook", "git config", "bashrc"]) assert.equal(typeof res[name], "number", `${name}: ${JSON.stringify(res[name])}`);
    assert.ok(!existsSync(join(project, ".git", "hooks", "pre-commit")));
    assert.equal(readFileSync(join(project, ".git", "config"), "utf8"), "[core]\n");
    assert.equal(readFileSync(join(project, ".bashrc"), "utf8"), "# rc\n");
  });

  test("filling /tmp stops at its size limit", { skip }, async () => {
    const res = report<{ total: number; errno: number | null }>(await fillTmp());
    assert.equal(res.errno, 28, `expected ENOSPC, got ${JSON.stringify(res)}`);
    assert.ok(res.total <= 8 << 20, `wrote ${res.total} bytes into an 8 MiB /tmp`);
  });

  test("no host runtime directory, home or socket is in the view", { skip }, async () => {
    const res = report<Record<string, unknown>>(await hostSockets());
    for (const [path, got] of Object.entries(res)) {
      assert.ok(typeof got === "number" || (Array.isArray(got) && got.length === 0), `${path} is visible: ${JSON.stringify(got)}`);
    }
  });
});
