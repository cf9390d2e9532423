/**
 * The frame the engine reads on fd 3 (docs/engine-protocol.md): a versioned header, then
 * length-prefixed sections. Little-endian throughout.
 *
 *   0  "STKD"            magic
 *   4  u16 version       FRAME_VERSION
 *   6  u16 count         number of sections
 *   8  sections          u16 kind · u16 reserved (0) · u32 length · bytes
 *
 * @module
 */
import type { ExecConfig } from "./config.ts";

/** The frame version this module writes. */
export const FRAME_VERSION = 1;

/** Section kinds; each may appear once. */
export const Section = {
  /** ExecConfig JSON, UTF-8. Required. */
  Config: 1,
  /** seccomp BPF program: 8-byte `sock_filter` records, 1..4096 of them. Required on Linux. */
  Seccomp: 2,
  /** Seatbelt profile text for macOS `sandbox-exec`. Required on macOS. */
  Seatbelt: 3,
} as const;

/** Size limits the engine enforces; the encoder checks them too so errors surface early. */
export const FrameLimits = { config: 1 << 20, seccomp: 4096 * 8, seatbelt: 1 << 20 } as const;

/** What goes into a frame. */
export interface FrameParts {
  config: ExecConfig;
  /** Linux's program; absent in a macOS frame. */
  seccomp?: Uint8Array;
  /** macOS's profile. */
  seatbelt?: string;
}

/** Encodes a frame. Throws `RangeError` when a section breaks a size rule. */
export function encodeFrame(parts: FrameParts): Uint8Array {
  const enc = new TextEncoder();
  const sections: [number, Uint8Array][] = [[Section.Config, enc.encode(JSON.stringify(parts.config))]];
  if (parts.seccomp !== undefined) sections.push([Section.Seccomp, parts.seccomp]);
  if (parts.seatbelt !== undefined) sections.push([Section.Seatbelt, enc.encode(parts.seatbelt)]);
  const [, config] = sections[0];
  if (config.length > FrameLimits.config) throw new RangeError(`ExecConfig is ${config.length} bytes; the limit is ${FrameLimits.config}`);
  if (parts.seccomp === undefined && parts.seatbelt === undefined) throw new RangeError("A frame needs a seccomp program (Linux) or a Seatbelt profile (macOS)");
  const seccompBytes = parts.seccomp?.length ?? 8;
  if (seccompBytes === 0 || seccompBytes % 8 !== 0 || seccompBytes > FrameLimits.seccomp) {
    throw new RangeError(`seccomp program is ${seccompBytes} bytes; it must be a non-zero multiple of 8 up to ${FrameLimits.seccomp}`);
  }
  const seatbeltBytes = sections.find(([kind]) => kind === Section.Seatbelt)?.[1].length ?? 0;
  if (seatbeltBytes > FrameLimits.seatbelt) throw new RangeError(`Seatbelt profile is ${seatbeltBytes} bytes; the limit is ${FrameLimits.seatbelt}`);
  const total = 8 + sections.reduce((n, [, b]) => n + 8 + b.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(enc.encode("STKD"), 0);
  view.setUint16(4, FRAME_VERSION, true);
  view.setUint16(6, sections.length, true);
  let at = 8;
  for (const [kind, bytes] of sections) {
    view.setUint16(at, kind, true);
    view.setUint16(at + 2, 0, true);
    view.setUint32(at + 4, bytes.length, true);
    out.set(bytes, at + 8);
    at += 8 + bytes.length;
  }
  return out;
}
