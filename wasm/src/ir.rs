//! The contract between the front end (lexer → parser → resolve) and the back end (codegen).
//!
//! An `ir::Policy` is fully resolved and folded (KAFEL.md §5): names are numbers for one
//! architecture, `USE` is expanded, constants are substituted, conditions that fold to a
//! constant are gone (true → the rule has `cond: None`, false → the rule is dropped), and
//! nothing after an unconditional rule for the same syscall survives. The back end trusts
//! these invariants; `Policy::check` states them in code and tests call it.

use crate::diag::Pos;
use crate::tables::Arch;

/// What a seccomp filter returns (KAFEL.md §5 "Return values").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Allow,
    Log,
    /// KILL, KILL_THREAD and DENY all mean this.
    KillThread,
    KillProcess,
    UserNotif,
    Errno(u16),
    Trap(u16),
    Trace(u16),
}

impl Action {
    /// The `SECCOMP_RET_*` value the BPF program returns for this action.
    pub fn ret_value(self) -> u32 {
        match self {
            Action::Allow => 0x7fff_0000,
            Action::Log => 0x7ffc_0000,
            Action::KillThread => 0x0000_0000,
            Action::KillProcess => 0x8000_0000,
            Action::UserNotif => 0x7fc0_0000,
            Action::Errno(n) => 0x0005_0000 | n as u32,
            Action::Trap(n) => 0x0003_0000 | n as u32,
            Action::Trace(n) => 0x7ff0_0000 | n as u32,
        }
    }

    /// The inverse of `ret_value`, for disassembly and tests. `None` for values no action yields.
    pub fn from_ret_value(v: u32) -> Option<Action> {
        let data = (v & 0xffff) as u16;
        match v & 0xffff_0000 {
            0x7fff_0000 if data == 0 => Some(Action::Allow),
            0x7ffc_0000 if data == 0 => Some(Action::Log),
            0x0000_0000 if data == 0 => Some(Action::KillThread),
            0x8000_0000 if data == 0 => Some(Action::KillProcess),
            0x7fc0_0000 if data == 0 => Some(Action::UserNotif),
            0x0005_0000 => Some(Action::Errno(data)),
            0x0003_0000 => Some(Action::Trap(data)),
            0x7ff0_0000 => Some(Action::Trace(data)),
            _ => None,
        }
    }
}

/// A 64-bit value computed from syscall arguments (`seccomp_data.args[i]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Const(u64),
    /// Argument index 0..=5.
    Arg(u8),
    And(Box<Value>, Box<Value>),
    Or(Box<Value>, Box<Value>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// Whether `a OP b` holds (unsigned: callers pass u64 or u32).
    pub fn holds<T: Ord>(self, a: T, b: T) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }

    /// The operator with its sides swapped: `5 > fd` is `fd < 5`.
    pub fn mirrored(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            op => op,
        }
    }
}

/// A boolean condition. Comparisons are unsigned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    /// `lhs OP rhs`. When `wide` is false only the low 32 bits of both sides are compared
    /// (KAFEL.md §5 width rule); when true all 64 bits are. After folding, a `Const` side is on
    /// the right whenever exactly one side is a `Const`.
    Cmp { op: CmpOp, lhs: Value, rhs: Value, wide: bool },
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// One filter for one syscall: `action` applies when `cond` holds (`None` = always).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub action: Action,
    pub cond: Option<Cond>,
    /// The filter's syscall token, for back-end errors (scratch memory exceeded, …).
    pub pos: Pos,
}

/// One syscall number's rules: `ArchPolicy::rules[first .. first + len]`, in first-match
/// order. `len` is at least 1, and at most the last of them is unconditional.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyscallRules {
    pub nr: u32,
    pub first: u32,
    pub len: u32,
}

/// The whole policy for one architecture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchPolicy {
    pub arch: Arch,
    /// For syscall numbers with no rule, or whose conditional rules all fail.
    pub default: Action,
    /// Sorted by `nr`, each `nr` once; their rule spans tile `rules` in order.
    pub syscalls: Vec<SyscallRules>,
    /// Every rule, grouped by syscall (one vector per architecture, not one per syscall: the
    /// allocations showed in the compile time).
    pub rules: Vec<Rule>,
}

impl ArchPolicy {
    /// An architecture's policy from `(nr, rules)` pairs, sorted by `nr` (for tests and tools).
    pub fn from_lists(arch: Arch, default: Action, lists: Vec<(u32, Vec<Rule>)>) -> ArchPolicy {
        let mut ap = ArchPolicy { arch, default, syscalls: Vec::with_capacity(lists.len()), rules: Vec::new() };
        for (nr, rules) in lists {
            ap.syscalls.push(SyscallRules { nr, first: ap.rules.len() as u32, len: rules.len() as u32 });
            ap.rules.extend(rules);
        }
        ap
    }

    /// The rules of `s`, one of `self.syscalls` (empty for a span `check` would refuse).
    pub fn rules_of(&self, s: &SyscallRules) -> &[Rule] {
        let (first, end) = (s.first as usize, s.first as usize + s.len as usize);
        self.rules.get(first..end).unwrap_or(&[])
    }
}

/// What the back end compiles: one `ArchPolicy` per target architecture, in the caller's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub arches: Vec<ArchPolicy>,
    /// For an `arch` that is not a target, and on x86_64 for x32 numbers (bit 30 set) that
    /// no surviving filter names (KAFEL.md §9).
    pub foreign: Action,
}

impl Policy {
    /// The invariants above, as an error string naming the first one broken.
    pub fn check(&self) -> Result<(), String> {
        for a in &self.arches {
            let arch = a.arch.name();
            let mut prev: Option<u32> = None;
            let mut end = 0usize;
            for s in &a.syscalls {
                if prev.map_or(false, |p| s.nr <= p) {
                    return Err(cat!(arch, ": syscalls not sorted/unique at ", s.nr));
                }
                prev = Some(s.nr);
                if s.len == 0 {
                    return Err(cat!(arch, ": syscall ", s.nr, " has no rules"));
                }
                if s.first as usize != end || end + s.len as usize > a.rules.len() {
                    return Err(cat!(arch, ": syscall ", s.nr, " has a rule span that does not follow the previous one"));
                }
                end += s.len as usize;
                let rules = a.rules_of(s);
                if rules[..rules.len() - 1].iter().any(|r| r.cond.is_none()) {
                    return Err(cat!(arch, ": syscall ", s.nr, " has rules after an unconditional one"));
                }
            }
            if end != a.rules.len() {
                return Err(cat!(arch, ": ", a.rules.len() - end, " rules belong to no syscall"));
            }
        }
        Ok(())
    }
}
