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

/// What one run of a filter produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exec {
    /// The value of the `RET` reached.
    pub ret: u32,
    /// Instructions executed, the `RET` included.
    pub executed: usize,
    /// Whether a load read beyond `nr` and `arch` (instruction pointer or arguments): the
    /// kernel can cache only decisions that do not.
    pub read_args: bool,
}

/// Whether seccomp accepts this opcode (kernel/seccomp.c `seccomp_check_filter`; it is stricter
/// than the classic-BPF opcode table, so this is the whole opcode check).
fn seccomp_allows(code: u16) -> bool {
    const ALU_OPS: [u16; 9] = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0]; // add sub mul div or and lsh rsh xor
    match code {
        0x20 | 0x80 | 0x81 => true,                        // ld [k] · ld len · ldx len
        0x06 | 0x16 => true,                               // ret k · ret a
        0x84 => true,                                      // neg
        0x00 | 0x01 | 0x60 | 0x61 | 0x02 | 0x03 => true,   // ld/ldx imm · ld/ldx M[k] · st · stx
        0x07 | 0x87 => true,                               // tax · txa
        0x05 => true,                                      // ja
        0x15 | 0x1d | 0x25 | 0x2d | 0x35 | 0x3d | 0x45 | 0x4d => true, // jeq jgt jge jset, k and x
        c if c & 0x07 == ALU => ALU_OPS.contains(&(c & 0xf0)) && c & !0xf8 == ALU,
        _ => false,
    }
}

fn is_cond_jump(code: u16) -> bool {
    code & 0x07 == JMP && code != JMP | JA
}

/// The kernel's static checks on a filter (`bpf_check_classic` + `seccomp_check_filter`):
/// length 1..=4096, only the opcodes seccomp allows, `LD W ABS` only at aligned offsets inside
/// `seccomp_data`, no division by a zero constant, constant shifts below 32, scratch indexes
/// below 16, jumps forward and inside the program, the last instruction a `RET`, and no
/// scratch read before a write on some path.
pub fn validate(prog: &[Insn]) -> Result<(), String> {
    let n = prog.len();
    if n == 0 || n > MAX_INSNS {
        return Err(format!("Program length {} is outside 1..={}", n, MAX_INSNS));
    }
    for (pc, i) in prog.iter().enumerate() {
        if !seccomp_allows(i.code) {
            return Err(format!("Instruction {}: opcode 0x{:02x} is not allowed in seccomp", pc, i.code));
        }
        let bad = |what: &str| Err(format!("Instruction {}: {} (k = {})", pc, what, i.k));
        match i.code {
            0x20 if i.k >= 64 || i.k % 4 != 0 => return bad("load outside seccomp_data or unaligned"),
            0x34 if i.k == 0 => return bad("division by zero"),
            0x64 | 0x74 if i.k >= 32 => return bad("shift by 32 or more"),
            0x60 | 0x61 | 0x02 | 0x03 if i.k as usize >= MEM_WORDS => return bad("scratch index out of range"),
            0x05 if i.k as u64 >= (n - pc - 1) as u64 => return bad("jump out of range"),
            c if is_cond_jump(c) && (pc + i.jt as usize + 1 >= n || pc + i.jf as usize + 1 >= n) => {
                return Err(format!("Instruction {}: jump out of range (jt = {}, jf = {})", pc, i.jt, i.jf));
            }
            _ => {}
        }
    }
    if prog[n - 1].code & 0x07 != RET {
        return Err(format!("Instruction {}: the last instruction must be a RET", n - 1));
    }
    check_scratch_init(prog)
}

/// The kernel's `check_load_and_stores`: every scratch read must follow a write on all paths.
fn check_scratch_init(prog: &[Insn]) -> Result<(), String> {
    let mut masks = vec![u16::MAX; prog.len()];
    let mut valid: u16 = 0;
    for (pc, i) in prog.iter().enumerate() {
        valid &= masks[pc];
        match i.code {
            0x02 | 0x03 => valid |= 1 << i.k,
            0x60 | 0x61 if valid & (1 << i.k) == 0 => {
                return Err(format!("Instruction {}: reads scratch M[{}] before any write", pc, i.k));
            }
            0x05 => {
                masks[pc + 1 + i.k as usize] &= valid;
                valid = u16::MAX;
            }
            c if is_cond_jump(c) => {
                masks[pc + 1 + i.jt as usize] &= valid;
                masks[pc + 1 + i.jf as usize] &= valid;
                valid = u16::MAX;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Runs a filter on one `seccomp_data` as the kernel would, after `validate`.
pub fn run(prog: &[Insn], data: &SeccompData) -> Result<Exec, String> {
    validate(prog)?;
    let (mut a, mut x, mut mem) = (0u32, 0u32, [0u32; MEM_WORDS]);
    let (mut pc, mut executed, mut read_args) = (0usize, 0usize, false);
    loop {
        // validate() guarantees pc stays in range and the program ends in RET.
        let i = prog[pc];
        executed += 1;
        pc += 1;
        let src = if i.code & X != 0 { x } else { i.k };
        match i.code {
            0x20 => {
                read_args |= i.k >= 8;
                a = data.word(i.k).ok_or_else(|| format!("Load at offset {} outside seccomp_data", i.k))?;
            }
            0x80 => a = 64,
            0x81 => x = 64,
            0x00 => a = i.k,
            0x01 => x = i.k,
            0x60 => a = mem[i.k as usize],
            0x61 => x = mem[i.k as usize],
            0x02 => mem[i.k as usize] = a,
            0x03 => mem[i.k as usize] = x,
            0x07 => x = a,
            0x87 => a = x,
            0x84 => a = a.wrapping_neg(),
            0x06 => return Ok(Exec { ret: i.k, executed, read_args }),
            0x16 => return Ok(Exec { ret: a, executed, read_args }),
            0x05 => pc += i.k as usize,
            c if c & 0x07 == ALU => {
                a = match c & 0xf0 {
                    0x00 => a.wrapping_add(src),
                    0x10 => a.wrapping_sub(src),
                    0x20 => a.wrapping_mul(src),
                    // Division by a zero X ends the filter with 0, as the kernel does.
                    0x30 if src == 0 => return Ok(Exec { ret: 0, executed, read_args }),
                    0x30 => a / src,
                    0x40 => a | src,
                    0x50 => a & src,
                    0x60 => a.wrapping_shl(src),
                    0x70 => a.wrapping_shr(src),
                    _ => a ^ src,
                }
            }
            c => {
                let taken = match c & 0xf0 {
                    JEQ => a == src,
                    JGT => a > src,
                    JGE => a >= src,
                    _ => a & src != 0,
                };
                pc += if taken { i.jt } else { i.jf } as usize;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret(k: u32) -> Insn {
        Insn::stmt(RET | K, k)
    }
    fn ld(k: u32) -> Insn {
        Insn::stmt(LD | W | ABS, k)
    }
    fn data(nr: u32, args: [u64; 6]) -> SeccompData {
        SeccompData { nr, arch: 0xc000_003e, instruction_pointer: 0, args }
    }

    #[test]
    fn validate_accepts_a_plain_filter() {
        let prog = [ld(0), Insn::jump(JMP | JEQ | K, 3, 0, 1), ret(1), ret(2)];
        assert_eq!(validate(&prog), Ok(()));
        assert_eq!(run(&prog, &data(3, [0; 6])).unwrap(), Exec { ret: 1, executed: 3, read_args: false });
        assert_eq!(run(&prog, &data(4, [0; 6])).unwrap().ret, 2);
    }

    #[test]
    fn validate_applies_the_kernel_checks() {
        let bad: Vec<(Vec<Insn>, &str)> = vec![
            (vec![], "length"),
            (vec![ret(0); MAX_INSNS + 1], "length"),
            (vec![Insn::stmt(LD | 0x08 | ABS, 0), ret(0)], "not allowed"), // LD H ABS
            (vec![Insn::stmt(ALU | 0x90 | K, 3), ret(0)], "not allowed"),  // MOD
            (vec![Insn::stmt(LD | W | 0x40, 0), ret(0)], "not allowed"),   // LD IND
            (vec![ld(2), ret(0)], "unaligned"),
            (vec![ld(64), ret(0)], "outside"),
            (vec![Insn::stmt(ALU | 0x30 | K, 0), ret(0)], "division by zero"),
            (vec![Insn::stmt(ALU | 0x60 | K, 32), ret(0)], "shift"),
            (vec![Insn::stmt(ST, 16), ret(0)], "scratch index"),
            (vec![Insn::stmt(JMP | JA, 1), ret(0)], "out of range"),
            (vec![Insn::jump(JMP | JEQ | K, 0, 0, 1), ret(0)], "out of range"),
            (vec![ld(0)], "last instruction"),
            (vec![Insn::stmt(LD | MEM, 0), ret(0)], "before any write"),
            // The kernel does not reset its scratch state after a RET: M[0] below is written
            // on the only path into it, yet the check (like the kernel's) refuses it.
            (vec![ld(0), Insn::jump(JMP | JEQ | K, 1, 0, 2), Insn::stmt(ST, 0), Insn::stmt(JMP | JA, 1), ret(0), Insn::stmt(LDX | MEM, 0), ret(2)], "before any write"),
        ];
        for (prog, want) in bad {
            let e = validate(&prog).unwrap_err();
            assert!(e.contains(want), "{:?}: {}", prog.get(..3), e);
        }
        // Scratch written on every path before the read is fine.
        let ok = [ld(0), Insn::stmt(ST, 3), Insn::jump(JMP | JEQ | K, 1, 0, 1), Insn::stmt(LDX | MEM, 3), Insn::stmt(LD | MEM, 3), Insn::stmt(RET | A, 0)];
        assert_eq!(validate(&ok), Ok(()));
    }

    #[test]
    fn run_follows_the_kernel_semantics() {
        let args = [0x1_0000_0005, 0, 0, 0, 0, 0xdead_beef_0000_0000];
        // A = args[0].lo + 1; X = args[5].hi; A &= X; ret A
        let prog = [
            ld(16),
            Insn::stmt(ALU | 0x00 | K, 1),
            Insn::stmt(LDX | W | 0x80, 0), // ldx len
            Insn::stmt(0x07 | TAX, 0),
            ld(60),
            Insn::stmt(ALU | AND | X, 0),
            Insn::stmt(RET | A, 0),
        ];
        let e = run(&prog, &data(0, args)).unwrap();
        assert_eq!(e, Exec { ret: 0xdead_beef & 6, executed: 7, read_args: true });
        // Division by a zero X ends the filter with 0.
        let prog = [Insn::stmt(LD | IMM, 7), Insn::stmt(LDX | IMM, 0), Insn::stmt(ALU | 0x30 | X, 0), ret(9)];
        assert_eq!(run(&prog, &data(0, args)).unwrap().ret, 0);
        // JA, JGT, JGE, JSET.
        let prog = [
            ld(0),
            Insn::stmt(JMP | JA, 1),
            ret(100),
            Insn::jump(JMP | JGT | K, 10, 2, 0),
            Insn::jump(JMP | JSET | K, 4, 2, 0),
            ret(1),
            Insn::jump(JMP | JGE | K, 20, 1, 0),
            ret(2),
            ret(3),
        ];
        let r = |nr| run(&prog, &data(nr, [0; 6])).unwrap().ret;
        assert_eq!((r(1), r(4), r(11), r(20)), (1, 2, 2, 3));
    }
}
