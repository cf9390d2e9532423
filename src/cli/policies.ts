/**
 * `stockade policies [NAME|FILE]`: the presets with their descriptions, or one policy resolved
 * (its `extends` chain merged, variables expanded) as JSON.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { ConfigError } from "../errors.ts";
import { listPresets, resolvePolicy } from "../policyfile/load.ts";
import { Exit, usageError, writeStdout } from "./common.ts";

/** `stockade policies --help`. */
export const POLICIES_HELP = `Usage: stockade policies [NAME|FILE] [options]

Without NAME: list the presets. With a preset name or a policy file: print the policy resolved
(its extends chain merged, \${PROJECT}, \${HOME}… expanded) as JSON.

Options:
  --cwd DIR   the project directory \${PROJECT} stands for (default: the current one)
  --kafel     print the policy's seccomp rules (Kafel text) instead of JSON
  -h, --help  show this help

Use one with: stockade run --policy NAME|FILE -- CMD...`;

/** Runs `stockade policies ARGS…`; resolves with the exit status. */
export async function policiesCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { cwd: { type: "string" }, kafel: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (e) {
    throw usageError((e as Error).message, "see `stockade policies --help`");
  }
  const { values, positionals } = parsed;
  if (values.help) {
    await writeStdout(POLICIES_HELP + "\n");
    return Exit.Ok;
  }
  if (positionals.length > 1) throw usageError(`Unexpected argument "${positionals[1]}"`, "give one policy name or file");
  if (positionals.length === 0) {
    const presets = await listPresets();
    const width = Math.max(...presets.map((p) => p.name.length));
    await writeStdout(presets.map((p) => `${p.name.padEnd(width)}  ${p.description}`).join("\n") + "\n");
    return Exit.Ok;
  }
  try {
    const policy = await resolvePolicy(positionals[0], { cwd: values.cwd });
    if (values.kafel) {
      await writeStdout(policy.seccomp?.text ?? "");
      return Exit.Ok;
    }
    const { callerEnv: _, seccomp, ...shown } = policy;
    const out = { description: shown.description, ...shown, seccomp: seccomp && { sources: seccomp.sources, baseline: seccomp.baseline } };
    await writeStdout(JSON.stringify(out, null, 2) + "\n");
    return Exit.Ok;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`stockade policies: ${e.message}\n`);
    return Exit.Usage;
  }
}
