/**
 * `stockade compile`: Kafel policy → BPF, hex, disassembly or OCI JSON, or the run policy (the
 * flags of `stockade run`) → a macOS Seatbelt profile, without running anything.
 *
 * @module
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { type Arch, ARCHES, compileSeccomp, disassemble, PolicyError } from "../compile.ts";
import { stringifyOciProfile, toOciProfile } from "../oci.ts";
import { toExecConfig } from "../policy.ts";
import { compileSeatbelt, withResolvedPaths } from "../seatbelt.ts";
import { StockadeError } from "../errors.ts";
import { Exit, readInput, usageError, writeStdout } from "./common.ts";
import { optionsFromFlags, POLICY_FLAGS } from "./run.ts";

const FORMATS = ["bpf", "hex", "disasm", "oci", "seatbelt"] as const;
type Format = (typeof FORMATS)[number];

/** `stockade compile --help`. */
export const COMPILE_HELP = `Usage: stockade compile [options] POLICY
       stockade compile --format seatbelt [run policy options]

Compile a Kafel seccomp policy without running anything. POLICY is a file, or - for stdin.
With --format seatbelt, compile the policy of \`stockade run\` (its --policy, --allow-read,
--allow-write, --hide, --unprotect, --net, --allow-net, --deny-net, --env, --cwd … flags) into
the macOS Seatbelt profile the engine runs the command under (parameters: PROXY_PORT, TMPDIR).

Options:
  --arch ARCH      target architecture, repeatable: ${ARCHES.join(", ")}
                   (default: this machine's; x86_64 alone does not cover i386 binaries)
  --format FORMAT  bpf (raw sock_filter bytes, default), hex, disasm, oci (OCI seccomp JSON),
                   seatbelt (macOS SBPL profile of the run policy)
  -I DIR           include directory, repeatable, searched in order for #include "NAME"
                   (default: the policy file's directory)
  -o FILE          write to FILE instead of stdout
  -h, --help       show this help

Exit status: 0 compiled, 2 policy errors (printed as FILE:LINE:COL: message), 64 usage error.`;

function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8) {
    out += Array.from(bytes.subarray(i, i + 8), (b) => b.toString(16).padStart(2, "0")).join("") + "\n";
  }
  return out;
}

/** Runs `stockade compile ARGS…`; returns the exit code. */
export async function compileCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...POLICY_FLAGS,
        arch: { type: "string", multiple: true },
        format: { type: "string", default: "bpf" },
        I: { type: "string", short: "I", multiple: true },
        o: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw usageError((e as Error).message, "see `stockade compile --help`");
  }
  const { values, positionals } = parsed;
  if (values.help) {
    await writeStdout(COMPILE_HELP + "\n");
    return Exit.Ok;
  }
  if (values.format === "seatbelt") return await seatbeltCommand(values, positionals, values.o);
  const policyFlag = Object.keys(POLICY_FLAGS).find((name) => values[name as keyof typeof POLICY_FLAGS] !== undefined);
  if (policyFlag) throw usageError(`--${policyFlag} applies to --format seatbelt only`, "a Kafel policy is compiled from its file alone");
  if (positionals.length !== 1) {
    throw usageError(positionals.length === 0 ? "Missing POLICY" : `Expected one POLICY, got ${positionals.length}`, "pass a policy file, or - for stdin");
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw usageError(`Unknown format "${values.format}"`, `use one of ${FORMATS.join(", ")}`);
  const arches = (values.arch ?? []) as Arch[];
  for (const a of arches) if (!ARCHES.includes(a)) throw usageError(`Unknown architecture "${a}"`, `use one of ${ARCHES.join(", ")}`);
  const file = positionals[0];
  if (format === "bpf" && values.o === undefined && process.stdout.isTTY) {
    throw usageError("Refusing to write binary BPF to a terminal", "use -o FILE, or --format hex or disasm");
  }
  const dirs = values.I ?? [file === "-" ? "." : dirname(file)];
  const includes = async (name: string) => {
    for (const dir of dirs) {
      try {
        return new TextDecoder().decode(await readInput(join(dir, name)));
      } catch {
        // not in this directory: try the next one
      }
    }
    return undefined;
  };
  let text: string;
  try {
    text = new TextDecoder().decode(await readInput(file));
  } catch (e) {
    throw usageError(`Cannot read policy "${file}": ${(e as Error).message}`, "check the path");
  }
  const opts = { arch: arches.length ? arches : undefined, includes, filename: file === "-" ? "<stdin>" : file };
  let out: string | Uint8Array;
  try {
    if (format === "oci") {
      if (arches.length > 1) throw usageError("OCI output takes one --arch", "run once per architecture");
      out = stringifyOciProfile(await toOciProfile(text, { ...opts, arch: arches[0] }));
    } else {
      const bpf = await compileSeccomp(text, opts);
      out = format === "bpf" ? bpf : format === "hex" ? hex(bpf) : await disassemble(bpf);
    }
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    process.stderr.write(e.message + "\n");
    return Exit.PolicyError;
  }
  if (values.o !== undefined) await writeFile(values.o, out);
  else await writeStdout(out);
  return Exit.Ok;
}

/** `stockade compile --format seatbelt [run policy flags]`: the profile a run with those flags gets on macOS. */
async function seatbeltCommand(values: Record<string, string | boolean | string[] | undefined>, positionals: string[], out: string | undefined): Promise<number> {
  if (positionals.length) throw usageError(`Unexpected argument "${positionals[0]}"`, "--format seatbelt compiles the run policy given by flags, not a file");
  for (const flag of ["arch", "I"]) if (values[flag] !== undefined) throw usageError(`--${flag.length > 1 ? flag : `-${flag}`} does not apply to --format seatbelt`, "drop it");
  let profile: string;
  try {
    // The command does not shape the file view or the network: any name will do.
    const config = toExecConfig(["true"], await optionsFromFlags(values));
    profile = await compileSeatbelt(process.platform === "darwin" ? withResolvedPaths(config) : config);
  } catch (e) {
    if (!(e instanceof StockadeError) || (e.code !== "UNSUPPORTED" && e.code !== "CONFIG_ERROR")) throw e;
    process.stderr.write(`stockade compile: ${e.message}\n`);
    return e.code === "UNSUPPORTED" ? Exit.PolicyError : Exit.Usage;
  }
  if (out !== undefined) await writeFile(out, profile);
  else await writeStdout(profile);
  return Exit.Ok;
}
