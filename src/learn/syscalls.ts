/**
 * System call names by number, from the compiler's own tables (the WASM module's `Names` op), so
 * learned rules use exactly the names the compiler accepts.
 *
 * @module
 */
import type { Arch } from "../compile.ts";
import { StockadeError } from "../errors.ts";
import { call, Op, Status } from "../wasm.ts";

/** Every architecture the compiler has a table for. */
export const TABLE_ARCHES: readonly Arch[] = ["x86_64", "i386", "aarch64", "riscv64"];

/** For each architecture: number → the compiler's name. */
export type NameTable = Map<Arch, Map<number, string>>;

let cached: Promise<NameTable> | undefined;

/** The four tables, number → name (an alias's number maps to the compiler's own name). */
export function syscallTables(): Promise<NameTable> {
  cached ??= (async () => {
    const res = await call({ op: Op.Names, foreign: 0x8000_0000, arches: [...TABLE_ARCHES], text: "", includes: new Map() });
    const payload = new TextDecoder().decode(res.payload);
    if (res.status !== Status.Ok) throw new StockadeError("WASM_ERROR", payload);
    const raw = JSON.parse(payload) as Record<string, Record<string, [string, number]>>;
    const tables: NameTable = new Map();
    for (const arch of TABLE_ARCHES) {
      const byNumber = new Map<number, string>();
      for (const [name, nr] of Object.values(raw[arch] ?? {})) byNumber.set(nr, name);
      tables.set(arch, byNumber);
    }
    return tables;
  })();
  return cached;
}

/** The compiler's name of syscall `nr` on `arch`, or `undefined` when its table has none. */
export async function syscallName(arch: string, nr: number): Promise<string | undefined> {
  return (await syscallTables()).get(arch as Arch)?.get(nr);
}
