/**
 * `stockade doctor` reports what this machine gives the sandbox. Its verdicts are checked against
 * the machine itself: the engine's own probe, and a real sandboxed run.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { locateEngine } from "../src/engine/locate.ts";
import { cli } from "./helpers/runtime.ts";
import { skip } from "./sandbox/helpers.ts";

interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  fix?: string;
}

function doctor(env?: Record<string, string>): { status: number | null; checks: Check[] } {
  const res = cli(["doctor", "--json"], undefined, env);
  assert.ok(res.stdout.length > 0, res.stderr.toString());
  return { status: res.status, checks: (JSON.parse(res.stdout.toString()) as { checks: Check[] }).checks };
}

describe("stockade doctor", { skip }, () => {
  it("agrees with the engine's probe and proves the sandbox with a real run", () => {
    const probe = JSON.parse(execFileSync(locateEngine(), ["probe"]).toString()) as { landlock: { abi: number }; userns: { available: boolean } };
    const { status, checks } = doctor();
    const byName = new Map(checks.map((c) => [c.name, c]));
    for (const name of ["engine", "network proxy", "user namespaces", "Landlock", "seccomp", "cgroup delegation", "policy compiler"]) {
      assert.ok(byName.has(name), `missing check "${name}" in ${JSON.stringify(checks)}`);
    }
    assert.equal(byName.get("user namespaces")?.status === "ok", probe.userns.available);
    assert.match(byName.get("Landlock")?.detail ?? "", new RegExp(`^ABI ${probe.landlock.abi}\\b`));
    for (const c of checks) if (c.status !== "ok") assert.ok(c.fix, `"${c.name}" is ${c.status} without saying what to do`);
    const failed = checks.some((c) => c.status === "fail");
    assert.equal(status, failed ? 1 : 0);
    if (!failed) assert.equal(byName.get("sandboxed run")?.status, "ok", JSON.stringify(checks));
  });

  it("fails the engine check with the fix when STOCKADE_ENGINE points nowhere", () => {
    const { status, checks } = doctor({ STOCKADE_ENGINE: "/nonexistent/stockade-engine" });
    assert.equal(status, 1);
    const engine = checks.find((c) => c.name === "engine");
    assert.equal(engine?.status, "fail");
    assert.match(engine?.detail ?? "", /\/nonexistent\/stockade-engine/);
    assert.match(engine?.fix ?? "", /STOCKADE_ENGINE|engine\/build\.sh/);
    // The compiler does not need the engine: it is still checked.
    assert.equal(checks.find((c) => c.name === "policy compiler")?.status, "ok");
  });

  it("warns, with the fix, when the network proxy is not beside the engine", () => {
    const dir = mkdtempSync(join(tmpdir(), "stockade-doctor-"));
    try {
      const engine = join(dir, "stockade-engine");
      copyFileSync(locateEngine(), engine);
      chmodSync(engine, 0o755);
      chmodSync(dir, 0o755);
      const proxy = doctor({ STOCKADE_ENGINE: engine }).checks.find((c) => c.name === "network proxy");
      assert.equal(proxy?.status, "warn", JSON.stringify(proxy));
      assert.match(proxy?.fix ?? "", /engine\/build\.sh/);
      const found = doctor().checks.find((c) => c.name === "network proxy");
      assert.equal(found?.status, "ok", JSON.stringify(found));
      assert.match(found?.detail ?? "", /stockade-proxy$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints an AppArmor profile granting userns to this engine only", () => {
    const res = cli(["doctor", "--apparmor"]);
    assert.equal(res.status, 0, res.stderr.toString());
    const text = res.stdout.toString();
    assert.ok(text.includes(`profile stockade-engine ${JSON.stringify(locateEngine())}`), text);
    assert.match(text, /^\s+userns,$/m);
    assert.equal((text.match(/{/g) ?? []).length, (text.match(/}/g) ?? []).length);
  });
});
