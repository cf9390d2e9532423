//! Helpers shared by the front-end test files.
#![allow(dead_code)]

use stockade_kafel::ir::{Action, CmpOp, Cond, Policy, Value};
use stockade_kafel::tables::Arch;
use stockade_kafel::{compile_ir, IncludeMap, Options, Outcome};

pub fn options(arches: &[Arch]) -> Options {
    Options { arches: arches.to_vec(), foreign: Action::KillProcess }
}

pub fn includes(files: &[(&str, &str)]) -> IncludeMap {
    files.iter().map(|(n, t)| (n.to_string(), Some(t.as_bytes().to_vec()))).collect()
}

pub fn compile(text: &str) -> Outcome<Policy> {
    compile_ir(text.as_bytes(), &IncludeMap::new(), &options(&[Arch::X86_64]))
}

pub fn ok_with(text: &str, inc: &IncludeMap, arches: &[Arch]) -> Policy {
    match compile_ir(text.as_bytes(), inc, &options(arches)) {
        Outcome::Ok(p) => {
            p.check().unwrap();
            p
        }
        other => panic!("{:?} did not compile: {:?}", text.get(..200.min(text.len())), other),
    }
}

pub fn ok(text: &str) -> Policy {
    ok_with(text, &IncludeMap::new(), &[Arch::X86_64])
}

pub fn errors_with(text: &str, inc: &IncludeMap, arches: &[Arch]) -> Vec<String> {
    match compile_ir(text.as_bytes(), inc, &options(arches)) {
        Outcome::Diagnostics(d) => d.iter().map(|d| d.to_string()).collect(),
        other => panic!("{:?} should fail, got {:?}", text.get(..200.min(text.len())), other),
    }
}

pub fn errors(text: &str) -> Vec<String> {
    errors_with(text, &IncludeMap::new(), &[Arch::X86_64])
}

/// Asserts one of the errors is at `at` ("LINE:COL" or "FILE:LINE:COL") and contains `needle`.
pub fn error_at(text: &str, at: &str, needle: &str) {
    let e = errors(text);
    assert!(e.iter().any(|m| m.starts_with(&format!("{}: ", at)) && m.contains(needle)), "want {} {:?}, got {:?}", at, needle, e);
}

/// Per syscall number: (action, conditional?) of each rule.
pub fn summary(p: &Policy, arch: Arch) -> Vec<(u32, Vec<(Action, bool)>)> {
    let a = p.arches.iter().find(|a| a.arch == arch).expect("arch compiled");
    a.syscalls.iter().map(|s| (s.nr, a.rules_of(s).iter().map(|r| (r.action, r.cond.is_some())).collect())).collect()
}

/// The condition of rule `i` for syscall `nr` on the first architecture.
pub fn cond_of(p: &Policy, nr: u32, i: usize) -> Cond {
    let a = &p.arches[0];
    let s = a.syscalls.iter().find(|s| s.nr == nr).expect("syscall present");
    a.rules_of(s)[i].cond.clone().expect("conditional rule")
}

pub fn cmp(op: CmpOp, lhs: Value, rhs: Value, wide: bool) -> Cond {
    Cond::Cmp { op, lhs, rhs, wide }
}

// ---- Random policies (property tests and the fuzz loop) ----

/// splitmix64: deterministic, dependency-free randomness for property tests and fuzzing.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'v, T>(&mut self, v: &'v [T]) -> &'v T {
        &v[self.below(v.len())]
    }
}

pub const CALLS: &[&str] = &["read", "write", "fcntl", "kill", "mmap", "openat", "SYSCALL[0x40000001](a, b)", "SYSCALL[900](a)", "futex"];
pub const CONSTS: &[&str] = &["0", "1", "3", "5", "0xff", "0xffffffff", "0x100000000", "0x100000003", "-1", "0x1ffffffff", "0xffffffff00000000", "7", "1024"];
pub const VALUES: &[u64] = &[0, 1, 3, 5, 7, 0xff, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0003, u64::MAX, 0x1_ffff_ffff, 0xffff_ffff_0000_0000, 1024, 0x1_0000_0005];

pub fn arg_names(call: &str) -> Vec<String> {
    if let Some(open) = call.find('(') {
        return call[open + 1..call.len() - 1].split(", ").map(String::from).collect();
    }
    Arch::X86_64.lookup(call).unwrap().args.iter().map(|a| a.name.to_string()).collect()
}

pub fn operand(rng: &mut Rng, args: &[String], depth: u32) -> String {
    match rng.below(if depth > 2 { 2 } else { 4 }) {
        0 if !args.is_empty() => args[rng.below(args.len())].clone(),
        0 | 1 => CONSTS[rng.below(CONSTS.len())].to_string(),
        2 => format!("({} & {})", operand(rng, args, depth + 1), operand(rng, args, depth + 1)),
        _ => format!("({} | {})", operand(rng, args, depth + 1), operand(rng, args, depth + 1)),
    }
}

pub fn condition(rng: &mut Rng, args: &[String], depth: u32) -> String {
    const OPS: &[&str] = &["==", "!=", "<", "<=", ">", ">="];
    match rng.below(if depth > 2 { 1 } else { 5 }) {
        0 => format!("{} {} {}", operand(rng, args, 0), OPS[rng.below(6)], operand(rng, args, 0)),
        1 => format!("!({})", condition(rng, args, depth + 1)),
        2 => format!("({} && {})", condition(rng, args, depth + 1), condition(rng, args, depth + 1)),
        3 => format!("({} || {})", condition(rng, args, depth + 1), condition(rng, args, depth + 1)),
        _ => format!("{}, {}", condition(rng, args, depth + 1), condition(rng, args, depth + 1)),
    }
}

pub fn random_policy(rng: &mut Rng) -> String {
    const ACTIONS: &[&str] = &["ALLOW", "LOG", "KILL", "ERRNO(1)", "ERRNO(2)", "TRAP(3)", "KILL_PROCESS", "TRACE(4)", "USER_NOTIF"];
    let block = |rng: &mut Rng| {
        let filters: Vec<String> = (0..1 + rng.below(3))
            .map(|_| {
                let call = CALLS[rng.below(CALLS.len())];
                let guard = match rng.below(6) {
                    0 => " ON aarch64",
                    1 => " ON { x86_64, arm }",
                    _ => "",
                };
                let cond = match rng.below(3) {
                    0 => String::new(),
                    _ => format!(" {{ {} }}", condition(rng, &arg_names(call), 0)),
                };
                format!("{}{}{}", call, guard, cond)
            })
            .collect();
        format!("{} {{ {} }}", ACTIONS[rng.below(ACTIONS.len())], filters.join(", "))
    };
    let mut text = String::new();
    let policies = rng.below(3);
    for i in 0..policies {
        let mut entries = vec![block(rng)];
        if i > 0 && rng.below(2) == 0 {
            entries.insert(0, format!("USE p{}", rng.below(i)));
        }
        text.push_str(&format!("POLICY p{} {{ {} }}\n", i, entries.join(", ")));
    }
    for _ in 0..1 + rng.below(4) {
        if policies > 0 && rng.below(3) == 0 {
            text.push_str(&format!("USE p{}\n", rng.below(policies)));
        } else {
            text.push_str(&block(rng));
            text.push('\n');
        }
    }
    if rng.below(2) == 0 {
        text.push_str(&format!("DEFAULT {}\n", ACTIONS[rng.below(ACTIONS.len())]));
    }
    text
}

