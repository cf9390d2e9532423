#!/usr/bin/env node
/**
 * Entry point of the `stockade` command (`npx stockade`, `bunx stockade`, `deno run -A src/cli.ts`).
 *
 * @module
 */
import { main } from "./cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
