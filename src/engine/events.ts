/**
 * Events the engine writes as JSON lines on fd 4 (docs/engine-protocol.md). The engine is ours
 * and trusted, but lines are still checked for a known `type` so a broken engine is reported, not
 * misread.
 *
 * @module
 */

/** The target started; `pid` is its pid on the host. */
export interface StartedEvent { type: "started"; pid: number }
/** A protection is weaker than asked (only ever for what the caller allowed, e.g. no cgroup). */
export interface WarningEvent { type: "warning"; code: string; message: string }
/** The sandbox refused something: a syscall (SIGSYS), a host, a file. */
export interface ViolationEvent {
  type: "violation";
  kind: "syscall" | "network" | "file";
  /** Human-readable detail: syscall number/name, host:port, path. */
  detail: string;
  /** Machine-readable extras (host, port, protocol, reason, syscall, arch …). */
  data?: Record<string, string | number | boolean>;
}
/** A containment step failed; the target never ran. */
export interface ErrorEvent { type: "error"; step: string; message: string; hint?: string }
/** The target ended. Exactly one of `code` and `signal` is set. */
export interface ExitedEvent { type: "exited"; code: number | null; signal: string | null; timedOut: boolean }
/** The proxy asks whether a host that matches no rule may be reached (network `ask`). */
export interface AskEvent { type: "ask"; id: number; host: string; port: number; protocol: string }

/** Learn mode: a path the target named in a file call, once per access and path. */
export interface LearnFileEvent {
  type: "learn";
  kind: "file";
  /** `create` and `delete` change the directory; `write` an existing file's content or metadata. */
  access: "read" | "write" | "create" | "delete" | "exec";
  path: string;
}
/** Learn mode: a call the seccomp policy leaves to its default (`USER_NOTIF`), once per number (and arguments of note). */
export interface LearnSyscallEvent {
  type: "learn";
  kind: "syscall";
  /** The compiler's architecture name (`x86_64`, `i386`, `aarch64`, `riscv64`) or the audit value in hex. */
  arch: string;
  nr: number;
  /** The policy read the call's arguments to decide it: an unconditional rule could shadow one of its denials. */
  conditional: boolean;
  /** `socket`: `family`, `type`; `clone`: `clone_flags`. */
  args?: Record<string, number>;
}
/** Every record of learn mode. */
export type LearnEvent = LearnFileEvent | LearnSyscallEvent;

/** Every event the engine emits. */
export type EngineEvent = StartedEvent | WarningEvent | ViolationEvent | ErrorEvent | ExitedEvent | AskEvent | LearnEvent;

const TYPES = new Set(["started", "warning", "violation", "error", "exited", "ask", "learn"]);

/** Parses one line; returns `undefined` for a line that is not a known event. */
export function parseEvent(line: string): EngineEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === "object" && value !== null && TYPES.has((value as { type?: string }).type ?? "")) {
      return value as EngineEvent;
    }
  } catch {
    // fall through: not JSON
  }
  return undefined;
}
