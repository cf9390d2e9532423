/**
 * JSON with exact 64-bit integers. OCI profiles carry uint64 values (masks like
 * 0xffffffffffffffff) that `JSON.parse` would silently round; here an integer beyond
 * `Number.MAX_SAFE_INTEGER` becomes a `bigint`, and `stringifyExact` writes bigints back as
 * plain JSON numbers.
 *
 * @module
 */
import { StockadeError } from "./errors.ts";

/** A JSON value whose large integers are bigints. */
export type ExactJson = null | boolean | number | bigint | string | ExactJson[] | { [key: string]: ExactJson };

const MAX_DEPTH = 64;
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// JSON forbids raw control characters inside strings.
// deno-lint-ignore no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Parses JSON text; integers that a number cannot hold exactly become bigints. */
export function parseExact(text: string, what = "JSON"): ExactJson {
  let at = 0;
  const fail = (msg: string): never => {
    throw new StockadeError("USAGE_ERROR", `Invalid ${what} at offset ${at}: ${msg}`, "pass valid JSON");
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at++;
  };
  const value = (depth: number): ExactJson => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH}`);
    space();
    const c = text[at];
    if (c === "{") {
      at++;
      const out: { [key: string]: ExactJson } = {};
      space();
      if (text[at] === "}") return at++, out;
      for (;;) {
        space();
        if (text[at] !== '"') fail("expected a property name");
        const key = string();
        space();
        if (text[at++] !== ":") fail('expected ":"');
        if (Object.hasOwn(out, key)) fail(`property "${key}" appears twice`);
        out[key] = value(depth + 1);
        space();
        const sep = text[at++];
        if (sep === "}") return out;
        if (sep !== ",") fail('expected "," or "}"');
      }
    }
    if (c === "[") {
      at++;
      const out: ExactJson[] = [];
      space();
      if (text[at] === "]") return at++, out;
      for (;;) {
        out.push(value(depth + 1));
        space();
        const sep = text[at++];
        if (sep === "]") return out;
        if (sep !== ",") fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, at)) return (at += word.length), v;
    }
    NUMBER.lastIndex = at;
    const m = NUMBER.exec(text);
    if (!m) return fail("expected a value");
    at += m[0].length;
    const isInteger = m[2] === undefined && m[3] === undefined;
    if (isInteger && !Number.isSafeInteger(Number(m[0]))) return BigInt(m[0]);
    return Number(m[0]);
  };
  const string = (): string => {
    STRING.lastIndex = at;
    const m = STRING.exec(text);
    if (!m) return fail("bad string");
    at += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const out = value(0);
  space();
  if (at !== text.length) fail("unexpected text after the value");
  return out;
}

/** `JSON.stringify` that writes bigints as JSON numbers (exactly), indented by `indent` spaces. */
export function stringifyExact(value: unknown, indent = 2): string {
  const marks = new Map<string, string>();
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v !== "bigint") return v;
      const mark = `\u0000bigint${marks.size}\u0000`;
      marks.set(mark, v.toString());
      return mark;
    },
    indent,
  );
  return text.replace(/"\\u0000bigint\d+\\u0000"/g, (s) => marks.get(JSON.parse(s) as string) ?? s);
}
