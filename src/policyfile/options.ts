/**
 * From a resolved policy to `run()`'s options (the one options model, validated by
 * `parseRunOptions`), and the merge of command-line flags over a policy.
 *
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import process from "node:process";
import { ConfigError } from "../errors.ts";
import { parseRunOptions, type RunOptions } from "../policy.ts";
import { type LoadOptions, type ResolvedPolicy, resolvePolicy } from "./load.ts";
import { durationValue, sizeValue } from "./units.ts";

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + "/");
}

/**
 * The run options a resolved policy stands for: `cwd` is `${PROJECT}`; `fs.read` and `fs.sockets`
 * paths that do not exist are left out (nothing to show); `env.pass` takes the caller's values
 * now; limits are converted to bytes and milliseconds (a bare number of `timeout` is seconds).
 *
 * @throws {ConfigError} when the result does not validate as run options.
 */
export function toRunOptions(policy: ResolvedPolicy): RunOptions {
  const { fs, limits } = policy;
  const options: RunOptions = { cwd: policy.variables.PROJECT };
  const set = (key: "read" | "write" | "hide" | "readOnly" | "sockets", paths: string[]) => {
    if (paths.length) options[key] = paths;
  };
  set("read", fs.read.filter(existsSync));
  set("write", fs.write);
  set("hide", fs.hide);
  set("readOnly", fs.readOnly);
  set("sockets", fs.sockets.filter(existsSync));
  if (policy.network !== "none") options.network = policy.network;
  const env: Record<string, string> = {};
  for (const name of policy.env.pass) {
    const value = policy.callerEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, policy.env.set);
  if (Object.keys(env).length) options.env = env;
  // The loader checked every size and duration of every file (`FILE: limits.memory: …`).
  if (limits.memory !== undefined) options.memory = sizeValue(limits.memory);
  if (limits.fileSize !== undefined) options.fileSize = sizeValue(limits.fileSize);
  if (limits.tmpSize !== undefined) options.tmpSize = sizeValue(limits.tmpSize, true);
  if (limits.timeout !== undefined) options.timeout = durationValue(limits.timeout);
  if (limits.pids !== undefined) options.pids = limits.pids;
  if (limits.cpuSeconds !== undefined) options.cpuSeconds = limits.cpuSeconds;
  if (limits.openFiles !== undefined) options.openFiles = limits.openFiles;
  if (policy.seccomp) options.seccomp = policy.seccomp.baseline ? { replace: policy.seccomp.text } : { extend: policy.seccomp.text };
  if (policy.unprotect.length) options.unprotect = policy.unprotect;
  return parseRunOptions(options);
}

/**
 * Creates the policy's writable directories that do not exist yet (a cache a tool has not made),
 * when they lie under `${PROJECT}`, `${HOME}` or an XDG directory: the tool inside could not create
 * them itself, since everything outside its binds is read-only. Any other missing writable path
 * is an error. Directories are made with mode 0700.
 *
 * @throws {ConfigError} naming the path that is missing outside those directories.
 */
export function createWritableDirs(policy: ResolvedPolicy): void {
  const roots = Object.values(policy.variables).filter((root) => root !== "/");
  for (const path of policy.fs.write) {
    if (existsSync(path)) continue;
    if (!roots.some((root) => under(path, root))) {
      throw new ConfigError("policy", [{
        path: `${policy.files[policy.files.length - 1]}: fs.write`,
        message: `"${path}" does not exist; create it, or remove it from the policy`,
      }]);
    }
    mkdirSync(path, { recursive: true, mode: 0o700 });
  }
}

/**
 * Loads a policy for a run: `resolvePolicy`, then `createWritableDirs`, then `toRunOptions`. The
 * result goes straight to `run()`, alone or spread with options of your own.
 *
 * @throws {ConfigError} with issues that read `FILE: FIELD: message`.
 * @example
 * ```ts
 * import { loadPolicy, run } from "../../mod.ts";
 * const result = await run(["npm", "ci"], await loadPolicy("npm", { cwd: "./my-project" }));
 * console.log(result.code);
 * ```
 */
export async function loadPolicy(nameOrPath: string, options: LoadOptions = {}): Promise<RunOptions> {
  const policy = await resolvePolicy(nameOrPath, options);
  createWritableDirs(policy);
  return toRunOptions(policy);
}

function unionList(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] | undefined {
  if (a === undefined && b === undefined) return undefined;
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

function envRecord(env: RunOptions["env"]): Record<string, string> {
  if (!Array.isArray(env)) return { ...env };
  const out: Record<string, string> = {};
  for (const name of env) if (process.env[name] !== undefined) out[name] = process.env[name] as string;
  return out;
}

/**
 * `over` applied to `base` (command-line flags over a policy): path lists, `unprotect` and
 * `degrade` are unioned; environments merged (`over` wins per name); an allowlist in `over` is
 * unioned with one in `base`, and any other `network` in `over` replaces it; every other field
 * set in `over` replaces `base`'s.
 *
 * @example
 * ```ts
 * import { mergeRunOptions } from "./options.ts";
 * mergeRunOptions({ write: ["/a"], network: { allow: ["x.org"] } }, { write: ["/b"], network: { allow: ["y.org"] } });
 * // { write: ["/a", "/b"], network: { allow: ["x.org", "y.org"], deny: [] } }
 * ```
 */
export function mergeRunOptions(base: RunOptions, over: RunOptions): RunOptions {
  const out: RunOptions = { ...base, ...over };
  for (const key of ["read", "write", "hide", "readOnly", "sockets", "unprotect"] as const) {
    const merged = unionList(base[key], over[key]);
    if (merged) (out as Record<string, unknown>)[key] = merged;
  }
  const degrade = unionList(base.degrade, over.degrade);
  if (degrade) out.degrade = degrade as RunOptions["degrade"];
  if (base.env !== undefined && over.env !== undefined) out.env = { ...envRecord(base.env), ...envRecord(over.env) };
  if (typeof base.network === "object" && typeof over.network === "object") {
    out.network = {
      allow: unionList(base.network.allow, over.network.allow) ?? [],
      deny: unionList(base.network.deny, over.network.deny) ?? [],
    };
  }
  return out;
}
