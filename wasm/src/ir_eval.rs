//! The meaning of an `ir::Policy`, evaluated directly (KAFEL.md §5, §9): the oracle the
//! generated BPF is tested against. Deliberately naive; it shares no code with `codegen`.

use crate::bpf::SeccompData;
use crate::ir::{Cond, Policy, Value};
use crate::tables::Arch;

/// Bit 30 of a syscall number marks the x32 ABI on x86_64.
pub const X32_BIT: u32 = 0x4000_0000;

/// The `SECCOMP_RET_*` value `policy` gives this syscall.
pub fn evaluate(policy: &Policy, data: &SeccompData) -> u32 {
    let arch = match policy.arches.iter().find(|a| a.arch.audit() == data.arch) {
        Some(a) => a,
        None => return policy.foreign.ret_value(),
    };
    let named = arch.syscalls.iter().find(|s| s.nr == data.nr);
    let rules = match named {
        Some(s) => arch.rules_of(s),
        None if arch.arch == Arch::X86_64 && data.nr & X32_BIT != 0 => return policy.foreign.ret_value(),
        None => return arch.default.ret_value(),
    };
    for rule in rules {
        let holds = match &rule.cond {
            None => true,
            Some(c) => cond(c, &data.args),
        };
        if holds {
            return rule.action.ret_value();
        }
    }
    arch.default.ret_value()
}

/// Whether a condition holds for these arguments.
pub fn cond(c: &Cond, args: &[u64; 6]) -> bool {
    match c {
        Cond::And(a, b) => cond(a, args) && cond(b, args),
        Cond::Or(a, b) => cond(a, args) || cond(b, args),
        Cond::Not(a) => !cond(a, args),
        Cond::Cmp { op, lhs, rhs, wide } => {
            let mask = if *wide { u64::MAX } else { 0xffff_ffff };
            let (l, r) = (value(lhs, args) & mask, value(rhs, args) & mask);
            op.holds(l, r)
        }
    }
}

/// A value for these arguments; an index past 5 (which the IR never holds) reads as 0.
pub fn value(v: &Value, args: &[u64; 6]) -> u64 {
    match v {
        Value::Const(c) => *c,
        Value::Arg(i) => args.get(*i as usize).copied().unwrap_or(0),
        Value::And(a, b) => value(a, args) & value(b, args),
        Value::Or(a, b) => value(a, args) | value(b, args),
    }
}
