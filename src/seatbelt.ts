/**
 * The policy model → a Seatbelt (SBPL) profile for macOS `sandbox-exec`, compiled by the WASM
 * module (wasm/src/seatbelt.rs, op 3). This file writes the module's input: one rule per line,
 * `KIND VALUE`, under a header line; `encodeSeatbeltPolicy` and the module's decoder are the two
 * halves of that format (its grammar is documented at the top of seatbelt.rs).
 *
 * The profile denies by default, allows what the policy allows, and lists denials last so they
 * win (Seatbelt applies the last matching rule). Two values are only known when the engine starts
 * and are SBPL parameters, passed with `sandbox-exec -D NAME=VALUE`: see `SEATBELT_PARAMS`.
 *
 * @module
 */
import { realpathSync } from "node:fs";
import type { ExecConfig } from "./engine/config.ts";
import { StockadeError } from "./errors.ts";
import { call, Op, Status } from "./wasm.ts";

/** The first line of the encoding (seatbelt.rs `HEADER`). */
const HEADER = "stockade-seatbelt 1";

/** Every rule kind of the encoding, in the order the encoder writes them. */
export const SEATBELT_RULE_KINDS = [
  "read",
  "write",
  "readonly",
  "hide",
  "socket",
  "read-glob",
  "write-glob",
  "readonly-glob",
  "hide-glob",
  "tmp",
  "net",
] as const;

/** One kind of rule in the encoding. */
export type SeatbeltRuleKind = (typeof SEATBELT_RULE_KINDS)[number];

/** The SBPL parameters a profile may use; the engine passes them with `sandbox-exec -D`. */
export const SEATBELT_PARAMS = {
  /** The filtering proxy's port on 127.0.0.1, in `network: allowlist` mode. */
  proxyPort: "PROXY_PORT",
  /** The run's private temporary directory (the engine creates it), when `fs.tmpBytes > 0`. */
  tmpDir: "TMPDIR",
} as const;

/** What a Seatbelt profile is compiled from: the file view and network of an ExecConfig. */
export type SeatbeltPolicy = Pick<ExecConfig, "fs" | "network">;

/**
 * Absolute globs for macOS only (Seatbelt matches them as regexes; the Linux view cannot): `*`
 * and `?` match within one path segment, `**` across segments, `/**\/` also matches `/`.
 */
export interface SeatbeltGlobs {
  read?: readonly string[];
  write?: readonly string[];
  readOnly?: readonly string[];
  hide?: readonly string[];
}

/** Options of `compileSeatbelt`. */
export interface SeatbeltOptions {
  /** Glob rules added to the policy's paths. */
  globs?: SeatbeltGlobs;
}

/** Writes a value on one line: `\` as `\\` and a newline as `\n`. */
function value(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/**
 * The module's input for a policy: one `KIND VALUE` line per rule (`tmp` has no value).
 *
 * @example
 * ```ts
 * import { encodeSeatbeltPolicy } from "./seatbelt.ts";
 * const fs = { read: ["/usr"], write: [], hide: [], readOnly: [], sockets: [], tmpBytes: 0 };
 * encodeSeatbeltPolicy({ fs, network: { mode: "none" } }); // "stockade-seatbelt 1\nread /usr\nnet none\n"
 * ```
 */
export function encodeSeatbeltPolicy(policy: SeatbeltPolicy, options: SeatbeltOptions = {}): string {
  const { fs, network } = policy;
  const globs = options.globs ?? {};
  const rules: [SeatbeltRuleKind, readonly string[]][] = [
    ["read", fs.read],
    ["write", fs.write],
    ["readonly", fs.readOnly],
    ["hide", fs.hide],
    ["socket", fs.sockets],
    ["read-glob", globs.read ?? []],
    ["write-glob", globs.write ?? []],
    ["readonly-glob", globs.readOnly ?? []],
    ["hide-glob", globs.hide ?? []],
  ];
  let out = HEADER + "\n";
  for (const [kind, values] of rules) for (const v of values) out += `${kind} ${value(v)}\n`;
  if (fs.tmpBytes > 0) out += "tmp\n";
  out += `net ${network.mode === "allowlist" ? "proxy" : network.mode}\n`;
  return out;
}

/**
 * Compiles the file view and network of an ExecConfig (from `toExecConfig`, the same resolution
 * Linux uses) into a Seatbelt profile: deny by default; process fork and exec; reads, writes,
 * read-only and hidden paths (denials win); unix sockets as listed; the network only to the
 * proxy port (`allowlist`), nowhere (`none`) or the host's (`host`); the system allowances an
 * ordinary build needs. Paths are used as given: Seatbelt matches resolved paths, so on macOS
 * pass them through `withResolvedPaths` first (`run()` does).
 *
 * @throws {StockadeError} `UNSUPPORTED` naming a rule Seatbelt cannot express (a relative path,
 * a control character, a glob with `[`, `{` or `\`).
 * @example
 * ```ts
 * import { compileSeatbelt } from "./seatbelt.ts";
 * import { toExecConfig } from "./policy.ts";
 * const config = toExecConfig(["make"], { writeCwd: true, network: { allow: ["registry.npmjs.org"] } });
 * console.log(await compileSeatbelt(config)); // (version 1) (deny default) …
 * ```
 */
export async function compileSeatbelt(policy: SeatbeltPolicy, options: SeatbeltOptions = {}): Promise<string> {
  // The request layout carries an architecture and a foreign action; the Seatbelt op ignores both.
  const res = await call({ op: Op.Seatbelt, foreign: 0x8000_0000, arches: ["x86_64"], text: encodeSeatbeltPolicy(policy, options), includes: new Map() });
  const payload = new TextDecoder().decode(res.payload);
  if (res.status === Status.Ok) return payload;
  throw new StockadeError("UNSUPPORTED", payload, "change or drop that rule for macOS");
}

function resolved(paths: readonly string[]): string[] {
  const out = [...paths];
  for (const p of paths) {
    try {
      const real = realpathSync(p);
      if (real !== p && !out.includes(real)) out.push(real);
    } catch {
      // does not exist (yet): Seatbelt will see it under this name, if at all
    }
  }
  return out;
}

/**
 * The policy with each existing path's resolved form added (`/etc` → also `/private/etc`):
 * Seatbelt checks the path a file resolves to, and the link itself is reached by its own name.
 */
export function withResolvedPaths(policy: SeatbeltPolicy): SeatbeltPolicy {
  const { fs } = policy;
  return {
    ...policy,
    fs: {
      ...fs,
      read: resolved(fs.read),
      write: resolved(fs.write),
      readOnly: resolved(fs.readOnly),
      hide: resolved(fs.hide),
      sockets: resolved(fs.sockets),
    },
  };
}
