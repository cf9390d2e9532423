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
export { type OciProfile, type OciSyscall, toOciProfile } from "./src/oci.ts";
