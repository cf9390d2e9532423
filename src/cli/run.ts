/**
 * `stockade run [options] -- CMD ARGS…`: run one command in the sandbox from the shell.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { ConfigError, StockadeError } from "../errors.ts";
import type { EngineEvent } from "../engine/events.ts";
import { run, type RunOptions } from "../run.ts";
import { loadPolicy, mergeRunOptions } from "../policyfile/options.ts";
import { DURATION_HINT, durationMs, SIZE_HINT, sizeBytes } from "../policyfile/units.ts";
import { Exit, usageError, writeStdout } from "./common.ts";
import { formatDiff } from "../diff.ts";
import { hostArch } from "../compile.ts";
import { isRefusal, refusedSyscalls } from "../engine/refusals.ts";
import { isFileRefusal, refusedFiles } from "../engine/file-refusals.ts";

/** `stockade run --help`. */
export const RUN_HELP = `Usage: stockade run [options] -- CMD [ARGS...]

Run CMD in the sandbox: system directories and the working directory read-only, no network,
a minimal environment, the baseline seccomp policy. The exit status is CMD's own
(128 + signal number when it was killed).

Options:
  --policy NAME|FILE   start from a preset (npm, pip, cargo… see \`stockade policies\`) or a
                       policy file; the flags below add to it (paths, hosts, variables) or
                       replace its values (limits, --net)
  --unprotect NAME     let CMD change a protected path: .git, .git/hooks, .env, .vscode,
                       .claude, .bashrc… (repeatable; see docs/policy-file.md)
  --allow-read PATH    also bind PATH read-only (repeatable)
  --allow-write PATH   bind PATH read-write, e.g. --allow-write . (repeatable)
  --hide PATH          make PATH invisible and uncreatable (repeatable)
  --net MODE           none (default: no network) or host (the host's network, unfiltered)
  --allow-net HOST     reach HOST through the filtering proxy (repeatable): example.com,
                       *.example.com (subdomains, not the apex), host:8443, [2001:db8::1]:443;
                       without a port only 80 and 443; loopback and private addresses need
                       an IP rule naming them, e.g. 127.0.0.1:8080
  --deny-net HOST      refuse HOST even when an --allow-net rule matches (repeatable; every
                       port unless one is given)
  --env NAME[=VALUE]   pass the caller's NAME, or set it to VALUE (repeatable)
  --memory SIZE        memory limit: bytes, or with k, m, g (512m)
  --pids N             at most N processes
  --timeout DURATION   kill the whole tree after DURATION: 30 or 30s, 1500ms, 2m
  --cwd DIR            working directory (default: the current one)
  --diff               after the run, list every file created, modified or deleted under the
                       writable paths with size and SHA-256 (on stderr; in "diff" with --json)
  --no-report-files    do not watch for refused files (each file call, open, exec, mkdir,
                       unlink…, costs a round trip to the engine while they are watched)
  --json               print the result and events as JSON on stdout (output is captured),
                       with "refusedHosts", "refusedSyscalls" and "refusedFiles"
  -q, --quiet          do not print warnings and refusals on stderr, and (without --json) do
                       not watch for refused system calls or files at all
  -h, --help           show this help

After the run, refused hosts, the system calls the seccomp policy refused with an errno
(unshare, ptrace, mount, io_uring…) and the files the view refused that exist on this host are
listed on stderr:
  stockade: refused syscalls: unshare ×2, ptrace
  stockade: refused files: /home/me/.ssh/id_ed25519 (read), /etc/passwd (write)

Exit status: CMD's, 64 usage error, 125 the sandbox could not start.`;

/** Parses `512m` style sizes into bytes. */
export function parseSize(text: string): number {
  const bytes = sizeBytes(text);
  if (bytes === undefined) throw usageError(`Invalid size "${text}"`, SIZE_HINT);
  return bytes;
}

/** Parses `30`, `30s`, `1500ms`, `2m` into milliseconds (a bare number is seconds). */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw usageError(`Invalid duration "${text}"`, DURATION_HINT);
  return ms;
}

function parseCount(flag: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw usageError(`Invalid ${flag} "${text}"`, "use a whole number of at least 1");
  return Number(text);
}

function parseEnv(entries: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq === 0) throw usageError(`Invalid --env "${entry}"`, "use NAME or NAME=VALUE");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    else if (process.env[entry] !== undefined) env[entry] = process.env[entry] as string;
  }
  return env;
}

/** Splits argv at the first `--`: flags before it, the command after it. */
function splitCommand(argv: string[]): { flags: string[]; command: string[] | undefined } {
  const at = argv.indexOf("--");
  return at < 0 ? { flags: argv, command: undefined } : { flags: argv.slice(0, at), command: argv.slice(at + 1) };
}

/** Builds run options from parsed flags. */
function toOptions(values: Record<string, string | boolean | string[] | undefined>): RunOptions {
  const list = (name: string) => (values[name] as string[] | undefined) ?? [];
  const options: RunOptions = { stdin: "inherit" };
  if (values.cwd !== undefined) options.cwd = values.cwd as string;
  if (list("allow-read").length) options.read = list("allow-read");
  if (list("allow-write").length) options.write = list("allow-write");
  if (list("hide").length) options.hide = list("hide");
  if (list("unprotect").length) options.unprotect = list("unprotect");
  if (list("env").length) options.env = parseEnv(list("env"));
  const net = values.net as string | undefined;
  if (net !== undefined && net !== "none" && net !== "host") throw usageError(`Invalid --net "${net}"`, "use none or host");
  if (list("allow-net").length) {
    if (net !== undefined) throw usageError(`--allow-net cannot be combined with --net ${net}`, "drop one of them");
    options.network = { allow: list("allow-net"), deny: list("deny-net") };
  } else if (list("deny-net").length) {
    throw usageError("--deny-net needs --allow-net", "list the hosts to reach with --allow-net HOST; without it nothing is reachable");
  } else if (net) options.network = net as "none" | "host";
  if (values.memory !== undefined) options.memory = parseSize(values.memory as string);
  if (values.pids !== undefined) options.pids = parseCount("--pids", values.pids as string);
  if (values.timeout !== undefined) options.timeout = parseDuration(values.timeout as string);
  if (!values.json) {
    options.stdout = "inherit";
    options.stderr = "inherit";
  }
  return options;
}

/** The flags that shape the policy; `stockade compile --format seatbelt` takes them too. */
export const POLICY_FLAGS = {
  "allow-read": { type: "string", multiple: true },
  "allow-write": { type: "string", multiple: true },
  hide: { type: "string", multiple: true },
  policy: { type: "string" },
  unprotect: { type: "string", multiple: true },
  net: { type: "string" },
  "allow-net": { type: "string", multiple: true },
  "deny-net": { type: "string", multiple: true },
  env: { type: "string", multiple: true },
  memory: { type: "string" },
  pids: { type: "string" },
  timeout: { type: "string" },
  cwd: { type: "string" },
} as const;

/** Run options from parsed `POLICY_FLAGS`; flags over the policy: lists add up, values given on the command line win. */
export async function optionsFromFlags(values: Record<string, string | boolean | string[] | undefined>): Promise<RunOptions> {
  const options = toOptions(values);
  if (values.policy === undefined) return options;
  return mergeRunOptions(await loadPolicy(values.policy as string, { cwd: values.cwd as string | undefined }), options);
}

/** One refused network destination, with how often it was tried (`--json`'s `refusedHosts`). */
export interface RefusedHost {
  host: string;
  port: number;
  protocol: string;
  /** Why the first attempt was refused. */
  reason: string;
  count: number;
}

/** The network refusals among `events`, one entry per host, port and protocol, in first-seen order. */
export function refusedHosts(events: readonly EngineEvent[]): RefusedHost[] {
  const byKey = new Map<string, RefusedHost>();
  for (const e of events) {
    if (e.type !== "violation" || e.kind !== "network") continue;
    const host = String(e.data?.host ?? e.detail);
    const port = Number(e.data?.port ?? 0);
    const protocol = String(e.data?.protocol ?? "");
    const key = `${host}\0${port}\0${protocol}`;
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { host, port, protocol, reason: String(e.data?.reason ?? ""), count: 1 });
  }
  return [...byKey.values()];
}

/**
 * Calls the CLI's summary leaves out (they stay in `events` and `--json`): glibc tries clone3 for
 * every thread and posix_spawn, and falls back to clone, which the baseline checks by its flags;
 * naming it after nearly every run would bury the refusals that matter.
 */
const FALLBACK_PROBES = new Set(["clone3"]);

/** `unshare ×2, ptrace, clone (i386)`: the refused calls for the summary line. */
function refusedSyscallsLine(events: readonly EngineEvent[]): string | undefined {
  const native = hostArch();
  const items = refusedSyscalls(events)
    .filter((r) => !FALLBACK_PROBES.has(r.syscall))
    .map((r) => `${r.syscall}${r.arch === native ? "" : ` (${r.arch})`}${r.count > 1 ? ` ×${r.count}` : ""}`);
  return items.length ? `stockade: refused syscalls: ${items.join(", ")}` : undefined;
}

/** How many refused files the summary line names; `--json` carries them all. */
const FILES_SHOWN = 10;

/** `/home/me/.ssh/id_ed25519 (read), /etc/passwd (write) and 3 more`: the refused files for the summary line. */
function refusedFilesLine(events: readonly EngineEvent[]): string | undefined {
  const files = refusedFiles(events);
  if (files.length === 0) return undefined;
  const shown = files.slice(0, FILES_SHOWN).map((f) => `${f.path} (${f.access})`).join(", ");
  const rest = files.length - FILES_SHOWN;
  return `stockade: refused files: ${shown}${rest > 0 ? ` and ${rest} more` : ""}`;
}

/**
 * Warnings, other refusals counted, then the refused system calls and hosts:
 * `stockade: refused network: evil.example:443 (https, x3): no allow rule matches`.
 */
function summarise(events: readonly EngineEvent[]): string[] {
  const lines: string[] = [];
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.type === "warning") lines.push(`stockade: warning: ${e.message}`);
    if (e.type === "violation" && e.kind !== "network" && !isRefusal(e) && !isFileRefusal(e)) {
      counts.set(`${e.kind}: ${e.detail}`, (counts.get(`${e.kind}: ${e.detail}`) ?? 0) + 1);
    }
  }
  for (const [what, n] of counts) lines.push(`stockade: refused ${what}${n > 1 ? ` (x${n})` : ""}`);
  const syscalls = refusedSyscallsLine(events);
  if (syscalls) lines.push(syscalls);
  const files = refusedFilesLine(events);
  if (files) lines.push(files);
  for (const r of refusedHosts(events)) {
    const where = r.host.includes(":") ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
    const how = [r.protocol, ...(r.count > 1 ? [`x${r.count}`] : [])].filter(Boolean).join(", ");
    lines.push(`stockade: refused network: ${where}${how ? ` (${how})` : ""}: ${r.reason}`);
  }
  return lines;
}

/**
 * Runs `stockade run ARGS…`; resolves with the exit status to use: the target's own, 64 for a
 * usage error, 125 when the sandbox could not start.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { flags, command } = splitCommand(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: flags,
      allowPositionals: true,
      options: {
        ...POLICY_FLAGS,
        diff: { type: "boolean" },
        "no-report-files": { type: "boolean" },
        json: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    return usage(usageError((e as Error).message, "put the command after --, see `stockade run --help`"));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    await writeStdout(RUN_HELP + "\n");
    return Exit.Ok;
  }
  const argvOfTarget = command ?? positionals;
  if (command && positionals.length) {
    return usage(usageError(`Unexpected argument "${positionals[0]}" before --`, "put the whole command after --"));
  }
  if (argvOfTarget.length === 0) return usage(usageError("Missing command", "stockade run [options] -- CMD ARGS..."));

  let options: RunOptions;
  try {
    options = await optionsFromFlags(values);
  } catch (e) {
    return usage(e);
  }
  if (values.diff) options.diff = true;
  // One command, run once: the refused calls are worth their round trips, unless nothing shows them.
  options.reportRefusals = !values.quiet || values.json === true;
  options.reportFiles = options.reportRefusals && !values["no-report-files"];
  const controller = new AbortController();
  options.signal = controller.signal;
  const onSignal = () => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await run(argvOfTarget, options);
    if (values.json) {
      const { stdoutText, stderrText } = result;
      await writeStdout(
        JSON.stringify({
          code: result.code,
          signal: result.signal,
          timedOut: result.timedOut,
          durationMs: result.durationMs,
          stdout: stdoutText,
          stderr: stderrText,
          events: result.events,
          refusedHosts: refusedHosts(result.events),
          refusedSyscalls: refusedSyscalls(result.events),
          ...(options.reportFiles ? { refusedFiles: refusedFiles(result.events) } : {}),
          ...(result.diff ? { diff: result.diff } : {}),
        }) + "\n",
      );
    } else if (result.diff) process.stderr.write(formatDiff(result.diff) + "\n");
    if (!values.quiet) { for (const line of summarise(result.events)) process.stderr.write(line + "\n"); }
    return result.code;
  } catch (e) {
    if (controller.signal.aborted) return 130;
    if (e instanceof ConfigError) return usage(e);
    process.stderr.write(`stockade: ${e instanceof Error ? e.message : String(e)}\n`);
    return Exit.Failure;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function usage(e: unknown): number {
  if (!(e instanceof StockadeError)) throw e;
  process.stderr.write(`stockade run: ${e.message}\n`);
  return Exit.Usage;
}
