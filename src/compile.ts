/**
 * Compile-only use: Kafel text → seccomp BPF bytes, a readable disassembly, OCI JSON.
 *
 * @module
 */
import { StockadeError } from "./errors.ts";
import { call, Op, Status } from "./wasm.ts";

/** A target architecture the compiler has a syscall table for. */
export type Arch = "x86_64" | "aarch64" | "i386" | "riscv64";

/** Every architecture `compile` accepts, in the order `--help` lists them. */
export const ARCHES: readonly Arch[] = ["x86_64", "aarch64", "i386", "riscv64"];

/** What a foreign architecture (and x32 on x86_64) gets. ALLOW is deliberately not offered. */
export type ForeignAction = "KILL_PROCESS" | "KILL_THREAD" | "TRAP" | "LOG" | { errno: number };

/**
 * How `#include "NAME"` finds text: a map of name → text, or a function returning the text (or
 * `undefined` when there is no such include), possibly asynchronously.
 */
export type IncludeResolver =
  | Readonly<Record<string, string>>
  | ReadonlyMap<string, string>
  | ((name: string) => string | undefined | Promise<string | undefined>);

/** Options for `compileSeccomp`. */
export interface CompileOptions {
  /** Target architectures; default: the host's. */
  arch?: Arch | readonly Arch[];
  /** Resolves `#include`; without it any include is an error. */
  includes?: IncludeResolver;
  /** What a foreign architecture gets; default `KILL_PROCESS` (KAFEL.md §9). */
  foreignAction?: ForeignAction;
  /** Name of the main text in diagnostics (a file path); default `<policy>`. */
  filename?: string;
}

/** One compile error, 1-based, with the include name when it is inside an included file. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
}

/**
 * Thrown when a policy does not compile; `diagnostics` holds every error found, and the message
 * lists them as `file:LINE:COL: message`.
 */
export class PolicyError extends StockadeError {
  /** Every error found, in source order. */
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    super("POLICY_ERROR", diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "PolicyError";
    this.diagnostics = diagnostics;
  }
}

/** `file:LINE:COL: message`, the form editors and the CLI print. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}

/** The host's architecture, as the compiler names it. */
export function hostArch(): Arch {
  const map: Record<string, Arch> = { x64: "x86_64", arm64: "aarch64", ia32: "i386", riscv64: "riscv64" };
  const arch = map[process.arch];
  if (!arch) throw new StockadeError("UNSUPPORTED", `No syscall table for host architecture "${process.arch}"`, "pass arch explicitly");
  return arch;
}

function foreignValue(a: ForeignAction): number {
  if (typeof a === "object") {
    if (!Number.isInteger(a.errno) || a.errno < 0 || a.errno > 0xffff) {
      throw new StockadeError("USAGE_ERROR", `foreignAction errno ${a.errno} is out of range`, "use 0..65535");
    }
    return 0x0005_0000 | a.errno;
  }
  const values: Record<string, number> = { KILL_PROCESS: 0x8000_0000, KILL_THREAD: 0, TRAP: 0x0003_0000, LOG: 0x7ffc_0000 };
  const v = values[a];
  if (v === undefined) throw new StockadeError("USAGE_ERROR", `Unknown foreignAction "${String(a)}"`, "use KILL_PROCESS, KILL_THREAD, TRAP, LOG or { errno }");
  return v;
}

async function resolveInclude(resolver: IncludeResolver | undefined, name: string): Promise<string | null> {
  if (resolver === undefined) return null;
  if (typeof resolver === "function") return (await resolver(name)) ?? null;
  if (resolver instanceof Map) return resolver.get(name) ?? null;
  const record = resolver as Readonly<Record<string, string>>;
  return Object.hasOwn(record, name) ? record[name] : null;
}

/**
 * Runs one compile-type operation (BPF, OCI, …), answering include requests until the module is
 * satisfied; returns the payload. Shared by `compileSeccomp` and `toOciProfile`.
 *
 * @throws {PolicyError} listing every diagnostic with LINE:COL.
 * @internal
 */
export async function compileOp(op: number, text: string, opts: CompileOptions): Promise<Uint8Array> {
  const arches = opts.arch === undefined ? [hostArch()] : typeof opts.arch === "string" ? [opts.arch] : [...opts.arch];
  const foreign = foreignValue(opts.foreignAction ?? "KILL_PROCESS");
  const includes = new Map<string, string | null>();
  // Each round adds at least one name, and include depth is capped at 16 by the compiler.
  for (;;) {
    const res = await call({ op, foreign, arches, text, includes });
    const payload = new TextDecoder().decode(res.payload);
    switch (res.status) {
      case Status.Ok:
        return res.payload;
      case Status.Diagnostics: {
        const raw = JSON.parse(payload) as { file: string | null; line: number; col: number; message: string }[];
        throw new PolicyError(raw.map((d) => ({ ...d, file: d.file ?? opts.filename ?? "<policy>" })));
      }
      case Status.NeedIncludes: {
        const names = JSON.parse(payload) as string[];
        const fresh = names.filter((n) => !includes.has(n));
        if (fresh.length === 0) throw new StockadeError("WASM_ERROR", "The compiler asked again for includes it was given", "this is a bug");
        for (const name of fresh) includes.set(name, await resolveInclude(opts.includes, name));
        break;
      }
      default:
        throw new StockadeError("USAGE_ERROR", payload);
    }
  }
}

/**
 * Compiles Kafel text to a seccomp BPF program: `sock_filter` records, 8 bytes each,
 * little-endian, ready for `seccomp(SECCOMP_SET_MODE_FILTER)`.
 *
 * @throws {PolicyError} listing every diagnostic with LINE:COL.
 * @example
 * ```ts
 * import { compileSeccomp } from "./compile.ts";
 * const bpf = await compileSeccomp("ALLOW { read, write, exit_group } DEFAULT KILL", { arch: "x86_64" });
 * console.log(bpf.length / 8, "instructions");
 * ```
 */
export function compileSeccomp(text: string, opts: CompileOptions = {}): Promise<Uint8Array> {
  return compileOp(Op.Bpf, text, opts);
}

/**
 * A readable listing of a BPF program: one instruction a line, jump targets resolved, loads and
 * return actions named.
 *
 * @example
 * ```ts
 * import { compileSeccomp, disassemble } from "./compile.ts";
 * console.log(await disassemble(await compileSeccomp("ALLOW { read } DEFAULT KILL", { arch: "x86_64" })));
 * ```
 */
export async function disassemble(bytes: Uint8Array): Promise<string> {
  const res = await call({ op: Op.Disasm, foreign: 0x8000_0000, arches: ["x86_64"], text: bytes, includes: new Map() });
  const payload = new TextDecoder().decode(res.payload);
  if (res.status !== Status.Ok) throw new StockadeError("USAGE_ERROR", payload);
  return payload;
}
