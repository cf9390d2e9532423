//! A readable listing of a seccomp BPF program: one instruction a line, jump targets as absolute
//! instruction numbers, loads of `seccomp_data` fields named, return values named as actions.
//! Everything is written straight into the listing (no string per line or per operand).

use crate::bpf::{self, Insn};
use crate::ir::Action;
use crate::tables::Arch;
use crate::text::{push_str, Hex};

/// What a line's comment names.
enum Note {
    None,
    /// The `seccomp_data` field a load reads, by offset.
    Field(u32),
    /// The architecture a `jeq` right after the architecture load compares with.
    Arch(Arch),
    /// The action a return value means.
    Action(u32),
}

/// Appends the `seccomp_data` field at a load offset.
fn field(out: &mut String, off: u32) {
    match off {
        0 => push_str(out, "nr"),
        4 => push_str(out, "arch"),
        8 => push_str(out, "ip.lo"),
        12 => push_str(out, "ip.hi"),
        16..=60 if off % 4 == 0 => put!(out, "args[", (off - 16) / 8, if (off - 16) % 8 == 0 { "].lo" } else { "].hi" }),
        _ => put!(out, "?", off),
    }
}

/// Appends the name of a return value: `ALLOW`, `ERRNO(1)`, … or the raw value.
fn action(out: &mut String, v: u32) {
    let (name, data) = match Action::from_ret_value(v) {
        Some(Action::Allow) => ("ALLOW", None),
        Some(Action::Log) => ("LOG", None),
        Some(Action::KillThread) => ("KILL_THREAD", None),
        Some(Action::KillProcess) => ("KILL_PROCESS", None),
        Some(Action::UserNotif) => ("USER_NOTIF", None),
        Some(Action::Errno(n)) => ("ERRNO(", Some(n)),
        Some(Action::Trap(n)) => ("TRAP(", Some(n)),
        Some(Action::Trace(n)) => ("TRACE(", Some(n)),
        None => {
            put!(out, "0x", Hex(v as u64, 8));
            return;
        }
    };
    push_str(out, name);
    if let Some(n) = data {
        put!(out, n, ")");
    }
}

/// Appends instruction `i` at `pc`; returns what its comment names.
fn insn(out: &mut String, pc: usize, i: &Insn, after_arch_load: bool) -> Note {
    let target = |off: u32| pc + 1 + off as usize;
    let (code, k) = (i.code, i.k);
    let operand = |out: &mut String| match code & bpf::X {
        0 => put!(out, "#0x", Hex(k as u64, 1)),
        _ => push_str(out, "x"),
    };
    match code & 0x07 {
        bpf::LD if code == bpf::LD | bpf::W | bpf::ABS => {
            put!(out, "ld  [", k, "]");
            return Note::Field(k);
        }
        bpf::LD if code == bpf::LD | bpf::MEM => put!(out, "ld  M[", k, "]"),
        bpf::LD if code == bpf::LD | bpf::IMM => put!(out, "ld  #0x", Hex(k as u64, 1)),
        bpf::LDX if code == bpf::LDX | bpf::MEM => put!(out, "ldx M[", k, "]"),
        bpf::LDX if code == bpf::LDX | bpf::IMM => put!(out, "ldx #0x", Hex(k as u64, 1)),
        bpf::ST => put!(out, "st  M[", k, "]"),
        bpf::STX => put!(out, "stx M[", k, "]"),
        bpf::ALU => {
            let op = match code & 0xf0 {
                0x00 => "add ",
                0x10 => "sub ",
                0x20 => "mul ",
                0x30 => "div ",
                bpf::OR => "or ",
                bpf::AND => "and ",
                0x60 => "lsh ",
                0x70 => "rsh ",
                0x80 => "neg ",
                0x90 => "mod ",
                0xa0 => "xor ",
                _ => "alu? ",
            };
            push_str(out, op);
            operand(out);
        }
        bpf::JMP if code & 0xf0 == bpf::JA => put!(out, "ja  ", target(k)),
        bpf::JMP => {
            let op = match code & 0xf0 {
                bpf::JEQ => "jeq ",
                bpf::JGT => "jgt ",
                bpf::JGE => "jge ",
                bpf::JSET => "jset ",
                _ => "j? ",
            };
            push_str(out, op);
            operand(out);
            put!(out, "  jt ", target(i.jt as u32), "  jf ", target(i.jf as u32));
            match Arch::from_audit(k) {
                Some(a) if after_arch_load && code & 0xf0 == bpf::JEQ => return Note::Arch(a),
                _ => {}
            }
        }
        bpf::RET if code & 0x18 == 0x10 => push_str(out, "ret a"),
        bpf::RET => {
            put!(out, "ret #0x", Hex(k as u64, 8));
            return Note::Action(k);
        }
        bpf::MISC if code & 0xf8 == bpf::TXA => push_str(out, "txa"),
        bpf::MISC => push_str(out, "tax"),
        _ => put!(out, "??? code=0x", Hex(code as u64, 4), " k=0x", Hex(k as u64, 1)),
    }
    Note::None
}

/// Disassembles program bytes; the error says why the bytes are not a program.
pub fn listing(bytes: &[u8]) -> Result<String, String> {
    let prog = bpf::decode(bytes)
        .ok_or_else(|| cat!("A BPF program is a multiple of 8 bytes; got ", bytes.len(), " bytes"))?;
    if prog.is_empty() {
        return Err(crate::text::owned("The BPF program is empty"));
    }
    let width = cat!(prog.len() - 1).len();
    let mut out = String::new();
    let mut after_arch_load = false;
    for (pc, i) in prog.iter().enumerate() {
        let number = cat!(pc);
        for _ in number.len()..width {
            out.push(' ');
        }
        put!(&mut out, number, ": ");
        let text = out.len();
        let note = insn(&mut out, pc, i, after_arch_load);
        after_arch_load = (i.code == bpf::LD | bpf::W | bpf::ABS && i.k == bpf::OFF_ARCH)
            || (after_arch_load && i.code == bpf::JMP | bpf::JEQ | bpf::K);
        if !matches!(note, Note::None) {
            // The comment starts in column 32 of the instruction text, or after a longer text.
            for _ in out.len() - text..32 {
                out.push(' ');
            }
            push_str(&mut out, " ; ");
            match note {
                Note::Field(off) => field(&mut out, off),
                Note::Arch(a) => push_str(&mut out, a.name()),
                Note::Action(v) => action(&mut out, v),
                Note::None => {}
            }
        }
        out.push('\n');
    }
    Ok(out)
}
