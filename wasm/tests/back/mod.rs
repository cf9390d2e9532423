//! Helpers shared by the back-end test files: a PRNG, random IR policies and inputs biased to
//! the values where code generators go wrong, and program walkers.
#![allow(dead_code)]

use stockade_kafel::bpf::{self, Insn, SeccompData};
use stockade_kafel::ir::{Action, ArchPolicy, CmpOp, Cond, Policy, Rule, Value};
use stockade_kafel::tables::Arch;
use stockade_kafel::{compile_insns, IncludeMap, Options, Outcome};

/// splitmix64: small, fixed-seed, good enough to drive property tests.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// How many cases a property test runs: `base` × `STOCKADE_PROP_SCALE` (default 1).
pub fn cases(base: usize) -> usize {
    let scale: f64 = std::env::var("STOCKADE_PROP_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    ((base as f64) * scale).max(1.0) as usize
}

/// The seed of a property test: `STOCKADE_PROP_SEED` or the fixed default.
pub fn seed(default: u64) -> u64 {
    std::env::var("STOCKADE_PROP_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

pub fn options(arches: &[Arch]) -> Options {
    Options { arches: arches.to_vec(), foreign: Action::KillProcess }
}

/// Kafel text → instructions, panicking with the diagnostics otherwise.
pub fn compile(text: &str, arches: &[Arch]) -> Vec<Insn> {
    match compile_insns(text.as_bytes(), &IncludeMap::new(), &options(arches)) {
        Outcome::Ok(p) => {
            bpf::validate(&p).unwrap();
            p
        }
        other => panic!("{:?} did not compile: {:?}", &text[..text.len().min(300)], other),
    }
}

pub fn data(arch: Arch, nr: u32, args: [u64; 6]) -> SeccompData {
    SeccompData { nr, arch: arch.audit(), instruction_pointer: 0x7fff_1234_5678, args }
}

pub fn run(prog: &[Insn], d: &SeccompData) -> bpf::Exec {
    bpf::run(prog, d).unwrap_or_else(|e| panic!("run failed: {}", e))
}

pub fn action(r: &mut Rng) -> Action {
    match r.below(10) {
        0 | 1 => Action::Allow,
        2 => Action::Log,
        3 => Action::KillThread,
        4 => Action::KillProcess,
        5 => Action::UserNotif,
        6 | 7 => Action::Errno(r.pick(&[0, 1, 13, 38, 0xffff])),
        8 => Action::Trap(r.below(0x10000) as u16),
        _ => Action::Trace(r.below(4) as u16),
    }
}

/// Syscall numbers where range searches go wrong: dense small ones and the x32 and sign
/// boundaries.
pub fn syscall_nr(r: &mut Rng) -> u32 {
    const EDGES: [u32; 10] = [0, 0x3fff_ffff, 0x4000_0000, 0x7fff_ffff, 0x8000_0000, 0xbfff_ffff, 0xc000_0000, 0xffff_ffff, 0x4000_0200, 0x100];
    match r.below(10) {
        0..=4 => r.below(64) as u32,
        5 | 6 => r.below(470) as u32,
        7 | 8 => r.pick(&EDGES).wrapping_add(r.below(5) as u32).wrapping_sub(2),
        _ => r.next() as u32,
    }
}

pub fn constant(r: &mut Rng) -> u64 {
    const EDGES: [u64; 14] = [
        0, 1, 2, 5, 0xff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0001,
        0xffff_ffff_0000_0000, u64::MAX, u64::MAX - 1, 0x8000_0000_0000_0000,
    ];
    match r.below(10) {
        0..=4 => r.pick(&EDGES),
        5 | 6 => r.below(64),
        7 => r.next() as u32 as u64,
        _ => r.next(),
    }
}

/// A value; `arg_pairs` allows argument-with-argument operators.
pub fn value(r: &mut Rng, depth: u32, arg_pairs: bool) -> Value {
    if depth == 0 || r.chance(50) {
        return Value::Arg(r.below(6) as u8);
    }
    let a = Box::new(value(r, depth - 1, arg_pairs));
    let b = Box::new(if arg_pairs && r.chance(35) { value(r, depth - 1, arg_pairs) } else { Value::Const(constant(r)) });
    let (a, b) = if r.chance(20) { (b, a) } else { (a, b) };
    if r.chance(50) {
        Value::And(a, b)
    } else {
        Value::Or(a, b)
    }
}

pub fn cmp_op(r: &mut Rng) -> CmpOp {
    r.pick(&[CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge])
}

pub fn cond(r: &mut Rng, depth: u32, arg_pairs: bool) -> Cond {
    if depth == 0 || r.chance(45) {
        let lhs = value(r, 2, arg_pairs);
        let masked_zero = r.chance(15);
        let lhs = if masked_zero { Value::And(Box::new(Value::Arg(r.below(6) as u8)), Box::new(Value::Const(constant(r)))) } else { lhs };
        let rhs = if masked_zero {
            Value::Const(0)
        } else if arg_pairs && r.chance(25) {
            value(r, 1, arg_pairs)
        } else {
            Value::Const(constant(r))
        };
        // Mostly the folded form (constant on the right); sometimes not, for robustness.
        let (lhs, rhs) = if r.chance(5) { (rhs, lhs) } else { (lhs, rhs) };
        let op = if masked_zero { r.pick(&[CmpOp::Eq, CmpOp::Ne]) } else { cmp_op(r) };
        return Cond::Cmp { op, lhs, rhs, wide: r.chance(50) };
    }
    match r.below(3) {
        0 => Cond::And(Box::new(cond(r, depth - 1, arg_pairs)), Box::new(cond(r, depth - 1, arg_pairs))),
        1 => Cond::Or(Box::new(cond(r, depth - 1, arg_pairs)), Box::new(cond(r, depth - 1, arg_pairs))),
        _ => Cond::Not(Box::new(cond(r, depth - 1, arg_pairs))),
    }
}

/// A random policy that satisfies `Policy::check`. `size` scales the syscall count.
pub fn policy(r: &mut Rng, size: usize, arg_pairs: bool) -> Policy {
    let mut pool = Arch::ALL.to_vec();
    let n_arches = 1 + r.below(4) as usize;
    let mut arches = Vec::new();
    for _ in 0..n_arches {
        let i = r.below(pool.len() as u64) as usize;
        let arch = pool.remove(i);
        let mut nrs: Vec<u32> = (0..r.below(size as u64 + 1)).map(|_| syscall_nr(r)).collect();
        nrs.sort_unstable();
        nrs.dedup();
        // Big policies are mostly unconditional so they fit in 4,096 instructions.
        let cond_percent = if size > 100 { r.pick(&[0, 5, 10]) } else { r.pick(&[0, 20, 60, 90]) };
        let max_rules = if size > 100 { 1 } else { 3 };
        let syscalls = nrs
            .into_iter()
            .map(|nr| {
                let n_rules = 1 + r.below(max_rules);
                let mut rules: Vec<Rule> = (0..n_rules)
                    .map(|_| Rule { action: action(r), cond: Some(cond(r, 2, arg_pairs)), pos: Default::default() })
                    .collect();
                if !r.chance(cond_percent) {
                    rules.last_mut().unwrap().cond = None;
                }
                (nr, rules)
            })
            .collect();
        arches.push(ArchPolicy::from_lists(arch, action(r), syscalls));
    }
    let p = Policy { arches, foreign: action(r) };
    p.check().unwrap();
    p
}

/// Every constant a policy compares against.
pub fn constants(p: &Policy) -> Vec<u64> {
    fn in_value(v: &Value, out: &mut Vec<u64>) {
        match v {
            Value::Const(c) => out.push(*c),
            Value::Arg(_) => {}
            Value::And(a, b) | Value::Or(a, b) => {
                in_value(a, out);
                in_value(b, out);
            }
        }
    }
    fn in_cond(c: &Cond, out: &mut Vec<u64>) {
        match c {
            Cond::Cmp { lhs, rhs, .. } => {
                in_value(lhs, out);
                in_value(rhs, out);
            }
            Cond::And(a, b) | Cond::Or(a, b) => {
                in_cond(a, out);
                in_cond(b, out);
            }
            Cond::Not(a) => in_cond(a, out),
        }
    }
    let mut out = vec![0, u64::MAX];
    for a in &p.arches {
        for rule in &a.rules {
            if let Some(c) = &rule.cond {
                in_cond(c, &mut out);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// An argument value near one of `consts`: equal, off by one, or with one 32-bit half swapped
/// for 0, 1 or all ones (where 64-bit splits go wrong).
pub fn arg_near(r: &mut Rng, consts: &[u64]) -> u64 {
    let c = r.pick(consts);
    let halves = [0u64, 1, 0xffff_ffff, c >> 32, c & 0xffff_ffff];
    match r.below(8) {
        0 | 1 => c,
        2 => c.wrapping_add(1),
        3 => c.wrapping_sub(1),
        4 => (r.pick(&halves) << 32) | (c & 0xffff_ffff),
        5 => (c & 0xffff_ffff_0000_0000) | r.pick(&halves),
        6 => r.next(),
        _ => r.pick(&[0, 1, u64::MAX, 0xffff_ffff, 0x1_0000_0000]),
    }
}

/// An input for `p`: mostly a target architecture and a number near a rule.
pub fn input(r: &mut Rng, p: &Policy, consts: &[u64]) -> SeccompData {
    let arch = if p.arches.is_empty() || r.chance(10) {
        let any = r.next() as u32;
        r.pick(&[0, 0x4000_0003, 0xc000_003e, 0xc000_00b7, 0xc000_00f3, 0x4000_0028, any])
    } else {
        p.arches[r.below(p.arches.len() as u64) as usize].arch.audit()
    };
    let ap = p.arches.iter().find(|a| a.arch.audit() == arch);
    let nr = match ap {
        Some(a) if !a.syscalls.is_empty() && r.chance(70) => {
            let base = a.syscalls[r.below(a.syscalls.len() as u64) as usize].nr;
            let x32 = if r.chance(15) { 0x4000_0000 } else { 0 };
            (base ^ x32).wrapping_add(r.below(3) as u32).wrapping_sub(1)
        }
        _ => syscall_nr(r),
    };
    let mut args = [0u64; 6];
    for a in args.iter_mut() {
        *a = arg_near(r, consts);
    }
    SeccompData { nr, arch, instruction_pointer: r.next(), args }
}

/// Whether the IR decides `(arch, nr)` without looking at any argument.
pub fn decided_without_args(p: &Policy, arch: u32, nr: u32) -> bool {
    match p.arches.iter().find(|a| a.arch.audit() == arch) {
        None => true,
        Some(a) => match a.syscalls.iter().find(|s| s.nr == nr) {
            None => true,
            Some(s) => a.rules_of(s)[0].cond.is_none(),
        },
    }
}

/// Walks every path the program can take for `(arch, nr)` with unknown arguments and
/// returns the program counter of the first load of an argument (or the instruction
/// pointer), if any path has one. `A`, `X` and `M[]` are tracked as known or unknown; a jump
/// on an unknown value explores both ways.
pub fn first_arg_load(prog: &[Insn], arch: u32, nr: u32) -> Option<usize> {
    #[derive(Clone, Copy)]
    struct St {
        pc: usize,
        a: Option<u32>,
        x: Option<u32>,
        m: [Option<u32>; 16],
    }
    let mut stack = vec![St { pc: 0, a: None, x: None, m: [None; 16] }];
    let mut steps = 0usize;
    while let Some(mut s) = stack.pop() {
        loop {
            steps += 1;
            assert!(steps < 10_000_000, "path explosion");
            let i = prog[s.pc];
            s.pc += 1;
            match i.code {
                0x20 if i.k == 0 => s.a = Some(nr),
                0x20 if i.k == 4 => s.a = Some(arch),
                0x20 => return Some(s.pc - 1),
                0x06 | 0x16 => break,
                0x00 => s.a = Some(i.k),
                0x01 => s.x = Some(i.k),
                0x60 => s.a = s.m[i.k as usize],
                0x61 => s.x = s.m[i.k as usize],
                0x02 => s.m[i.k as usize] = s.a,
                0x03 => s.m[i.k as usize] = s.x,
                0x07 => s.x = s.a,
                0x87 => s.a = s.x,
                0x05 => s.pc += i.k as usize,
                c if c & 7 == 4 => {
                    let src = if c & 8 != 0 { s.x } else { Some(i.k) };
                    s.a = match (s.a, src, c & 0xf0) {
                        (Some(a), Some(b), 0x50) => Some(a & b),
                        (Some(a), Some(b), 0x40) => Some(a | b),
                        _ => None,
                    };
                }
                c => {
                    let src = if c & 8 != 0 { s.x } else { Some(i.k) };
                    match (s.a, src) {
                        (Some(a), Some(b)) => {
                            let taken = match c & 0xf0 {
                                0x10 => a == b,
                                0x20 => a > b,
                                0x30 => a >= b,
                                _ => a & b != 0,
                            };
                            s.pc += if taken { i.jt } else { i.jf } as usize;
                        }
                        _ => {
                            let mut other = s;
                            other.pc += i.jt as usize;
                            stack.push(other);
                            s.pc += i.jf as usize;
                        }
                    }
                }
            }
        }
    }
    None
}

/// The kernel's action-cache check (kernel/seccomp.c `seccomp_is_const_allow`): runs the
/// filter for `(arch, nr)` knowing nothing else, with only the instructions the kernel's
/// emulator understands; true when that proves the syscall is always allowed, so the kernel
/// skips the filter for it from then on.
pub fn kernel_caches_allow(prog: &[Insn], arch: u32, nr: u32) -> bool {
    let mut a = 0u32;
    let mut pc = 0usize;
    while pc < prog.len() {
        let i = prog[pc];
        pc += 1;
        match i.code {
            0x20 if i.k == 0 => a = nr,
            0x20 if i.k == 4 => a = arch,
            0x06 => return i.k == 0x7fff_0000,
            0x05 => pc += i.k as usize,
            0x15 | 0x25 | 0x35 | 0x45 => {
                let taken = match i.code & 0xf0 {
                    0x10 => a == i.k,
                    0x20 => a > i.k,
                    0x30 => a >= i.k,
                    _ => a & i.k != 0,
                };
                pc += if taken { i.jt } else { i.jf } as usize;
            }
            0x54 => a &= i.k,
            _ => return false,
        }
    }
    false
}
