/**
 * Loading policy files: presets by name or files by path, `extends` chains merged, Kafel text
 * embedded or included, variables expanded. Every problem is a `ConfigError` whose issues read
 * `FILE: FIELD: message`.
 *
 * Merge rules (parents first, then the file itself; with several parents, left to right, each file
 * once): lists are unions; `env.set`, `limits` and `description` take the later value per key;
 * `network` `"none"`/`"host"` replace what came before, and an allowlist replaces a mode or is
 * unioned with an earlier allowlist; Kafel text of later files is placed before earlier text, so
 * the more specific policy's rules match first.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { assetUrl } from "../assets.ts";
import { compileSeccomp, PolicyError } from "../compile.ts";
import { toConfigIssues } from "../engine/config.ts";
import { ConfigError, type ConfigIssue } from "../errors.ts";
import { seccompArches } from "../policy.ts";
import { type PolicyFile, PolicyFileSchema } from "./schema.ts";
import { DURATION_HINT, durationValue, SIZE_HINT, sizeValue } from "./units.ts";
import { expand, expandPath, type Variables, variables } from "./vars.ts";

/** The preset every policy extends unless it says otherwise. */
export const BASE_PRESET = "base";
const MAX_DEPTH = 8;
const PRESET_NAME = /^[a-z0-9][a-z0-9-]*$/;
const SCHEMA_FILE = "policy.schema.json";

/** A policy with its `extends` chain merged and its variables expanded. */
export interface ResolvedPolicy {
  /** The description of the policy asked for (or of its nearest parent that has one). */
  description?: string;
  /** The files merged, parents first, as they are named in messages. */
  files: string[];
  fs: { read: string[]; write: string[]; hide: string[]; readOnly: string[]; sockets: string[] };
  network: "none" | "host" | { allow: string[]; deny: string[] };
  env: { pass: string[]; set: Record<string, string> };
  limits: NonNullable<PolicyFile["limits"]>;
  /**
   * The Kafel text of every file, most specific first (`sources` names where each part came from);
   * `baseline` when it includes policies/baseline.kafel.
   */
  seccomp?: { text: string; sources: string[]; baseline: boolean };
  /** Protections turned off, by name. */
  unprotect: string[];
  /** The variables used, for showing and for creating missing directories. */
  variables: Variables;
  /** The environment `env.pass` takes values from. */
  callerEnv: Record<string, string | undefined>;
}

/** Options of `resolvePolicy` and `loadPolicy`. */
export interface LoadOptions {
  /** The project directory: `${PROJECT}`, the run's working directory, and where relative names resolve. Default: the current directory. */
  cwd?: string;
  /** The environment `${HOME}`, the XDG directories and `env.pass` are taken from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
}

const presetsDir = () => fileURLToPath(assetUrl("policies/"));
const baselineFile = () => fileURLToPath(assetUrl("policies/baseline.kafel"));

/** How a file is named in messages: presets as `policies/NAME.json`, others relative to the current directory. */
function displayName(path: string): string {
  const presets = presetsDir();
  if (path.startsWith(presets)) return `policies/${path.slice(presets.length)}`;
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

function fail(file: string, issues: readonly ConfigIssue[]): never {
  throw new ConfigError("policy", issues.map((i) => ({ path: `${file}: ${i.path || "(root)"}`, message: i.message })));
}

/** The file a name or path refers to: a preset name, or a path (it has a `/` or ends in `.json`). */
function locate(ref: string, from: string, file: string, field: string, presets: readonly string[]): string {
  if (ref.includes("/") || ref.includes(sep) || ref.endsWith(".json")) return resolve(from, ref);
  if (!PRESET_NAME.test(ref) || !presets.includes(ref)) {
    fail(file, [{
      path: field,
      message: `Unknown preset "${ref}"; the presets are ${presets.join(", ")} (or give a path to a .json file)`,
    }]);
  }
  return resolve(presetsDir(), `${ref}.json`);
}

/** The names of the presets in policies/, sorted. */
export async function presetNames(): Promise<string[]> {
  const names = await readdir(presetsDir());
  return names.filter((n) => n.endsWith(".json") && n !== SCHEMA_FILE).map((n) => n.slice(0, -5)).sort();
}

/** A name Kafel's `#include "…"` can carry (no double quote, no line break), for diagnostics. */
function includeName(name: string): string {
  return name.replace(/["\n\r]/g, "'");
}

interface Level {
  file: string;
  policy: PolicyFile;
  kafel?: { name: string; text: string; baseline: boolean };
}

async function readLevel(path: string, vars: Variables): Promise<{ level: Level; parents: string[] }> {
  const file = displayName(path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    fail(file, [{ path: "", message: `Cannot read the policy file: ${(e as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(file, [{ path: "", message: `Not valid JSON: ${(e as Error).message}` }]);
  }
  const parsed = v.safeParse(PolicyFileSchema, json, { abortEarly: false });
  if (!parsed.success) {
    fail(
      file,
      toConfigIssues(parsed.issues).map((i) =>
        i.message.startsWith("Invalid key:") ? { path: i.path, message: `Unknown field "${i.path.replace(/^.*[.\]]/, "")}"` } : i
      ),
    );
  }
  const policy = parsed.output;
  const issues: ConfigIssue[] = [];
  const expandList = (section: "read" | "write" | "hide" | "readOnly" | "sockets") =>
    (policy.fs?.[section] ?? []).map((p, i) => {
      const r = expandPath(p, vars);
      if ("error" in r) issues.push({ path: `fs.${section}[${i}]`, message: r.error });
      return "value" in r ? r.value : p;
    });
  const fs = policy.fs && {
    read: expandList("read"),
    write: expandList("write"),
    hide: expandList("hide"),
    readOnly: expandList("readOnly"),
    sockets: expandList("sockets"),
  };
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(policy.env?.set ?? {})) {
    const r = expand(value, vars);
    if ("error" in r) issues.push({ path: `env.set.${name}`, message: r.error });
    else set[name] = r.value;
  }
  for (const key of ["memory", "fileSize", "tmpSize"] as const) {
    const value = policy.limits?.[key];
    if (value !== undefined && sizeValue(value, key === "tmpSize") === undefined) {
      issues.push({ path: `limits.${key}`, message: `Invalid size "${value}"; ${SIZE_HINT}` });
    }
  }
  const timeout = policy.limits?.timeout;
  if (timeout !== undefined && durationValue(timeout) === undefined) {
    issues.push({ path: "limits.timeout", message: `Invalid duration "${timeout}"; ${DURATION_HINT}` });
  }
  if (issues.length) fail(file, issues);
  const level: Level = { file, policy: { ...policy, ...(fs && { fs }), ...(policy.env && { env: { ...policy.env, set } }) } };
  const seccomp = policy.seccomp;
  if (seccomp && "kafel" in seccomp) {
    level.kafel = { name: includeName(`${file} (seccomp.kafel)`), text: seccomp.kafel, baseline: false };
  } else if (seccomp) {
    const kafelPath = resolve(dirname(path), seccomp.include);
    try {
      const text = await readFile(kafelPath, "utf8");
      level.kafel = { name: includeName(displayName(kafelPath)), text, baseline: kafelPath === baselineFile() };
    } catch (e) {
      fail(file, [{ path: "seccomp.include", message: `Cannot read "${seccomp.include}": ${(e as Error).message}` }]);
    }
  }
  const ext = policy.extends;
  const isBase = path === resolve(presetsDir(), `${BASE_PRESET}.json`);
  const parents = ext === undefined ? (isBase ? [] : [BASE_PRESET]) : typeof ext === "string" ? [ext] : ext;
  return { level, parents };
}

/** The files of a chain, parents first, each once (a diamond through `base` merges base once). */
async function linearise(
  path: string,
  vars: Variables,
  presets: readonly string[],
  stack: string[],
  done: Set<string>,
  out: Level[],
): Promise<void> {
  if (done.has(path)) return;
  const { level, parents } = await readLevel(path, vars);
  for (const [i, ref] of parents.entries()) {
    const field = typeof level.policy.extends === "object" ? `extends[${i}]` : "extends";
    const parent = locate(ref, dirname(path), level.file, field, presets);
    if (parent === path || stack.includes(parent)) {
      const cycle = [...stack.slice(stack.indexOf(parent) < 0 ? stack.length : stack.indexOf(parent)), path, parent].map(displayName);
      fail(level.file, [{ path: field, message: `Cycle: ${cycle.join(" → ")}` }]);
    }
    if (stack.length + 1 >= MAX_DEPTH) {
      fail(level.file, [{ path: field, message: `Extends more than ${MAX_DEPTH} levels deep; flatten the chain` }]);
    }
    await linearise(parent, vars, presets, [...stack, path], done, out);
  }
  done.add(path);
  out.push(level);
}

function union(a: readonly string[], b: readonly string[] | undefined): string[] {
  return [...new Set([...a, ...(b ?? [])])];
}

function merge(levels: readonly Level[], vars: Variables, callerEnv: Record<string, string | undefined>): ResolvedPolicy {
  const r: ResolvedPolicy = {
    files: levels.map((l) => l.file),
    fs: { read: [], write: [], hide: [], readOnly: [], sockets: [] },
    network: "none",
    env: { pass: [], set: {} },
    limits: {},
    unprotect: [],
    variables: vars,
    callerEnv,
  };
  for (const { policy: p } of levels) {
    if (p.description !== undefined) r.description = p.description;
    for (const k of ["read", "write", "hide", "readOnly", "sockets"] as const) r.fs[k] = union(r.fs[k], p.fs?.[k]);
    const net = p.network;
    if (typeof net === "string") r.network = net;
    else if (net) {
      r.network = typeof r.network === "object"
        ? { allow: union(r.network.allow, net.allow), deny: union(r.network.deny, net.deny) }
        : { allow: [...net.allow], deny: [...(net.deny ?? [])] };
    }
    r.env.pass = union(r.env.pass, p.env?.pass);
    Object.assign(r.env.set, p.env?.set);
    Object.assign(r.limits, p.limits);
    r.unprotect = union(r.unprotect, p.protect?.except);
  }
  const kafel = levels.flatMap((l) => (l.kafel ? [l.kafel] : [])).reverse();
  if (kafel.length) {
    r.seccomp = { text: kafel.map((k) => k.text).join("\n"), sources: kafel.map((k) => k.name), baseline: kafel.some((k) => k.baseline) };
  }
  return r;
}

/** Compiles the chain's Kafel with each file as an include, so errors carry that file's LINE:COL. */
async function checkKafel(levels: readonly Level[]): Promise<void> {
  const kafel = levels.flatMap((l) => (l.kafel ? [l.kafel] : [])).reverse();
  if (kafel.length === 0) return;
  const includes = new Map(kafel.map((k) => [k.name, k.text]));
  const main = kafel.map((k) => `#include "${k.name}"`).join("\n") + "\n";
  const baseline = kafel.some((k) => k.baseline) ? "" : await readFile(baselineFile(), "utf8");
  try {
    await compileSeccomp(main + baseline, { arch: seccompArches(), includes, filename: "<policy>" });
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    const owner = (name: string) => levels.find((l) => l.kafel?.name === name);
    const issues = e.diagnostics.map((d) => {
      const level = owner(d.file);
      const field = level?.policy.seccomp && "kafel" in level.policy.seccomp ? "seccomp.kafel" : "seccomp.include";
      return { file: level?.file ?? d.file, issue: { path: field, message: `${d.file}:${d.line}:${d.col}: ${d.message}` } };
    });
    throw new ConfigError("policy", issues.map((i) => ({ path: `${i.file}: ${i.issue.path}`, message: i.issue.message })));
  }
}

/**
 * Reads a policy (a preset name such as `"npm"`, or a path to a `.json` file), merges its
 * `extends` chain, expands its variables and checks its Kafel. No side effects: nothing is created.
 *
 * @throws {ConfigError} with issues that read `FILE: FIELD: message`.
 * @example
 * ```ts
 * import { resolvePolicy } from "./load.ts";
 * const npm = await resolvePolicy("npm");
 * console.log(npm.files, npm.network); // ["policies/base.json", "policies/npm.json"] { allow: [...], deny: [] }
 * ```
 */
export async function resolvePolicy(nameOrPath: string, options: LoadOptions = {}): Promise<ResolvedPolicy> {
  const project = resolve(process.cwd(), options.cwd ?? ".");
  const callerEnv = options.env ?? process.env;
  const vars = variables(project, callerEnv);
  const presets = await presetNames();
  const start = locate(nameOrPath, process.cwd(), "policy", "name", presets);
  const levels: Level[] = [];
  await linearise(start, vars, presets, [], new Set(), levels);
  await checkKafel(levels);
  return merge(levels, vars, callerEnv);
}

/** One preset: its name and description. */
export interface PresetInfo {
  name: string;
  description: string;
}

/**
 * The presets in policies/ with their descriptions.
 *
 * @example
 * ```ts
 * import { listPresets } from "./load.ts";
 * for (const p of await listPresets()) console.log(p.name, p.description);
 * ```
 */
export async function listPresets(): Promise<PresetInfo[]> {
  const names = await presetNames();
  return Promise.all(names.map(async (name) => {
    const json = JSON.parse(await readFile(resolve(presetsDir(), `${name}.json`), "utf8")) as { description?: string };
    return { name, description: json.description ?? "" };
  }));
}
