//! From the AST to `ir::Policy`: per architecture, syscall names → numbers, `USE` expansion
//! (each policy once per compile), condition folding, first-match ordering (KAFEL.md §4–§5).
//!
//! Every named policy is resolved for every target, used or not, so a bad name anywhere is
//! reported; expansion then only moves the resolved rules, never copies them.

use crate::ast::{Entry, Filter, Program, SyscallRef};
use crate::diag::{push_unique, Diagnostic};
use crate::fold::{Args, Folded, Folder};
use crate::ir::{self, Action, ArchPolicy, Rule, SyscallRules};
use crate::lexer::{Files, Loc, MAX_ERRORS};
use crate::parser::{self, Failure};
use crate::syscall_index::SyscallIndex;
use crate::tables::Arch;
use crate::{IncludeMap, Options, Outcome};

/// Kafel text → `ir::Policy` for `opts.arches`.
pub fn compile_ir(text: &[u8], includes: &IncludeMap, opts: &Options) -> Outcome<ir::Policy> {
    let parsed = match parser::parse(text, includes) {
        Ok(p) => p,
        Err(Failure::Diagnostics(d)) => return Outcome::Diagnostics(d),
        Err(Failure::NeedIncludes(n)) => return Outcome::NeedIncludes(n),
    };
    match resolve(&parsed.program, &parsed.files, opts) {
        Ok(policy) => Outcome::Ok(policy),
        Err(d) => Outcome::Diagnostics(d),
    }
}

/// Resolves a parsed program for every target architecture.
pub fn resolve(prog: &Program, files: &Files, opts: &Options) -> Result<ir::Policy, Vec<Diagnostic>> {
    let mut errors: Vec<(Loc, String)> = Vec::new();
    let arches = opts.arches.iter().map(|&arch| resolve_arch(prog, files, arch, &mut errors)).collect();
    if !errors.is_empty() {
        // Source order; the same message at the same place (several architectures, or a file
        // included twice) once.
        let errors = crate::sorting::sorted_by_key(errors, |(loc, _)| loc.tok);
        // At most MAX_ERRORS are kept, so a linear look-up is cheap (and a set type would cost
        // the module another map instance).
        let mut kept = Vec::new();
        for (loc, msg) in errors {
            if kept.len() == MAX_ERRORS {
                break;
            }
            push_unique(&mut kept, Diagnostic::new(files.pos(loc), msg));
        }
        return Err(kept);
    }
    let policy = ir::Policy { arches, foreign: opts.foreign };
    debug_assert_eq!(policy.check(), Ok(()));
    Ok(policy)
}

/// A resolved entry: a rule for one syscall number, or a `USE` still to expand.
enum Item {
    Rule(u32, Rule),
    Use(usize),
}

fn resolve_arch(prog: &Program, files: &Files, arch: Arch, errors: &mut Vec<(Loc, String)>) -> ArchPolicy {
    let names = SyscallIndex::new(arch);
    let mut policies: Vec<Option<Vec<Item>>> = prog.policies.iter().map(|p| Some(items(&p.entries, files, &names, errors))).collect();
    let main = items(&prog.main, files, &names, errors);

    // Depth-first expansion with an explicit stack (a chain of USEs may be long). Taking a
    // policy's items out of `policies` is what makes every later `USE` of it a no-op.
    let total = main.len() + policies.iter().map(|p| p.as_ref().map_or(0, Vec::len)).sum::<usize>();
    let mut found: Vec<Option<Rule>> = Vec::with_capacity(total);
    // (number << 32) | expansion index: sorted, they keep expansion order within a syscall.
    let mut keys: Vec<u64> = Vec::with_capacity(total);
    let mut stack = vec![main.into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            None => {
                stack.pop();
            }
            Some(Item::Rule(nr, rule)) => {
                keys.push((nr as u64) << 32 | found.len() as u64);
                found.push(Some(rule));
            }
            Some(Item::Use(i)) => {
                if let Some(used) = policies.get_mut(i).and_then(Option::take) {
                    stack.push(used.into_iter());
                }
            }
        }
    }

    // First match wins: nothing after an unconditional rule for a syscall can ever be reached.
    crate::sorting::sort_u64(&mut keys);
    let mut syscalls: Vec<SyscallRules> = Vec::with_capacity(keys.len());
    let mut rules: Vec<Rule> = Vec::with_capacity(keys.len());
    for key in keys {
        let nr = (key >> 32) as u32;
        let rule = match found.get_mut(key as u32 as usize).and_then(Option::take) {
            Some(r) => r,
            None => continue,
        };
        match syscalls.last_mut() {
            // This syscall's rules are the last ones pushed.
            Some(s) if s.nr == nr => {
                if rules.last().map_or(false, |r| r.cond.is_some()) {
                    rules.push(rule);
                    s.len += 1;
                }
            }
            _ => {
                syscalls.push(SyscallRules { nr, first: rules.len() as u32, len: 1 });
                rules.push(rule);
            }
        }
    }
    ArchPolicy { arch, default: prog.default.unwrap_or(Action::KillThread), syscalls, rules }
}

fn items(entries: &[Entry], files: &Files, names: &SyscallIndex, errors: &mut Vec<(Loc, String)>) -> Vec<Item> {
    let count = entries.iter().map(|e| if let Entry::Block(b) = e { b.filters.len() } else { 1 }).sum();
    let mut out = Vec::with_capacity(count);
    for e in entries {
        match e {
            Entry::Use(i) => out.push(Item::Use(*i)),
            Entry::Block(b) => {
                for f in &b.filters {
                    if let Some((nr, cond)) = filter(f, names, errors) {
                        out.push(Item::Rule(nr, Rule { action: b.action, cond, pos: files.pos(f.loc) }));
                    }
                }
            }
        }
    }
    out
}

/// One filter on one architecture: `None` when it does not exist there (ON guard, condition
/// folded to false, or an error); else its syscall number and remaining condition.
fn filter(f: &Filter, names: &SyscallIndex, errors: &mut Vec<(Loc, String)>) -> Option<(u32, Option<ir::Cond>)> {
    let arch = names.arch();
    if !f.applies_to(arch) {
        return None;
    }
    let (nr, table) = match f.syscall {
        SyscallRef::Number(n) => (n, Args::Table(&[])),
        SyscallRef::Name(name) => match names.lookup(name) {
            Some(def) => (def.nr, Args::Table(def.args)),
            None => {
                let msg = cat!("Undefined identifier \"", name, "\": no such syscall on ", arch.name(), " (add an ON guard if it exists only on other architectures)");
                errors.push((f.loc, msg));
                return None;
            }
        },
    };
    let args = match &f.args {
        Some(custom) => Args::Custom(custom),
        None => table,
    };
    let cond = match &f.cond {
        None => return Some((nr, None)),
        Some(c) => c,
    };
    let mut folder = Folder { args, syscall: f.syscall, errors, failed: false };
    let folded = folder.fold_bool(cond);
    if folder.failed {
        return None;
    }
    match folded {
        Folded::True => Some((nr, None)),
        Folded::False => None,
        Folded::Cond(c) => Some((nr, Some(c))),
    }
}
