/**
 * The `stockade` command: a table of subcommands, each in its own module.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { assetUrl } from "../assets.ts";
import { StockadeError } from "../errors.ts";
import { PolicyError } from "../compile.ts";
import { compileCommand } from "./compile.ts";
import { policiesCommand } from "./policies.ts";
import { doctorCommand } from "./doctor.ts";
import { runCommand } from "./run.ts";
import { learnCommand } from "./learn.ts";
import { Exit, writeStdout } from "./common.ts";

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; run: Command }> = {
  run: { summary: "run a command in the sandbox", run: runCommand },
  learn: { summary: "run a command once under observation and write the policy it needs", run: learnCommand },
  compile: { summary: "compile a Kafel policy to BPF, hex, disassembly or OCI JSON", run: compileCommand },
  policies: { summary: "list the preset policies, or show one resolved", run: policiesCommand },
  doctor: { summary: "check what this machine gives the sandbox, and what to do about it", run: doctorCommand },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return `Usage: stockade COMMAND [options]

Run untrusted commands in an OS-level sandbox, or compile sandbox policies.

Commands:
${lines.join("\n")}

Options:
  -h, --help     show this help (stockade COMMAND --help for a command's own)
  -V, --version  print the version`;
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(assetUrl("package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** Runs the CLI with `args` (without the program name); returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  try {
    if (name === undefined || name === "-h" || name === "--help" || name === "help") {
      await writeStdout(help() + "\n");
      return name === undefined ? Exit.Usage : Exit.Ok;
    }
    if (name === "-V" || name === "--version") {
      await writeStdout(`stockade ${await version()}\n`);
      return Exit.Ok;
    }
    const command = COMMANDS[name];
    if (!command) {
      process.stderr.write(`stockade: unknown command "${name}" (see \`stockade --help\`)\n`);
      return Exit.Usage;
    }
    return await command.run(rest);
  } catch (e) {
    if (e instanceof PolicyError) {
      process.stderr.write(e.message + "\n");
      return Exit.PolicyError;
    }
    if (e instanceof StockadeError) {
      process.stderr.write(`stockade: ${e.message}\n`);
      return e.code === "USAGE_ERROR" ? Exit.Usage : Exit.Failure;
    }
    throw e;
  }
}
