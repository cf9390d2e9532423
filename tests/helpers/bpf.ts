/**
 * A classic-BPF interpreter for seccomp programs, independent of the Rust one, so tests can run
 * compiled programs on (arch, nr, args) inputs from TypeScript.
 */

/** AUDIT_ARCH values (linux/audit.h). */
export const AUDIT = { x86_64: 0xc000003e, i386: 0x40000003, aarch64: 0xc00000b7, riscv64: 0xc00000f3 } as const;

/** Named SECCOMP_RET values. */
export const RET = { ALLOW: 0x7fff0000, LOG: 0x7ffc0000, KILL_THREAD: 0, KILL_PROCESS: 0x80000000, USER_NOTIF: 0x7fc00000 } as const;
export const errno = (n: number) => (0x00050000 | n) >>> 0;

export interface Input {
  arch: number;
  nr: number;
  args?: readonly bigint[];
}

/** Runs `prog` on one input; returns the return value and how many instructions ran. */
export function runBpf(prog: Uint8Array, input: Input): { ret: number; executed: number } {
  const view = new DataView(prog.buffer, prog.byteOffset, prog.byteLength);
  const n = prog.length / 8;
  const args = input.args ?? [];
  const word = (off: number): number => {
    if (off === 0) return input.nr >>> 0;
    if (off === 4) return input.arch >>> 0;
    if (off === 8 || off === 12) return 0;
    if (off >= 16 && off < 64 && off % 4 === 0) {
      const v = BigInt.asUintN(64, args[(off - 16) >> 3] ?? 0n);
      return Number((off - 16) % 8 === 0 ? v & 0xffffffffn : v >> 32n);
    }
    throw new Error(`load at bad offset ${off}`);
  };
  let a = 0;
  let x = 0;
  const mem = new Uint32Array(16);
  let pc = 0;
  let executed = 0;
  while (pc < n) {
    const code = view.getUint16(pc * 8, true);
    const jt = view.getUint8(pc * 8 + 2);
    const jf = view.getUint8(pc * 8 + 3);
    const k = view.getUint32(pc * 8 + 4, true);
    executed++;
    pc++;
    switch (code) {
      case 0x20: a = word(k); break; // ld [k]
      case 0x00: a = k; break; // ld #k
      case 0x01: x = k; break; // ldx #k
      case 0x60: a = mem[k]; break; // ld M[k]
      case 0x61: x = mem[k]; break; // ldx M[k]
      case 0x02: mem[k] = a; break; // st
      case 0x03: mem[k] = x; break; // stx
      case 0x54: a = (a & k) >>> 0; break;
      case 0x5c: a = (a & x) >>> 0; break;
      case 0x44: a = (a | k) >>> 0; break;
      case 0x4c: a = (a | x) >>> 0; break;
      case 0x07: x = a; break; // tax
      case 0x87: a = x; break; // txa
      case 0x05: pc += k; break; // ja
      case 0x15: pc += a === k ? jt : jf; break;
      case 0x1d: pc += a === x ? jt : jf; break;
      case 0x25: pc += a > k ? jt : jf; break;
      case 0x2d: pc += a > x ? jt : jf; break;
      case 0x35: pc += a >= k ? jt : jf; break;
      case 0x3d: pc += a >= x ? jt : jf; break;
      case 0x45: pc += (a & k) !== 0 ? jt : jf; break;
      case 0x4d: pc += (a & x) !== 0 ? jt : jf; break;
      case 0x06: return { ret: k >>> 0, executed };
      case 0x16: return { ret: a >>> 0, executed };
      default: throw new Error(`unsupported opcode 0x${code.toString(16)} at ${pc - 1}`);
    }
  }
  throw new Error("program fell off the end");
}
