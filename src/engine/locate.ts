/**
 * Finds the engine executable: `STOCKADE_ENGINE`, then the package's own build output
 * (`engine/bin/stockade-engine`), then `PATH`.
 *
 * @module
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { assetUrl } from "../assets.ts";
import { StockadeError } from "../errors.ts";

/** The engine's file name, in the package and on `PATH`. */
export const ENGINE_NAME = "stockade-engine";

const BUILD_HINT = "build it with `npm run build:engine` (or `sh engine/build.sh`), or set STOCKADE_ENGINE to its path";

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the absolute path of the engine executable.
 *
 * @throws {StockadeError} `ENGINE_NOT_FOUND` naming every place looked at and how to build it.
 * @example
 * ```ts
 * import { locateEngine } from "./locate.ts";
 * console.log(locateEngine()); // e.g. /work/main/engine/bin/stockade-engine
 * ```
 */
export function locateEngine(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const explicit = env.STOCKADE_ENGINE;
  if (explicit !== undefined && explicit !== "") {
    // An explicit choice that is wrong is an error, never a silent fall-through to another engine.
    if (isExecutableFile(explicit)) return explicit;
    throw new StockadeError("ENGINE_NOT_FOUND", `STOCKADE_ENGINE is "${explicit}", which is not an executable file`, BUILD_HINT);
  }
  const packaged = fileURLToPath(assetUrl(`engine/bin/${ENGINE_NAME}`));
  if (isExecutableFile(packaged)) return packaged;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, ENGINE_NAME);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new StockadeError("ENGINE_NOT_FOUND", `Cannot find "${ENGINE_NAME}" at "${packaged}" or on PATH`, BUILD_HINT);
}
