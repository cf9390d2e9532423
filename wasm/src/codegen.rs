//! The back end: `ir::Policy` → a seccomp BPF program (KAFEL.md §6).
//!
//! Shape: load `arch`; one `JEQ` per target architecture to its dispatcher; the foreign action
//! otherwise. A dispatcher loads `nr` and searches the ranges of the number space (`ranges`);
//! each leaf is a shared `RET`, a `JSET` splitting x32 numbers from the rest, or a syscall's
//! rules compiled by `cond`. `graph` shares identical code and lays it out.

mod cond;
mod graph;
mod ranges;

use crate::bpf::{self, Insn, ABS, JEQ, JMP, JSET, K, LD, MAX_INSNS, OFF_ARCH, OFF_NR, W};
use crate::diag::{push_unique, Diagnostic, Pos};
use crate::ir::{self, Action, ArchPolicy, Rule};
use crate::ir_eval::X32_BIT;
use crate::tables::Arch;
use cond::CondError;
use graph::{Graph, Label};

/// The BPF program for `policy`, or every error found (scratch memory exceeded, filter too
/// long), each at the position of the rule it concerns.
pub fn generate(policy: &ir::Policy) -> Result<Vec<Insn>, Vec<Diagnostic>> {
    // The search tree is only right for sorted, unique numbers: fail closed on a broken IR.
    if let Err(e) = policy.check() {
        let msg = cat!("Internal error: the compiler's intermediate form is invalid (", e, "); please report this policy");
        return Err(vec![Diagnostic::new(Pos { file: None, line: 1, col: 1 }, msg)]);
    }
    let mut g = Graph::new();
    let foreign = g.ret(policy.foreign.ret_value());
    let mut diags = Vec::new();
    let mut dispatch: Vec<(Arch, Label)> = Vec::new();
    for ap in &policy.arches {
        if dispatch.iter().any(|(a, _)| *a == ap.arch) {
            continue; // a repeated target is already caught by the first JEQ
        }
        match dispatcher(&mut g, ap, foreign) {
            Ok(l) => dispatch.push((ap.arch, l)),
            Err(mut d) => diags.append(&mut d),
        }
    }
    if !diags.is_empty() {
        let mut unique = Vec::new();
        for d in diags {
            push_unique(&mut unique, d);
        }
        return Err(unique);
    }
    let mut next = foreign;
    for &(arch, d) in dispatch.iter().rev() {
        next = g.jump(JMP | JEQ | K, arch.audit(), d, next);
    }
    let root = g.stmt(LD | W | ABS, OFF_ARCH, next);
    let prog = g.emit(root);
    if prog.len() > MAX_INSNS {
        let msg = cat!("Filter too long: ", prog.len(), " instructions (the kernel allows ", MAX_INSNS, ")");
        return Err(vec![Diagnostic::new(first_rule_pos(policy), msg)]);
    }
    debug_assert_eq!(bpf::validate(&prog), Ok(()));
    Ok(prog)
}

/// Where a whole-program error is reported: the first rule of the main text.
fn first_rule_pos(policy: &ir::Policy) -> Pos {
    let mut first: Option<&Pos> = None;
    for a in &policy.arches {
        for r in &a.rules {
            let p = &r.pos;
            if p.file.is_none() && p.line > 0 && first.map_or(true, |f| (p.line, p.col) < (f.line, f.col)) {
                first = Some(p);
            }
        }
    }
    first.cloned().unwrap_or(Pos { file: None, line: 1, col: 1 })
}

/// One architecture's code: load `nr`, search, decide.
fn dispatcher(g: &mut Graph, ap: &ArchPolicy, foreign: Label) -> Result<Label, Vec<Diagnostic>> {
    let default = g.ret(ap.default.ret_value());
    // On x86_64 a gap number with bit 30 set is x32 and gets the foreign action (KAFEL.md §9);
    // a gap holding both kinds ends in one JSET on A, which holds `nr` throughout the search.
    let x32 = ap.arch == Arch::X86_64;
    let split = if x32 { g.jump(JMP | JSET | K, X32_BIT, foreign, default) } else { default };
    let mut named = Vec::with_capacity(ap.syscalls.len());
    let mut diags = Vec::new();
    for s in &ap.syscalls {
        let list = ap.rules_of(s);
        // Identical rule lists compile to the same (interned) code.
        match rules(g, list, ap.default) {
            Ok(code) => named.push((s.nr, code)),
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let ranges = ranges::partition(&named, |from, to| {
        if !x32 {
            return default;
        }
        match (has_x32(from, to), has_native(from, to)) {
            (true, true) => split,
            (true, false) => foreign,
            _ => default,
        }
    });
    // Weight: how many numbers below the end of the architecture's table a range covers
    // (so real syscalls sit near the root), plus one so every range counts. Custom numbers
    // past the table do not stretch it: one SYSCALL[0xffffffff] must not unbalance the rest.
    let table_end = ap.arch.syscalls().iter().map(|s| s.nr as u64 + 1).max().unwrap_or(512);
    let weight = |i: usize| {
        let start = ranges[i].start as u64;
        let end = ranges.get(i + 1).map_or(1 << 32, |r| r.start as u64);
        end.min(table_end).saturating_sub(start) + 1
    };
    let tree = ranges::search_tree(g, &ranges, weight);
    Ok(g.stmt(LD | W | ABS, OFF_NR, tree))
}

/// Whether `[from, to)` holds a number with bit 30 set.
fn has_x32(from: u64, to: u64) -> bool {
    [(0x4000_0000, 0x8000_0000), (0xc000_0000, 0x1_0000_0000)].iter().any(|&(a, b)| from < b && a < to)
}

/// Whether `[from, to)` holds a number with bit 30 clear.
fn has_native(from: u64, to: u64) -> bool {
    [(0, 0x4000_0000), (0x8000_0000, 0xc000_0000)].iter().any(|&(a, b)| from < b && a < to)
}

/// One syscall's rules, first match wins, the default when none does.
fn rules(g: &mut Graph, rules: &[Rule], default: Action) -> Result<Label, Diagnostic> {
    let mut next = g.ret(default.ret_value());
    for r in rules.iter().rev() {
        let act = g.ret(r.action.ret_value());
        next = match &r.cond {
            None => act,
            Some(c) => cond::compile(g, c, act, next).map_err(|e| cond_error(e, &r.pos))?,
        };
    }
    Ok(next)
}

fn cond_error(e: CondError, pos: &Pos) -> Diagnostic {
    let msg = match e {
        CondError::Scratch => cat!("Scratch memory exceeded: this condition needs more than the ", bpf::MEM_WORDS, " scratch words BPF has; compare fewer argument-with-argument expressions at once"),
        CondError::Arg(i) => cat!("Argument index ", i, " is out of range (syscalls have 6 arguments)"),
        CondError::Depth => cat!("Condition nested too deeply to compile (more than ", cond::MAX_DEPTH, " levels)"),
    };
    Diagnostic::new(pos.clone(), msg)
}
