/**
 * What every subcommand shares: exit codes, usage errors, reading input, writing output.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { concatBytes } from "../bytes.ts";
import { StockadeError } from "../errors.ts";

/** Exit codes of the CLI (the target's own code is propagated by `run`). */
export const Exit = {
  Ok: 0,
  /** A policy did not compile; every diagnostic was printed. */
  PolicyError: 2,
  /** Bad flags or arguments (EX_USAGE). */
  Usage: 64,
  /** Stockade itself failed (engine missing, kernel feature missing …). */
  Failure: 125,
} as const;

/** A usage error: the message says what is wrong, the hint how to fix it. */
export function usageError(message: string, hint: string): StockadeError {
  return new StockadeError("USAGE_ERROR", message, hint);
}

/** Reads a file, or standard input for `-`. */
export async function readInput(path: string): Promise<Uint8Array> {
  if (path !== "-") return new Uint8Array(await readFile(path));
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  return concatBytes(chunks);
}

/** Writes to standard output and resolves once the bytes are handed to the OS. */
export function writeStdout(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve())));
}
