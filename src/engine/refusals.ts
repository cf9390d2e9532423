/**
 * Refused system calls of an ordinary run (`reportRefusals`, docs/learn.md "Refused calls in
 * ordinary runs"). The engine reports each call by number, once, with its errno and how often it
 * came; this module gives it the compiler's name (the WASM module's `Names` op: the engine has no
 * syscall table) and lists them for summaries.
 *
 * @module
 */
import type { EngineEvent, ViolationEvent } from "./events.ts";
import { syscallName } from "../learn/syscalls.ts";

/** One refused system call (`--json`'s `refusedSyscalls`). */
export interface SyscallRefusal {
  /** The compiler's name, or `#NR` when its table has none. */
  syscall: string;
  /** The compiler's architecture name (`x86_64`, `i386`, `aarch64`, `riscv64`). */
  arch: string;
  nr: number;
  /** What the call returned: the base policy's errno (38, ENOSYS, for a `USER_NOTIF` default). */
  errno: number;
  /** How many times it was refused. */
  count: number;
}

/** A refusal report of the engine's supervisor: a `syscall` violation with `nr`, `errno` and `count`. */
export function isRefusal(event: EngineEvent): event is ViolationEvent & { data: Record<string, string | number | boolean> } {
  if (event.type !== "violation" || event.kind !== "syscall" || !event.data || event.data.learn === true) return false;
  const { nr, errno, count } = event.data;
  return typeof nr === "number" && typeof errno === "number" && typeof count === "number";
}

/**
 * Names a refusal in place: `data.syscall` and `detail` (`"unshare (x86_64)"`). A name that cannot
 * be found (or a compiler that cannot load) leaves `#NR`: the report stays, nameless.
 */
export async function nameRefusal(event: ViolationEvent): Promise<void> {
  const data = event.data ?? {};
  const arch = String(data.arch);
  const nr = Number(data.nr);
  let name: string | undefined;
  try {
    name = await syscallName(arch, nr);
  } catch {
    name = undefined;
  }
  data.syscall = name ?? `#${nr}`;
  event.detail = `${data.syscall} (${arch})`;
}

/** The refusals among `events`, in the order the engine reported them (first refused first). */
export function refusedSyscalls(events: readonly EngineEvent[]): SyscallRefusal[] {
  return events.filter(isRefusal).map((e) => ({
    syscall: String(e.data.syscall ?? `#${e.data.nr}`),
    arch: String(e.data.arch),
    nr: Number(e.data.nr),
    errno: Number(e.data.errno),
    count: Number(e.data.count),
  }));
}
