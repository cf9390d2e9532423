//! Conditions: argument names → indexes, constant folding, and the width rule (KAFEL.md §5).
//!
//! Recursion here follows the AST, whose depth the parser bounds (MAX_DEPTH), so it is safe.

use crate::ast::{BoolExpr, SyscallRef, ValExpr};
use crate::ir::{CmpOp, Cond, Value};
use crate::lexer::Loc;
use crate::tables::ArgDef;

/// The argument names a filter's condition may use.
#[derive(Clone, Copy)]
pub enum Args<'x, 'a> {
    /// From the architecture's table, with the kernel's widths.
    Table(&'static [ArgDef]),
    /// `name(a, b)`: every custom argument is 8 bytes wide.
    Custom(&'x [(&'a str, Loc)]),
}

impl<'x, 'a> Args<'x, 'a> {
    /// `(index, width in bytes)` of the argument called `name`.
    pub fn find(self, name: &str) -> Option<(u8, u8)> {
        match self {
            Args::Table(t) => t.iter().position(|a| a.name == name).map(|i| (i as u8, t[i].width)),
            Args::Custom(c) => c.iter().position(|(n, _)| *n == name).map(|i| (i as u8, 8)),
        }
    }

    pub fn width(self, index: u8) -> u8 {
        match self {
            Args::Table(t) => t.get(index as usize).map_or(8, |a| a.width),
            Args::Custom(_) => 8,
        }
    }
}

/// A folded condition: a constant, or what is left to test at run time.
#[derive(Debug, PartialEq, Eq)]
pub enum Folded {
    True,
    False,
    Cond(Cond),
}

pub struct Folder<'x, 'a, 'e> {
    pub args: Args<'x, 'a>,
    /// The filter's syscall, for messages.
    pub syscall: SyscallRef<'a>,
    pub errors: &'e mut Vec<(Loc, String)>,
    /// Set when a name could not be resolved: the result is meaningless then.
    pub failed: bool,
}

fn is_const(v: &Value) -> bool {
    matches!(v, Value::Const(_))
}

impl<'x, 'a, 'e> Folder<'x, 'a, 'e> {
    pub fn fold_bool(&mut self, e: &BoolExpr<'a>) -> Folded {
        match e {
            BoolExpr::Cmp(op, l, r, _) => {
                let l = self.fold_value(l);
                let r = self.fold_value(r);
                self.cmp(*op, l, r)
            }
            BoolExpr::Not(inner) => match self.fold_bool(inner) {
                Folded::True => Folded::False,
                Folded::False => Folded::True,
                Folded::Cond(c) => Folded::Cond(Cond::Not(Box::new(c))),
            },
            BoolExpr::And(a, b) => match (self.fold_bool(a), self.fold_bool(b)) {
                (Folded::False, _) | (_, Folded::False) => Folded::False,
                (Folded::True, x) | (x, Folded::True) => x,
                (Folded::Cond(a), Folded::Cond(b)) => Folded::Cond(Cond::And(Box::new(a), Box::new(b))),
            },
            BoolExpr::Or(a, b) => match (self.fold_bool(a), self.fold_bool(b)) {
                (Folded::True, _) | (_, Folded::True) => Folded::True,
                (Folded::False, x) | (x, Folded::False) => x,
                (Folded::Cond(a), Folded::Cond(b)) => Folded::Cond(Cond::Or(Box::new(a), Box::new(b))),
            },
        }
    }

    fn cmp(&self, op: CmpOp, l: Value, r: Value) -> Folded {
        let truth = |b: bool| if b { Folded::True } else { Folded::False };
        if let (Value::Const(a), Value::Const(b)) = (&l, &r) {
            return truth(op.holds(a, b));
        }
        if let (Value::Arg(a), Value::Arg(b)) = (&l, &r) {
            if a == b {
                return truth(matches!(op, CmpOp::Eq | CmpOp::Le | CmpOp::Ge));
            }
        }
        let (op, lhs, rhs) = if is_const(&l) { (op.mirrored(), r, l) } else { (op, l, r) };
        let wide = self.needs_64(&lhs) || self.needs_64(&rhs);
        Folded::Cond(Cond::Cmp { op, lhs, rhs, wide })
    }

    /// The width rule: a constant beyond 32 bits, or a 64-bit argument, makes a comparison
    /// 64-bit; otherwise only the low 32 bits count.
    fn needs_64(&self, v: &Value) -> bool {
        match v {
            Value::Const(c) => *c > u32::MAX as u64,
            Value::Arg(i) => self.args.width(*i) == 8,
            Value::And(a, b) | Value::Or(a, b) => self.needs_64(a) || self.needs_64(b),
        }
    }

    pub fn fold_value(&mut self, e: &ValExpr<'a>) -> Value {
        match e {
            ValExpr::Num(n) => Value::Const(*n),
            ValExpr::Arg(name, loc) => match self.args.find(name) {
                Some((i, _)) => Value::Arg(i),
                None => {
                    let of = match self.syscall {
                        SyscallRef::Name(s) => cat!("\"", s, "\""),
                        SyscallRef::Number(n) => cat!("syscall ", n),
                    };
                    let msg = cat!("Undefined identifier \"", name, "\" (neither a constant defined before this point nor an argument of ", of, ")");
                    self.errors.push((*loc, msg));
                    self.failed = true;
                    Value::Const(0)
                }
            },
            ValExpr::And(a, b) => {
                let (a, b) = (self.fold_value(a), self.fold_value(b));
                bitwise(a, b, |x, y| x & y, 0, u64::MAX, Value::And)
            }
            ValExpr::Or(a, b) => {
                let (a, b) = (self.fold_value(a), self.fold_value(b));
                bitwise(a, b, |x, y| x | y, u64::MAX, 0, Value::Or)
            }
        }
    }
}

/// Folds `a OP b` for a bitwise OP with the constant that absorbs everything (`clobber`) and
/// the one that changes nothing (`identity`); a constant operand ends up on the right.
fn bitwise(a: Value, b: Value, eval: fn(u64, u64) -> u64, clobber: u64, identity: u64, node: fn(Box<Value>, Box<Value>) -> Value) -> Value {
    if let (Value::Const(x), Value::Const(y)) = (&a, &b) {
        return Value::Const(eval(*x, *y));
    }
    let (l, r) = if is_const(&a) { (b, a) } else { (a, b) };
    match r {
        Value::Const(c) if c == clobber => Value::Const(clobber),
        Value::Const(c) if c == identity => l,
        r => node(Box::new(l), Box::new(r)),
    }
}
