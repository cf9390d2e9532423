/**
 * The policy file format (JSON), defined once here with valibot: the loader validates with it and
 * policies/policy.schema.json is generated from it for editors (`npm run schema`).
 *
 * @module
 */
import * as v from "valibot";
import { PROTECTED_NAMES } from "../protect.ts";

const noNul = v.check((s: string) => !s.includes("\0"), "must not contain a NUL byte");
const Text = (description: string) => v.pipe(v.string(), noNul, v.description(description));
const Path = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  noNul,
  v.description(
    "A path; may use ${PROJECT}, ${PROJECT_CACHE}, ${HOME}, ${CACHE}, ${CONFIG}, ${DATA}, ${STATE}; relative paths are under ${PROJECT}",
  ),
);
const Paths = (description: string) => v.optional(v.pipe(v.array(Path), v.description(description)));
const EnvName = v.pipe(v.string(), v.regex(/^[^=\0]+$/, "must be a non-empty name without = or NUL"));
const Host = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9._*:[\]-]+$/, 'must be a host, *.domain, an IP address or one of those with :PORT, such as "example.com:8443"'),
);
const Count = (description: string) =>
  v.optional(v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(1, "must be at least 1"), v.description(description)));
const Size = (description: string, min = 1) =>
  v.optional(v.pipe(
    v.union([
      v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(min, `must be at least ${min}`)),
      v.pipe(v.string(), v.regex(/^[0-9]+[kmgKMG]?[bB]?$/, "must be bytes, optionally with k, m or g: 512m")),
    ], "must be bytes, optionally with k, m or g: 512m"),
    v.description(description),
  ));

/** The `fs` section: what the command may see and change. */
export const FsSection = v.strictObject({
  read: Paths("Paths bound read-only (missing ones are skipped)"),
  write: Paths("Paths bound read-write (missing ones under the home directory are created)"),
  hide: Paths("Paths made invisible and uncreatable"),
  readOnly: Paths("Paths kept read-only inside a writable path (uncreatable when missing)"),
  sockets: Paths("Unix sockets the command may connect to (missing ones are skipped)"),
});

/** The whole policy file. Unknown fields are an error. */
export const PolicyFileSchema = v.strictObject({
  $schema: v.optional(Text("The JSON Schema of this file, for editors")),
  description: v.optional(Text("What the policy is for, one line")),
  extends: v.optional(v.pipe(
    v.union([v.string(), v.array(v.string())], "must be a preset name, a path, or a list of them"),
    v.description('Policies this one builds on: preset names ("npm") or paths relative to this file; default "base"'),
  )),
  fs: v.optional(FsSection),
  network: v.optional(v.pipe(
    v.union([
      v.picklist(["none", "host"]),
      v.strictObject({ allow: v.array(Host), deny: v.optional(v.array(Host)) }),
    ], 'must be "none", "host" or { "allow": [...], "deny": [...] }'),
    v.description('"none", "host" (unfiltered), or hosts reached through the filtering proxy'),
  )),
  env: v.optional(v.strictObject({
    pass: v.optional(v.pipe(v.array(EnvName), v.description("Names of the caller's variables to pass when set"))),
    set: v.optional(v.pipe(
      v.record(EnvName, v.pipe(v.string(), noNul)),
      v.description("Variables to set; values may use ${HOME}, ${CACHE}, … like paths"),
    )),
  })),
  limits: v.optional(v.strictObject({
    memory: Size("Memory limit: bytes or 512m, 4g"),
    pids: Count("Maximum number of processes"),
    timeout: v.optional(v.pipe(
      v.union([
        v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(1, "must be at least 1")),
        v.pipe(v.string(), v.regex(/^[0-9]+(ms|s|m)?$/, "must be a duration: 30 or 30s, 1500ms, 15m")),
      ], "must be a duration: 30 or 30s, 1500ms, 15m"),
      v.description("Wall-clock limit: seconds, or 30s, 1500ms, 15m"),
    )),
    cpuSeconds: Count("CPU time limit in seconds"),
    fileSize: Size("Largest file the command may write: bytes or 512m, 2g"),
    openFiles: Count("Maximum number of open files"),
    tmpSize: Size("Size of the private /tmp: bytes or 256m; 0 means no /tmp", 0),
  })),
  seccomp: v.optional(v.pipe(
    v.union([
      v.strictObject({ kafel: v.pipe(v.string(), v.description("Kafel text")) }),
      v.strictObject({
        include: v.pipe(v.string(), v.minLength(1, "must not be empty"), v.description("A Kafel file, relative to this file")),
      }),
    ], 'must be { "kafel": "text" } or { "include": "file.kafel" }'),
    v.description("Kafel rules placed before those of the policies this one extends (first match wins)"),
  )),
  protect: v.optional(v.strictObject({
    except: v.optional(v.pipe(
      v.array(v.picklist(PROTECTED_NAMES, `must be a protected path name: ${PROTECTED_NAMES.map((n) => `"${n}"`).join(", ")}`)),
      v.description("Protected paths this policy turns off, by name (.git, .env, .vscode…)"),
    )),
  })),
});

/** A policy file as written. */
export type PolicyFile = v.InferOutput<typeof PolicyFileSchema>;
