/**
 * Where the package's non-code files live (wasm/kafel.wasm, policies/, engine/bin/). The same
 * module runs from `src/` (Deno, Bun, tsx) and from the compiled `dist/src/` (Node), so paths are
 * resolved against the package root rather than against this file.
 *
 * @module
 */

/** The package root as a `file:` URL ending in `/`. */
export const packageRoot: URL = new URL(import.meta.url.includes("/dist/src/") ? "../../" : "../", import.meta.url);

/** A `file:` URL for a path relative to the package root, e.g. `assetUrl("wasm/kafel.wasm")`. */
export function assetUrl(relative: string): URL {
  return new URL(relative, packageRoot);
}
