/**
 * Stockade: run untrusted commands in an OS-level sandbox from Deno, Bun or Node, and compile
 * Kafel seccomp policies to BPF, OCI JSON and Seatbelt profiles.
 *
 * @example
 * ```ts
 * import { compileSeccomp, disassemble } from "./mod.ts";
 * const bpf = await compileSeccomp("ALLOW { read, write, exit_group } DEFAULT KILL", { arch: "x86_64" });
 * console.log(await disassemble(bpf));
 * ```
 *
 * @module
 */
export { ConfigError, type ConfigIssue, type ErrorCode, StockadeError } from "./src/errors.ts";
export {
  type Arch,
  ARCHES,
  compileSeccomp,
  type CompileOptions,
  type Diagnostic,
  disassemble,
  type ForeignAction,
  formatDiagnostic,
  hostArch,
  type IncludeResolver,
  PolicyError,
} from "./src/compile.ts";
export { run, type RunResult, type Sandbox, spawnSandbox } from "./src/run.ts";
export { type NetworkRequest, parseRunOptions, type RunOptions, RunOptionsSchema, toExecConfig } from "./src/policy.ts";
export { PROTECTED_NAMES } from "./src/protect.ts";
export { listPresets, type LoadOptions, type PresetInfo, type ResolvedPolicy, resolvePolicy } from "./src/policyfile/load.ts";
export { createWritableDirs, loadPolicy, mergeRunOptions, toRunOptions } from "./src/policyfile/options.ts";
export { type PolicyFile, PolicyFileSchema } from "./src/policyfile/schema.ts";
export {
  learn,
  type LearnedPolicy,
  type LearnedSyscall,
  type LearnOptions,
  type LearnResult,
  type Observed,
  type RefusedSyscall,
} from "./src/learn/learn.ts";
export { type DiffReport, diffSnapshots, type EntryType, type FileChange, formatDiff, type Snapshot, snapshot } from "./src/diff.ts";
export {
  compileSeatbelt,
  encodeSeatbeltPolicy,
  SEATBELT_PARAMS,
  SEATBELT_RULE_KINDS,
  type SeatbeltGlobs,
  type SeatbeltOptions,
  type SeatbeltPolicy,
  type SeatbeltRuleKind,
  withResolvedPaths,
} from "./src/seatbelt.ts";
export { locateEngine } from "./src/engine/locate.ts";
export type { EngineEvent, LearnEvent, LearnFileEvent, LearnSyscallEvent } from "./src/engine/events.ts";
export { refusedSyscalls, type SyscallRefusal } from "./src/engine/refusals.ts";
export { type FileAccess, type FileRefusal, refusedFiles } from "./src/engine/file-refusals.ts";
export {
  type FromOciOptions,
  fromOciProfile,
  type OciAction,
  type OciArg,
  type OciFilter,
  type OciOp,
  type OciProfile,
  type OciSyscall,
  type OciValue,
  stringifyOciProfile,
  type ToOciOptions,
  toOciProfile,
} from "./src/oci.ts";
