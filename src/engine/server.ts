/**
 * One engine serving the caller's runs (`stockade-engine serve`, docs/engine-protocol.md "Serving
 * many runs"). A caller that runs sandbox after sandbox pays neither its runtime's spawn nor the
 * engine's start-up per run, and finds the next sandbox's PID 1 forked, its namespaces made. Each
 * run is still its own sandbox, exactly what `stockade-engine run` makes of the same frame; only
 * its stdio, events and answers travel as messages over the server's fds 3 and 4.
 *
 * A served run looks to `run.ts` like the engine process it would otherwise spawn (`ServedRun`:
 * stdio 0-5, `kill`, "close" with the engine's exit code), so one code path supervises both.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { constants } from "node:os";
import { PassThrough, type Readable, Writable } from "node:stream";
import { concatBytes } from "../bytes.ts";

/** What `run.ts` needs of an engine: a spawned `stockade-engine run`, or a served run. */
export interface EngineProcess {
  readonly stdio: readonly unknown[];
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
  // deno-lint-ignore no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** Kinds of request and reply (engine/internal/serve/wire.go). */
const Request = { start: 1, stdin: 2, stdinEnd: 3, answer: 4, signal: 5 } as const;
const Reply = { event: 1, stdout: 2, stderr: 3, end: 4 } as const;
const HEADER = 9;
const NO_BYTES = new Uint8Array(0);

/** A run of the server, shaped like the engine process `run.ts` would spawn for it. */
class ServedRun extends EventEmitter implements EngineProcess {
  readonly stdin: Writable | null;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly events = new PassThrough();
  readonly stdio: readonly unknown[];
  #over = false;

  constructor(readonly server: EngineServer, readonly id: number, stdinPipe: boolean) {
    super();
    const send = (kind: number) => (chunk: Uint8Array, _: unknown, done: (e?: Error | null) => void) =>
      this.#over ? done() : server.send(kind, id, chunk, done);
    this.stdin = stdinPipe
      ? new Writable({ write: send(Request.stdin), final: (done) => send(Request.stdinEnd)(NO_BYTES, null, done) })
      : null;
    const frame: Uint8Array[] = [];
    const start = new Writable({
      write: (chunk: Uint8Array, _, done) => (frame.push(chunk), done()),
      final: (done) => server.send(Request.start, id, concatBytes([Uint8Array.of(stdinPipe ? 1 : 0), ...frame]), done),
    });
    const answers = new Writable({ write: send(Request.answer) });
    this.stdio = [this.stdin, this.stdout, this.stderr, start, this.events, answers];
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    if (this.#over) return false;
    this.server.send(Request.signal, this.id, Uint8Array.of(constants.signals[signal]));
    return true;
  }

  /** A reply of this run. */
  deliver(kind: number, payload: Uint8Array): void {
    if (kind === Reply.stdout) this.stdout.write(payload);
    else if (kind === Reply.stderr) this.stderr.write(payload);
    else if (kind === Reply.event) this.events.write(payload);
    else if (kind === Reply.end) this.finish(new DataView(payload.buffer, payload.byteOffset).getUint32(0, true), null);
  }

  /** Ends the outputs and says "close" once they have been read to the end, as a process does. */
  finish(code: number | null, signal: string | null): void {
    if (this.#over) return;
    this.#over = true;
    const outputs = [this.stdout, this.stderr, this.events];
    let open = outputs.length;
    for (const s of outputs) {
      s.once("end", () => --open === 0 && this.emit("close", code, signal));
      if (s.listenerCount("data") === 0) s.resume(); // nobody reads it: let it end
      s.end();
    }
  }

  /** The server could not be started: the run fails as a spawn would. */
  fail(error: Error): void {
    this.#over = true;
    this.emit("error", error);
  }
}

/** A `stockade-engine serve` process and its runs. */
class EngineServer {
  readonly child: ChildProcess;
  readonly #requests: Writable;
  readonly #runs = new Map<number, ServedRun>();
  #next = 1;
  #pending: Uint8Array = NO_BYTES;
  #stderrTail = "";
  #retired = false;
  alive = true;

  constructor(readonly engine: string, readonly inherited: string) {
    this.child = spawn(engine, ["serve"], {
      stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"],
      // Nothing from the caller: each run's environment travels in its frame.
      env: {},
    });
    const stdio = this.child.stdio as unknown as [null, null, Readable, Writable, Readable];
    this.#requests = stdio[3];
    this.#requests.on("error", () => {}); // the server's end shows as its exit
    stdio[4].on("data", (chunk: Uint8Array) => this.#read(chunk));
    stdio[2].on("data", (chunk: Uint8Array) => {
      this.#stderrTail = (this.#stderrTail + new TextDecoder().decode(chunk)).slice(-2000);
    });
    this.child.on("error", (e) => this.#die(e));
    this.child.on("close", (code, signal) => this.#die(undefined, code, signal));
    this.#setRef(false);
  }

  start(stdinPipe: boolean): ServedRun {
    const run = new ServedRun(this, this.#next++, stdinPipe);
    this.#runs.set(run.id, run);
    if (this.#runs.size === 1) this.#setRef(true);
    return run;
  }

  send(kind: number, id: number, payload: Uint8Array, done?: (e?: Error | null) => void): void {
    const m = new Uint8Array(HEADER + payload.byteLength);
    const view = new DataView(m.buffer);
    view.setUint32(0, payload.byteLength, true);
    view.setUint8(4, kind);
    view.setUint32(5, id, true);
    m.set(payload, HEADER);
    // A server that is gone fails the write; its runs learn that from its exit.
    this.#requests.write(m, () => done?.());
  }

  /** No new runs; the process ends once its last run has. */
  retire(): void {
    this.#retired = true;
    if (this.#runs.size === 0) this.child.kill("SIGKILL");
  }

  #read(chunk: Uint8Array): void {
    let buf = this.#pending.byteLength === 0 ? chunk : concatBytes([this.#pending, chunk]);
    let at = 0;
    while (buf.byteLength - at >= HEADER) {
      const view = new DataView(buf.buffer, buf.byteOffset + at);
      const size = view.getUint32(0, true);
      if (buf.byteLength - at - HEADER < size) break;
      const kind = view.getUint8(4);
      const run = this.#runs.get(view.getUint32(5, true));
      run?.deliver(kind, buf.subarray(at + HEADER, at + HEADER + size));
      at += HEADER + size;
      if (run && kind === Reply.end) this.#ended(run);
    }
    buf = buf.subarray(at);
    this.#pending = buf.byteLength === 0 ? NO_BYTES : buf.slice();
  }

  #ended(run: ServedRun): void {
    this.#runs.delete(run.id);
    if (this.#runs.size > 0) return;
    if (this.#retired) this.child.kill("SIGKILL");
    else this.#setRef(false);
  }

  /** The server is gone: its runs end as their engine's exit would end them. */
  #die(error?: Error, code?: number | null, signal?: NodeJS.Signals | null): void {
    this.alive = false;
    if (server === this) server = undefined;
    for (const run of this.#runs.values()) {
      if (error) run.fail(error);
      else {
        if (this.#stderrTail) run.stderr.write(this.#stderrTail);
        run.finish(signal ? null : code ?? null, signal ?? null);
      }
    }
    this.#runs.clear();
  }

  /** Referenced while runs are under way; unreferenced between them, so it never keeps the
   * caller's event loop alive (when the caller exits, fd 3 closes and the server exits). */
  #setRef(ref: boolean): void {
    setReferenced(this.child, ref);
  }
}

/** References a child process and its stdio, or unreferences them: then they do not keep the
 * caller's event loop alive. */
export function setReferenced(child: ChildProcess, ref: boolean): void {
  for (const s of [child, ...(child.stdio as unknown[])]) {
    const r = s as { ref?: () => void; unref?: () => void } | null;
    if (ref) r?.ref?.();
    else r?.unref?.();
  }
}

let server: EngineServer | undefined;

/**
 * A served run of `engine`, on the server started for it (a new one when there is none, or when
 * the caller's process is no longer as it was when the server started: `inherited` is what a
 * sandbox inherits from it).
 */
export function serveRun(engine: string, inherited: string, stdinPipe: boolean): EngineProcess {
  if (server && (server.engine !== engine || server.inherited !== inherited || !server.alive)) {
    server.retire();
    server = undefined;
  }
  server ??= new EngineServer(engine, inherited);
  return server.start(stdinPipe);
}
