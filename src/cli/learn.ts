/**
 * `stockade learn [--policy BASE] [--into FILE] [-o FILE] -- CMD…`: run a command once under
 * observation and write the policy that lets it do the same again (docs/learn.md).
 *
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { formatDiff } from "../diff.ts";
import { ConfigError, StockadeError } from "../errors.ts";
import { learn, type LearnedPolicy, type LearnOptions } from "../learn/learn.ts";
import { durationMs } from "../policyfile/units.ts";
import { Exit, usageError, writeStdout } from "./common.ts";

/** `stockade learn --help`. */
export const LEARN_HELP = `Usage: stockade learn [options] -- CMD [ARGS...]

Run CMD once under observation and write a policy file that lets it do what it did, and nothing
more: the files it read outside the base policy, the directories it wrote, the hosts it reached,
and with --policy strict the system calls it needed. CMD really runs: its writes and downloads
happen. Calls the base policy denies are reported, never learned.

Options:
  --policy NAME|FILE   the base to learn on (default: base); strict also learns system calls
  -o, --output FILE    write the learned policy to FILE (default: standard output)
  --into FILE          merge what is learned into the policy FILE (made if missing) and write it
                       back there (or to --output), so several steps add up to one policy
  --cwd DIR            the project directory (default: the current one); writable while learning
  --timeout DURATION   kill the whole tree after DURATION: 30 or 30s, 1500ms, 2m
  --diff               also list the files created, modified or deleted (on stderr)
  --json               print { code, policy, summary, observed, diff } as JSON on stdout
  -q, --quiet          do not print the summary
  -h, --help           show this help

Then: stockade run --policy FILE -- CMD [ARGS...]

Exit status: CMD's, 64 usage error, 125 the sandbox could not start.`;

async function readPolicyFile(path: string): Promise<LearnedPolicy | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined;
    throw usageError(`Cannot read --into "${path}": ${(e as Error).message}`, "give a readable policy file");
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
    return value as LearnedPolicy;
  } catch (e) {
    throw usageError(`Invalid --into "${path}": ${(e as Error).message}`, "give a policy file (a JSON object)");
  }
}

/** A base given as a path is written relative to the policy file that extends it. */
function extendsFrom(policy: LearnedPolicy, outputDir: string): LearnedPolicy {
  const ref = policy.extends;
  if (typeof ref !== "string" || !isAbsolute(ref)) return policy;
  const rel = relative(outputDir, ref);
  return { ...policy, extends: rel.startsWith(".") ? rel : `./${rel}` };
}

/** Runs `stockade learn ARGS…`; resolves with the exit status (CMD's own when it ran). */
export async function learnCommand(argv: string[]): Promise<number> {
  const at = argv.indexOf("--");
  const flags = at < 0 ? argv : argv.slice(0, at);
  let parsed;
  try {
    parsed = parseArgs({
      args: flags,
      allowPositionals: true,
      options: {
        policy: { type: "string" },
        output: { type: "string", short: "o" },
        into: { type: "string" },
        cwd: { type: "string" },
        timeout: { type: "string" },
        diff: { type: "boolean" },
        json: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    return usage(usageError((e as Error).message, "put the command after --, see `stockade learn --help`"));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    await writeStdout(LEARN_HELP + "\n");
    return Exit.Ok;
  }
  const command = at < 0 ? positionals : argv.slice(at + 1);
  if (at >= 0 && positionals.length) {
    return usage(usageError(`Unexpected argument "${positionals[0]}" before --`, "put the whole command after --"));
  }
  if (command.length === 0) return usage(usageError("Missing command", "stockade learn [options] -- CMD ARGS..."));

  const options: LearnOptions = { stdin: "inherit", stderr: "inherit" };
  // The policy goes to stdout unless it goes to a file: then so may CMD's own output.
  const target = values.output ?? values.into;
  options.stdout = target && !values.json ? "inherit" : "pipe";
  if (values.policy !== undefined) options.policy = values.policy;
  if (values.cwd !== undefined) options.cwd = values.cwd;
  if (values.diff) options.diff = true;
  if (values.timeout !== undefined) {
    const ms = durationMs(values.timeout);
    if (ms === undefined) return usage(usageError(`Invalid duration "${values.timeout}"`, "use 30 or 30s, 1500ms, 2m"));
    options.timeout = ms;
  }
  const controller = new AbortController();
  options.signal = controller.signal;
  const onSignal = () => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    if (values.into !== undefined) options.into = await readPolicyFile(values.into);
    const { result, policy: learned, summary, observed } = await learn(command, options);
    const policy = extendsFrom(learned, target ? dirname(resolve(target)) : process.cwd());
    const text = JSON.stringify(policy, null, 2) + "\n";
    if (options.stdout === "pipe") process.stderr.write(result.stdout);
    if (target) await writeFile(target, text);
    if (values.json) {
      await writeStdout(
        JSON.stringify({
          code: result.code,
          policy,
          summary,
          observed: { ...observed, files: Object.fromEntries([...observed.files].map(([k, v]) => [k, [...v].sort()])) },
          ...(result.diff ? { diff: result.diff } : {}),
        }) + "\n",
      );
    } else if (!target) await writeStdout(text);
    if (!values.quiet) {
      if (result.code !== 0) {
        process.stderr.write(`stockade learn: the command exited with ${result.code} while observed; the policy may be incomplete\n`);
      }
      process.stderr.write(summary + "\n");
      if (result.diff && !values.json) process.stderr.write(formatDiff(result.diff) + "\n");
      if (target) {
        process.stderr.write(
          `stockade learn: wrote ${target}; run it with: stockade run --policy ${shellWord(target)} -- ${
            command.map(shellWord).join(" ")
          }\n`,
        );
      }
    }
    return result.code;
  } catch (e) {
    if (controller.signal.aborted) return 130;
    if (e instanceof ConfigError || (e instanceof StockadeError && e.code === "USAGE_ERROR")) return usage(e);
    process.stderr.write(`stockade: ${e instanceof Error ? e.message : String(e)}\n`);
    return Exit.Failure;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** A word as a POSIX shell reads it back. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function usage(e: unknown): number {
  if (!(e instanceof StockadeError)) throw e;
  process.stderr.write(`stockade learn: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}\n`);
  return Exit.Usage;
}
