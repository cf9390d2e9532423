/**
 * Sizes and durations as people write them (`512m`, `15m`): one grammar for the CLI flags and
 * policy files.
 *
 * @module
 */

const SIZE_UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const DURATION_UNITS: Record<string, number> = { ms: 1, "": 1000, s: 1000, m: 60_000 };

/** The grammar of sizes, for messages. */
export const SIZE_HINT = "use a number of bytes, optionally with k, m or g: 512m";
/** The grammar of durations, for messages. */
export const DURATION_HINT = "use 30 or 30s, 1500ms, 2m";

/** `512m` → bytes (k, m, g are powers of 1024), or `undefined` when it is not a size of at least 1 byte. */
export function sizeBytes(text: string): number | undefined {
  const m = /^([0-9]+)([kmg]?)b?$/i.exec(text.trim());
  const bytes = m ? Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()] : NaN;
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}

/** `30`, `30s`, `1500ms`, `2m` → milliseconds (a bare number is seconds), or `undefined`. */
export function durationMs(text: string): number | undefined {
  const m = /^([0-9]+)(ms|s|m)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2] ?? ""] : NaN;
  return Number.isSafeInteger(ms) && ms >= 1 ? ms : undefined;
}

/** A policy file's size: a number of bytes, or text as `sizeBytes` reads it; 0 only where `zero` allows it. */
export function sizeValue(value: number | string, zero = false): number | undefined {
  if (typeof value === "number") return value >= (zero ? 0 : 1) ? value : undefined;
  if (zero && /^0+[kmg]?b?$/i.test(value.trim())) return 0;
  return sizeBytes(value);
}

/** A policy file's duration in milliseconds: a number of seconds, or text as `durationMs` reads it. */
export function durationValue(value: number | string): number | undefined {
  return typeof value === "number" ? (value >= 1 ? value * 1000 : undefined) : durationMs(value);
}
