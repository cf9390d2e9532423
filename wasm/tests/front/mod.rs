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
    a.syscalls.iter().map(|s| (s.nr, s.rules.iter().map(|r| (r.action, r.cond.is_some())).collect())).collect()
}

/// The condition of rule `i` for syscall `nr` on the first architecture.
pub fn cond_of(p: &Policy, nr: u32, i: usize) -> Cond {
    let s = p.arches[0].syscalls.iter().find(|s| s.nr == nr).expect("syscall present");
    s.rules[i].cond.clone().expect("conditional rule")
}

pub fn cmp(op: CmpOp, lhs: Value, rhs: Value, wide: bool) -> Cond {
    Cond::Cmp { op, lhs, rhs, wide }
}
