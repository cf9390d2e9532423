/**
 * `run()` and `spawnSandbox()`: start the engine with the frame on fd 3, read its events on fd 4,
 * answer its questions on fd 5, and report how the target ended.
 *
 * Runtime note: `node:child_process` `spawn` with `"pipe"` for fds 3, 4 and 5 behaves the same in
 * Node 20, Deno 2 and Bun 1 (each end is a stream we can write or read and `end()`); other
 * stdio kinds for extra fds (numbers, streams) do not, so only pipes are used.
 *
 * @module
 */
import { constants } from "node:os";
import type { Readable, Writable } from "node:stream";
import { concatBytes } from "./bytes.ts";
import { type DiffReport, diffSnapshots, snapshot } from "./diff.ts";
import process from "node:process";
import { encodeFrame } from "./engine/frame.ts";
import { type EngineEvent, type ErrorEvent, type ExitedEvent, parseEvent } from "./engine/events.ts";
import { locateEngine } from "./engine/locate.ts";
import { isRefusal, nameRefusal } from "./engine/refusals.ts";
import { isFileRefusal, refusedOnHost } from "./engine/file-refusals.ts";
import { startEngine } from "./engine/spare.ts";
import type { EngineProcess } from "./engine/server.ts";
import { ConfigError, StockadeError } from "./errors.ts";
import { compileSeatbelt, withResolvedPaths } from "./seatbelt.ts";
import { compileRunSeccomp, networkRuleIssues, parseRunOptions, type RunOptions, seccompText, toExecConfig } from "./policy.ts";

export type { NetworkRequest, RunOptions } from "./policy.ts";

/** How a sandboxed command ended. */
export interface RunResult {
  /** Exit status the way a shell reports it: the target's code, or 128 + signal number when killed. */
  code: number;
  /** The signal that killed the target (`"SIGKILL"`), or `null` when it exited. */
  signal: string | null;
  /** Wall-clock time from spawning the engine to its exit. */
  durationMs: number;
  /** Captured standard output (empty when inherited or streamed). */
  stdout: Uint8Array;
  /** Captured standard error (empty when inherited or streamed). */
  stderr: Uint8Array;
  /** `stdout` decoded as UTF-8. */
  readonly stdoutText: string;
  /** `stderr` decoded as UTF-8. */
  readonly stderrText: string;
  /** Every event the engine reported (started, warnings, violations, exited). */
  events: EngineEvent[];
  /** Whether the wall-clock limit (`timeout`) ended the command. */
  timedOut: boolean;
  /** With `diff: true` (`run()` only): the files created, modified and deleted under the writable paths. */
  diff?: DiffReport;
}

/** A running sandbox with streaming input and output (`spawnSandbox`). */
export interface Sandbox {
  /** The target's standard output (empty when `stdout: "inherit"`). Read it, or the target may block. */
  stdout: ReadableStream<Uint8Array>;
  /** The target's standard error (empty when `stderr: "inherit"`). */
  stderr: ReadableStream<Uint8Array>;
  /** The target's standard input, when `options.stdin` was not given. Close it to send EOF. */
  stdin: WritableStream<Uint8Array>;
  /** Engine events as they happen; ends when the sandbox exits. */
  events: AsyncIterable<EngineEvent>;
  /** Settles when the sandbox exits (stdout/stderr in it are empty: they were streamed). */
  done: Promise<RunResult>;
  /** Kills the whole process tree. */
  kill(): void;
}

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));
const SIGNAL_NUMBERS = constants.signals as Record<string, number>;
/** How long the engine has to enforce `timeout` itself before we kill it from here. */
const TIMEOUT_GRACE_MS = 2000;
/** How long the engine has to take the tree down after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 1000;
const ENGINE_FAILURE = 125;

function bytes(chunk: unknown): Uint8Array {
  if (typeof chunk === "string") return new TextEncoder().encode(chunk);
  const b = chunk as Uint8Array;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function makeResult(fields: Omit<RunResult, "stdoutText" | "stderrText">): RunResult {
  return {
    ...fields,
    get stdoutText() {
      return new TextDecoder().decode(this.stdout);
    },
    get stderrText() {
      return new TextDecoder().decode(this.stderr);
    },
  };
}

/** A single-consumer async queue that ends when closed. */
class EventQueue implements AsyncIterable<EngineEvent> {
  #items: EngineEvent[] = [];
  #waiters: ((r: IteratorResult<EngineEvent>) => void)[] = [];
  #closed = false;

  push(event: EngineEvent): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter({ value: event, done: false });
    else this.#items.push(event);
  }

  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<EngineEvent> {
    return {
      next: () => {
        const item = this.#items.shift();
        if (item) return Promise.resolve({ value: item, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
    };
  }
}

/** Everything decided before the engine starts: validation, compile, frame. */
interface Prepared {
  engine: string;
  frame: Uint8Array;
  opts: RunOptions;
}

/** The synchronous half of `prepare`: validation and engine lookup, so they can throw at once. */
function validate(command: readonly string[], options: RunOptions | undefined) {
  const opts = parseRunOptions(options);
  return { opts, config: toExecConfig(command, opts), engine: locateEngine() };
}

async function prepare(checked: ReturnType<typeof validate>): Promise<Prepared> {
  const { opts, config, engine } = checked;
  if (process.platform === "darwin") {
    // macOS: a Seatbelt profile instead of seccomp (docs/macos.md).
    return { engine, frame: encodeFrame({ config, seatbelt: await compileSeatbelt(withResolvedPaths(config)) }), opts };
  }
  const seccomp = await compileRunSeccomp(await seccompText(opts.seccomp));
  return { engine, frame: encodeFrame({ config, seccomp }), opts };
}

/** A started engine, supervised until it exits. */
interface Launched {
  child: EngineProcess;
  queue: EventQueue;
  /** Resolves with the result; `stdout`/`stderr` are filled only when `collect` was asked. */
  result: Promise<RunResult>;
  kill(): void;
}

function launch(prep: Prepared, stdinMode: "pipe" | "ignore" | "inherit", collect: boolean): Launched {
  const { opts } = prep;
  const started = performance.now();
  // A served run's stdin is queued in the engine for the target: only input the caller already holds
  // whole (none, text, bytes) is served, so a stream the target never reads cannot pile up there.
  const wholeStdin = opts.stdin === undefined || typeof opts.stdin === "string" || opts.stdin instanceof Uint8Array;
  const child = startEngine(prep.engine, [stdinMode, opts.stdout ?? "pipe", opts.stderr ?? "pipe"], collect && wholeStdin);
  const stdio = child.stdio as unknown as (Readable | Writable)[];
  const framePipe = stdio[3] as Writable;
  const eventsPipe = stdio[4] as Readable;
  const answersPipe = stdio[5] as Writable;
  // The engine may exit before reading everything (a bad frame, a target that ignores stdin):
  // writes then fail with EPIPE, which the exit status reports better than the write error
  // (and a broken events pipe shows as a missing exit event).
  for (const w of [framePipe, answersPipe, child.stdin, eventsPipe]) w?.on("error", () => {});
  framePipe.end(prep.frame);

  const queue = new EventQueue();
  const events: EngineEvent[] = [];
  let failure: ErrorEvent | undefined;
  let exited: ExitedEvent | undefined;
  let aborted = false;
  let killedForTimeout = false;
  let killedByUs = false;
  let closed = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;

  const kill = () => {
    if (closed || killTimer) return;
    killedByUs = true;
    child.kill("SIGTERM");
    killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  };

  const answer = async (id: number, host: string, port: number, protocol: string) => {
    let allow = false;
    try {
      allow = (await opts.onNetworkRequest?.({ host, port, protocol })) === true;
    } catch {
      allow = false; // a throwing callback refuses: fail closed
    }
    if (!closed) answersPipe.write(JSON.stringify({ id, allow }) + "\n");
  };

  // Refusals are named by the compiler's tables (async, loaded at the first one): from then on
  // the queue takes each event after the names before it, so order and names hold for streams.
  let naming: Promise<void> | undefined;
  const deliver = (event: EngineEvent) => naming ? void naming.then(() => queue.push(event)) : queue.push(event);

  const decoder = new TextDecoder();
  let pending = "";
  const onLine = (line: string) => {
    if (line.trim() === "") return;
    const event = parseEvent(line);
    if (!event) {
      failure ??= {
        type: "error",
        step: "events",
        message: `The engine wrote an unreadable event line: ${JSON.stringify(line.slice(0, 200))}`,
      };
      return;
    }
    // A path the view does not grant but the host does not have either was refused nothing.
    if (isFileRefusal(event) && !refusedOnHost(event.data)) return;
    events.push(event);
    if (event.type === "error") failure ??= event;
    if (event.type === "exited") exited = event;
    if (event.type === "ask") void answer(event.id, event.host, event.port, event.protocol);
    if (isRefusal(event)) naming = (naming ?? Promise.resolve()).then(() => nameRefusal(event));
    deliver(event);
  };
  eventsPipe.on("data", (chunk: unknown) => {
    pending += decoder.decode(bytes(chunk), { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    lines.forEach(onLine);
  });

  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  if (collect) {
    child.stdout?.on("data", (c: unknown) => out.push(bytes(c)));
    child.stderr?.on("data", (c: unknown) => err.push(bytes(c)));
  }

  const signal = opts.signal;
  const onAbort = () => {
    aborted = true;
    kill();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  const timeoutTimer = opts.timeout === undefined ? undefined : setTimeout(() => {
    killedForTimeout = true;
    kill();
  }, opts.timeout + TIMEOUT_GRACE_MS);

  const result = new Promise<RunResult>((resolve, reject) => {
    child.on("error", (e: Error & { code?: string }) => {
      closed = true;
      reject(
        new StockadeError("ENGINE_FAILED", `Cannot start the engine "${prep.engine}": ${e.message}`, "check that it is executable", {
          cause: e,
        }),
      );
    });
    let settled = false;
    const settle = (engineCode: number | null, engineSignal: string | null) => {
      if (settled) return;
      settled = true;
      closed = true;
      clearTimeout(killTimer);
      clearTimeout(timeoutTimer);
      signal?.removeEventListener("abort", onAbort);
      if (pending !== "") onLine(pending);
      if (naming) void naming.then(() => queue.close());
      else queue.close();
      const stderrTail = new TextDecoder().decode(concatBytes(err)).trim().split("\n").slice(-5).join("\n");
      if (aborted) return reject(signal?.reason ?? new DOMException("The run was aborted", "AbortError"));
      // Once we have killed the engine, an error it reports on the way down is that kill's echo.
      // A network rule the engine's parser refused is the caller's input error: name its field.
      const ruleIssues = failure?.step === "network" ? networkRuleIssues(failure.message, opts) : [];
      if (ruleIssues.length > 0) return reject(new ConfigError("run options", ruleIssues));
      if (failure && !killedByUs) {
        const what = events.some((e) => e.type === "started") ? "The sandbox failed" : "The sandbox could not start";
        return reject(new StockadeError("ENGINE_FAILED", `${what}: ${failure.step}: ${failure.message}`, failure.hint));
      }
      let code: number;
      let sig: string | null;
      if (exited) {
        sig = exited.signal;
        code = exited.code ?? 128 + (sig ? SIGNAL_NUMBERS[sig] ?? 0 : 0);
      } else if (killedByUs) {
        // We sent SIGTERM (then SIGKILL): report the signal that ended the engine, else ours.
        sig = engineSignal ?? "SIGTERM";
        code = 128 + (SIGNAL_NUMBERS[sig] ?? 15);
      } else if (engineCode === ENGINE_FAILURE || engineSignal !== null) {
        const how = engineSignal ? `was killed by ${engineSignal}` : `failed with exit code ${ENGINE_FAILURE}`;
        return reject(
          new StockadeError("ENGINE_FAILED", `The engine ${how} before the target exited${stderrTail ? `: ${stderrTail}` : ""}`),
        );
      } else {
        // No exit event but a plain status: the engine's status is the target's by contract.
        code = engineCode ?? 0;
        sig = code > 128 ? SIGNAL_NAMES.get(code - 128) ?? null : null;
      }
      const fields = {
        code,
        signal: sig,
        durationMs: performance.now() - started,
        stdout: concatBytes(out),
        stderr: concatBytes(err),
        events,
        timedOut: (exited?.timedOut ?? false) || killedForTimeout,
      };
      resolve(naming ? naming.then(() => makeResult(fields)) : makeResult(fields));
    };
    child.on("close", settle);
    // Once the target's tree is gone the engine sends `exited`, its last event, and closes stdio
    // and the events pipe: the result is final at that end-of-file. The engine then reaps the
    // sandbox's PID 1 while its namespaces are torn down and exits (≈1 ms later; Node reaps it).
    let open = 1 + (child.stdout ? 1 : 0) + (child.stderr ? 1 : 0);
    const ended = () => {
      if (--open > 0) return;
      if (pending !== "") onLine(pending);
      pending = "";
      if (exited) settle(null, null);
    };
    for (const r of [eventsPipe, child.stdout, child.stderr]) r?.once("end", ended);
  });
  return { child, queue, result, kill };
}

/** Feeds `stdin` (bytes, text or a web stream) to the engine's standard input, then ends it. */
async function feedStdin(stdin: Writable | null, data: RunOptions["stdin"]): Promise<void> {
  if (!stdin || data === undefined || data === "inherit") return;
  if (typeof data === "string" || data instanceof Uint8Array) {
    stdin.end(data);
    return;
  }
  const reader = data.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || stdin.destroyed) break;
      if (!stdin.write(value)) {
        await new Promise<void>((resolve) => {
          stdin.once("drain", resolve);
          stdin.once("close", resolve);
        });
      }
    }
  } finally {
    reader.releaseLock();
    stdin.end();
  }
}

function stdinMode(stdin: RunOptions["stdin"], streaming: boolean): "pipe" | "ignore" | "inherit" {
  if (stdin === "inherit") return "inherit";
  return stdin === undefined && !streaming ? "ignore" : "pipe";
}

/**
 * Runs a command in the sandbox and resolves when it ends, with its exit status, captured output
 * and the engine's events. Defaults are deny-by-default (see `toExecConfig`).
 *
 * @throws {ConfigError} when options or the command do not validate (field paths named).
 * @throws {StockadeError} `ENGINE_NOT_FOUND`, or `ENGINE_FAILED` when the sandbox could not start.
 * @example
 * ```ts
 * import { run } from "./run.ts";
 * const result = await run(["sh", "-c", "echo hello; exit 3"]);
 * console.log(result.code, result.stdoutText); // 3 "hello\n"
 * ```
 */
export async function run(command: readonly string[], options?: RunOptions): Promise<RunResult> {
  const checked = validate(command, options);
  const prep = await prepare(checked);
  if (prep.opts.signal?.aborted) throw prep.opts.signal.reason;
  const before = prep.opts.diff ? snapshot(checked.config.fs.write) : undefined;
  const launched = launch(prep, stdinMode(prep.opts.stdin, false), true);
  void feedStdin(launched.child.stdin, prep.opts.stdin).catch(() => launched.kill());
  const result = await launched.result;
  if (before) result.diff = diffSnapshots(before, snapshot(before.roots));
  return result;
}

/** A web ReadableStream over a Node readable, with backpressure; `null` gives an empty stream. */
function webReadable(ready: Promise<Readable | null>): ReadableStream<Uint8Array> {
  let source: Readable | null = null;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      ready.then((node) => {
        source = node;
        if (!node) return controller.close();
        node.on("data", (chunk: unknown) => {
          controller.enqueue(new Uint8Array(bytes(chunk)));
          if ((controller.desiredSize ?? 1) <= 0) node.pause();
        });
        node.on("end", () => controller.close());
        node.on("error", (e) => controller.error(e));
      }, (e) => controller.error(e));
    },
    pull() {
      source?.resume();
    },
    cancel() {
      source?.destroy();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: 1 << 16 }));
}

/** A web WritableStream onto the engine's stdin, once it exists. */
function webWritable(ready: Promise<Writable | null>): WritableStream<Uint8Array> {
  const target = async () => {
    const node = await ready;
    if (!node) {
      throw new StockadeError("USAGE_ERROR", "This sandbox's stdin is not a stream", "leave options.stdin unset to write to stdin");
    }
    return node;
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      const node = await target();
      if (!node.write(chunk)) {
        await new Promise<void>((resolve) => {
          node.once("drain", resolve);
          node.once("close", resolve);
        });
      }
    },
    async close() {
      (await target()).end();
    },
    async abort() {
      (await ready)?.destroy();
    },
  });
}

/**
 * Starts a command in the sandbox and returns at once with web streams for its input and output,
 * its events as they happen, `done` for the result, and `kill()`. Read `stdout` and `stderr`
 * (or set them to `"inherit"`), or a chatty target blocks on a full pipe.
 *
 * @throws {ConfigError} at once when options or the command do not validate.
 * @throws {StockadeError} `ENGINE_NOT_FOUND` at once; a later failure to start rejects `done`
 *   and errors the output streams.
 * @example
 * ```ts
 * import { spawnSandbox } from "./run.ts";
 * const box = spawnSandbox(["cat"]);
 * const writer = box.stdin.getWriter();
 * await writer.write(new TextEncoder().encode("hi"));
 * await writer.close();
 * console.log(await new Response(box.stdout).text(), (await box.done).code); // "hi" 0
 * ```
 */
export function spawnSandbox(command: readonly string[], options?: RunOptions): Sandbox {
  const launched: Promise<Launched> = prepare(validate(command, options)).then((prep) => {
    const l = launch(prep, stdinMode(prep.opts.stdin, true), false);
    if (prep.opts.stdin !== undefined) void feedStdin(l.child.stdin, prep.opts.stdin).catch(() => l.kill());
    return l;
  });
  const explicitStdin = options?.stdin !== undefined;
  const done = launched.then((l) => l.result);
  // Without this, a caller who only reads the streams would crash Node on a failed start.
  done.catch(() => {});
  let killed = false;
  const events: AsyncIterable<EngineEvent> = {
    [Symbol.asyncIterator]() {
      let inner: AsyncIterator<EngineEvent> | undefined;
      return {
        async next() {
          inner ??= (await launched).queue[Symbol.asyncIterator]();
          return inner.next();
        },
      };
    },
  };
  return {
    stdout: webReadable(launched.then((l) => l.child.stdout)),
    stderr: webReadable(launched.then((l) => l.child.stderr)),
    stdin: webWritable(launched.then((l) => (explicitStdin ? null : l.child.stdin))),
    events,
    done,
    kill() {
      if (killed) return;
      killed = true;
      launched.then((l) => l.kill(), () => {});
    },
  };
}
