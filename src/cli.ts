#!/usr/bin/env node
/**
 * Entry point of the `stockade` command (`npx stockade`, `bunx stockade`, `deno run -A src/cli.ts`).
 *
 * @module
 */
import v8 from "node:v8";

// A one-shot command compiles a policy once: V8's baseline WASM tier does that in microseconds,
// while tiering the module up to the optimising compiler costs ~60 ms of CPU next to the engine's
// start (Node and Deno; Bun's JavaScriptCore ignores V8 flags). Libraries keep the default.
v8.setFlagsFromString("--liftoff-only");
const { main } = await import("./cli/main.ts");

process.exitCode = await main(process.argv.slice(2));
