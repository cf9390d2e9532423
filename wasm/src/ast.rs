//! The parsed policy (KAFEL.md §3), with the names that are settled in source order already
//! settled: constants are substituted where they were defined before use, and `USE` points at
//! the policy it names. Syscall and argument names stay names: they depend on the architecture.

use crate::ir::{Action, CmpOp};
use crate::lexer::Loc;
use crate::tables::{Arch, KafelArch};

#[derive(Debug, Default)]
pub struct Program<'a> {
    /// Every top-level entry, in source order (the main policy, KAFEL.md §5.1).
    pub main: Vec<Entry<'a>>,
    /// Named policies in definition order; `Entry::Use` indexes this.
    pub policies: Vec<PolicyDef<'a>>,
    /// `DEFAULT action`, if given.
    pub default: Option<Action>,
}

#[derive(Debug)]
pub struct PolicyDef<'a> {
    pub name: &'a str,
    pub entries: Vec<Entry<'a>>,
}

#[derive(Debug)]
pub enum Entry<'a> {
    /// `USE p`: index into `Program::policies`.
    Use(usize),
    Block(Block<'a>),
}

#[derive(Debug)]
pub struct Block<'a> {
    pub action: Action,
    pub filters: Vec<Filter<'a>>,
}

#[derive(Debug)]
pub struct Filter<'a> {
    pub syscall: SyscallRef<'a>,
    /// The syscall token (the name, or `SYSCALL`).
    pub loc: Loc,
    /// `name(a, b)`: replaces the table's argument names; each is 8 bytes wide.
    pub args: Option<Vec<(&'a str, Loc)>>,
    /// `ON archs`: the filter exists only on these architectures.
    pub archs: Option<ArchSet>,
    /// `None` for no block or an empty block `{}`: unconditional.
    pub cond: Option<Box<BoolExpr<'a>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyscallRef<'a> {
    /// Resolved per architecture.
    Name(&'a str),
    /// `SYSCALL[n]` or a constant, narrowed to 32 bits.
    Number(u32),
}

#[derive(Debug)]
pub enum BoolExpr<'a> {
    /// `lhs OP rhs`; `loc` is the operator's.
    Cmp(CmpOp, ValExpr<'a>, ValExpr<'a>, Loc),
    And(Box<BoolExpr<'a>>, Box<BoolExpr<'a>>),
    Or(Box<BoolExpr<'a>>, Box<BoolExpr<'a>>),
    Not(Box<BoolExpr<'a>>),
}

#[derive(Debug)]
pub enum ValExpr<'a> {
    /// A literal, or a constant defined before this point.
    Num(u64),
    /// An argument name, resolved per syscall and architecture.
    Arg(&'a str, Loc),
    And(Box<ValExpr<'a>>, Box<ValExpr<'a>>),
    Or(Box<ValExpr<'a>>, Box<ValExpr<'a>>),
}

/// A set of `KafelArch`, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArchSet(u8);

fn bit(k: KafelArch) -> u8 {
    1 << (k as u8)
}

/// The `ON` name that denotes a compilable architecture.
pub fn kafel_arch(a: Arch) -> KafelArch {
    match a {
        Arch::X86_64 => KafelArch::X86_64,
        Arch::I386 => KafelArch::I386,
        Arch::Aarch64 => KafelArch::Aarch64,
        Arch::Riscv64 => KafelArch::Riscv64,
    }
}

impl ArchSet {
    /// Adds `k`; false when it was already there.
    pub fn insert(&mut self, k: KafelArch) -> bool {
        let had = self.0 & bit(k) != 0;
        self.0 |= bit(k);
        !had
    }
    pub fn contains(self, a: Arch) -> bool {
        self.0 & bit(kafel_arch(a)) != 0
    }
}

impl<'a> Filter<'a> {
    /// Whether this filter exists when compiling for `arch`.
    pub fn applies_to(&self, arch: Arch) -> bool {
        self.archs.map_or(true, |s| s.contains(arch))
    }
}

