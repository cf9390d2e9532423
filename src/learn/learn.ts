/**
 * `learn()`: run a command once under observation and return the policy that lets it do what it
 * did and nothing more (docs/learn.md).
 *
 * @module
 */
import { resolve } from "node:path";
import process from "node:process";
import { StockadeError } from "../errors.ts";
import type { NetworkRequest, RunOptions } from "../policy.ts";
import { SYSTEM_DIRS } from "../policy.ts";
import { loadPolicy, mergeRunOptions } from "../policyfile/options.ts";
import { variables } from "../policyfile/vars.ts";
import { run, type RunResult } from "../run.ts";
import { fold, needs, sandboxOwn } from "./fold.ts";
import { learnedKafel, type LearnedPolicy, mergePolicies, syscallFilters, withVariables } from "./policy.ts";
import { observe, type Observed } from "./records.ts";
import { summarise } from "./summary.ts";
import { homeSecrets, hostReadDirs } from "./view.ts";

export type { LearnedPolicy } from "./policy.ts";
export type { LearnedSyscall, Observed, RefusedSyscall } from "./records.ts";

/** Options of `learn()`. */
export interface LearnOptions {
  /** The base policy: a preset name (`base`, `strict`, `npm` …) or a policy file path. Default `base`. */
  policy?: string;
  /** The project directory (the run's working directory, writable while learning). Default: the current one. */
  cwd?: string;
  /** An existing policy file's content to merge the learned rules into (`--into`). */
  into?: LearnedPolicy;
  /** Where `${HOME}` and the policy's `env.pass` come from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Passed to the run as they are. */
  stdin?: RunOptions["stdin"];
  stdout?: RunOptions["stdout"];
  stderr?: RunOptions["stderr"];
  timeout?: RunOptions["timeout"];
  signal?: RunOptions["signal"];
  /** Also report the files the run created, modified and deleted (`result.diff`). */
  diff?: boolean;
}

/** What `learn()` returns. */
export interface LearnResult {
  /** The learn run itself (its exit code tells whether the command worked while observed). */
  result: RunResult;
  /** The learned policy file (merged into `into` when given), ready for `JSON.stringify`. */
  policy: LearnedPolicy;
  /** Everything observed, including what was not learned. */
  observed: Observed;
  /** A human summary of the policy and of what was not learned. */
  summary: string;
}

/** A command as one short line for a description. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

function hostRule(h: NetworkRequest): string {
  const host = h.host.includes(":") ? `[${h.host}]` : h.host;
  return h.port === 80 || h.port === 443 ? host : `${host}:${h.port}`;
}

/**
 * Runs `command` once under observation — for real: it reads, writes and connects as it would
 * anywhere — and returns the policy file that lets it do the same again, and nothing more: the
 * paths it read outside what the base grants, the directories it wrote, the hosts it reached
 * (through the proxy, whose SSRF guard and deny rules still apply) and, with a restrictive base
 * such as `strict`, the system calls the base leaves to its default. The base's denials are
 * reported, never learned.
 *
 * @throws {ConfigError} when the base policy does not load.
 * @throws {StockadeError} `ENGINE_FAILED` (e.g. a kernel without seccomp user notification).
 * @example
 * ```ts
 * import { learn } from "../../mod.ts";
 * const { policy, summary } = await learn(["npm", "install", "is-number"], { policy: "strict" });
 * console.log(summary);
 * console.log(JSON.stringify(policy, null, 2)); // run it: stockade run --policy learned.json -- npm install is-number
 * ```
 */
export async function learn(command: readonly string[], options: LearnOptions = {}): Promise<LearnResult> {
  const env = options.env ?? process.env;
  const baseName = options.policy ?? "base";
  const cwd = resolve(options.cwd ?? process.cwd());
  const base = await loadPolicy(baseName, { cwd, env });
  const project = resolve(base.cwd ?? cwd);
  const home = variables(project, env).HOME;
  const secrets = homeSecrets(home);
  const hosts: NetworkRequest[] = [];
  const observeRun: RunOptions = mergeRunOptions(base, {
    read: hostReadDirs(),
    write: [project],
    hide: secrets,
    learn: true,
    ...(options.diff ? { diff: true } : {}),
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    ...(options.stdout !== undefined ? { stdout: options.stdout } : {}),
    ...(options.stderr !== undefined ? { stderr: options.stderr } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  if (base.network !== "host") {
    const net = typeof base.network === "object" ? base.network : { allow: [], deny: [] };
    observeRun.network = { allow: net.allow, deny: net.deny ?? [] };
    observeRun.onNetworkRequest = (request) => {
      hosts.push(request);
      return true;
    };
  }
  const result = await run(command, observeRun);
  if (!result.events.some((e) => e.type === "started")) {
    throw new StockadeError(
      "ENGINE_FAILED",
      `The command "${command[0]}" never started under observation, so nothing was learned`,
      "run it with `stockade run` to see why",
    );
  }
  const observed = await observe(result.events, hosts);
  const abs = (paths: readonly string[] | undefined) => (paths ?? []).map((p) => resolve(project, p));
  const coveredRead = [...SYSTEM_DIRS, project, ...abs(base.read), ...abs(base.write), ...secrets];
  const coveredWrite = [...abs(base.write), ...secrets];
  const hostBound = [project, ...abs(base.read), ...abs(base.write)];
  const files = new Map([...observed.files].map(([access, paths]) => [access, new Set([...paths].filter((p) => !sandboxOwn(p, hostBound)))]));
  const needed = needs(files, coveredRead, coveredWrite);
  const vars = (p: string) => withVariables(p, project, home);
  const read = fold(needed.read, [home, project]).map(vars);
  const write = fold(needed.write, [home]).map(vars);
  const learned: LearnedPolicy = {
    description: `Learned from \`${oneLine(command.join(" "))}\` (stockade learn)`,
    extends: baseName.includes("/") || baseName.endsWith(".json") ? resolve(cwd, baseName) : baseName,
  };
  if (read.length || write.length) learned.fs = { ...(read.length ? { read } : {}), ...(write.length ? { write } : {}) };
  const allow = [...new Set(observed.hosts.map(hostRule))].sort();
  if (allow.length) learned.network = { allow };
  const filters = syscallFilters(observed.syscalls);
  if (filters.length) learned.seccomp = { kafel: learnedKafel(filters) };
  const policy = options.into ? mergePolicies(options.into, learned) : learned;
  return { result, policy, observed, summary: summarise(learned, observed) };
}
