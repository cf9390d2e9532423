/**
 * OCI seccomp profiles (Docker, Podman, Kubernetes, runc, crun) both ways.
 *
 * `toOciProfile` compiles Kafel text for one architecture into the runtime spec's
 * `linux.seccomp` object, exactly (see wasm/src/oci.rs for how first-match rules become
 * OCI entries, and what has no OCI form). `fromOciProfile` turns a profile (Docker's format
 * included) into Kafel text that means what runc would make of it.
 *
 * @module
 */
import * as v from "valibot";
import { type Arch, ARCHES, compileOp, type CompileOptions } from "./compile.ts";
import { toConfigIssues } from "./engine/config.ts";
import { ConfigError, StockadeError } from "./errors.ts";
import { type ExactJson, parseExact, stringifyExact } from "./json.ts";
import { call, Op, Status } from "./wasm.ts";

/** A 64-bit unsigned value: a number when it is exact as one, else a bigint. */
export type OciValue = number | bigint;

/** `SCMP_CMP_*`: how an argument is compared (`MASKED_EQ`: `(arg & value) == valueTwo`). */
export type OciOp = "SCMP_CMP_EQ" | "SCMP_CMP_NE" | "SCMP_CMP_LT" | "SCMP_CMP_LE" | "SCMP_CMP_GT" | "SCMP_CMP_GE" | "SCMP_CMP_MASKED_EQ";

/** `SCMP_ACT_*`. */
export type OciAction =
  | "SCMP_ACT_ALLOW"
  | "SCMP_ACT_LOG"
  | "SCMP_ACT_KILL"
  | "SCMP_ACT_KILL_THREAD"
  | "SCMP_ACT_KILL_PROCESS"
  | "SCMP_ACT_TRAP"
  | "SCMP_ACT_ERRNO"
  | "SCMP_ACT_TRACE"
  | "SCMP_ACT_NOTIFY";

/** One argument comparison of an OCI syscall entry. */
export interface OciArg {
  index: number;
  value: OciValue;
  valueTwo?: OciValue;
  op: OciOp;
}

/** Docker's conditions on an entry (`includes`: all must hold; `excludes`: none may). */
export interface OciFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

/** One OCI syscall entry: these names, when every comparison holds, get `action`. */
export interface OciSyscall {
  names: string[];
  action: OciAction;
  /** The errno of SCMP_ACT_ERRNO, or the value of SCMP_ACT_TRACE; default EPERM (1). */
  errnoRet?: number;
  args?: OciArg[];
  /** Docker's extensions. */
  comment?: string;
  includes?: OciFilter;
  excludes?: OciFilter;
}

/** An OCI runtime-spec `linux.seccomp` object (plus Docker's profile fields). */
export interface OciProfile {
  defaultAction: OciAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: OciSyscall[];
}

/** Options of `toOciProfile`: one target architecture (default: the host's). */
export interface ToOciOptions extends Omit<CompileOptions, "arch" | "foreignAction"> {
  arch?: Arch;
}

/**
 * Compiles Kafel text to an OCI seccomp profile for one architecture. Other architectures
 * (for x86_64: i386 and x32 too) get the runtime's bad-architecture action, a kill.
 * Values beyond 2^53 are bigints: write the profile with `stringifyOciProfile`.
 *
 * @throws {PolicyError} with LINE:COL for what has no OCI form (argument against argument,
 *   `TRAP(n)` with n > 0, an unnamed `SYSCALL[n]`, conditions needing too many entries).
 * @example
 * ```ts
 * import { stringifyOciProfile, toOciProfile } from "./oci.ts";
 * const profile = await toOciProfile("ALLOW { read, write, exit_group } DEFAULT ERRNO(1)", { arch: "x86_64" });
 * console.log(stringifyOciProfile(profile));
 * ```
 */
export async function toOciProfile(text: string, opts: ToOciOptions = {}): Promise<OciProfile> {
  if (Array.isArray(opts.arch)) {
    throw new StockadeError("USAGE_ERROR", "OCI output takes one architecture", "make one profile per architecture");
  }
  const payload = await compileOp(Op.Oci, text, { ...opts, arch: opts.arch === undefined ? undefined : [opts.arch] });
  return parseExact(new TextDecoder().decode(payload), "OCI output") as unknown as OciProfile;
}

/** The profile as indented JSON, with 64-bit values exact. */
export function stringifyOciProfile(profile: OciProfile): string {
  return stringifyExact(profile) + "\n";
}

// ---- Validation ----

const U64_MAX = (1n << 64n) - 1n;
const OPS = ["SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE", "SCMP_CMP_MASKED_EQ"] as const;
const ACTIONS = [
  "SCMP_ACT_ALLOW",
  "SCMP_ACT_LOG",
  "SCMP_ACT_KILL",
  "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE",
  "SCMP_ACT_NOTIFY",
] as const;

/** Architecture names in `architectures` (SCMP_ARCH_*) and Docker's `arches` (Go's names) → ours. */
const ARCH_NAMES: Record<string, Arch | null> = {
  SCMP_ARCH_X86_64: "x86_64",
  SCMP_ARCH_X86: "i386",
  SCMP_ARCH_AARCH64: "aarch64",
  SCMP_ARCH_RISCV64: "riscv64",
  amd64: "x86_64",
  x86_64: "x86_64",
  x86: "i386",
  "386": "i386",
  i386: "i386",
  arm64: "aarch64",
  aarch64: "aarch64",
  riscv64: "riscv64",
};
for (
  const other of [
    "X32",
    "ARM",
    "MIPS",
    "MIPS64",
    "MIPS64N32",
    "MIPSEL",
    "MIPSEL64",
    "MIPSEL64N32",
    "PPC",
    "PPC64",
    "PPC64LE",
    "S390",
    "S390X",
    "PARISC",
    "PARISC64",
    "LOONGARCH64",
    "M68K",
    "SH",
    "SHEB",
  ]
) {
  ARCH_NAMES[`SCMP_ARCH_${other}`] = null;
}
for (
  const other of [
    "x32",
    "arm",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64n32",
    "mips64len32",
    "ppc",
    "ppc64",
    "ppc64le",
    "s390",
    "s390x",
    "parisc",
    "parisc64",
    "loong64",
    "loongarch64",
  ]
) {
  ARCH_NAMES[other] = null;
}

const ArchName = v.picklist(Object.keys(ARCH_NAMES), "must be an architecture name such as SCMP_ARCH_X86_64 or amd64");
const Errno = v.pipe(
  v.number(),
  v.integer("must be a whole number"),
  v.minValue(0, "must be 0..65535"),
  v.maxValue(65535, "must be 0..65535"),
);
const U64 = v.union(
  [
    v.pipe(
      v.number(),
      v.integer("must be a whole number"),
      v.minValue(0, "must not be negative"),
      v.safeInteger("is not exact as a JavaScript number: pass the profile as JSON text or the value as a bigint"),
    ),
    v.pipe(v.bigint(), v.minValue(0n, "must not be negative"), v.maxValue(U64_MAX, "must fit in 64 bits")),
  ],
  "must be an unsigned 64-bit integer",
);
const Filter = v.strictObject({
  caps: v.optional(v.array(v.string())),
  arches: v.optional(v.array(ArchName)),
  minKernel: v.optional(v.string()),
});
const Arg = v.strictObject({
  index: v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(0, "must be 0..5"), v.maxValue(5, "must be 0..5")),
  value: U64,
  valueTwo: v.optional(U64),
  op: v.picklist(OPS, `must be one of ${OPS.join(", ")}`),
});
const TAKES_ERRNO = new Set<string>(["SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"]);
const ERRNO_ONLY = "is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE";
/** Syscall names as libseccomp spells them (they also go into comments, so nothing else). */
const SyscallName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_]{1,64}$/, "must be a syscall name (letters, digits and _)"));
const Syscall = v.pipe(
  v.strictObject({
    names: v.optional(v.pipe(v.array(SyscallName), v.minLength(1, "must name at least one syscall"))),
    /** Docker's older single-name form. */
    name: v.optional(SyscallName),
    action: v.picklist(ACTIONS, `must be one of ${ACTIONS.join(", ")}`),
    errnoRet: v.optional(Errno),
    args: v.optional(v.nullable(v.array(Arg))),
    comment: v.optional(v.string()),
    includes: v.optional(Filter),
    excludes: v.optional(Filter),
  }),
  v.check((s) => (s.names === undefined) !== (s.name === undefined), "must have either names or name"),
  v.forward(v.partialCheck([["action"], ["errnoRet"]], (s) => s.errnoRet === undefined || TAKES_ERRNO.has(s.action), ERRNO_ONLY), [
    "errnoRet",
  ]),
);
const Profile = v.pipe(
  v.strictObject({
    defaultAction: v.picklist(ACTIONS, `must be one of ${ACTIONS.join(", ")}`),
    defaultErrnoRet: v.optional(Errno),
    architectures: v.optional(v.nullable(v.array(ArchName))),
    /** Docker's map of native architecture → sub-architectures: informational here. */
    archMap: v.optional(v.nullable(v.array(v.strictObject({ architecture: ArchName, subArchitectures: v.nullable(v.array(ArchName)) })))),
    syscalls: v.optional(v.nullable(v.array(Syscall))),
    flags: v.optional(v.nullable(v.array(v.string()))),
    listenerPath: v.optional(v.string()),
    listenerMetadata: v.optional(v.string()),
  }),
  v.forward(
    v.partialCheck(
      [["defaultAction"], ["defaultErrnoRet"]],
      (p) => p.defaultErrnoRet === undefined || TAKES_ERRNO.has(p.defaultAction),
      ERRNO_ONLY,
    ),
    ["defaultErrnoRet"],
  ),
);
type ParsedProfile = v.InferOutput<typeof Profile>;
type ParsedSyscall = v.InferOutput<typeof Syscall>;

// ---- OCI → Kafel ----

/** Options of `fromOciProfile`. */
export interface FromOciOptions {
  /** Architectures the Kafel text must compile for; default all four tables. */
  arch?: Arch | readonly Arch[];
}

/** For each architecture, OCI (`__NR_`) name → the Kafel name of the same syscall and its number. */
type NameTable = Record<string, Record<string, [string, number]>>;

async function syscallNames(arches: readonly Arch[]): Promise<NameTable> {
  const res = await call({ op: Op.Names, foreign: 0x8000_0000, arches, text: "", includes: new Map() });
  const payload = new TextDecoder().decode(res.payload);
  if (res.status !== Status.Ok) throw new StockadeError("USAGE_ERROR", payload);
  return JSON.parse(payload) as NameTable;
}

/** Text safe inside a `//` comment: one line of printable ASCII. */
function commentText(s: string): string {
  return s.replace(/[^\x20-\x7e]+/g, " ");
}

function kafelAction(action: OciAction, errnoRet: number | undefined): string {
  switch (action) {
    case "SCMP_ACT_ALLOW":
      return "ALLOW";
    case "SCMP_ACT_LOG":
      return "LOG";
    case "SCMP_ACT_KILL":
    case "SCMP_ACT_KILL_THREAD":
      return "KILL";
    case "SCMP_ACT_KILL_PROCESS":
      return "KILL_PROCESS";
    case "SCMP_ACT_TRAP":
      return "TRAP(0)";
    case "SCMP_ACT_NOTIFY":
      return "USER_NOTIF";
    // runc's default for errnoRet is EPERM.
    case "SCMP_ACT_ERRNO":
      return `ERRNO(${errnoRet ?? 1})`;
    case "SCMP_ACT_TRACE":
      return `TRACE(${errnoRet ?? 1})`;
  }
}

function literal(n: OciValue): string {
  const b = BigInt(n);
  return b < 0x10000n ? b.toString() : `0x${b.toString(16)}`;
}

/** The condition of an entry, as runc applies it: comparisons on distinct arguments are ANDed;
 * when an argument repeats, runc adds each comparison as its own rule, which ORs them all. */
function condition(args: readonly OciArg[]): string {
  const parts = args.map((a) => {
    const x = `a${a.index}`;
    const ops: Record<OciOp, string> = {
      SCMP_CMP_EQ: "==",
      SCMP_CMP_NE: "!=",
      SCMP_CMP_LT: "<",
      SCMP_CMP_LE: "<=",
      SCMP_CMP_GT: ">",
      SCMP_CMP_GE: ">=",
      SCMP_CMP_MASKED_EQ: "",
    };
    if (a.op === "SCMP_CMP_MASKED_EQ") return `(${x} & ${literal(a.value)}) == ${literal(a.valueTwo ?? 0)}`;
    return `${x} ${ops[a.op]} ${literal(a.value)}`;
  });
  const repeated = new Set(args.map((a) => a.index)).size !== args.length;
  return parts.join(repeated ? " || " : " && ");
}

/** The target architectures an entry applies to under Docker's `includes`/`excludes.arches`. */
function entryArches(s: ParsedSyscall, targets: readonly Arch[]): Arch[] {
  let out = [...targets];
  if (s.includes?.arches?.length) out = out.filter((a) => s.includes!.arches!.some((n) => ARCH_NAMES[n] === a));
  if (s.excludes?.arches?.length) out = out.filter((a) => !s.excludes!.arches!.some((n) => ARCH_NAMES[n] === a));
  return out;
}

function entryLines(s: ParsedSyscall, i: number, targets: readonly Arch[], names: NameTable, dflt: string): string[] {
  const label = `syscalls[${i}]`;
  const action = kafelAction(s.action, s.errnoRet);
  const list = s.names ?? [s.name!];
  const head = `// ${label}${s.comment ? `: ${commentText(s.comment)}` : ""}`;
  if (s.includes?.caps?.length) {
    return [`${head}: skipped, it needs ${commentText(s.includes.caps.join(", "))} and the sandbox has no capabilities`];
  }
  // runc silently drops rules whose action is the default (libseccomp refuses them).
  if (action === dflt) return [`${head}: skipped, its action is the default action`];
  const arches = entryArches(s, targets);
  if (arches.length === 0) return [`${head}: skipped, it applies to none of ${targets.join(", ")}`];
  const lines = [head];
  if (s.includes?.minKernel) lines.push(`// minKernel ${commentText(s.includes.minKernel)} ignored: the entry applies on every kernel`);
  const args = s.args ?? [];
  const decl = args.length ? `(${Array.from({ length: Math.max(...args.map((a) => a.index)) + 1 }, (_, k) => `a${k}`).join(", ")})` : "";
  const cond = args.length ? ` { ${condition(args)} }` : "";
  if (args.length && new Set(args.map((a) => a.index)).size !== args.length) {
    lines.push("// an argument is compared twice: runc then adds each comparison as its own rule (OR)");
  }
  const filters: string[] = [];
  const unknown: string[] = [];
  for (const name of list) {
    // Group the architectures by how the syscall is written there: its Kafel name, or its
    // number where that name is no Kafel identifier (x86_64's unimplemented "_sysctl").
    const byKafel = new Map<string, Arch[]>();
    for (const a of arches) {
      const found = Object.hasOwn(names[a] ?? {}, name) ? names[a][name] : undefined;
      if (found === undefined) continue;
      const k = /^[A-Za-z][A-Za-z0-9_]*$/.test(found[0]) ? found[0] : `SYSCALL[${found[1]}]`;
      byKafel.set(k, [...(byKafel.get(k) ?? []), a]);
    }
    if (byKafel.size === 0) unknown.push(name);
    for (const [k, on] of byKafel) {
      const guard = on.length === targets.length ? "" : ` ON ${on.length === 1 ? on[0] : `{ ${on.join(", ")} }`}`;
      filters.push(`${k}${decl}${guard}${cond}`);
    }
  }
  if (unknown.length) lines.push(`// unknown on ${arches.join(", ")}, skipped: ${unknown.join(", ")}`);
  if (filters.length) lines.push(`${action} {`, ...filters.map((f, k) => `  ${f}${k + 1 < filters.length ? "," : ""}`), "}");
  return lines;
}

function validate(input: unknown): ParsedProfile {
  const result = v.safeParse(Profile, input, { abortEarly: false });
  if (result.success) return result.output;
  throw new ConfigError("OCI seccomp profile", toConfigIssues(result.issues));
}

/**
 * Converts an OCI seccomp profile (or Docker's profile format) to Kafel text that compiles with
 * `compileSeccomp` for the given architectures and decides as runc would:
 * - `defaultAction` → `DEFAULT`; each entry → a filter per name, with custom 64-bit arguments
 *   (`clone(a0) { (a0 & 0x7e020000) == 0 }`); comparisons on distinct arguments ANDed.
 * - Unconditional entries come first: in libseccomp an unconditional rule overrides conditional
 *   ones for the same syscall. Conditional entries follow in profile order (first match wins).
 * - Entries whose action is the default are dropped, as runc drops them.
 * - Docker's `includes.caps` entries are skipped (the sandbox has no capabilities);
 *   `includes/excludes.arches` become `ON` guards; `minKernel` is ignored.
 * - Names are `__NR_` names; a name unknown on a target architecture is guarded away from it,
 *   and one unknown everywhere is skipped, with a comment naming it.
 *
 * @throws {ConfigError} naming each bad field (`syscalls[3].args[0].op`).
 * @example
 * ```ts
 * import { fromOciProfile } from "./oci.ts";
 * const text = await fromOciProfile('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}');
 * ```
 */
export async function fromOciProfile(json: string | OciProfile, opts: FromOciOptions = {}): Promise<string> {
  const profile = validate(typeof json === "string" ? parseExact(json, "OCI seccomp profile") : (json as unknown as ExactJson));
  const targets: readonly Arch[] = opts.arch === undefined ? ARCHES : typeof opts.arch === "string" ? [opts.arch] : opts.arch;
  for (const a of targets) {
    if (!ARCHES.includes(a)) throw new StockadeError("USAGE_ERROR", `Unknown architecture "${a}"`, `use one of ${ARCHES.join(", ")}`);
  }
  if (targets.length === 0) throw new StockadeError("USAGE_ERROR", "No target architecture", `use one or more of ${ARCHES.join(", ")}`);
  const names = await syscallNames(targets);
  const dflt = kafelAction(profile.defaultAction, profile.defaultErrnoRet);
  const lines = [
    `// Converted from an OCI seccomp profile by stockade for ${targets.join(", ")}.`,
    `// Unconditional entries first (they override conditional ones in libseccomp), then conditional ones in order.`,
  ];
  const syscalls = (profile.syscalls ?? []).map((s, i) => ({ s, i }));
  for (const pass of [false, true]) {
    for (const { s, i } of syscalls) {
      if ((s.args ?? []).length > 0 === pass) lines.push(...entryLines(s, i, targets, names, dflt));
    }
  }
  lines.push(`DEFAULT ${dflt}`);
  return lines.join("\n") + "\n";
}
