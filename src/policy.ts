/**
 * The policy model of `run()`: the options a caller writes, validated with valibot, and their
 * translation into the engine's ExecConfig with deny-by-default defaults.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { assetUrl, packageRoot } from "./assets.ts";
import { type Arch, compileSeccomp, hostArch } from "./compile.ts";
import { EXEC_CONFIG_VERSION, type ExecConfig, parseExecConfig, toConfigIssues } from "./engine/config.ts";
import { locateEngine } from "./engine/locate.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { isUnprotected, lstat, ownFiles, PROTECTED_NAMES, protectedPaths } from "./protect.ts";

const noNul = v.check((s: string) => !s.includes("\0"), "must not contain a NUL byte");
const PathString = v.pipe(v.string(), v.minLength(1, "must not be empty"), noNul);
const PathList = v.array(PathString);
const Count = v.pipe(
  v.number(),
  v.integer("must be a whole number"),
  v.minValue(1, "must be at least 1"),
  v.maxValue(Number.MAX_SAFE_INTEGER),
);
const EnvName = v.pipe(v.string(), v.regex(/^[^=\0]+$/, "must be a non-empty name without = or NUL"));
/**
 * A network rule, pre-checked only for what no valid rule can contain. The engine's ParseRules
 * (engine/internal/netrules/rules.go) is the one definition of rule syntax: it rejects wildcards on
 * public suffixes, bad ports and the rest, and `run()` reports its errors with the rule's field
 * path (`networkRuleIssues`). This check refuses only rules the engine refuses too (never one it
 * accepts); it exists so that obvious typos fail at once, before anything starts.
 */
const HostPattern = v.pipe(
  v.string(),
  v.check((s: string) => s.trim() !== "", 'must not be empty; write a host such as "registry.npmjs.org"'),
  v.check(
    (s: string) => /^[A-Za-z0-9._*:[\]-]*$/.test(s.trim()),
    'must be a host, *.domain, an IP address or one of those with :PORT, such as "example.com:8443" (no URL, path or spaces)',
  ),
);

const RULE_ERROR = /^Invalid (allow|deny) rule ".*" \(entry ([0-9]+)\): (.*)$/;

/**
 * The engine's network rule errors as field-path issues (`network.allow[2]`), or `[]` when
 * `message` is not a rule error. `message` is the text of the engine's failed "network" step: one
 * `Invalid allow rule "*.com" (entry 2): is a wildcard on …` line per bad rule (RuleError.Error()
 * in rules.go; tests/network/rules-cli.test.ts pins the pair).
 */
export function networkRuleIssues(message: string, options: Pick<RunOptions, "network">): ConfigIssue[] {
  const net = options.network;
  if (typeof net !== "object") return [];
  const issues: ConfigIssue[] = [];
  for (const line of message.split("\n")) {
    const m = RULE_ERROR.exec(line.replace(/^.*?(?=Invalid (allow|deny) rule )/, ""));
    if (!m) continue;
    const list = m[1] as "allow" | "deny";
    const index = Number(m[2]);
    const rule = (list === "allow" ? net.allow : net.deny ?? [])[index];
    issues.push({ path: `network.${list}[${index}]`, message: `${JSON.stringify(rule)} ${m[3]}` });
  }
  return issues;
}

/** A host the network proxy asks about (network `{ allow }` with `onNetworkRequest`). */
export interface NetworkRequest {
  host: string;
  port: number;
  protocol: string;
}

/** The options of `run()` and `spawnSandbox()`, validated; unknown fields are an error. */
export const RunOptionsSchema = v.strictObject({
  /** Working directory, readable inside the sandbox; default: the caller's. */
  cwd: v.optional(PathString),
  /** Names of the caller's variables to pass through, or exact values to set. */
  env: v.optional(
    v.union([
      v.array(EnvName),
      // An array is an object too: without this guard `["A=B"]` would pass as the record { "0": "A=B" }.
      v.pipe(
        v.custom<object>((o) => typeof o === "object" && o !== null && !Array.isArray(o)),
        v.record(EnvName, v.pipe(v.string(), noNul)),
      ),
    ], "must be a list of names or a record of values"),
  ),
  /** Extra paths bound read-only. */
  read: v.optional(PathList),
  /** Paths bound read-write. */
  write: v.optional(PathList),
  /** Make the working directory writable (the same as listing it in `write`). */
  writeCwd: v.optional(v.boolean()),
  /** Paths made invisible and uncreatable, existing or not. */
  hide: v.optional(PathList),
  /** Paths re-bound read-only inside a writable path; one that does not exist cannot be created. */
  readOnly: v.optional(PathList),
  /**
   * Protections to turn off, by name: `.git` (and `.git/hooks`, `.git/config`), `.env`, `.vscode`,
   * `.claude`, `.bashrc`… (`PROTECTED_NAMES` lists them; docs/policy-file.md says what each does).
   */
  unprotect: v.optional(
    v.array(v.picklist(PROTECTED_NAMES, `must be a protected path name: ${PROTECTED_NAMES.map((n) => `"${n}"`).join(", ")}`)),
  ),
  /** Unix socket files the command may connect to. Allowing the docker socket is a full escape. */
  sockets: v.optional(PathList),
  /** `"none"` (default), `"host"`, or an allowlist of host patterns through the proxy. */
  network: v.optional(
    v.union([
      v.picklist(["none", "host"]),
      v.strictObject({ allow: v.array(HostPattern), deny: v.optional(v.array(HostPattern)) }),
    ], 'must be "none", "host" or { allow: [...], deny?: [...] }'),
  ),
  /** Memory limit in bytes. */
  memory: v.optional(Count),
  /** Maximum number of processes. */
  pids: v.optional(Count),
  /** CPU time limit in seconds. */
  cpuSeconds: v.optional(Count),
  /** Largest file the command may write, in bytes. */
  fileSize: v.optional(Count),
  /** Maximum number of open files. */
  openFiles: v.optional(Count),
  /** Wall-clock limit in milliseconds; the whole process tree is killed when it passes. */
  timeout: v.optional(Count),
  /** Aborting kills the whole process tree. */
  // v.custom, not v.instance: Deno types AbortSignal's constructor as returning never.
  signal: v.optional(v.custom<AbortSignal>((s) => s instanceof AbortSignal, "must be an AbortSignal")),
  /** Standard input: bytes, text, a stream, or the caller's own; default: empty. */
  stdin: v.optional(
    v.union(
      [v.literal("inherit"), v.string(), v.instance(Uint8Array), v.instance(ReadableStream)],
      'must be a string, Uint8Array, ReadableStream or "inherit"',
    ),
  ),
  /** `"pipe"` (default: captured) or `"inherit"` (the caller's). */
  stdout: v.optional(v.picklist(["pipe", "inherit"])),
  /** `"pipe"` (default: captured) or `"inherit"` (the caller's). */
  stderr: v.optional(v.picklist(["pipe", "inherit"])),
  /** Kafel text placed before the baseline (its rules win), or replacing it. */
  seccomp: v.optional(
    v.union(
      [v.strictObject({ extend: v.string() }), v.strictObject({ replace: v.string() })],
      "must be { extend: text } or { replace: text }",
    ),
  ),
  /** Protections the caller accepts losing when this machine cannot provide them. */
  degrade: v.optional(v.array(v.picklist(["namespaces", "landlock"]))),
  /** Decides hosts that match no allowlist rule; without it they are refused. */
  onNetworkRequest: v.optional(
    v.custom<(request: NetworkRequest) => boolean | Promise<boolean>>((f) => typeof f === "function", "must be a function"),
  ),
  /** Report every file created, modified or deleted under the writable paths (`RunResult.diff`; `run()` only). */
  diff: v.optional(v.boolean()),
  /**
   * Learn mode (docs/learn.md; `learn()` sets it): the engine records the files and the calls the
   * seccomp policy leaves to its default as `learn` events and lets them run.
   */
  learn: v.optional(v.boolean()),
  /**
   * Report the system calls the seccomp policy refused with an errno (default off; `stockade run`
   * turns it on): each one, named and counted, as a `syscall` violation in `events`, with the same
   * answer the command gets without it. Costs a round trip to the engine's supervisor per refused
   * call; none for the calls the policy allows. See docs/learn.md.
   */
  reportRefusals: v.optional(v.boolean()),
  /**
   * Report the files the sandbox refused (default off; on in `stockade run`): each path
   * and access (read, write, create, delete, exec) outside what the policy grants, that exists on
   * the host, once, as a `file` violation in `events` after the command ends. Costs a round trip
   * to the engine's supervisor per file call (open, exec, mkdir, unlink, rename…), allowed or not;
   * the command sees the same answers. See docs/learn.md.
   */
  reportFiles: v.optional(v.boolean()),
  /** Size of the private /tmp in bytes (default 128 MiB); 0 means no /tmp. */
  tmpSize: v.optional(
    v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(0, "must not be negative"), v.maxValue(Number.MAX_SAFE_INTEGER)),
  ),
});

/** The options of `run()` and `spawnSandbox()`. */
export type RunOptions = v.InferInput<typeof RunOptionsSchema>;

const CommandSchema = v.pipe(
  v.array(v.pipe(v.string(), noNul)),
  v.minLength(1, "must name a command"),
  v.check((argv: string[]) => argv[0] !== "", "must start with a non-empty program name"),
);

/** Validates run options; throws a `ConfigError` naming every bad field path. */
export function parseRunOptions(options: unknown = {}): RunOptions {
  const result = v.safeParse(RunOptionsSchema, options ?? {}, { abortEarly: false });
  if (result.success) return result.output;
  const issues = toConfigIssues(result.issues).map((i) =>
    i.message.startsWith("Invalid key:") ? { path: i.path, message: `Unknown option "${i.path}"` } : i
  );
  throw new ConfigError("run options", issues);
}

function parseCommand(command: unknown): string[] {
  const result = v.safeParse(CommandSchema, command, { abortEarly: false });
  if (result.success) return result.output;
  throw new ConfigError(
    "command",
    toConfigIssues(result.issues).map((i) => ({ ...i, path: `command${i.path.startsWith("[") ? "" : i.path ? "." : ""}${i.path}` })),
  );
}

/** System directories bound read-only by default (those that exist on this host). */
export const SYSTEM_DIRS: readonly string[] = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

/** Secrets under /etc that stay hidden although /etc is readable. */
const ETC_SECRETS: readonly string[] = [
  "/etc/shadow",
  "/etc/shadow-",
  "/etc/gshadow",
  "/etc/gshadow-",
  "/etc/sudoers",
  "/etc/sudoers.d",
  "/etc/security/opasswd",
  "/etc/ssl/private",
  "/etc/krb5.keytab",
  "/etc/NetworkManager/system-connections",
  "/etc/wireguard",
  "/etc/ipsec.secrets",
  "/etc/ppp/chap-secrets",
  "/etc/ppp/pap-secrets",
];

/** The PATH inside the sandbox unless the caller passes or sets one. */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const DEFAULT_TMP_BYTES = 128 * 1024 * 1024;

function exists(path: string): boolean {
  return lstat(path) !== undefined;
}

function etcSecrets(): string[] {
  let sshKeys: string[] = [];
  try {
    sshKeys = readdirSync("/etc/ssh").filter((name) => name.includes("key")).map((name) => `/etc/ssh/${name}`);
  } catch {
    // no /etc/ssh: nothing to hide there
  }
  // Everything under /etc is read-only, so a secret that does not exist cannot appear: mask only
  // what exists (each mask is a mount, and mounts are startup time).
  return [...ETC_SECRETS.filter(exists), ...sshKeys];
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

function environment(option: RunOptions["env"], tmpBytes: number, cwd: string): Record<string, string> {
  const env: Record<string, string> = { PATH: SANDBOX_PATH, HOME: tmpBytes > 0 ? "/tmp" : cwd };
  for (const name of ["LANG", "LC_ALL", "TERM"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  if (Array.isArray(option)) {
    for (const name of option) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
  } else if (option) {
    Object.assign(env, option);
  }
  return env;
}

/**
 * Translates a command and its options into the engine's ExecConfig, filling in the
 * deny-by-default defaults: system directories read-only (secrets under /etc hidden), the working
 * directory readable (writable only with `writeCwd` or `write: [cwd]`), the protected paths of
 * protect.ts (git hooks and config, shell rc files, editor and agent settings read-only inside
 * writable directories, `.env` files hidden, a missing `.git` uncreatable in the project) unless
 * `unprotect` names them, no network, a minimal environment, a new session, death with the
 * caller. Relative paths are resolved against `cwd`.
 *
 * @throws {ConfigError} naming every bad field path (`read[2]`, `network.allow[0]`, `command`).
 * @example
 * ```ts
 * import { toExecConfig } from "./policy.ts";
 * const config = toExecConfig(["make", "test"], { writeCwd: true, memory: 1 << 30 });
 * console.log(config.fs.write); // [the current directory]
 * ```
 */
export function toExecConfig(command: readonly string[], options: RunOptions = {}): ExecConfig {
  const argv = parseCommand(command);
  const opts = parseRunOptions(options);
  const cwd = resolve(process.cwd(), opts.cwd ?? ".");
  const abs = (paths: readonly string[] | undefined) => (paths ?? []).map((p) => (isAbsolute(p) ? resolve(p) : resolve(cwd, p)));
  const write = unique([...(opts.writeCwd ? [cwd] : []), ...abs(opts.write)]);
  // The working directory is readable, except "/": that would be the whole host, /run's sockets included.
  const systemDirs = SYSTEM_DIRS.filter(existsSync);
  const read = unique([...systemDirs, ...(cwd === "/" ? [] : [cwd]), ...abs(opts.read)]).filter((p) => !write.includes(p));
  const guard = protectedPaths({ cwd, read, write, system: systemDirs, unprotect: opts.unprotect ?? [] });
  // A read-only path that does not exist is made uncreatable instead: the engine would otherwise
  // leave an empty directory behind on the host, where a hidden placeholder is removed after the run.
  const readOnly = abs(opts.readOnly).filter((p) => !isUnprotected(p, write, opts.unprotect ?? []));
  const tmpBytes = opts.tmpSize ?? DEFAULT_TMP_BYTES;
  const net = opts.network ?? "none";
  const config = {
    version: EXEC_CONFIG_VERSION,
    argv,
    cwd,
    env: environment(opts.env, tmpBytes, cwd),
    fs: {
      read,
      write,
      hide: unique([...etcSecrets(), ...guard.hide, ...abs(opts.hide), ...readOnly.filter((p) => !exists(p))]),
      readOnly: unique([...guard.readOnly, ...ownFiles(write, fileURLToPath(packageRoot), engineIfAny()), ...readOnly.filter(exists)]),
      sockets: unique(abs(opts.sockets)),
      tmpBytes,
    },
    network: typeof net === "string"
      ? { mode: net }
      : { mode: "allowlist", allow: net.allow, deny: net.deny ?? [], ask: opts.onNetworkRequest !== undefined },
    limits: {
      memoryBytes: opts.memory,
      pids: opts.pids,
      cpuSeconds: opts.cpuSeconds,
      wallMs: opts.timeout,
      fileSizeBytes: opts.fileSize,
      openFiles: opts.openFiles,
    },
    process: { newSession: true, dieWithParent: true },
    degrade: unique(opts.degrade ?? []),
    hostname: "stockade",
    ...(opts.learn ? { learn: true } : {
      ...(opts.reportRefusals ? { reportRefusals: true } : {}),
      ...(opts.reportFiles ? { reportFiles: true } : {}),
    }),
  };
  // Drop absent limits so the JSON carries only what is set.
  for (const [key, value] of Object.entries(config.limits)) if (value === undefined) delete (config.limits as Record<string, unknown>)[key];
  return parseExecConfig(config);
}

/** The engine binary when one can be found (toExecConfig also serves compile-only uses without one). */
function engineIfAny(): string | undefined {
  try {
    return locateEngine();
  } catch {
    return undefined;
  }
}

/** The compile targets for this host: x86_64 takes its i386 companion so 32-bit binaries are filtered too. */
export function seccompArches(arch: Arch = hostArch()): Arch[] {
  return arch === "x86_64" ? ["x86_64", "i386"] : [arch];
}

let baselineText: Promise<string> | undefined;

/** The text of policies/baseline.kafel, read once per process. */
export function baselinePolicy(): Promise<string> {
  baselineText ??= readFile(assetUrl("policies/baseline.kafel"), "utf8");
  return baselineText;
}

const compiled = new Map<string, Promise<Uint8Array>>();

/** The Kafel text a run uses: the baseline, the caller's text before it, or the caller's alone. */
export async function seccompText(option: RunOptions["seccomp"]): Promise<string> {
  if (option && "replace" in option) return option.replace;
  const baseline = await baselinePolicy();
  return option ? `${option.extend}\n${baseline}` : baseline;
}

/**
 * Compiles the seccomp program for a run, cached per policy text and architecture within the
 * process (the baseline compiles once).
 */
export function compileRunSeccomp(text: string, arches: readonly Arch[] = seccompArches()): Promise<Uint8Array> {
  const key = `${arches.join(",")}\0${text}`;
  let bytes = compiled.get(key);
  if (!bytes) {
    bytes = compileSeccomp(text, { arch: arches, filename: "<seccomp>" });
    compiled.set(key, bytes);
    // A failed compile is not cached: the error is thrown to this caller and the next one retries.
    bytes.catch(() => compiled.delete(key));
  }
  return bytes;
}
