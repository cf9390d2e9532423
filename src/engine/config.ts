/**
 * ExecConfig: the JSON the engine obeys, defined once here (valibot). The Go struct in
 * engine/internal/config mirrors it, and the vectors under tests/vectors/exec-config/ are decoded
 * by both sides' tests so the two cannot drift. Unknown fields are an error on both sides.
 *
 * @module
 */
import * as v from "valibot";
import { ConfigError, type ConfigIssue } from "../errors.ts";

/** The ExecConfig version this module writes and the engine accepts. */
export const EXEC_CONFIG_VERSION = 1;

const noNul = v.check((s: string) => !s.includes("\0"), "must not contain a NUL byte");

/** An absolute, normalised path: starts with `/`, no `.`/`..` segments, no `//`, no NUL. */
export const AbsPath = v.pipe(
  v.string(),
  v.maxLength(4096, "must be at most 4096 bytes"),
  noNul,
  v.check(
    (p: string) => p === "/" || (/^\/[^]*[^/]$/.test(p) && !p.split("/").slice(1).some((s) => s === "" || s === "." || s === "..")),
    "must be an absolute, normalised path (no trailing /, //, . or ..)",
  ),
);

const Count = v.pipe(
  v.number(),
  v.integer("must be a whole number"),
  v.minValue(1, "must be at least 1"),
  v.maxValue(Number.MAX_SAFE_INTEGER),
);

/** A protection the caller accepts losing, by name, when this machine cannot provide it. */
export const Degradation = v.picklist(["namespaces", "landlock"]);

/** Network policy. `allowlist` rules are host patterns: `example.com`, `*.example.com`, `host:port`. */
export const NetworkConfig = v.variant("mode", [
  v.strictObject({ mode: v.literal("none") }),
  v.strictObject({ mode: v.literal("host") }),
  v.strictObject({
    mode: v.literal("allowlist"),
    allow: v.array(v.pipe(v.string(), v.minLength(1), noNul)),
    deny: v.array(v.pipe(v.string(), v.minLength(1), noNul)),
    /** Put hosts matching no rule to the caller (events channel) instead of refusing them. */
    ask: v.boolean(),
  }),
]);

/** The file view. Every path is absolute and appears inside the sandbox at the same place. */
export const FsConfig = v.strictObject({
  /** Bound read-only (submounts too). */
  read: v.array(AbsPath),
  /** Bound read-write. */
  write: v.array(AbsPath),
  /** Made invisible and uncreatable, whether or not they exist now. */
  hide: v.array(AbsPath),
  /** Re-bound read-only inside a writable path (e.g. `.git/hooks`); created empty if missing. */
  readOnly: v.array(AbsPath),
  /** Unix socket files the command may connect to. Allowing the docker socket is a full escape. */
  sockets: v.array(AbsPath),
  /** Size of the private tmpfs on /tmp in bytes; 0 means no /tmp at all. */
  tmpBytes: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
});

/** An object that is not an array (valibot's object and record schemas take arrays too). */
const plainObject = v.custom<Record<string, unknown>>(
  (x) => typeof x === "object" && x !== null && !Array.isArray(x),
  "must be an object",
);

/** Resource limits; an absent field means no limit. */
export const LimitsConfig = v.pipe(
  plainObject,
  v.strictObject({
    /** cgroup memory.max where a delegated cgroup is writable, else RLIMIT_AS (with a warning). */
    memoryBytes: v.optional(Count),
    /** cgroup pids.max where possible, else RLIMIT_NPROC in the sandbox's user namespace. */
    pids: v.optional(Count),
    /** RLIMIT_CPU. */
    cpuSeconds: v.optional(Count),
    /** Wall-clock limit; the whole process tree is killed when it passes. */
    wallMs: v.optional(Count),
    /** RLIMIT_FSIZE. */
    fileSizeBytes: v.optional(Count),
    /** RLIMIT_NOFILE. */
    openFiles: v.optional(Count),
  }),
);

const EnvName = v.pipe(v.string(), v.regex(/^[^=\0]+$/, "must be a non-empty name without = or NUL"));

/** The whole ExecConfig (frame section 1). */
export const ExecConfigSchema = v.strictObject({
  version: v.literal(EXEC_CONFIG_VERSION),
  /** argv[0] is an absolute path or a name looked up in `env.PATH` inside the view. */
  argv: v.pipe(v.array(v.pipe(v.string(), noNul)), v.minLength(1, "must name a command"), v.maxLength(65536)),
  cwd: AbsPath,
  /** Exactly the target's environment: nothing else is passed. */
  env: v.pipe(plainObject, v.record(EnvName, v.pipe(v.string(), noNul))),
  fs: FsConfig,
  network: NetworkConfig,
  limits: LimitsConfig,
  process: v.strictObject({
    /** `setsid()`: no controlling terminal, so no TIOCSTI injection into the caller's shell. */
    newSession: v.boolean(),
    /** The sandbox dies when the caller dies. */
    dieWithParent: v.boolean(),
  }),
  /** Protections the caller accepts losing by name; any other missing protection refuses to run. */
  degrade: v.array(Degradation),
  hostname: v.pipe(v.string(), v.regex(/^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$/, "must be a valid hostname")),
  /**
   * Learn mode (docs/learn.md): the engine's supervisor records the files, and the calls the base
   * policy leaves to its default, as `learn` events, and lets them run; denials stay denials.
   */
  learn: v.optional(v.boolean()),
  /**
   * Report refused calls (docs/learn.md "Refused calls in ordinary runs"): the base's ERRNO
   * denials are answered by the engine's supervisor with the same errno, and each refused call is
   * reported once, with a count, as a `syscall` violation after the target ends.
   */
  reportRefusals: v.optional(v.boolean()),
  /**
   * Report refused files (docs/learn.md "Refused files"): the engine's supervisor is sent the file
   * calls the base allows, lets each run, and after the target ends reports once per path and
   * access those the file view does not grant, as `file` violations; the library keeps the paths
   * that exist on the host. Costs a round trip to the supervisor per file call.
   */
  reportFiles: v.optional(v.boolean()),
});

/** The ExecConfig the engine obeys. */
export type ExecConfig = v.InferOutput<typeof ExecConfigSchema>;

/** Turns valibot issues into `{ path, message }` with dotted paths like `fs.write[2]`. */
export function toConfigIssues(issues: readonly v.BaseIssue<unknown>[]): ConfigIssue[] {
  return issues.map((issue) => {
    let path = "";
    for (const item of issue.path ?? []) {
      const key = (item as { key: unknown }).key;
      path += typeof key === "number" ? `[${key}]` : path === "" ? String(key) : `.${String(key)}`;
    }
    return { path, message: issue.message };
  });
}

/**
 * Validates an ExecConfig; throws a `ConfigError` naming every bad field path.
 *
 * @example
 * ```ts
 * import { parseExecConfig } from "./config.ts";
 * parseExecConfig({ version: 1 }); // throws ConfigError: argv, cwd, env, fs, … are missing
 * ```
 */
export function parseExecConfig(input: unknown): ExecConfig {
  const result = v.safeParse(ExecConfigSchema, input, { abortEarly: false });
  if (result.success) return result.output;
  throw new ConfigError("ExecConfig", toConfigIssues(result.issues));
}
