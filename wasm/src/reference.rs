//! A reference evaluator: what a policy returns for one `seccomp_data`, computed straight from
//! the AST — not from the IR, and without resolve's folding code — so tests can hold both the
//! front end (resolve) and the back end (codegen + BPF) against it. Slow and plain on purpose.

use crate::ast::{BoolExpr, Entry, Filter, Program, SyscallRef, ValExpr};
use crate::bpf::SeccompData;
use crate::diag::{Diagnostic, Pos};
use crate::ir::{Action, CmpOp};
use crate::parser;
use crate::tables::Arch;
use crate::{IncludeMap, Options, Outcome};

/// The SECCOMP_RET value the policy means for `data`, or the compile errors.
pub fn evaluate(text: &[u8], includes: &IncludeMap, opts: &Options, data: &SeccompData) -> Result<u32, Vec<Diagnostic>> {
    // Whether the text compiles is the compiler's verdict; its meaning is worked out below.
    match crate::resolve::compile_ir(text, includes, opts) {
        Outcome::Ok(_) => {}
        Outcome::Diagnostics(d) => return Err(d),
        Outcome::NeedIncludes(n) => return Err(vec![Diagnostic::new(Pos::default(), format!("Includes not supplied: {:?}", n))]),
    }
    let parsed = match parser::parse(text, includes) {
        Ok(p) => p,
        Err(_) => return Err(vec![Diagnostic::new(Pos::default(), "Parse failed after compiling")]),
    };
    let arch = match Arch::from_audit(data.arch) {
        Some(a) if opts.arches.contains(&a) => a,
        _ => return Ok(opts.foreign.ret_value()),
    };
    let prog = &parsed.program;
    let here: Vec<(&Filter, Action)> = expand(prog).into_iter().filter(|(f, _)| f.applies_to(arch)).collect();

    // x32 (KAFEL.md §9): a number with bit 30 set is foreign unless a surviving filter names it.
    if arch == Arch::X86_64 && data.nr & 0x4000_0000 != 0 {
        let named = here.iter().any(|(f, _)| number(f, arch) == Some(data.nr) && f.cond.as_ref().map_or(true, |c| known_truth(c, f, arch) != Some(false)));
        if !named {
            return Ok(opts.foreign.ret_value());
        }
    }
    for (f, action) in &here {
        if number(f, arch) != Some(data.nr) {
            continue;
        }
        let hit = match &f.cond {
            None => true,
            Some(c) => truth(c, f, arch, &data.args),
        };
        if hit {
            return Ok(action.ret_value());
        }
    }
    Ok(prog.default.unwrap_or(Action::KillThread).ret_value())
}

/// The filters of the main policy in expansion order: `USE p` inlines p the first time only.
/// (An explicit stack: a chain of USEs may be longer than the call stack is deep.)
fn expand<'p, 'a>(prog: &'p Program<'a>) -> Vec<(&'p Filter<'a>, Action)> {
    let mut out = Vec::new();
    let mut used = vec![false; prog.policies.len()];
    let mut stack = vec![prog.main.iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            None => {
                stack.pop();
            }
            Some(Entry::Use(i)) => {
                if !used[*i] {
                    used[*i] = true;
                    stack.push(prog.policies[*i].entries.iter());
                }
            }
            Some(Entry::Block(b)) => out.extend(b.filters.iter().map(|f| (f, b.action))),
        }
    }
    out
}

fn number(f: &Filter, arch: Arch) -> Option<u32> {
    match f.syscall {
        SyscallRef::Number(n) => Some(n),
        SyscallRef::Name(name) => arch.lookup(name).map(|d| d.nr),
    }
}

/// `(index, width)` of an argument name for this filter on this architecture.
fn arg(f: &Filter, arch: Arch, name: &str) -> (usize, u8) {
    if let Some(custom) = &f.args {
        let i = custom.iter().position(|(n, _)| *n == name).unwrap_or(0);
        return (i, 8);
    }
    let table = match f.syscall {
        SyscallRef::Name(s) => arch.lookup(s).map_or(&[][..], |d| d.args),
        SyscallRef::Number(_) => &[][..],
    };
    match table.iter().position(|a| a.name == name) {
        Some(i) => (i, table[i].width),
        None => (0, 8),
    }
}

/// What is left of a value once the compiler has folded it: a known number, or something
/// computed at run time, with the facts the width rule looks at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Known(u64),
    Open { big_const: bool, wide_arg: bool, bare_arg: Option<usize> },
}

fn shape(v: &ValExpr, f: &Filter, arch: Arch) -> Shape {
    let open = |a: Shape, b: Shape| {
        let facts = |s: Shape| match s {
            Shape::Known(k) => (k > u32::MAX as u64, false),
            Shape::Open { big_const, wide_arg, .. } => (big_const, wide_arg),
        };
        let ((ba, wa), (bb, wb)) = (facts(a), facts(b));
        Shape::Open { big_const: ba || bb, wide_arg: wa || wb, bare_arg: None }
    };
    match v {
        ValExpr::Num(n) => Shape::Known(*n),
        ValExpr::Arg(name, _) => {
            let (i, w) = arg(f, arch, name);
            Shape::Open { big_const: false, wide_arg: w == 8, bare_arg: Some(i) }
        }
        ValExpr::And(a, b) => match (shape(a, f, arch), shape(b, f, arch)) {
            (Shape::Known(x), Shape::Known(y)) => Shape::Known(x & y),
            (Shape::Known(0), _) | (_, Shape::Known(0)) => Shape::Known(0),
            (Shape::Known(u64::MAX), s) | (s, Shape::Known(u64::MAX)) => s,
            (a, b) => open(a, b),
        },
        ValExpr::Or(a, b) => match (shape(a, f, arch), shape(b, f, arch)) {
            (Shape::Known(x), Shape::Known(y)) => Shape::Known(x | y),
            (Shape::Known(u64::MAX), _) | (_, Shape::Known(u64::MAX)) => Shape::Known(u64::MAX),
            (Shape::Known(0), s) | (s, Shape::Known(0)) => s,
            (a, b) => open(a, b),
        },
    }
}

/// Whether the comparison is on all 64 bits (KAFEL.md §5 width rule, after folding).
fn is_wide(s: Shape) -> bool {
    match s {
        Shape::Known(k) => k > u32::MAX as u64,
        Shape::Open { big_const, wide_arg, .. } => big_const || wide_arg,
    }
}

/// The condition's value when the compiler can fold it to a constant.
fn known_truth(c: &BoolExpr, f: &Filter, arch: Arch) -> Option<bool> {
    match c {
        BoolExpr::Cmp(op, l, r, _) => match (shape(l, f, arch), shape(r, f, arch)) {
            (Shape::Known(a), Shape::Known(b)) => Some(op.holds(a, b)),
            (Shape::Open { bare_arg: Some(a), .. }, Shape::Open { bare_arg: Some(b), .. }) if a == b => {
                Some(matches!(op, CmpOp::Eq | CmpOp::Le | CmpOp::Ge))
            }
            _ => None,
        },
        BoolExpr::Not(x) => known_truth(x, f, arch).map(|b| !b),
        BoolExpr::And(a, b) => match (known_truth(a, f, arch), known_truth(b, f, arch)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), x) | (x, Some(true)) => x,
            _ => None,
        },
        BoolExpr::Or(a, b) => match (known_truth(a, f, arch), known_truth(b, f, arch)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), x) | (x, Some(false)) => x,
            _ => None,
        },
    }
}

fn value(v: &ValExpr, f: &Filter, arch: Arch, args: &[u64; 6]) -> u64 {
    match v {
        ValExpr::Num(n) => *n,
        ValExpr::Arg(name, _) => args[arg(f, arch, name).0.min(5)],
        ValExpr::And(a, b) => value(a, f, arch, args) & value(b, f, arch, args),
        ValExpr::Or(a, b) => value(a, f, arch, args) | value(b, f, arch, args),
    }
}

fn truth(c: &BoolExpr, f: &Filter, arch: Arch, args: &[u64; 6]) -> bool {
    match c {
        BoolExpr::Cmp(op, l, r, _) => {
            let (a, b) = (value(l, f, arch, args), value(r, f, arch, args));
            if is_wide(shape(l, f, arch)) || is_wide(shape(r, f, arch)) {
                op.holds(a, b)
            } else {
                op.holds(a as u32, b as u32)
            }
        }
        BoolExpr::Not(x) => !truth(x, f, arch, args),
        BoolExpr::And(a, b) => truth(a, f, arch, args) && truth(b, f, arch, args),
        BoolExpr::Or(a, b) => truth(a, f, arch, args) || truth(b, f, arch, args),
    }
}
