//! A readable listing of a seccomp BPF program: one instruction a line, jump targets as absolute
//! instruction numbers, loads of `seccomp_data` fields named, return values named as actions.

use crate::bpf::{self, Insn};
use crate::ir::Action;
use crate::tables::Arch;
use crate::text::{push_padded, Hex};

/// The `seccomp_data` field at a load offset.
fn field(off: u32) -> String {
    match off {
        0 => crate::text::owned("nr"),
        4 => crate::text::owned("arch"),
        8 => crate::text::owned("ip.lo"),
        12 => crate::text::owned("ip.hi"),
        16..=60 if off % 4 == 0 => {
            let i = (off - 16) / 8;
            let half = if (off - 16) % 8 == 0 { "lo" } else { "hi" };
            cat!("args[", i, "].", half)
        }
        _ => cat!("?", off),
    }
}

/// The name of a return value: `ALLOW`, `ERRNO(1)`, … or the raw value.
pub fn action_name(v: u32) -> String {
    match Action::from_ret_value(v) {
        Some(Action::Allow) => crate::text::owned("ALLOW"),
        Some(Action::Log) => crate::text::owned("LOG"),
        Some(Action::KillThread) => crate::text::owned("KILL_THREAD"),
        Some(Action::KillProcess) => crate::text::owned("KILL_PROCESS"),
        Some(Action::UserNotif) => crate::text::owned("USER_NOTIF"),
        Some(Action::Errno(n)) => cat!("ERRNO(", n, ")"),
        Some(Action::Trap(n)) => cat!("TRAP(", n, ")"),
        Some(Action::Trace(n)) => cat!("TRACE(", n, ")"),
        None => cat!("0x", Hex(v as u64, 8)),
    }
}

fn one(pc: usize, i: &Insn, after_arch_load: bool) -> (String, String) {
    let target = |off: u32| pc + 1 + off as usize;
    let code = i.code;
    let class = code & 0x07;
    let src_x = code & 0x08 != 0;
    let operand = if src_x { crate::text::owned("x") } else { cat!("#0x", Hex(i.k as u64, 1)) };
    let (text, note) = match class {
        bpf::LD if code == bpf::LD | bpf::W | bpf::ABS => (cat!("ld  [", i.k, "]"), field(i.k)),
        bpf::LD if code == bpf::LD | bpf::MEM => (cat!("ld  M[", i.k, "]"), String::new()),
        bpf::LD if code == bpf::LD | bpf::IMM => (cat!("ld  #0x", Hex(i.k as u64, 1)), String::new()),
        bpf::LDX if code == bpf::LDX | bpf::MEM => (cat!("ldx M[", i.k, "]"), String::new()),
        bpf::LDX if code == bpf::LDX | bpf::IMM => (cat!("ldx #0x", Hex(i.k as u64, 1)), String::new()),
        bpf::ST => (cat!("st  M[", i.k, "]"), String::new()),
        bpf::STX => (cat!("stx M[", i.k, "]"), String::new()),
        bpf::ALU => {
            let op = match code & 0xf0 {
                0x00 => "add",
                0x10 => "sub",
                0x20 => "mul",
                0x30 => "div",
                bpf::OR => "or",
                bpf::AND => "and",
                0x60 => "lsh",
                0x70 => "rsh",
                0x80 => "neg",
                0x90 => "mod",
                0xa0 => "xor",
                _ => "alu?",
            };
            (cat!(op, " ", operand), String::new())
        }
        bpf::JMP if code & 0xf0 == bpf::JA => (cat!("ja  ", target(i.k)), String::new()),
        bpf::JMP => {
            let op = match code & 0xf0 {
                bpf::JEQ => "jeq",
                bpf::JGT => "jgt",
                bpf::JGE => "jge",
                bpf::JSET => "jset",
                _ => "j?",
            };
            let note = match Arch::from_audit(i.k) {
                Some(a) if after_arch_load && code & 0xf0 == bpf::JEQ => a.name().to_string(),
                _ => String::new(),
            };
            (cat!(op, " ", operand, "  jt ", target(i.jt as u32), "  jf ", target(i.jf as u32)), note)
        }
        bpf::RET if code & 0x18 == 0x10 => (crate::text::owned("ret a"), String::new()),
        bpf::RET => (cat!("ret #0x", Hex(i.k as u64, 8)), action_name(i.k)),
        bpf::MISC if code & 0xf8 == bpf::TXA => (crate::text::owned("txa"), String::new()),
        bpf::MISC => (crate::text::owned("tax"), String::new()),
        _ => (cat!("??? code=0x", Hex(code as u64, 4), " k=0x", Hex(i.k as u64, 1)), String::new()),
    };
    (text, note)
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
        let (text, note) = one(pc, i, after_arch_load);
        after_arch_load = (i.code == bpf::LD | bpf::W | bpf::ABS && i.k == bpf::OFF_ARCH)
            || (after_arch_load && i.code == bpf::JMP | bpf::JEQ | bpf::K);
        let number = cat!(pc);
        for _ in number.len()..width {
            out.push(' ');
        }
        crate::text::push_str(&mut out, &number);
        crate::text::push_str(&mut out, ": ");
        if note.is_empty() {
            crate::text::push_str(&mut out, &text);
        } else {
            push_padded(&mut out, &text, 32);
            crate::text::push_str(&mut out, " ; ");
            crate::text::push_str(&mut out, &note);
        }
        out.push('\n');
    }
    Ok(out)
}
