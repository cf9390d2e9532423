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

/** Every event the engine emits. */
export type EngineEvent = StartedEvent | WarningEvent | ViolationEvent | ErrorEvent | ExitedEvent | AskEvent;

const TYPES = new Set(["started", "warning", "violation", "error", "exited", "ask"]);

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
