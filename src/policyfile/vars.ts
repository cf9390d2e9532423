/**
 * Variables in policy file paths and values: `${PROJECT}`, `${HOME}` and the XDG directories.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import process from "node:process";

/** The values of the variables a policy file may use. */
export type Variables = Readonly<Record<VariableName, string>>;

/** Every variable a policy file may use. */
export const VARIABLE_NAMES = ["PROJECT", "PROJECT_CACHE", "HOME", "CACHE", "CONFIG", "DATA", "STATE"] as const;
/** One variable's name. */
export type VariableName = typeof VARIABLE_NAMES[number];

/** An XDG base directory: the variable when it holds an absolute path (the spec ignores others), else its default. */
function xdg(env: Record<string, string | undefined>, name: string, home: string, fallback: string): string {
  const value = env[name];
  return value && isAbsolute(value) ? resolve(value) : join(home, fallback);
}

/** The caller's home: `$HOME` when it is absolute, else the passwd entry. */
export function callerHome(env: Record<string, string | undefined> = process.env): string {
  return resolve(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir());
}

/**
 * The caches of sandboxed runs in `project`: `CACHE/stockade/projects/NAME-HASH`, one per project
 * directory, used by no tool outside the sandbox and by no other project. A command that poisons
 * a cache (a packument, a crate's sources, a build output) reaches only later sandboxed runs of the
 * same project, whose files it could change anyway.
 */
function projectCache(cache: string, project: string): string {
  const name = basename(project).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40) || "root";
  const hash = createHash("sha256").update(project).digest("hex").slice(0, 12);
  return join(cache, "stockade", "projects", `${name}-${hash}`);
}

/**
 * The variables for a run in `project`: `${PROJECT}` the working directory, `${PROJECT_CACHE}`
 * the sandbox's own caches for that project, `${HOME}` the caller's home,
 * `${CACHE}`/`${CONFIG}`/`${DATA}`/`${STATE}` the XDG directories (`~/.cache`, `~/.config`,
 * `~/.local/share`, `~/.local/state` unless `XDG_*_HOME` says otherwise).
 */
export function variables(project: string, env: Record<string, string | undefined> = process.env): Variables {
  const home = callerHome(env);
  const cache = xdg(env, "XDG_CACHE_HOME", home, ".cache");
  return {
    PROJECT: resolve(project),
    PROJECT_CACHE: projectCache(cache, resolve(project)),
    HOME: home,
    CACHE: cache,
    CONFIG: xdg(env, "XDG_CONFIG_HOME", home, ".config"),
    DATA: xdg(env, "XDG_DATA_HOME", home, ".local/share"),
    STATE: xdg(env, "XDG_STATE_HOME", home, ".local/state"),
  };
}

/**
 * Replaces `${NAME}` in `text`; returns the text, or a message saying what is wrong (an unknown
 * variable, a `$NAME` without braces).
 */
export function expand(text: string, vars: Variables): { value: string } | { error: string } {
  const known = VARIABLE_NAMES.map((n) => "${" + n + "}").join(", ");
  let error: string | undefined;
  const value = text.replace(/\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    if (bare !== undefined) {
      error ??= `Write "${whole}" as "\${${bare}}"; the variables are ${known}`;
      return whole;
    }
    const name = braced as string;
    if (!(VARIABLE_NAMES as readonly string[]).includes(name)) {
      error ??= `Unknown variable "\${${name}}"; the variables are ${known}`;
      return whole;
    }
    return vars[name as VariableName];
  });
  return error === undefined ? { value } : { error };
}

/**
 * Expands a path: variables replaced, `~` refused (write `${HOME}`), relative paths put under
 * `${PROJECT}`, the result normalised.
 */
export function expandPath(text: string, vars: Variables): { value: string } | { error: string } {
  if (text === "~" || text.startsWith("~/")) return { error: `Write "${text}" as "\${HOME}${text.slice(1)}"` };
  const r = expand(text, vars);
  if ("error" in r) return r;
  return { value: resolve(vars.PROJECT, r.value) };
}
