//! Conditions → BPF (KAFEL.md §6.3), built backwards from their true/false targets.
//!
//! `&&`, `||` and `!` only rewire targets, so no boolean is ever materialised. A comparison
//! loads the 32-bit words it needs: narrow ones the low word only; wide `==`/`!=` the high word
//! then the low word; wide `< <= > >=` decide on the high word when it differs. `(v & m) == 0`
//! and `!= 0` are one `JSET` per word of `m`. Words known at compile time are never loaded.

use super::graph::{Graph, Label};
use crate::bpf::{off_arg_hi, off_arg_lo, ABS, ALU, AND, IMM, JEQ, JGE, JGT, JMP, JSET, K, LD, LDX, MEM, MEM_WORDS, OR, ST, TAX, W, X};
use crate::ir::{CmpOp, Cond, Value};

/// Why a condition cannot be compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CondError {
    /// The expression needs more than the 16 scratch words.
    Scratch,
    /// An argument index past 5 (the front end never produces one).
    Arg(u8),
    /// Nesting deeper than any front-end limit; refused before any recursion can exhaust
    /// the stack.
    Depth,
}

pub const MAX_DEPTH: usize = 1000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    Lo,
    Hi,
}

fn word(c: u64, w: Word) -> u32 {
    match w {
        Word::Lo => c as u32,
        Word::Hi => (c >> 32) as u32,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}


/// The word `w` of `v` when it does not depend on any argument.
fn known(v: &Value, w: Word) -> Option<u32> {
    match v {
        Value::Const(c) => Some(word(*c, w)),
        Value::Arg(_) => None,
        Value::And(a, b) => match (known(a, w), known(b, w)) {
            (Some(0), _) | (_, Some(0)) => Some(0),
            (Some(x), Some(y)) => Some(x & y),
            _ => None,
        },
        Value::Or(a, b) => match (known(a, w), known(b, w)) {
            (Some(u32::MAX), _) | (_, Some(u32::MAX)) => Some(u32::MAX),
            (Some(x), Some(y)) => Some(x | y),
            _ => None,
        },
    }
}

fn is_const(v: &Value) -> bool {
    matches!(v, Value::Const(_))
}

/// Whether computing `v` into A clobbers X.
fn uses_x(v: &Value) -> bool {
    match v {
        Value::Const(_) | Value::Arg(_) => false,
        Value::And(a, b) | Value::Or(a, b) => match (is_const(a), is_const(b)) {
            (false, false) => true,
            _ => uses_x(a) || uses_x(b),
        },
    }
}

/// Scratch words `eval` uses for `v` (Sethi–Ullman).
fn scratch_need(v: &Value) -> usize {
    match v {
        Value::Const(_) | Value::Arg(_) => 0,
        Value::And(a, b) | Value::Or(a, b) => {
            if is_const(a) || !uses_x(a) {
                scratch_need(b)
            } else if is_const(b) || !uses_x(b) {
                scratch_need(a)
            } else {
                let (na, nb) = (scratch_need(a), scratch_need(b));
                na.max(nb).max(na.min(nb) + 1)
            }
        }
    }
}

/// Code that leaves word `w` of `v` in A, then goes to `next`; scratch words from `slot` up.
fn eval(g: &mut Graph, v: &Value, w: Word, next: Label, slot: usize) -> Result<Label, CondError> {
    if let Some(c) = known(v, w) {
        return Ok(g.stmt(LD | IMM, c, next));
    }
    let (a, b, op) = match v {
        Value::Arg(i) if *i > 5 => return Err(CondError::Arg(*i)),
        Value::Arg(i) => {
            let off = if w == Word::Lo { off_arg_lo(*i) } else { off_arg_hi(*i) };
            return Ok(g.stmt(LD | W | ABS, off, next));
        }
        Value::And(a, b) => (a, b, AND),
        Value::Or(a, b) => (a, b, OR),
        Value::Const(c) => return Ok(g.stmt(LD | IMM, word(*c, w), next)), // (known above)
    };
    // An operand whose word is known becomes a K operand (and AND ~0 / OR 0 vanish).
    for (x, y) in [(a, b), (b, a)] {
        if let Some(c) = known(y, w) {
            let identity = if op == AND { u32::MAX } else { 0 };
            let next = if c == identity { next } else { g.stmt(ALU | op | K, c, next) };
            return eval(g, x, w, next, slot);
        }
    }
    let alu = g.stmt(ALU | op | X, 0, next);
    for (x, y) in [(a, b), (b, a)] {
        if !uses_x(x) {
            // y into A, to X, then x into A (which leaves X alone).
            let n = eval(g, x, w, alu, slot)?;
            let n = g.stmt(0x07 | TAX, 0, n);
            return eval(g, y, w, n, slot);
        }
    }
    // Both need X: the hungrier one first, parked in M[slot] while the other is computed.
    if slot >= MEM_WORDS {
        return Err(CondError::Scratch);
    }
    let (first, second) = if scratch_need(a) >= scratch_need(b) { (a, b) } else { (b, a) };
    let n = g.stmt(LDX | MEM, slot as u32, alu);
    let n = eval(g, second, w, n, slot + 1)?;
    let n = g.stmt(ST, slot as u32, n);
    eval(g, first, w, n, slot)
}

/// Code that evaluates `c` and goes to `t` when it holds, else to `f`.
pub fn compile(g: &mut Graph, c: &Cond, t: Label, f: Label) -> Result<Label, CondError> {
    if nesting(c) > MAX_DEPTH {
        return Err(CondError::Depth);
    }
    cond(g, c, t, f)
}

/// How deeply `c` nests, counted without recursion: everything below recurses on it.
fn nesting(c: &Cond) -> usize {
    enum Item<'a> {
        C(&'a Cond),
        V(&'a Value),
    }
    let mut deepest = 0;
    let mut stack = vec![(Item::C(c), 1usize)];
    while let Some((item, d)) = stack.pop() {
        deepest = deepest.max(d);
        match item {
            Item::C(Cond::And(a, b)) | Item::C(Cond::Or(a, b)) => {
                stack.push((Item::C(a), d + 1));
                stack.push((Item::C(b), d + 1));
            }
            Item::C(Cond::Not(a)) => stack.push((Item::C(a), d + 1)),
            Item::C(Cond::Cmp { lhs, rhs, .. }) => {
                stack.push((Item::V(lhs), d + 1));
                stack.push((Item::V(rhs), d + 1));
            }
            Item::V(Value::And(a, b)) | Item::V(Value::Or(a, b)) => {
                stack.push((Item::V(a), d + 1));
                stack.push((Item::V(b), d + 1));
            }
            Item::V(_) => {}
        }
    }
    deepest
}

fn cond(g: &mut Graph, c: &Cond, t: Label, f: Label) -> Result<Label, CondError> {
    match c {
        Cond::And(a, b) => {
            let b = cond(g, b, t, f)?;
            cond(g, a, b, f)
        }
        Cond::Or(a, b) => {
            let b = cond(g, b, t, f)?;
            cond(g, a, t, b)
        }
        Cond::Not(a) => cond(g, a, f, t),
        Cond::Cmp { op, lhs, rhs, wide } => compare(g, *op, lhs, rhs, *wide, t, f),
    }
}

fn compare(g: &mut Graph, op: CmpOp, lhs: &Value, rhs: &Value, wide: bool, t: Label, f: Label) -> Result<Label, CondError> {
    match (lhs, rhs) {
        (Value::Const(a), Value::Const(b)) => {
            let mask = if wide { u64::MAX } else { 0xffff_ffff };
            Ok(if op.holds(a & mask, b & mask) { t } else { f })
        }
        (Value::Const(_), _) => compare(g, flip(op), rhs, lhs, wide, t, f),
        (_, Value::Const(c)) => match masked_zero_test(g, op, lhs, *c, wide, t, f)? {
            Some(l) => Ok(l),
            None => compare_const(g, op, lhs, *c, wide, t, f),
        },
        _ => compare_values(g, op, lhs, rhs, wide, t, f),
    }
}

/// `eval(v, w)` in front of `j`, unless `j` does not look at A (it is one of `targets`).
fn load_then(g: &mut Graph, v: &Value, w: Word, j: Label, targets: &[Label]) -> Result<Label, CondError> {
    if targets.contains(&j) {
        Ok(j)
    } else {
        eval(g, v, w, j, 0)
    }
}

/// `(v & m) == 0` and `(v & m) != 0` as one `JSET` per word of `m`; `None` for other shapes.
fn masked_zero_test(g: &mut Graph, op: CmpOp, lhs: &Value, c: u64, wide: bool, t: Label, f: Label) -> Result<Option<Label>, CondError> {
    let mask = if wide { u64::MAX } else { 0xffff_ffff };
    if c & mask != 0 || !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return Ok(None);
    }
    let (v, m) = match lhs {
        Value::And(a, b) => match (&**a, &**b) {
            (v, Value::Const(m)) | (Value::Const(m), v) => (v, m & mask),
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    let (zero, nonzero) = if op == CmpOp::Eq { (t, f) } else { (f, t) };
    let mut next = zero;
    // Built low word first: the high word is tested first.
    for w in [Word::Lo, Word::Hi] {
        let mw = word(m, w);
        if mw == 0 {
            continue;
        }
        next = match known(v, w) {
            Some(x) if x & mw != 0 => nonzero,
            Some(_) => next,
            None => {
                let j = g.jump(JMP | JSET | K, mw, nonzero, next);
                load_then(g, v, w, j, &[nonzero, next])?
            }
        };
    }
    Ok(Some(next))
}

/// The low-word (or only) test of `A op c`; a target itself when the outcome is fixed.
fn jump_k(g: &mut Graph, op: CmpOp, c: u32, t: Label, f: Label) -> Label {
    match op {
        CmpOp::Eq => g.jump(JMP | JEQ | K, c, t, f),
        CmpOp::Ne => g.jump(JMP | JEQ | K, c, f, t),
        CmpOp::Gt if c == u32::MAX => f,
        CmpOp::Gt => g.jump(JMP | JGT | K, c, t, f),
        CmpOp::Ge if c == 0 => t,
        CmpOp::Ge => g.jump(JMP | JGE | K, c, t, f),
        CmpOp::Lt if c == 0 => f,
        CmpOp::Lt => g.jump(JMP | JGE | K, c, f, t),
        CmpOp::Le if c == u32::MAX => t,
        CmpOp::Le => g.jump(JMP | JGT | K, c, f, t),
    }
}

fn compare_const(g: &mut Graph, op: CmpOp, lhs: &Value, c: u64, wide: bool, t: Label, f: Label) -> Result<Label, CondError> {
    let c_lo = word(c, Word::Lo);
    let low = match known(lhs, Word::Lo) {
        Some(x) => if op.holds(x as u64, c_lo as u64) { t } else { f },
        None => {
            let j = jump_k(g, op, c_lo, t, f);
            load_then(g, lhs, Word::Lo, j, &[t, f])?
        }
    };
    if !wide {
        return Ok(low);
    }
    let ch = word(c, Word::Hi);
    // The high words decide unless they are equal; then the low words do.
    let (above, below) = match op {
        CmpOp::Eq => (f, f),
        CmpOp::Ne => (t, t),
        CmpOp::Gt | CmpOp::Ge => (t, f),
        CmpOp::Lt | CmpOp::Le => (f, t),
    };
    if let Some(h) = known(lhs, Word::Hi) {
        return Ok(if h > ch { above } else if h < ch { below } else { low });
    }
    // `jgt ch → above : (jeq ch → low : below)`, minus the tests that cannot fail or pass.
    let not_above = if ch == 0 { low } else { g.jump(JMP | JEQ | K, ch, low, below) };
    let j = if ch == u32::MAX || above == below {
        g.jump(JMP | JEQ | K, ch, low, below)
    } else {
        g.jump(JMP | JGT | K, ch, above, not_above)
    };
    load_then(g, lhs, Word::Hi, j, &[t, f, low])
}

/// The test of `A op X` (no constant to fold).
fn jump_x(g: &mut Graph, op: CmpOp, t: Label, f: Label) -> Label {
    match op {
        CmpOp::Eq => g.jump(JMP | JEQ | X, 0, t, f),
        CmpOp::Ne => g.jump(JMP | JEQ | X, 0, f, t),
        CmpOp::Gt => g.jump(JMP | JGT | X, 0, t, f),
        CmpOp::Ge => g.jump(JMP | JGE | X, 0, t, f),
        CmpOp::Lt => g.jump(JMP | JGE | X, 0, f, t),
        CmpOp::Le => g.jump(JMP | JGT | X, 0, f, t),
    }
}

/// Argument with argument: word `w` of one side in A and of the other in X.
fn compare_values(g: &mut Graph, op: CmpOp, lhs: &Value, rhs: &Value, wide: bool, t: Label, f: Label) -> Result<Label, CondError> {
    // A holds the side that needs X to compute, when only one does.
    let (a, x, op) = if uses_x(lhs) && !uses_x(rhs) { (rhs, lhs, flip(op)) } else { (lhs, rhs, op) };
    let load_pair = |g: &mut Graph, w: Word, next: Label| -> Result<Label, CondError> {
        if !uses_x(a) {
            let n = eval(g, a, w, next, 0)?;
            let n = g.stmt(0x07 | TAX, 0, n);
            eval(g, x, w, n, 0)
        } else {
            // Both need X: park x's word in M[0] while a's is computed.
            let n = g.stmt(LDX | MEM, 0, next);
            let n = eval(g, a, w, n, 1)?;
            let n = g.stmt(ST, 0, n);
            eval(g, x, w, n, 0)
        }
    };
    let j = jump_x(g, op, t, f);
    let low = load_pair(g, Word::Lo, j)?;
    if !wide {
        return Ok(low);
    }
    let (above, below) = match op {
        CmpOp::Eq => (f, f),
        CmpOp::Ne => (t, t),
        CmpOp::Gt | CmpOp::Ge => (t, f),
        CmpOp::Lt | CmpOp::Le => (f, t),
    };
    let not_above = g.jump(JMP | JEQ | X, 0, low, below);
    let j = if above == below { not_above } else { g.jump(JMP | JGT | X, 0, above, not_above) };
    load_pair(g, Word::Hi, j)
}
