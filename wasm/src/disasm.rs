//! A readable listing of a seccomp BPF program: one instruction a line, jump targets as absolute
//! instruction numbers, loads of `seccomp_data` fields named, return values named as actions.

use crate::bpf::{self, Insn};
use crate::ir::Action;
use crate::tables::Arch;
use std::fmt::Write;

/// The `seccomp_data` field at a load offset.
fn field(off: u32) -> String {
    match off {
        0 => "nr".to_string(),
        4 => "arch".to_string(),
        8 => "ip.lo".to_string(),
        12 => "ip.hi".to_string(),
        16..=60 if off % 4 == 0 => {
            let i = (off - 16) / 8;
            let half = if (off - 16) % 8 == 0 { "lo" } else { "hi" };
            format!("args[{}].{}", i, half)
        }
        _ => format!("?{}", off),
    }
}

/// The name of a return value: `ALLOW`, `ERRNO(1)`, … or the raw value.
pub fn action_name(v: u32) -> String {
    match Action::from_ret_value(v) {
        Some(Action::Allow) => "ALLOW".into(),
        Some(Action::Log) => "LOG".into(),
        Some(Action::KillThread) => "KILL_THREAD".into(),
        Some(Action::KillProcess) => "KILL_PROCESS".into(),
        Some(Action::UserNotif) => "USER_NOTIF".into(),
        Some(Action::Errno(n)) => format!("ERRNO({})", n),
        Some(Action::Trap(n)) => format!("TRAP({})", n),
        Some(Action::Trace(n)) => format!("TRACE({})", n),
        None => format!("0x{:08x}", v),
    }
}

fn one(pc: usize, i: &Insn, after_arch_load: bool) -> (String, String) {
    let target = |off: u32| pc + 1 + off as usize;
    let code = i.code;
    let class = code & 0x07;
    let src_x = code & 0x08 != 0;
    let operand = if src_x { "x".to_string() } else { format!("#0x{:x}", i.k) };
    let (text, note) = match class {
        bpf::LD if code == bpf::LD | bpf::W | bpf::ABS => (format!("ld  [{}]", i.k), field(i.k)),
        bpf::LD if code == bpf::LD | bpf::MEM => (format!("ld  M[{}]", i.k), String::new()),
        bpf::LD if code == bpf::LD | bpf::IMM => (format!("ld  #0x{:x}", i.k), String::new()),
        bpf::LDX if code == bpf::LDX | bpf::MEM => (format!("ldx M[{}]", i.k), String::new()),
        bpf::LDX if code == bpf::LDX | bpf::IMM => (format!("ldx #0x{:x}", i.k), String::new()),
        bpf::ST => (format!("st  M[{}]", i.k), String::new()),
        bpf::STX => (format!("stx M[{}]", i.k), String::new()),
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
            (format!("{} {}", op, operand), String::new())
        }
        bpf::JMP if code & 0xf0 == bpf::JA => (format!("ja  {}", target(i.k)), String::new()),
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
            (format!("{} {}  jt {}  jf {}", op, operand, target(i.jt as u32), target(i.jf as u32)), note)
        }
        bpf::RET if code & 0x18 == 0x10 => ("ret a".to_string(), String::new()),
        bpf::RET => (format!("ret #0x{:08x}", i.k), action_name(i.k)),
        bpf::MISC if code & 0xf8 == bpf::TXA => ("txa".to_string(), String::new()),
        bpf::MISC => ("tax".to_string(), String::new()),
        _ => (format!("??? code=0x{:04x} k=0x{:x}", code, i.k), String::new()),
    };
    (text, note)
}

/// Disassembles program bytes; the error says why the bytes are not a program.
pub fn listing(bytes: &[u8]) -> Result<String, String> {
    let prog = bpf::decode(bytes)
        .ok_or_else(|| format!("A BPF program is a multiple of 8 bytes; got {} bytes", bytes.len()))?;
    if prog.is_empty() {
        return Err("The BPF program is empty".to_string());
    }
    let width = (prog.len() - 1).to_string().len();
    let mut out = String::new();
    let mut after_arch_load = false;
    for (pc, i) in prog.iter().enumerate() {
        let (text, note) = one(pc, i, after_arch_load);
        after_arch_load = (i.code == bpf::LD | bpf::W | bpf::ABS && i.k == bpf::OFF_ARCH)
            || (after_arch_load && i.code == bpf::JMP | bpf::JEQ | bpf::K);
        if note.is_empty() {
            let _ = writeln!(out, "{:>w$}: {}", pc, text, w = width);
        } else {
            let _ = writeln!(out, "{:>w$}: {:<32} ; {}", pc, text, note, w = width);
        }
    }
    Ok(out)
}
