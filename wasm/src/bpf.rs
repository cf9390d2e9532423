//! Classic BPF as seccomp uses it: the instruction record, opcodes, and the byte encoding.

/// One `struct sock_filter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

// Instruction classes and fields (linux/bpf_common.h).
pub const LD: u16 = 0x00;
pub const LDX: u16 = 0x01;
pub const ST: u16 = 0x02;
pub const STX: u16 = 0x03;
pub const ALU: u16 = 0x04;
pub const JMP: u16 = 0x05;
pub const RET: u16 = 0x06;
pub const MISC: u16 = 0x07;
pub const W: u16 = 0x00;
pub const ABS: u16 = 0x20;
pub const IMM: u16 = 0x00;
pub const MEM: u16 = 0x60;
pub const K: u16 = 0x00;
pub const X: u16 = 0x08;
pub const A: u16 = 0x10;
pub const AND: u16 = 0x50;
pub const OR: u16 = 0x40;
pub const JA: u16 = 0x00;
pub const JEQ: u16 = 0x10;
pub const JGT: u16 = 0x20;
pub const JGE: u16 = 0x30;
pub const JSET: u16 = 0x40;
pub const TAX: u16 = 0x00;
pub const TXA: u16 = 0x80;

/// The kernel's limit on a filter's length (BPF_MAXINSNS).
pub const MAX_INSNS: usize = 4096;
/// Scratch memory slots M[0..15].
pub const MEM_WORDS: usize = 16;

/// Offsets into `struct seccomp_data` (little-endian targets).
pub const OFF_NR: u32 = 0;
pub const OFF_ARCH: u32 = 4;
pub fn off_arg_lo(i: u8) -> u32 {
    16 + 8 * i as u32
}
pub fn off_arg_hi(i: u8) -> u32 {
    16 + 8 * i as u32 + 4
}

impl Insn {
    pub fn stmt(code: u16, k: u32) -> Insn {
        Insn { code, jt: 0, jf: 0, k }
    }
    pub fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Insn {
        Insn { code, jt, jf, k }
    }
}

/// The program as the kernel takes it: 8 bytes per instruction, little-endian.
pub fn encode(prog: &[Insn]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prog.len() * 8);
    for i in prog {
        out.extend_from_slice(&i.code.to_le_bytes());
        out.push(i.jt);
        out.push(i.jf);
        out.extend_from_slice(&i.k.to_le_bytes());
    }
    out
}

/// The inverse of `encode`; `None` when the length is not a multiple of 8.
pub fn decode(bytes: &[u8]) -> Option<Vec<Insn>> {
    if bytes.len() % 8 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|c| Insn {
                code: u16::from_le_bytes([c[0], c[1]]),
                jt: c[2],
                jf: c[3],
                k: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect(),
    )
}

/// `struct seccomp_data`: what a filter sees for one syscall.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeccompData {
    pub nr: u32,
    pub arch: u32,
    pub instruction_pointer: u64,
    pub args: [u64; 6],
}

impl SeccompData {
    /// The 32-bit word at byte `offset`, as `LD W ABS` reads it (little-endian layout).
    pub fn word(&self, offset: u32) -> Option<u32> {
        match offset {
            0 => Some(self.nr),
            4 => Some(self.arch),
            8 => Some(self.instruction_pointer as u32),
            12 => Some((self.instruction_pointer >> 32) as u32),
            16..=60 if offset % 4 == 0 => {
                let i = ((offset - 16) / 8) as usize;
                let v = self.args[i];
                Some(if (offset - 16) % 8 == 0 { v as u32 } else { (v >> 32) as u32 })
            }
            _ => None,
        }
    }
}
