/** How to run a TypeScript entry point with the runtime the tests run under. */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";

const g = globalThis as { Deno?: unknown; Bun?: unknown };

/** The runtime running these tests. */
export const runtime: "deno" | "bun" | "node" = g.Deno ? "deno" : g.Bun ? "bun" : "node";

/** argv that runs the TypeScript file `entry` under the current runtime. */
export function tsCommand(entry: string): string[] {
  if (runtime === "deno") return [process.execPath, "run", "-A", "--no-check", entry];
  if (runtime === "bun") return [process.execPath, entry];
  return [process.execPath, "--import", "tsx", entry];
}

/** Runs the CLI (`src/cli.ts`) with `args`, optional stdin and extra environment variables. */
export function cli(args: string[], input?: string | Uint8Array, env?: Record<string, string>): SpawnSyncReturns<Buffer> {
  const [cmd, ...rest] = tsCommand(new URL("../../src/cli.ts", import.meta.url).pathname);
  return spawnSync(cmd, [...rest, ...args], { input, maxBuffer: 64 << 20, env: env && { ...process.env, ...env } });
}
