/**
 * Starting the engine for `run()`, with a spare kept ready for the next call. A spare engine is
 * an engine process that has not read its frame yet: it has done the runtime's spawn and its own
 * start-up (≈1-3 ms) while the caller waited for the previous sandbox, and does nothing else
 * until the frame arrives on fd 3. The frame decides everything about the sandbox (namespaces,
 * view, limits, network), all made after it is read, so nothing is shared between runs.
 *
 * A spare is made only once a second run has been started (a one-shot caller never pays for
 * one), only when the engine's stdout and stderr are pipes (an engine whose frame never comes
 * says so on its stderr, which must not be the caller's terminal), used only for the same engine
 * path and stdio, and unreferenced while it waits, so it never keeps the caller's event loop
 * alive. When the caller exits, its fd 3 reaches end-of-file and the engine exits without
 * running anything.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";

/** How fds 0, 1 and 2 of the engine are set up (3, 4 and 5 are always pipes). */
export type EngineStdio = readonly ["pipe" | "ignore" | "inherit", "pipe" | "inherit", "pipe" | "inherit"];

interface Spare {
  engine: string;
  stdio: string;
  child: ChildProcess;
  alive: boolean;
  /** Marks the spare dead; listens for the child's "error" and "exit" until the spare is taken. */
  dead: () => void;
}

let spare: Spare | undefined;
let started = 0;

interface Referable {
  ref?: () => void;
  unref?: () => void;
}

function streams(child: ChildProcess): Referable[] {
  return (child.stdio as unknown as (Referable | null)[]).filter((s): s is Referable => s !== null);
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
  let child: ChildProcess;
  try {
    child = spawnEngine(engine, stdio);
  } catch {
    return; // the next run spawns its own engine and reports the failure
  }
  const s: Spare = {
    engine,
    stdio: stdio.join(),
    child,
    alive: true,
    dead: () => {
      s.alive = false;
      if (spare === s) spare = undefined;
    },
  };
  child.on("error", s.dead);
  child.on("exit", s.dead);
  for (const stream of [child, ...streams(child)]) {
    (stream as unknown as { on(e: string, f: () => void): void }).on?.("error", () => {});
    stream.unref?.();
  }
  spare = s;
}

/**
 * An engine process for one run, waiting for its frame on fd 3: the spare when it fits, else a
 * new one. From the second call on, a new spare is started once the caller is back in its event
 * loop.
 */
export function startEngine(engine: string, stdio: EngineStdio): ChildProcess {
  const key = stdio.join();
  let child: ChildProcess | undefined;
  const s = spare;
  spare = undefined;
  if (s?.alive && s.engine === engine && s.stdio === key) {
    child = s.child;
    child.off("error", s.dead);
    child.off("exit", s.dead);
    for (const stream of [child, ...streams(child)]) stream.ref?.();
  } else if (s?.alive) {
    s.child.kill("SIGKILL"); // another engine or other stdio: it has not read a frame, so ran nothing
  }
  child ??= spawnEngine(engine, stdio);
  if (++started > 1 && stdio[0] !== "inherit" && stdio[1] === "pipe" && stdio[2] === "pipe") {
    setImmediate(() => makeSpare(engine, stdio));
  }
  return child;
}
