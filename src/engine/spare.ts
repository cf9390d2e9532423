/**
 * Starting the engine for `run()`, with a spare kept ready for the next call. A spare engine is
 * an engine process that has not read its frame yet: it has done the runtime's spawn and its own
 * start-up (≈1-3 ms) while the caller waited for the previous sandbox, and does nothing else
 * until the frame arrives on fd 3. The frame decides everything about the sandbox (namespaces,
 * view, limits, network), all made after it is read, so nothing is shared between runs.
 *
 * A spare is made only once a second run has been started (a one-shot caller never pays for
 * one), only when the engine's stdout and stderr are pipes (an engine whose frame never comes
 * says so on its stderr, which must not be the caller's terminal), and used only for the same
 * engine path and stdio, and while the caller's process is as it was when the spare started
 * (credentials, umask, cgroup: what the engine and the sandbox inherit from it). It is
 * unreferenced while it waits, so it never keeps the caller's event loop alive. When the caller
 * exits, its fd 3 reaches end-of-file and the engine exits without running anything.
 *
 * A run whose output is collected and whose stdin is held whole (`run()`), from the second on,
 * goes to an engine that serves many runs instead (server.ts): it saves the spawn and the engine's
 * start-up per run, not only their wait, under the same conditions.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { type EngineProcess, serveRun, setReferenced } from "./server.ts";

/** How fds 0, 1 and 2 of the engine are set up (3, 4 and 5 are always pipes). */
export type EngineStdio = readonly ["pipe" | "ignore" | "inherit", "pipe" | "inherit", "pipe" | "inherit"];

interface Spare {
  engine: string;
  stdio: string;
  inherited: string;
  child: ChildProcess;
  alive: boolean;
  /** Marks the spare dead; listens for the child's "error" and "exit" until the spare is taken. */
  dead: () => void;
}

let spare: Spare | undefined;
let started = 0;

/** What an engine inherits from this process and the sandbox from it: ids, groups, capabilities,
 * no_new_privs, seccomp, umask (/proc/self/status) and the cgroup the engine makes its own under. */
function inheritedState(): string {
  try {
    const status = readFileSync("/proc/self/status", "utf8").split("\n")
      .filter((l) => /^(Umask|Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):/.test(l));
    return `${status.join("\n")}\n${readFileSync("/proc/self/cgroup", "utf8")}`;
  } catch {
    return ""; // no procfs: no spare
  }
}

function spawnEngine(engine: string, stdio: EngineStdio): ChildProcess {
  return spawn(engine, ["run"], {
    stdio: [...stdio, "pipe", "pipe", "pipe"],
    // Nothing from the caller: the target's environment travels in the frame, and an engine
    // process visible from inside must not hold the caller's secrets in /proc/PID/environ.
    env: {},
  });
}

function makeSpare(engine: string, stdio: EngineStdio): void {
  if (spare) return;
  const inherited = inheritedState();
  if (inherited === "") return;
  let child: ChildProcess;
  try {
    child = spawnEngine(engine, stdio);
  } catch {
    return; // the next run spawns its own engine and reports the failure
  }
  const s: Spare = {
    engine,
    stdio: stdio.join(),
    inherited,
    child,
    alive: true,
    dead: () => {
      s.alive = false;
      if (spare === s) spare = undefined;
    },
  };
  child.on("error", s.dead);
  child.on("exit", s.dead);
  for (const stream of child.stdio) (stream as { on(e: string, f: () => void): void } | null)?.on("error", () => {});
  setReferenced(child, false);
  spare = s;
}

/**
 * An engine for one run, waiting for its frame on fd 3: from the second call on a served run when
 * `servable` (the caller reads stdout and stderr to their end and holds its stdin whole, as
 * `run()` does); else the spare when it fits, or a new process. From the second call on, a new spare is started once the
 * caller is back in its event loop.
 */
export function startEngine(engine: string, stdio: EngineStdio, servable: boolean): EngineProcess {
  const piped = stdio[0] !== "inherit" && stdio[1] === "pipe" && stdio[2] === "pipe";
  if (servable && piped && started > 0 && process.platform === "linux") {
    const inherited = inheritedState();
    if (inherited !== "") return serveRun(engine, inherited, stdio[0] === "pipe");
  }
  const key = stdio.join();
  let child: ChildProcess | undefined;
  const s = spare;
  spare = undefined;
  if (s?.alive && s.engine === engine && s.stdio === key && s.inherited === inheritedState()) {
    child = s.child;
    child.off("error", s.dead);
    child.off("exit", s.dead);
    setReferenced(child, true);
  } else if (s?.alive) {
    s.child.kill("SIGKILL"); // it does not fit: it has not read a frame, so it ran nothing
  }
  child ??= spawnEngine(engine, stdio);
  if (++started > 1 && piped) {
    setImmediate(() => makeSpare(engine, stdio));
  }
  return child;
}
