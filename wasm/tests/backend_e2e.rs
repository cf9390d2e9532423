//! End to end: random valid Kafel texts compiled to BPF (`compile_insns`) must decide every
//! input as the reference evaluator (`reference::evaluate`, straight from the AST) does.

mod back;

use back::*;
use stockade_kafel::bpf::SeccompData;
use stockade_kafel::ir::Action;
use stockade_kafel::tables::{Arch, SyscallDef};
use stockade_kafel::{compile_insns, compile_ir, ir_eval, reference, IncludeMap, Options, Outcome};

/// Every architecture name `ON` accepts, including those we have no table for.
const ON_NAMES: [&str; 12] = ["x86_64", "amd64", "aarch64", "arm64", "i386", "x86", "riscv64", "rv64", "arm", "mips", "mips64", "m68k"];

struct Gen<'a> {
    r: &'a mut Rng,
    targets: Vec<Arch>,
    defines: Vec<String>,
    policies: Vec<String>,
    /// Numbers written into the text: comparison constants and custom syscall numbers.
    numbers: Vec<u64>,
}

impl<'a> Gen<'a> {
    /// A number in one of the lexical forms: decimal, `-N`, hex, octal, binary.
    fn number(&mut self, v: u64) -> String {
        self.numbers.push(v);
        match self.r.below(6) {
            0 => format!("0x{:x}", v),
            1 if v != 0 => format!("0{:o}", v),
            2 => format!("0b{:b}", v),
            3 if v > u64::MAX - 1000 => format!("-{}", v.wrapping_neg()),
            _ => format!("{}", v),
        }
    }

    fn action(&mut self) -> String {
        let n = self.r.below(0x10000);
        match self.r.below(11) {
            0 | 1 => "ALLOW".into(),
            2 => "LOG".into(),
            3 => "KILL".into(),
            4 => "KILL_THREAD".into(),
            5 => "DENY".into(),
            6 => "KILL_PROCESS".into(),
            7 => "USER_NOTIF".into(),
            8 => format!("ERRNO({})", self.number(n)),
            9 => format!("TRAP({})", self.number(n)),
            _ => format!("TRACE({})", self.number(n)),
        }
    }

    /// An operand: a number, a #define, or an argument name.
    fn operand(&mut self, args: &[String], depth: u32) -> String {
        match self.r.below(10) {
            0..=4 if !args.is_empty() => self.r.pick(&args.iter().map(|s| s.as_str()).collect::<Vec<_>>()).to_string(),
            5 if !self.defines.is_empty() => {
                let i = self.r.below(self.defines.len() as u64) as usize;
                self.defines[i].clone()
            }
            6 if depth > 0 => format!("({})", self.bits(args, depth - 1)),
            _ => {
                let c = constant(self.r);
                self.number(c)
            }
        }
    }

    fn bits(&mut self, args: &[String], depth: u32) -> String {
        let mut out = self.band(args, depth);
        while self.r.chance(20) {
            out = format!("{} | {}", out, self.band(args, depth));
        }
        out
    }

    fn band(&mut self, args: &[String], depth: u32) -> String {
        let mut out = self.operand(args, depth);
        while self.r.chance(25) {
            out = format!("{} & {}", out, self.operand(args, depth));
        }
        out
    }

    fn prim(&mut self, args: &[String], depth: u32) -> String {
        match self.r.below(10) {
            0 if depth > 0 => format!("({})", self.boolean(args, depth - 1)),
            1 if depth > 0 => format!("!{}", self.prim(args, depth - 1)),
            // The shapes real policies use: `arg OP n`, `(arg & mask) == 0`, `n OP arg`.
            2..=5 if !args.is_empty() => {
                let op = self.r.pick(&["==", "!=", "<", "<=", ">", ">="]);
                let arg = self.r.pick(&args.iter().map(|s| s.as_str()).collect::<Vec<_>>()).to_string();
                let c = constant(self.r);
                let n = self.number(c);
                if self.r.chance(20) { format!("{} {} {}", n, op, arg) } else { format!("{} {} {}", arg, op, n) }
            }
            6 if !args.is_empty() => {
                let arg = self.r.pick(&args.iter().map(|s| s.as_str()).collect::<Vec<_>>()).to_string();
                let c = constant(self.r);
                let m = self.number(c);
                format!("({} & {}) {} 0", arg, m, self.r.pick(&["==", "!="]))
            }
            _ => {
                let op = self.r.pick(&["==", "!=", "<", "<=", ">", ">="]);
                format!("{} {} {}", self.bits(args, 1), op, self.bits(args, 1))
            }
        }
    }

    fn conj(&mut self, args: &[String], depth: u32) -> String {
        let mut out = self.prim(args, depth);
        while self.r.chance(30) {
            out = format!("{} && {}", out, self.prim(args, depth));
        }
        out
    }

    fn disj(&mut self, args: &[String], depth: u32) -> String {
        let mut out = self.conj(args, depth);
        while self.r.chance(25) {
            out = format!("{} || {}", out, self.conj(args, depth));
        }
        out
    }

    fn boolean(&mut self, args: &[String], depth: u32) -> String {
        let mut out = self.disj(args, depth);
        while self.r.chance(15) {
            out = format!("{}, {}", out, self.disj(args, depth));
        }
        out
    }

    /// Syscalls every architecture in `arches` has, by name, with the argument names all of
    /// them share.
    fn common(arches: &[Arch]) -> Vec<(&'static str, Vec<&'static str>)> {
        let first = match arches.first() {
            Some(a) => a.syscalls(),
            None => Arch::X86_64.syscalls(),
        };
        first
            .iter()
            .filter(|s| s.name.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|s: &SyscallDef| {
                let defs: Option<Vec<&SyscallDef>> = arches.iter().map(|a| a.lookup(s.name)).collect();
                let defs = defs?;
                let args = s.args.iter().map(|a| a.name).filter(|n| n.starts_with(|c: char| c.is_ascii_alphabetic()) && defs.iter().all(|d| d.args.iter().any(|a| a.name == *n))).collect();
                Some((s.name, args))
            })
            .collect()
    }

    fn filter(&mut self) -> String {
        // The guard, and the targets it keeps.
        let (guard, kept) = if self.r.chance(20) {
            let mut names: Vec<&str> = Vec::new();
            for _ in 0..1 + self.r.below(3) {
                let n = self.r.pick(&ON_NAMES);
                let same = |a: &str, b: &str| stockade_kafel::tables::KafelArch::parse(a) == stockade_kafel::tables::KafelArch::parse(b);
                if !names.iter().any(|m| same(m, n)) {
                    names.push(n);
                }
            }
            let kept: Vec<Arch> = self.targets.iter().copied().filter(|t| names.iter().any(|n| Arch::parse(n) == Some(*t))).collect();
            let text = if names.len() == 1 && self.r.chance(50) { format!(" ON {}", names[0]) } else { format!(" ON {{{}}}", names.join(", ")) };
            (text, kept)
        } else {
            (String::new(), self.targets.clone())
        };
        let table = Gen::common(if kept.is_empty() { &[Arch::X86_64] } else { &kept });
        let (name, mut args): (String, Vec<String>) = match self.r.below(10) {
            0 | 1 => {
                let nr = syscall_nr(self.r) as u64;
                (format!("SYSCALL[{}]", self.number(nr)), Vec::new())
            }
            2 if !self.defines.is_empty() => {
                let i = self.r.below(self.defines.len() as u64) as usize;
                (self.defines[i].clone(), Vec::new())
            }
            _ => {
                let (n, a) = table[self.r.below(table.len() as u64) as usize].clone();
                (n.to_string(), a.iter().map(|s| s.to_string()).collect())
            }
        };
        let mut custom = String::new();
        if self.r.chance(15) {
            let all = ["a", "b", "c", "d", "e", "f"];
            args = all[..self.r.below(7) as usize].iter().map(|s| s.to_string()).collect();
            custom = format!("({})", args.join(", "));
        }
        let cond = match self.r.below(10) {
            0..=4 => String::new(),
            5 => " {}".into(),
            _ => format!(" {{ {} }}", self.boolean(&args, 2)),
        };
        format!("{}{}{}{}", name, custom, guard, cond)
    }

    fn entry(&mut self) -> String {
        if !self.policies.is_empty() && self.r.chance(15) {
            let i = self.r.below(self.policies.len() as u64) as usize;
            return format!("USE {}", self.policies[i]);
        }
        let n = self.r.below(5);
        let filters: Vec<String> = (0..n).map(|_| self.filter()).collect();
        format!("{} {{ {} }}", self.action(), filters.join(", "))
    }

    fn entries(&mut self) -> String {
        let n = 1 + self.r.below(3);
        (0..n).map(|_| self.entry()).collect::<Vec<_>>().join(if self.r.chance(50) { ", " } else { ",\n  " })
    }

    fn text(&mut self) -> String {
        let mut out = String::new();
        for i in 0..self.r.below(4) {
            let c = constant(self.r);
            out += &format!("#define C{} {}\n", i, self.number(c));
            self.defines.push(format!("C{}", i));
        }
        let mut default_at = if self.r.chance(70) { Some(self.r.below(4)) } else { None };
        for i in 0..1 + self.r.below(4) {
            if self.r.chance(30) {
                let name = format!("p{}", i);
                let body = if self.r.chance(10) { String::new() } else { self.entries() };
                out += &format!("POLICY {} {{\n  {}\n}}\n", name, body);
                self.policies.push(name);
            } else {
                out += &self.entries();
                out += if self.r.chance(20) { " /* c */\n" } else { "\n" };
            }
            if default_at == Some(i) {
                out += &format!("DEFAULT {}\n", self.action());
                default_at = None;
            }
        }
        if out.trim().is_empty() || !out.contains('{') && default_at.is_none() {
            out += "ALLOW { SYSCALL[1] }\n";
        }
        out
    }
}

fn foreign(r: &mut Rng) -> Action {
    r.pick(&[Action::KillProcess, Action::KillThread, Action::Errno(1), Action::Log])
}

/// Syscall numbers worth asking about: each name's number per target, custom numbers, and
/// their neighbours and x32 twins.
fn numbers_of(text: &str, arches: &[Arch], numbers: &[u64]) -> Vec<u32> {
    let mut out: Vec<u32> = numbers.iter().map(|&n| n as u32).collect();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        for a in arches {
            if let Some(s) = a.lookup(word) {
                out.push(s.nr);
            }
        }
    }
    let base = out.clone();
    for n in base {
        out.extend_from_slice(&[n.wrapping_add(1), n.wrapping_sub(1), n ^ 0x4000_0000]);
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn random_kafel_texts_compile_to_what_the_reference_evaluator_means() {
    let mut r = Rng(seed(101));
    let n = cases(2000);
    let mut compiled = 0;
    for case in 0..n {
        let mut targets: Vec<Arch> = Vec::new();
        for _ in 0..1 + r.below(3) {
            let a = r.pick(&Arch::ALL);
            if !targets.contains(&a) {
                targets.push(a);
            }
        }
        let mut g = Gen { r: &mut r, targets: targets.clone(), defines: Vec::new(), policies: Vec::new(), numbers: Vec::new() };
        let text = g.text();
        let mut consts = g.numbers.clone();
        let opts = Options { arches: targets.clone(), foreign: foreign(&mut r) };
        let inc = IncludeMap::new();
        let prog = match compile_insns(text.as_bytes(), &inc, &opts) {
            Outcome::Ok(p) => p,
            Outcome::Diagnostics(d) if d.iter().any(|d| d.message.starts_with("Filter too long")) => continue,
            other => panic!("case {}: a valid text did not compile: {:?}\n{}", case, other, text),
        };
        compiled += 1;
        let ir = match compile_ir(text.as_bytes(), &inc, &opts) {
            Outcome::Ok(p) => p,
            other => panic!("{:?}", other),
        };
        consts.extend_from_slice(&[0, 1, u64::MAX, 0xffff_ffff, 0x1_0000_0000]);
        let nrs = numbers_of(&text, &targets, &consts);
        for _ in 0..40 {
            let arch = if r.chance(10) { Arch::ALL[r.below(4) as usize] } else { targets[r.below(targets.len() as u64) as usize] };
            let nr = if r.chance(85) { nrs[r.below(nrs.len() as u64) as usize] } else { syscall_nr(&mut r) };
            let mut args = [0u64; 6];
            for a in args.iter_mut() {
                *a = arg_near(&mut r, &consts);
            }
            let d = SeccompData { nr, arch: arch.audit(), instruction_pointer: 0, args };
            let want = reference::evaluate(text.as_bytes(), &inc, &opts, &d).unwrap();
            let got = run(&prog, &d).ret;
            if got != want {
                let via_ir = ir_eval::evaluate(&ir, &d);
                panic!(
                    "case {} (seed {}): BPF says {:#x}, the reference {:#x}, the IR {:#x} ({} is wrong)\n{:?}\n{}",
                    case,
                    seed(101),
                    got,
                    want,
                    via_ir,
                    if via_ir == want { "the back end" } else { "the front end" },
                    d,
                    text
                );
            }
        }
    }
    assert!(compiled * 10 >= n * 9, "only {} of {} texts compiled", compiled, n);
}
