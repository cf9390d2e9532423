/**
 * The loader for wasm/kafel.wasm: a plain core module with no generated glue (DESIGN.md "The
 * WASM ABI"). The request/response layout is documented in wasm/src/abi.rs; this file is its other
 * half. The module is instantiated once per process and reused; a trap (which would mean a bug)
 * discards the instance so the next call starts clean.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { assetUrl } from "./assets.ts";
import { concatBytes } from "./bytes.ts";
import { StockadeError } from "./errors.ts";

const ABI_VERSION = 1;

/** Operations the module serves (abi.rs `OP_*`). */
export const Op = { Bpf: 1, Oci: 2, Seatbelt: 3, Disasm: 4, Names: 5 } as const;

/** Response status (abi.rs `STATUS_*`). */
export const Status = { Ok: 0, Diagnostics: 1, NeedIncludes: 2, BadRequest: 3 } as const;

interface Exports {
  memory: WebAssembly.Memory;
  stockade_alloc(len: number): number;
  stockade_free(ptr: number, len: number): void;
  stockade_call(ptr: number, len: number): number;
}

/** A raw response: status and payload bytes. */
export interface Response {
  status: number;
  payload: Uint8Array;
}

/** One request to the module. */
export interface Request {
  op: number;
  /** SECCOMP_RET value for foreign architectures. */
  foreign: number;
  /** Architecture names, in dispatch order. */
  arches: readonly string[];
  /** Policy text, or program bytes for `Op.Disasm`. */
  text: string | Uint8Array;
  /** Include name → text, or `null` when the host found nothing under that name. */
  includes: ReadonlyMap<string, string | null>;
}

let instance: Promise<Exports> | undefined;

async function instantiate(): Promise<Exports> {
  // readFile, not fetch: fetch of a file: URL fails on Node 20.
  const bytes = await readFile(assetUrl("wasm/kafel.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return instance.exports as unknown as Exports;
}

/** Loads (once) and returns the module's exports. */
export function loadModule(): Promise<Exports> {
  instance ??= instantiate().catch((cause) => {
    instance = undefined;
    throw new StockadeError("WASM_ERROR", "Cannot load wasm/kafel.wasm", "rebuild it with `npm run build:wasm`", { cause });
  });
  return instance;
}

function encodeRequest(req: Request): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0, true);
    parts.push(b);
  };
  const str = (s: string | Uint8Array) => {
    const b = typeof s === "string" ? enc.encode(s) : s;
    u32(b.length);
    parts.push(b);
  };
  u32(ABI_VERSION);
  u32(req.op);
  u32(req.foreign);
  u32(req.arches.length);
  for (const a of req.arches) str(a);
  str(req.text);
  u32(req.includes.size);
  for (const [name, text] of req.includes) {
    str(name);
    parts.push(Uint8Array.of(text === null ? 0 : 1));
    if (text !== null) str(text);
  }
  return concatBytes(parts);
}

/** Sends one request to the module and returns its raw response. */
export async function call(req: Request): Promise<Response> {
  const ex = await loadModule();
  const body = encodeRequest(req);
  try {
    const ptr = ex.stockade_alloc(body.length);
    new Uint8Array(ex.memory.buffer, ptr, body.length).set(body);
    const out = ex.stockade_call(ptr, body.length);
    ex.stockade_free(ptr, body.length);
    const view = new DataView(ex.memory.buffer, out, 8);
    const status = view.getUint32(0, true);
    const len = view.getUint32(4, true);
    const payload = new Uint8Array(ex.memory.buffer, out + 8, len).slice();
    ex.stockade_free(out, 8 + len);
    return { status, payload };
  } catch (cause) {
    instance = undefined;
    throw new StockadeError("WASM_ERROR", "The policy compiler crashed", "this is a bug: please report it with the policy", { cause });
  }
}
