/**
 * Where the engine's start-up time goes, next to bwrap's: both run /bin/true RUNS times under
 * `perf record` with only scheduler and a few syscall tracepoints (a few µs of overhead per run,
 * no ptrace), and the median time from the start (the shell's fork) to each milestone is printed.
 * Medians of offsets, not of phases: the engine overlaps steps (PID 1 is forked while the
 * engine reads its frame and plans).
 * A diagnostic for the engine engineer, not a target check. Needs root (perf tracepoints).
 *
 *   node --import tsx bench/startup-breakdown.ts [RUNS]          (default 100)
 *
 * BREAKDOWN_DEBUG=1 also prints the first three runs' milestones in the order they happened.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { BWRAP_ARGS, loadAverage, quantile } from "./measure.ts";

const runs = Number(process.argv[2] ?? 100);
const root = new URL("../", import.meta.url).pathname;
const engine = process.env.STOCKADE_ENGINE ?? join(root, "engine/bin/stockade-engine");
const dir = mkdtempSync(join(tmpdir(), "stockade-breakdown-"));
const frame = join(dir, "true.frame");

const EVENTS = [
  "sched:sched_process_fork",
  "sched:sched_process_exec",
  "sched:sched_process_exit",
  "syscalls:sys_enter_clone",
  "syscalls:sys_exit_clone",
  "syscalls:sys_enter_unshare",
  "syscalls:sys_exit_unshare",
  "syscalls:sys_enter_mount",
  "syscalls:sys_enter_pivot_root",
  "syscalls:sys_enter_landlock_restrict_self",
  "syscalls:sys_enter_seccomp",
  "syscalls:sys_enter_prctl",
  "syscalls:sys_exit_wait4",
  "syscalls:sys_exit_recvmsg",
];
const CLONE_NEWUSER = 0x10000000;
const PR_SET_SECCOMP = 22;

/** Milestones, roughly in the order they happen; a run records the first time each is reached. */
const MILESTONES = [
  ["fork", "the shell forks"],
  ["exec", "the sandbox tool is exec'd"],
  ["nsClone", "clone()/unshare() of the new namespaces entered"],
  ["nsCloned", "that call returned (in the caller)"],
  ["preludeIn", "the engine's PID 1 received its prelude (it builds /proc and /dev)"],
  ["mount", "first mount() in the new namespaces"],
  ["planIn", "the engine's PID 1 received its plan"],
  ["pivot", "pivot_root()"],
  ["targetFork", "the target forked by PID 1"],
  ["landlock", "landlock_restrict_self()"],
  ["seccomp", "seccomp filter installed"],
  ["targetExec", "/bin/true exec'd"],
  ["targetExit", "/bin/true exited"],
  ["pid1Exit", "the sandbox's PID 1 exited"],
  ["reaped", "the shell's wait4() returned"],
] as const;
type Milestone = (typeof MILESTONES)[number][0];

interface Event {
  comm: string;
  pid: number;
  tid: number;
  time: number;
  name: string;
  trace: string;
}

function parse(line: string): Event | undefined {
  const m = /^\s*(.+?)\s+(\d+)\/(\d+)\s+([\d.]+):\s+(\S+):\s*(.*)$/.exec(line);
  if (!m) return undefined;
  return { comm: m[1], pid: Number(m[2]), tid: Number(m[3]), time: Number(m[4]) * 1000, name: m[5], trace: m[6] };
}

function record(label: string, command: string): Map<Milestone, number>[] {
  const data = join(dir, `${label}.data`);
  const loop = `i=0; while [ $i -lt ${runs + 5} ]; do ${command} || exit 1; i=$((i+1)); done`;
  const rec = spawnSync("perf", ["record", "-q", "-o", data, ...EVENTS.flatMap((e) => ["-e", e]), "--", "sh", "-c", loop], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  if (rec.status !== 0) throw new Error(`perf record for ${label} failed: ${rec.stderr}`);
  const script = spawnSync("perf", ["script", "-i", data, "-F", "comm,pid,tid,time,event,trace"], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (script.status !== 0) throw new Error(`perf script for ${label} failed: ${script.stderr}`);
  const events = script.stdout.split("\n").map(parse).filter((e): e is Event => e !== undefined);
  const shell = events.find((e) => e.name === "sched:sched_process_exec" && e.trace.includes("/sh "))?.pid;
  const all: Map<Milestone, number>[] = [];
  let cur: Map<Milestone, number> | undefined;
  let cloner = -1;
  let nest = -1; // the engine's child that unshares the namespaces; PID 1 is its child
  let pid1 = -1;
  const mark = (m: Milestone, t: number) => cur && !cur.has(m) && cur.set(m, t);
  for (const e of events) {
    if (e.name === "sched:sched_process_fork" && e.pid === shell && e.tid === shell) {
      cur = new Map([["fork", e.time]]);
      all.push(cur);
      nest = pid1 = -1;
      continue;
    }
    if (e.name === "sched:sched_process_fork" && cur && e.pid === nest && pid1 < 0) {
      pid1 = Number(/child_pid=(\d+)/.exec(e.trace)?.[1] ?? -1);
      continue;
    }
    if (!cur) continue;
    switch (e.name) {
      case "sched:sched_process_exec":
        if (e.trace.startsWith("filename=/bin/true")) mark("targetExec", e.time);
        else mark("exec", e.time);
        break;
      case "syscalls:sys_enter_clone":
      case "syscalls:sys_enter_unshare": {
        const flags = Number.parseInt(/(?:clone|unshare)_flags: (0x[0-9a-f]+)/.exec(e.trace)?.[1] ?? "0", 16);
        if (flags & CLONE_NEWUSER && !cur.has("nsClone")) {
          mark("nsClone", e.time);
          cloner = e.tid;
        } else if (e.pid === pid1 && cur.has("planIn")) mark("targetFork", e.time); // not the Go runtime's threads before the fork
        break;
      }
      case "syscalls:sys_exit_clone":
      case "syscalls:sys_exit_unshare":
        if (e.tid === cloner && cur.has("nsClone") && !cur.has("nsCloned")) {
          mark("nsCloned", e.time);
          if (e.name === "syscalls:sys_exit_unshare") nest = e.pid; // else the clone made PID 1 itself
          else pid1 = Number.parseInt(/0x([0-9a-f]+)/.exec(e.trace)?.[1] ?? "-1", 16);
        }
        break;
      case "syscalls:sys_exit_recvmsg":
        if (e.pid === pid1) mark(cur.has("preludeIn") ? "planIn" : "preludeIn", e.time);
        break;
      case "syscalls:sys_enter_mount":
        mark("mount", e.time);
        break;
      case "syscalls:sys_enter_pivot_root":
        mark("pivot", e.time);
        break;
      case "syscalls:sys_enter_landlock_restrict_self":
        mark("landlock", e.time);
        break;
      case "syscalls:sys_enter_seccomp":
        mark("seccomp", e.time);
        break;
      case "syscalls:sys_enter_prctl":
        if (/option: 0x0*16,/.test(e.trace) || e.trace.startsWith(`option: ${PR_SET_SECCOMP},`)) mark("seccomp", e.time);
        break;
      case "sched:sched_process_exit":
        if (e.trace.startsWith("comm=true ")) mark("targetExit", e.time);
        else if (e.pid === pid1) mark("pid1Exit", e.time);
        break;
      case "syscalls:sys_exit_wait4":
        if (e.pid === shell && !/0x0*$|0xf+$/.test(e.trace)) mark("reaped", e.time);
        break;
    }
  }
  const kept = all.slice(5).filter((r) => r.has("reaped")); // the first five are warm-up
  if (process.env.BREAKDOWN_DEBUG) for (const r of kept.slice(0, 3)) console.log(label, [...r].map(([k, t]) => `${k}+${(t - r.get("fork")!).toFixed(2)}`).join(" "));
  return kept;
}

const gen = spawnSync(process.execPath, ["--import", "tsx", join(root, "bench/frame.ts"), frame, "/bin/true"], { cwd: root, encoding: "utf8" });
if (gen.status !== 0) throw new Error(`bench/frame.ts failed: ${gen.stderr}`);
const subjects: [string, string][] = [
  ["engine", `${engine} run --frame ${frame}`],
  ["bwrap", `bwrap ${BWRAP_ARGS.join(" ")} /bin/true`],
  ["unshare", "unshare -Urmnpf --mount-proc /bin/true"],
];
console.log(`start-up breakdown: ${runs} runs each under perf record (tracepoints only); load ${loadAverage()}`);
const results = subjects.map(([label, cmd]) => [label, record(label, cmd)] as const);

console.log(`\nmedian ms since the shell's fork at which each milestone is reached (blank: the tool has no such step)`);
console.log(`${"milestone".padEnd(52)}${results.map(([l]) => l.padStart(10)).join("")}`);
for (const [m, what] of MILESTONES.slice(1)) {
  const cells = results.map(([, rs]) => {
    const offsets = rs.filter((r) => r.has(m)).map((r) => r.get(m)! - r.get("fork")!);
    return (offsets.length ? quantile(offsets, 0.5).toFixed(2) : "").padStart(10);
  });
  console.log(`${`${m}: ${what}`.padEnd(52)}${cells.join("")}`);
}
console.log(`runs parsed: ${results.map(([l, rs]) => `${l} ${rs.length}`).join(", ")}; load after ${loadAverage()}`);
