/**
 * Policy files: every preset loads and resolves, merge rules, variables, missing directories, the
 * committed JSON Schema, errors that name the file and field, `stockade policies`, and the
 * protected paths as `toExecConfig` lists them (the sandbox proofs are in sandbox/protected.test.ts).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ConfigError } from "../src/errors.ts";
import { toExecConfig } from "../src/policy.ts";
import { policyJsonSchemaText } from "../src/policyfile/json-schema.ts";
import { listPresets, resolvePolicy } from "../src/policyfile/load.ts";
import { loadPolicy, mergeRunOptions, toRunOptions } from "../src/policyfile/options.ts";
import { cli } from "./helpers/runtime.ts";

const root = mkdtempSync(join(tmpdir(), "stockade-policies-"));
const project = join(root, "project");
const home = join(root, "home");
mkdirSync(project);
mkdirSync(home);
/** The environment the loader sees: a fake HOME, no XDG overrides. */
const env = { HOME: home, PATH: "/usr/bin:/bin", SECRET_TOKEN: "s3cret", TZ: "UTC" };

function file(name: string, content: unknown): string {
  const path = join(root, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** The issues of the ConfigError `promise` rejects with, as `path: message` lines. */
async function issues(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail("the policy loaded");
}

const ECOSYSTEMS = ["npm", "pnpm", "yarn", "bun", "deno", "pip", "uv", "poetry", "cargo", "go", "maven", "gradle", "composer", "rubygems"];

describe("presets", () => {
  test("there is a preset for every ecosystem, each with a description", async () => {
    const presets = await listPresets();
    const names = presets.map((p) => p.name);
    for (const name of ["base", ...ECOSYSTEMS]) assert.ok(names.includes(name), `no preset "${name}"`);
    for (const p of presets) assert.ok(p.description.length > 10, `${p.name} has no description`);
  });

  test("every preset in policies/ resolves and gives valid run options", async () => {
    for (const { name } of await listPresets()) toRunOptions(await resolvePolicy(name, { cwd: project, env }));
  });

  for (const name of ECOSYSTEMS) {
    test(`${name} resolves on base: the project writable, registry hosts, the baseline seccomp policy`, async () => {
      const policy = await resolvePolicy(name, { cwd: project, env });
      assert.deepEqual(policy.files, ["policies/base.json", `policies/${name}.json`]);
      assert.ok(policy.fs.write.includes(project), `${name} does not write the project`);
      // Nothing a sandboxed command writes is used outside the sandbox or by another project.
      const own = policy.variables.PROJECT_CACHE;
      for (const p of policy.fs.write) assert.ok(p === project || p.startsWith(own + "/"), `${name} writes ${p}`);
      for (const p of policy.fs.read) assert.ok(p.startsWith(home + "/"), `${name} reads ${p}`);
      assert.ok(typeof policy.network === "object" && policy.network.allow.length > 0, `${name} reaches no registry`);
      assert.ok(policy.seccomp?.baseline, `${name} lost the baseline`);
      assert.ok(policy.env.pass.includes("PATH"));
      assert.ok(!policy.env.pass.some((n) => /TOKEN|AUTH|PASSWORD|SECRET/i.test(n)), `${name} passes a credential`);
      const options = toRunOptions(policy);
      assert.equal(options.cwd, project);
      assert.equal((options.env as Record<string, string> | undefined)?.SECRET_TOKEN, undefined);
      assert.ok(options.seccomp && "replace" in options.seccomp);
    });
  }

  test("npm: a cache of the project's own, not ~/.npm; registry.npmjs.org is the only host", async () => {
    const policy = await resolvePolicy("npm", { cwd: project, env });
    const own = join(home, ".cache", "stockade", "projects");
    assert.ok(policy.variables.PROJECT_CACHE.startsWith(own + "/project-"), policy.variables.PROJECT_CACHE);
    assert.equal(policy.env.set.npm_config_cache, join(policy.variables.PROJECT_CACHE, "npm"));
    assert.ok(![...policy.fs.read, ...policy.fs.write].some((p) => p.startsWith(join(home, ".npm"))));
    assert.deepEqual(policy.network, { allow: ["registry.npmjs.org"], deny: [] });
  });

  test("two projects get two caches", async () => {
    const other = join(root, "other", "project");
    mkdirSync(other, { recursive: true });
    const a = await resolvePolicy("cargo", { cwd: project, env });
    const b = await resolvePolicy("cargo", { cwd: other, env });
    assert.notEqual(a.variables.PROJECT_CACHE, b.variables.PROJECT_CACHE);
  });

  test("cargo: a CARGO_HOME of its own; of ~/.cargo only bin/ is visible, read-only", async () => {
    const policy = await resolvePolicy("cargo", { cwd: project, env });
    assert.equal(policy.env.set.CARGO_HOME, join(policy.variables.PROJECT_CACHE, "cargo"));
    assert.deepEqual(policy.fs.read.filter((p) => p.startsWith(join(home, ".cargo"))), [join(home, ".cargo/bin")]);
  });

  test("XDG_CACHE_HOME moves ${CACHE}", async () => {
    const policy = await resolvePolicy("pip", { cwd: project, env: { ...env, XDG_CACHE_HOME: join(root, "xdg") } });
    assert.ok(policy.env.set.PIP_CACHE_DIR.startsWith(join(root, "xdg", "stockade", "projects") + "/"));
  });

  test("the committed JSON Schema is the one generated from the valibot schema (npm run schema)", () => {
    const committed = readFileSync(new URL("../policies/policy.schema.json", import.meta.url), "utf8");
    assert.equal(committed, policyJsonSchemaText());
  });
});

describe("policy files", () => {
  test("extends a preset and a relative file; lists add up, the child's scalars and network mode win", async () => {
    mkdirSync(join(root, "shared"), { recursive: true });
    file("shared/limits.json", { extends: [], limits: { memory: "1g", pids: 64, timeout: "2m" }, fs: { read: ["/opt"] } });
    const path = file("mine.json", {
      extends: ["npm", "shared/limits.json"],
      fs: { write: ["out"], read: ["${HOME}/data"] },
      network: { allow: ["example.com"], deny: ["bad.example.com"] },
      env: { pass: ["SECRET_TOKEN"], set: { npm_config_fund: "true", WHERE: "${PROJECT}/x" } },
      limits: { pids: 128, tmpSize: 0 },
      protect: { except: [".env"] },
    });
    const policy = await resolvePolicy(path, { cwd: project, env });
    assert.deepEqual(
      policy.files,
      ["policies/base.json", "policies/npm.json", join(root, "shared/limits.json"), join(root, "mine.json")].map((f) =>
        f.replace(process.cwd() + "/", "")
      ),
    );
    assert.deepEqual(policy.network, { allow: ["registry.npmjs.org", "example.com"], deny: ["bad.example.com"] });
    assert.ok(policy.fs.write.includes(join(project, "out")) && policy.fs.write.includes(project));
    assert.ok(policy.fs.read.includes("/opt") && policy.fs.read.includes(join(home, "data")));
    assert.equal(policy.env.set.npm_config_fund, "true");
    assert.equal(policy.env.set.WHERE, join(project, "x"));
    const options = toRunOptions(policy);
    assert.equal(options.memory, 1024 ** 3);
    assert.equal(options.pids, 128);
    assert.equal(options.timeout, 120_000);
    assert.equal(options.tmpSize, 0);
    assert.deepEqual(options.unprotect, [".env"]);
    assert.equal((options.env as Record<string, string>).SECRET_TOKEN, "s3cret");
  });

  test('network "none" in a child replaces the parent\'s allowlist', async () => {
    const policy = await resolvePolicy(file("offline.json", { extends: "npm", network: "none" }), { cwd: project, env });
    assert.equal(policy.network, "none");
    assert.equal(toRunOptions(policy).network, undefined);
  });

  test("a policy without extends builds on base; extends [] starts from nothing and run() adds the baseline", async () => {
    assert.deepEqual((await resolvePolicy(file("plain.json", {}), { env })).files.slice(0, 1), ["policies/base.json"]);
    const bare = await resolvePolicy(file("bare.json", { extends: [], seccomp: { kafel: "ERRNO(1) { getppid }" } }), { env });
    assert.equal(bare.seccomp?.baseline, false);
    assert.deepEqual(toRunOptions(bare).seccomp, { extend: "ERRNO(1) { getppid }" });
  });

  test("a diamond merges base once; Kafel of the child comes first", async () => {
    file("extra.kafel", "ERRNO(13) { getppid }\n");
    const policy = await resolvePolicy(file("diamond.json", { extends: ["npm", "pip"], seccomp: { include: "extra.kafel" } }), { env });
    assert.equal(policy.files.filter((f) => f === "policies/base.json").length, 1);
    assert.ok(policy.seccomp?.text.startsWith("ERRNO(13) { getppid }"));
    assert.equal(policy.seccomp?.sources.length, 2);
  });

  test("loadPolicy creates missing writable directories under HOME, and refuses missing ones elsewhere", async () => {
    const options = await loadPolicy("npm", { cwd: project, env });
    const cache = (await resolvePolicy("npm", { cwd: project, env })).env.set.npm_config_cache;
    assert.ok(existsSync(cache));
    assert.deepEqual(mergeRunOptions(options, { write: ["/x"] }).write, [project, cache, "/x"]);
    const msgs = await issues(loadPolicy(file("elsewhere.json", { fs: { write: ["/nonexistent-stockade-dir"] } }), { env }));
    assert.match(msgs[0], /elsewhere\.json: fs\.write: "\/nonexistent-stockade-dir" does not exist/);
  });

  test("mergeRunOptions: flags add paths and hosts, replace scalars and modes", () => {
    const merged = mergeRunOptions(
      { write: ["/a"], network: { allow: ["x.org"] }, env: { A: "1", B: "1" }, memory: 10, unprotect: [".env"] },
      { write: ["/b"], network: { allow: ["y.org"] }, env: { B: "2" }, memory: 20, unprotect: [".git"] },
    );
    assert.deepEqual(merged.write, ["/a", "/b"]);
    assert.deepEqual(merged.network, { allow: ["x.org", "y.org"], deny: [] });
    assert.deepEqual(merged.env, { A: "1", B: "2" });
    assert.equal(merged.memory, 20);
    assert.deepEqual(merged.unprotect, [".env", ".git"]);
    assert.equal(mergeRunOptions({ network: { allow: ["x.org"] } }, { network: "none" }).network, "none");
  });
});

describe("broken policy files name the file and the field", () => {
  const cases: [string, unknown, RegExp][] = [
    ["unknown-field.json", { fs: { writ: ["x"] } }, /unknown-field\.json: fs\.writ: Unknown field "writ"/],
    ["bad-type.json", { fs: { write: "x" } }, /bad-type\.json: fs\.write: Invalid type: Expected Array/],
    ["bad-item.json", { fs: { write: ["ok", 3] } }, /bad-item\.json: fs\.write\[1\]: Invalid type/],
    ["unknown-preset.json", { extends: "nmp" }, /unknown-preset\.json: extends: Unknown preset "nmp"; the presets are base, bun, cargo/],
    [
      "unknown-var.json",
      { fs: { write: ["${PROJECT}", "${HOME}/a", "${CACHEDIR}/x"] } },
      /unknown-var\.json: fs\.write\[2\]: Unknown variable "\$\{CACHEDIR\}"/,
    ],
    ["bare-var.json", { env: { set: { A: "$HOME/x" } } }, /bare-var\.json: env\.set\.A: Write "\$HOME" as "\$\{HOME\}"/],
    ["tilde.json", { fs: { read: ["~/.npmrc"] } }, /tilde\.json: fs\.read\[0\]: Write "~\/.npmrc" as "\$\{HOME\}\/.npmrc"/],
    ["bad-net.json", { network: "all" }, /bad-net\.json: network: must be "none", "host" or/],
    ["bad-size.json", { limits: { memory: "lots" } }, /bad-size\.json: limits\.memory: must be bytes/],
    ["zero-memory.json", { limits: { memory: "0m" } }, /zero-memory\.json: limits\.memory: Invalid size "0m"/],
    ["zero-number.json", { limits: { fileSize: 0 } }, /zero-number\.json: limits\.fileSize: must be at least 1/],
    ["bad-timeout.json", { limits: { timeout: "1h" } }, /bad-timeout\.json: limits\.timeout: must be a duration/],
    ["bad-protect.json", { protect: { except: [".gti"] } }, /bad-protect\.json: protect\.except\[0\]: must be a protected path name/],
    ["not-json.json", "{ fs: }", /not-json\.json: \(root\): Not valid JSON/],
    ["missing-include.json", { seccomp: { include: "nope.kafel" } }, /missing-include\.json: seccomp\.include: Cannot read "nope\.kafel"/],
  ];
  for (const [name, content, expected] of cases) {
    test(name.replace(".json", "").replaceAll("-", " "), async () => {
      const msgs = await issues(resolvePolicy(file(name, content), { env }));
      assert.match(msgs.join("\n"), expected);
    });
  }

  test("an extends cycle", async () => {
    file("cycle-a.json", { extends: "./cycle-b.json" });
    file("cycle-b.json", { extends: "./cycle-a.json" });
    const msgs = await issues(resolvePolicy(join(root, "cycle-a.json"), { env }));
    assert.match(msgs[0], /cycle-b\.json: extends: Cycle: .*cycle-a\.json → .*cycle-b\.json → .*cycle-a\.json/);
  });

  test("a chain deeper than 8", async () => {
    for (let i = 0; i < 10; i++) file(`deep-${i}.json`, { extends: i === 9 ? [] : `./deep-${i + 1}.json` });
    assert.match((await issues(resolvePolicy(join(root, "deep-0.json"), { env })))[0], /extends: Extends more than 8 levels deep/);
  });

  test("bad Kafel in an included file: LINE:COL in that file", async () => {
    file("bad.kafel", "ERRNO(1) {\n  getppid,\n  nosuchcall\n}\n");
    const msgs = await issues(resolvePolicy(file("bad-kafel.json", { seccomp: { include: "bad.kafel" } }), { env }));
    assert.match(msgs.join("\n"), /bad-kafel\.json: seccomp\.include: .*bad\.kafel:3:3: .*nosuchcall/);
  });

  test("bad embedded Kafel: LINE:COL in the embedded text", async () => {
    const msgs = await issues(resolvePolicy(file("bad-embedded.json", { seccomp: { kafel: "ALLOW { nosuchcall }" } }), { env }));
    assert.match(msgs.join("\n"), /bad-embedded\.json: seccomp\.kafel: .*\(seccomp\.kafel\):1:9: .*nosuchcall/);
  });
});

describe("stockade policies and run --policy", () => {
  test("lists the presets", () => {
    const res = cli(["policies"]);
    assert.equal(res.status, 0, res.stderr.toString());
    for (const name of ECOSYSTEMS) assert.match(res.stdout.toString(), new RegExp(`^${name} +\\S`, "m"));
  });

  test("shows one resolved, variables expanded", () => {
    const res = cli(["policies", "cargo", "--cwd", project]);
    assert.equal(res.status, 0, res.stderr.toString());
    const shown = JSON.parse(res.stdout.toString());
    assert.ok(shown.fs.write.includes(project));
    assert.deepEqual(shown.network.allow, ["crates.io", "index.crates.io", "static.crates.io"]);
  });

  test("a broken policy exits 64 naming the file and field", () => {
    const res = cli(["policies", join(root, "unknown-var.json")]);
    assert.equal(res.status, 64);
    assert.match(res.stderr.toString(), /unknown-var\.json: fs\.write\[2\]: Unknown variable/);
    const run = cli(["run", "--policy", "nosuch", "--", "true"]);
    assert.equal(run.status, 64);
    assert.match(run.stderr.toString(), /Unknown preset "nosuch"/);
  });
});

describe("protected paths in the ExecConfig", () => {
  const dir = join(root, "proj-protect");
  mkdirSync(join(dir, ".git", "hooks"), { recursive: true });
  writeFileSync(join(dir, ".git", "config"), "");
  writeFileSync(join(dir, ".env.local"), "A=1");
  mkdirSync(join(dir, ".vscode"));

  test("present ones read-only, .env files hidden, absent agent folders uncreatable in the project", () => {
    const fs = toExecConfig(["true"], { cwd: dir, writeCwd: true }).fs;
    for (const p of [".git/hooks", ".git/config", ".vscode"]) assert.ok(fs.readOnly.includes(join(dir, p)), p);
    for (const p of [".env.local", ".env", ".claude", ".cursor", ".mcp.json"]) assert.ok(fs.hide.includes(join(dir, p)), p);
    assert.ok(
      !fs.hide.includes(join(dir, ".git")) && !fs.readOnly.includes(join(dir, ".git")),
      ".git is a directory: protected by its parts",
    );
  });

  test("package managers' configuration in the project is read-only; the npm preset makes .npmrc and .yarnrc.yml uncreatable", async () => {
    writeFileSync(join(dir, ".yarnrc.yml"), "");
    const fs = toExecConfig(["true"], { cwd: dir, writeCwd: true }).fs;
    assert.ok(fs.readOnly.includes(join(dir, ".yarnrc.yml")));
    const npm = await loadPolicy("npm", { cwd: project, env });
    const withPreset = toExecConfig(["true"], npm).fs;
    for (const p of [".npmrc", ".yarnrc.yml", ".yarnrc"]) assert.ok(withPreset.hide.includes(join(project, p)), p);
    const unprotected = toExecConfig(["true"], mergeRunOptions(npm, { unprotect: [".npmrc"] })).fs;
    assert.ok(!unprotected.hide.includes(join(project, ".npmrc")) && unprotected.hide.includes(join(project, ".yarnrc")));
  });

  test("a writable directory that is not the project keeps only what exists", () => {
    const fs = toExecConfig(["true"], { cwd: project, write: [dir] }).fs;
    assert.ok(fs.readOnly.includes(join(dir, ".vscode")));
    assert.ok(!fs.hide.includes(join(dir, ".claude")));
  });

  test("unprotect turns protections off by name; .git covers its parts", () => {
    const fs = toExecConfig(["true"], { cwd: dir, writeCwd: true, unprotect: [".git", ".env"] }).fs;
    assert.ok(!fs.readOnly.includes(join(dir, ".git/hooks")) && !fs.readOnly.includes(join(dir, ".git/config")));
    assert.ok(!fs.hide.some((p) => p.startsWith(join(dir, ".env"))));
    assert.throws(() => toExecConfig(["true"], { unprotect: [".gti"] }), /unprotect\[0\]: must be a protected path name/);
  });

  test("in a writable home directory, absent shell rc files are uncreatable too", () => {
    const fakeHome = join(root, "fake-home");
    mkdirSync(fakeHome, { recursive: true });
    writeFileSync(join(fakeHome, ".bashrc"), "");
    const saved = process.env.HOME;
    process.env.HOME = fakeHome;
    try {
      const fs = toExecConfig(["true"], { cwd: project, write: [fakeHome] }).fs;
      assert.ok(fs.readOnly.includes(join(fakeHome, ".bashrc")));
      for (const p of [".bash_profile", ".profile", ".zshrc", ".gitconfig", ".ssh"]) assert.ok(fs.hide.includes(join(fakeHome, p)), p);
      // Reading a directory that holds the home hides its credentials; writing one elsewhere does not.
      mkdirSync(join(fakeHome, ".aws"), { recursive: true });
      const read = toExecConfig(["true"], { cwd: project, read: [root] }).fs;
      assert.ok(read.hide.includes(join(fakeHome, ".aws")) && !read.hide.includes(join(fakeHome, ".ssh")));
      assert.ok(!toExecConfig(["true"], { cwd: project, write: [project] }).fs.hide.includes(join(fakeHome, ".aws")));
      assert.ok(!toExecConfig(["true"], { cwd: project, read: [root], unprotect: [".aws"] }).fs.hide.includes(join(fakeHome, ".aws")));
    } finally {
      process.env.HOME = saved;
    }
  });

  test("a symlinked protected path is refused, with unprotect as the way out", () => {
    const linked = join(root, "proj-link");
    mkdirSync(linked);
    symlinkSync(join(dir, ".vscode"), join(linked, ".vscode"));
    assert.throws(() => toExecConfig(["true"], { cwd: linked, writeCwd: true }), /is a symbolic link.*add "\.vscode" to unprotect/s);
    assert.doesNotThrow(() => toExecConfig(["true"], { cwd: linked, writeCwd: true, unprotect: [".vscode"] }));
  });
});
