/**
 * Errors Stockade throws. Every error is a `StockadeError` with a stable `code`, so callers branch
 * on data, not on message text.
 *
 * @module
 */

/** Stable error codes. */
export type ErrorCode =
  | "POLICY_ERROR"
  | "CONFIG_ERROR"
  | "ENGINE_NOT_FOUND"
  | "ENGINE_FAILED"
  | "WASM_ERROR"
  | "USAGE_ERROR"
  | "UNSUPPORTED";

/**
 * The base class of every error Stockade throws.
 *
 * @example
 * ```ts
 * import { StockadeError } from "./errors.ts";
 * try { throw new StockadeError("USAGE_ERROR", "Missing command", "pass it after --"); }
 * catch (e) { if (e instanceof StockadeError) console.log(e.code); }
 * ```
 */
export class StockadeError extends Error {
  /** A stable, machine-readable code. */
  readonly code: ErrorCode;
  /** What to do about it, when there is something to do. */
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(hint ? `${message} (${hint})` : message, options);
    this.name = "StockadeError";
    this.code = code;
    this.hint = hint;
  }
}

/** One problem in a configuration object, located by its field path (`fs.write[2]`). */
export interface ConfigIssue {
  /** Dotted path to the field, `""` for the root. */
  path: string;
  /** What is wrong, in a sentence. */
  message: string;
}

/**
 * Thrown when options, an ExecConfig or a policy file do not validate. `issues` lists every
 * problem with its field path.
 */
export class ConfigError extends StockadeError {
  /** Every problem found, each with its field path. */
  readonly issues: readonly ConfigIssue[];

  constructor(what: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  ${i.path || "(root)"}: ${i.message}`).join("\n");
    super("CONFIG_ERROR", `Invalid ${what}:\n${lines}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}
