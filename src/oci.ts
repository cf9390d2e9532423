/**
 * OCI seccomp profiles (Docker, Podman, Kubernetes) both ways.
 *
 * @module
 */
import { type CompileOptions } from "./compile.ts";
import { StockadeError } from "./errors.ts";

/** An OCI runtime-spec `linux.seccomp` object. */
export interface OciProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: OciSyscall[];
}

/** One OCI syscall rule. */
export interface OciSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}

/** Compiles Kafel text to an OCI seccomp profile for one architecture. */
export function toOciProfile(_text: string, _opts: CompileOptions & { arch?: CompileOptions["arch"] } = {}): Promise<OciProfile> {
  return Promise.reject(new StockadeError("UNSUPPORTED", "OCI output is not built yet"));
}
