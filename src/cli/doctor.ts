/**
 * `stockade doctor`: checks what this machine gives the sandbox, each failing check saying what
 * to do, and ends with a real sandboxed run that proves the whole chain works.
 *
 * @module
 */
import { execFile } from "node:child_process";
import { parseArgs } from "node:util";
import { locateEngine } from "../engine/locate.ts";
import { StockadeError } from "../errors.ts";
import { baselinePolicy, compileRunSeccomp } from "../policy.ts";
import { run } from "../run.ts";
import { Exit, usageError, writeStdout } from "./common.ts";

/** `stockade doctor --help`. */
export const DOCTOR_HELP = `Usage: stockade doctor [--json] [--apparmor]

Check this machine for what the sandbox needs: the engine, user namespaces, Landlock, seccomp,
cgroup delegation, the policy compiler, and one real sandboxed run.

Options:
  --json       print the checks as JSON
  --apparmor   print the AppArmor profile that lets the engine create user namespaces
               (for Ubuntu 23.10+ with kernel.apparmor_restrict_unprivileged_userns=1)
  -h, --help   show this help

Exit status: 0 when the sandbox works with every protection, 1 when a check failed.`;

/** One line of the report. `warn` means the sandbox runs but something is weaker. */
export interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  /** What to do about a warning or a failure. */
  fix?: string;
}

/** What `stockade-engine probe` prints (engine/internal/sandbox/probe.go). */
interface Probe {
  version: string;
  userns: { available: boolean; error?: string; hint?: string };
  landlock: { abi: number };
  seccomp: boolean;
  cgroup: { unified: boolean; hybrid: boolean; delegated: boolean; controllers: string[] };
  sysctls: Record<string, string>;
  inContainer: boolean;
  /** The allowlist proxy beside the engine; "" when it is missing. */
  proxy: string;
}

const APPARMOR_SYSCTL = "kernel.apparmor_restrict_unprivileged_userns";

/** The AppArmor profile (AppArmor 4, Ubuntu 23.10+) that allows user namespaces to the engine only. */
export function apparmorProfile(enginePath: string): string {
  return `# /etc/apparmor.d/stockade-engine — load with: sudo apparmor_parser -r /etc/apparmor.d/stockade-engine
abi <abi/4.0>,
include <tunables/global>

profile stockade-engine ${JSON.stringify(enginePath)} flags=(unconfined) {
  userns,
  include if exists <local/stockade-engine>
}
`;
}

function probe(engine: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    execFile(engine, ["probe"], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new StockadeError("ENGINE_FAILED", `"${engine} probe" failed: ${(stderr || err.message).trim()}`));
      else resolve(JSON.parse(stdout) as Probe);
    });
  });
}

/** Landlock features by ABI version (what each version adds that Stockade uses). */
const LANDLOCK_FEATURES: [number, string][] = [
  [1, "file access"],
  [2, "rename/link across directories"],
  [3, "truncate"],
  [4, "TCP bind/connect ports"],
  [5, "device ioctls"],
  [6, "abstract unix sockets and signals scoped"],
];

function hostChecks(p: Probe): Check[] {
  const checks: Check[] = [];
  const restricted = p.sysctls[APPARMOR_SYSCTL] === "1";
  checks.push(
    p.userns.available
      ? { name: "user namespaces", status: "ok", detail: "unprivileged user namespaces work" }
      : {
        name: "user namespaces",
        status: "fail",
        detail: p.userns.error ?? "unavailable",
        fix: restricted
          ? "AppArmor restricts unprivileged user namespaces: install the profile from `stockade doctor --apparmor`, " +
            "or run with degrade: [\"namespaces\"] (Landlock + seccomp + rlimits only)"
          : p.userns.hint ?? "enable unprivileged user namespaces (sysctl user.max_user_namespaces > 0), " +
            "or run with degrade: [\"namespaces\"]",
      },
  );
  const abi = p.landlock.abi;
  const have = LANDLOCK_FEATURES.filter(([v]) => v <= abi).map(([, f]) => f);
  checks.push(
    abi >= 1
      ? {
        name: "Landlock",
        status: abi >= 4 ? "ok" : "warn",
        detail: `ABI ${abi}: ${have.join(", ")}`,
        ...(abi < 4 ? { fix: "a kernel ≥ 6.7 adds Landlock network rules; the mount view and seccomp still apply" } : {}),
      }
      : {
        name: "Landlock",
        status: "fail",
        detail: "not available (kernel < 5.13, or landlock missing from the lsm= boot parameter)",
        fix: 'add landlock to the kernel\'s lsm= list (e.g. lsm=landlock,lockdown,yama,apparmor,bpf), or run with degrade: ["landlock"]',
      },
  );
  checks.push(
    p.seccomp
      ? { name: "seccomp", status: "ok", detail: "seccomp filters with no_new_privs" }
      : { name: "seccomp", status: "fail", detail: "seccomp filter mode is not available", fix: "use a kernel built with CONFIG_SECCOMP_FILTER" },
  );
  const controllers = new Set(p.cgroup.controllers);
  const limitsByCgroup = p.cgroup.delegated && controllers.has("memory") && controllers.has("pids");
  checks.push(
    limitsByCgroup
      ? { name: "cgroup delegation", status: "ok", detail: `delegated cgroup v2 with ${[...controllers].join(", ")}` }
      : {
        name: "cgroup delegation",
        status: "warn",
        detail: !p.cgroup.unified
          ? "no cgroup v2 hierarchy"
          : !p.cgroup.delegated
          ? "this process's cgroup v2 is not writable"
          : `the delegated cgroup lacks ${["memory", "pids"].filter((c) => !controllers.has(c)).join(" and ")}`,
        fix: "memory and process limits fall back to rlimits (RLIMIT_AS per process, RLIMIT_NPROC per user; as root on a cgroup v1 host, pids use the v1 pids controller); " +
          "for exact limits run under a delegated cgroup, e.g. `systemd-run --user --scope -p Delegate=yes stockade …`",
      },
  );
  if (p.inContainer) {
    checks.push({ name: "container", status: "ok", detail: "running inside a container; the checks above are what it allows" });
  }
  return checks;
}

async function compilerCheck(): Promise<Check> {
  const start = performance.now();
  try {
    const bytes = await compileRunSeccomp(await baselinePolicy());
    const ms = (performance.now() - start).toFixed(1);
    return { name: "policy compiler", status: "ok", detail: `baseline policy compiled to ${bytes.length / 8} BPF instructions in ${ms} ms` };
  } catch (e) {
    return { name: "policy compiler", status: "fail", detail: (e as Error).message, fix: "rebuild the WASM module: sh wasm/build.sh" };
  }
}

async function sandboxCheck(): Promise<Check> {
  try {
    const result = await run(["/bin/sh", "-c", "echo ok"], { timeout: 10_000 });
    if (result.code === 0 && result.stdoutText.trim() === "ok") {
      return { name: "sandboxed run", status: "ok", detail: `/bin/sh ran with full isolation in ${result.durationMs.toFixed(0)} ms` };
    }
    return { name: "sandboxed run", status: "fail", detail: `exit ${result.code}: ${result.stderrText.trim()}` };
  } catch (e) {
    const err = e as StockadeError;
    return { name: "sandboxed run", status: "fail", detail: err.message, ...(err.hint ? { fix: err.hint } : {}) };
  }
}

/** Runs every check; the engine's absence stops the host checks but not the compiler check. */
export async function doctorChecks(): Promise<Check[]> {
  const checks: Check[] = [];
  let engine: string;
  try {
    engine = locateEngine();
  } catch (e) {
    const err = e as StockadeError;
    return [{ name: "engine", status: "fail", detail: err.message, fix: err.hint }, await compilerCheck()];
  }
  let p: Probe;
  try {
    p = await probe(engine);
  } catch (e) {
    return [{ name: "engine", status: "fail", detail: (e as Error).message, fix: "rebuild it: sh engine/build.sh" }, await compilerCheck()];
  }
  checks.push({ name: "engine", status: "ok", detail: `${engine} (version ${p.version})` });
  checks.push(
    p.proxy
      ? { name: "network proxy", status: "ok", detail: p.proxy }
      : {
        name: "network proxy",
        status: "warn",
        detail: "stockade-proxy is not beside the engine: runs with network { allow } cannot start",
        fix: "rebuild both: sh engine/build.sh",
      },
  );
  checks.push(...hostChecks(p), await compilerCheck());
  if (!checks.some((c) => c.status === "fail")) checks.push(await sandboxCheck());
  return checks;
}

const MARK = { ok: "ok  ", warn: "WARN", fail: "FAIL" } as const;

function format(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) =>
    `${MARK[c.status]}  ${c.name.padEnd(width)}  ${c.detail}${c.fix && c.status !== "ok" ? `\n      ${" ".repeat(width)}  → ${c.fix}` : ""}`
  );
  const failed = checks.filter((c) => c.status === "fail").length;
  const warned = checks.filter((c) => c.status === "warn").length;
  const verdict = failed ? `${failed} check(s) failed: the sandbox cannot run with every protection here` : warned
    ? `the sandbox works; ${warned} warning(s) above say what is weaker`
    : "the sandbox works with every protection";
  return `${lines.join("\n")}\n\n${verdict}\n`;
}

/** `stockade doctor [--json] [--apparmor]`. */
export async function doctorCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { json: { type: "boolean" }, apparmor: { type: "boolean" }, help: { type: "boolean", short: "h" } } }));
  } catch (e) {
    throw usageError((e as Error).message, "see `stockade doctor --help`");
  }
  if (values.help) {
    await writeStdout(DOCTOR_HELP + "\n");
    return Exit.Ok;
  }
  if (values.apparmor) {
    await writeStdout(apparmorProfile(locateEngine()));
    return Exit.Ok;
  }
  const checks = await doctorChecks();
  await writeStdout(values.json ? JSON.stringify({ checks }, null, 2) + "\n" : format(checks));
  return checks.some((c) => c.status === "fail") ? 1 : Exit.Ok;
}
