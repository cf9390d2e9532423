/**
 * What a learn run observed, gathered from its events: paths by access, system calls the policy
 * left to its default, hosts the proxy was asked about, and the calls the policy refused.
 *
 * @module
 */
import type { EngineEvent, LearnFileEvent } from "../engine/events.ts";
import type { NetworkRequest } from "../policy.ts";
import { syscallName } from "./syscalls.ts";

/** One system call learned, named by the compiler's table. */
export interface LearnedSyscall {
  arch: string;
  nr: number;
  /** The compiler's name, or `undefined` for a number its table lacks (written `SYSCALL[nr]`). */
  name?: string;
  /** `socket` families seen, for a `family ==` condition. */
  families?: number[];
  /** A `socket` call was seen without its family: the rule cannot name families. */
  anyFamily?: boolean;
}

/** A call the base policy refused during learning: reported, never learned. */
export interface RefusedSyscall {
  arch: string;
  nr: number;
  name?: string;
  /** `errno N` or `kill`. */
  action: string;
}

/** Everything a learn run observed. */
export interface Observed {
  /** Paths by access (`read`, `write`, `create`, `delete`, `exec`). */
  files: Map<LearnFileEvent["access"], Set<string>>;
  syscalls: LearnedSyscall[];
  /** Calls the base decided by their arguments (an unconditional rule could shadow a denial): not learned. */
  conditional: LearnedSyscall[];
  refused: RefusedSyscall[];
  hosts: NetworkRequest[];
  /** Engine warnings of the run (e.g. `learn-truncated`). */
  warnings: string[];
}

/** Gathers the records of `events`, plus the hosts the proxy asked about. */
export async function observe(events: readonly EngineEvent[], hosts: readonly NetworkRequest[]): Promise<Observed> {
  const out: Observed = { files: new Map(), syscalls: [], conditional: [], refused: [], hosts: [], warnings: [] };
  const calls = new Map<string, LearnedSyscall>();
  for (const e of events) {
    if (e.type === "warning") out.warnings.push(e.message);
    if (e.type === "violation" && e.kind === "syscall" && e.data?.learn === true) {
      const arch = String(e.data.arch);
      const nr = Number(e.data.nr);
      const action = e.data.action === "errno" ? `errno ${e.data.errno}` : "kill";
      out.refused.push({ arch, nr, name: await syscallName(arch, nr), action });
    }
    if (e.type !== "learn") continue;
    if (e.kind === "file") {
      const set = out.files.get(e.access) ?? new Set<string>();
      set.add(e.path);
      out.files.set(e.access, set);
      continue;
    }
    const key = `${e.arch}\0${e.nr}`;
    let call = calls.get(key);
    if (!call) {
      call = { arch: e.arch, nr: e.nr, name: await syscallName(e.arch, e.nr) };
      calls.set(key, call);
      (e.conditional ? out.conditional : out.syscalls).push(call);
    }
    if (call.name === "socket") {
      const family = e.args?.family;
      if (family === undefined) call.anyFamily = true; // seen without its family (another architecture)
      else call.families = [...new Set([...(call.families ?? []), family])].sort((a, b) => a - b);
    }
  }
  const seen = new Set<string>();
  for (const h of hosts) {
    const key = `${h.host}\0${h.port}\0${h.protocol}`;
    if (!seen.has(key)) out.hosts.push(h);
    seen.add(key);
  }
  return out;
}
