//! Conditions → what an OCI profile can say: a disjunction of entries, each an AND of
//! `arg OP constant` comparisons with at most one comparison per argument.
//!
//! That last limit is libseccomp's (one comparison per argument in a rule; runc turns repeated
//! indexes into separate rules, which means OR). So every term is normalised: the comparisons
//! on one argument are intersected as sets and re-expressed as a union of single comparisons.
//! Anything that is not a function of one argument bit by bit (argument against argument) has
//! no OCI form. Everything else has an exact one: an expression built from one argument with
//! `&`/`|` constants is `(x & A) | B`, and any comparison of it with a constant is a union of
//! masked equalities ("cubes"), found bit by bit from the top.


use crate::ir::{CmpOp, Cond, Value};
use crate::sorting::sorted;

/// Terms past this make the profile useless to read and slow to load: an error instead.
pub const MAX_TERMS: usize = 256;

/// The OCI comparison operators (`SCMP_CMP_*`). Ordered for deterministic output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `(arg & a) == b`.
    MaskedEq,
}

impl Op {
    pub fn oci_name(self) -> &'static str {
        match self {
            Op::Eq => "SCMP_CMP_EQ",
            Op::Ne => "SCMP_CMP_NE",
            Op::Lt => "SCMP_CMP_LT",
            Op::Le => "SCMP_CMP_LE",
            Op::Gt => "SCMP_CMP_GT",
            Op::Ge => "SCMP_CMP_GE",
            Op::MaskedEq => "SCMP_CMP_MASKED_EQ",
        }
    }
}

/// One OCI comparison on argument `index`: `arg OP a` (64-bit, unsigned), or for `MaskedEq`
/// `(arg & a) == b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom {
    pub index: u8,
    pub op: Op,
    pub a: u64,
    pub b: u64,
}

impl Atom {
    pub fn holds(&self, args: &[u64; 6]) -> bool {
        let x = args[self.index as usize % 6];
        match self.op {
            Op::Eq => x == self.a,
            Op::Ne => x != self.a,
            Op::Lt => x < self.a,
            Op::Le => x <= self.a,
            Op::Gt => x > self.a,
            Op::Ge => x >= self.a,
            Op::MaskedEq => x & self.a == self.b,
        }
    }
}

/// An AND of atoms, sorted, at most one per argument.
pub type Term = Vec<Atom>;
/// An OR of terms. `[]` is false, `[[]]` is true.
pub type Dnf = Vec<Term>;

/// Why a condition has no OCI form (the caller adds the position).
pub type Why = String;

/// The region where rule `i` decides: its condition and no earlier rule's (first match wins).
/// `conds[j]` is rule j's condition, `None` = always. `arg_mask` is the bits an argument can
/// have on the architecture (all 64, or 32 on i386 whose arguments are zero-extended).
pub fn rule_region(conds: &[Option<&Cond>], i: usize, arg_mask: u64) -> Result<Dnf, Why> {
    let mut wanted = vec![false; conds.len()];
    wanted[i] = true;
    regions(conds, &wanted, arg_mask).swap_remove(i).map_err(|(_, why)| why)
}

/// The regions of the rules marked `wanted` (`Ok(vec![])` for the others), each negated
/// condition converted once. An error names the rule at fault: one whose own condition has no
/// OCI form, or the wanted rule whose region needs too many entries.
pub fn regions(conds: &[Option<&Cond>], wanted: &[bool], arg_mask: u64) -> Vec<Result<Dnf, (usize, Why)>> {
    let c = Converter { arg_mask };
    let mut negated: Vec<Result<Dnf, Why>> = Vec::with_capacity(conds.len());
    let mut out = Vec::with_capacity(conds.len());
    for (i, cond) in conds.iter().enumerate() {
        let region = if wanted.get(i) == Some(&true) { region(&c, *cond, &negated, i) } else { Ok(Vec::new()) };
        out.push(region);
        negated.push(cond.map_or(Ok(Vec::new()), |cond| c.dnf(cond, true)));
    }
    out
}

fn region(c: &Converter, cond: Option<&Cond>, negated: &[Result<Dnf, Why>], i: usize) -> Result<Dnf, (usize, Why)> {
    let mut acc = match cond {
        Some(cond) => c.dnf(cond, false).map_err(|why| (i, why))?,
        None => vec![Vec::new()],
    };
    for (j, neg) in negated.iter().enumerate() {
        if acc.is_empty() {
            break;
        }
        let neg = neg.as_ref().map_err(|why| (j, why.clone()))?;
        acc = and(&acc, neg, c.arg_mask).map_err(|why| (i, why))?;
    }
    Ok(acc)
}

struct Converter {
    arg_mask: u64,
}

/// A value as a bitwise function of at most one argument: `(x & a) | b`, with `a & b == 0`.
#[derive(Clone, Copy)]
struct Lin {
    arg: Option<u8>,
    a: u64,
    b: u64,
}

impl Converter {
    /// `cond`, or its negation, in normal form. Recursion depth is bounded by the parser's.
    fn dnf(&self, cond: &Cond, negate: bool) -> Result<Dnf, Why> {
        match (cond, negate) {
            (Cond::Not(c), n) => self.dnf(c, !n),
            (Cond::And(l, r), false) | (Cond::Or(l, r), true) => and(&self.dnf(l, negate)?, &self.dnf(r, negate)?, self.arg_mask),
            (Cond::Or(l, r), false) | (Cond::And(l, r), true) => or(self.dnf(l, negate)?, self.dnf(r, negate)?),
            (Cond::Cmp { op, lhs, rhs, wide }, n) => self.cmp(*op, lhs, rhs, *wide, n),
        }
    }

    fn lin(&self, v: &Value) -> Result<Lin, Why> {
        Ok(match v {
            Value::Const(c) => Lin { arg: None, a: 0, b: *c },
            Value::Arg(i) => Lin { arg: Some(*i), a: self.arg_mask, b: 0 },
            Value::And(p, q) | Value::Or(p, q) => {
                let (p, q) = (self.lin(p)?, self.lin(q)?);
                let arg = match (p.arg, q.arg) {
                    (Some(x), Some(y)) if x != y => {
                        return Err(cat!("it combines argument ", x, " with argument ", y, ", and OCI compares an argument only with a constant"))
                    }
                    (x, y) => x.or(y),
                };
                // Per bit each side is 0, 1 or the argument's bit.
                if matches!(v, Value::And(..)) {
                    let b = p.b & q.b;
                    Lin { arg, a: (p.a | p.b) & (q.a | q.b) & !b, b }
                } else {
                    let b = p.b | q.b;
                    Lin { arg, a: (p.a | q.a) & !b, b }
                }
            }
        })
    }

    fn cmp(&self, op: CmpOp, lhs: &Value, rhs: &Value, wide: bool, negate: bool) -> Result<Dnf, Why> {
        let (mut l, mut r) = (self.lin(lhs)?, self.lin(rhs)?);
        let mut op = op;
        if l.arg.is_none() && r.arg.is_some() {
            std::mem::swap(&mut l, &mut r);
            op = op.mirrored();
        }
        if r.arg.is_some() {
            return Err(crate::text::owned("it compares an argument with an argument, and OCI compares an argument only with a constant"));
        }
        if negate {
            op = negated(op);
        }
        let width = if wide { u64::MAX } else { 0xffff_ffff };
        let (a, b, v) = (l.a & width, l.b & width, r.b & width);
        let index = match l.arg {
            Some(i) => i,
            None => return Ok(if op.holds(b, v) { vec![Vec::new()] } else { Vec::new() }),
        };
        if a == self.arg_mask && b == 0 && v & !self.arg_mask == 0 {
            return Ok(native(index, op, v));
        }
        let cube = |m: u64, val: u64| -> Term {
            if m == 0 {
                Vec::new()
            } else {
                vec![Atom { index, op: Op::MaskedEq, a: m, b: val }]
            }
        };
        let eq = if v & !a == b { Some((a, v & a)) } else { None };
        let mut out: Dnf = match op {
            CmpOp::Eq => eq.map(|(m, val)| cube(m, val)).into_iter().collect(),
            CmpOp::Ne => match eq {
                None => vec![Vec::new()],
                // Not all of the mask's bits agree: some one bit differs.
                Some((m, val)) => bits(m).map(|bit| cube(bit, !val & bit)).collect(),
            },
            CmpOp::Lt | CmpOp::Le => below(a, b, v, width, cube),
            CmpOp::Gt | CmpOp::Ge => above(a, b, v, width, cube),
        };
        if matches!(op, CmpOp::Le | CmpOp::Ge) {
            out.extend(eq.map(|(m, val)| cube(m, val)));
        }
        Ok(simplify(out))
    }
}

/// The cubes of `{x : (x & a) | b < v}` on the bits of `width`: where, scanning from the top,
/// the value first has a 0 where `v` has a 1.
fn below(a: u64, b: u64, v: u64, width: u64, cube: impl Fn(u64, u64) -> Term) -> Dnf {
    first_difference(a, b, v, width, true, cube)
}

/// The cubes of `{x : (x & a) | b > v}`.
fn above(a: u64, b: u64, v: u64, width: u64, cube: impl Fn(u64, u64) -> Term) -> Dnf {
    first_difference(a, b, v, width, false, cube)
}

fn first_difference(a: u64, b: u64, v: u64, width: u64, less: bool, cube: impl Fn(u64, u64) -> Term) -> Dnf {
    let mut out = Vec::new();
    // (m, val): the cube of arguments whose value agrees with `v` on the bits above.
    let (mut m, mut val) = (0u64, 0u64);
    for k in (0..64).rev() {
        let bit = 1u64 << k;
        if width & bit == 0 {
            continue;
        }
        let want = v & bit != 0;
        // Where the value can differ from `v` in the right direction at this bit.
        if want == less {
            if a & bit != 0 {
                out.push(cube(m | bit, val | if less { 0 } else { bit }));
            } else if (b & bit != 0) != want {
                out.push(cube(m, val));
                return out; // the value always differs here: nothing agrees further down
            }
        }
        // Continue along the values that agree with `v` here.
        if a & bit != 0 {
            m |= bit;
            val |= v & bit;
        } else if (b & bit != 0) != want {
            return out;
        }
    }
    out
}

fn bits(m: u64) -> impl Iterator<Item = u64> {
    (0..64).rev().map(|k| 1u64 << k).filter(move |bit| m & bit != 0)
}

/// `x OP v` on a whole argument, with the always-true and never-true cases folded.
fn native(index: u8, op: CmpOp, v: u64) -> Dnf {
    let always = match op {
        CmpOp::Lt if v == 0 => Some(false),
        CmpOp::Gt if v == u64::MAX => Some(false),
        CmpOp::Le if v == u64::MAX => Some(true),
        CmpOp::Ge if v == 0 => Some(true),
        _ => None,
    };
    match always {
        Some(true) => vec![Vec::new()],
        Some(false) => Vec::new(),
        None => vec![vec![Atom { index, op: native_op(op), a: v, b: 0 }]],
    }
}

fn native_op(op: CmpOp) -> Op {
    match op {
        CmpOp::Eq => Op::Eq,
        CmpOp::Ne => Op::Ne,
        CmpOp::Lt => Op::Lt,
        CmpOp::Le => Op::Le,
        CmpOp::Gt => Op::Gt,
        CmpOp::Ge => Op::Ge,
    }
}



fn negated(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

fn too_big() -> Why {
    cat!("it needs more than ", MAX_TERMS, " OCI entries")
}

fn or(mut l: Dnf, r: Dnf) -> Result<Dnf, Why> {
    l.extend(r);
    let out = simplify(l);
    if out.len() > MAX_TERMS {
        return Err(too_big());
    }
    Ok(out)
}

/// `l ∧ r`; `max` is the largest value an argument can have.
fn and(l: &Dnf, r: &Dnf, max: u64) -> Result<Dnf, Why> {
    let mut out = Vec::new();
    for x in l {
        for y in r {
            let mut t: Term = x.clone();
            t.extend_from_slice(y);
            sort_small(&mut t);
            t.dedup();
            out.extend(normalize(t, max)?);
            if out.len() > MAX_TERMS * 4 {
                return Err(too_big());
            }
        }
    }
    let out = simplify(out);
    if out.len() > MAX_TERMS {
        return Err(too_big());
    }
    Ok(out)
}

/// Sorted, without duplicates, and without terms implied by another (absorption).
fn simplify(mut d: Dnf) -> Dnf {
    for t in d.iter_mut() {
        sort_small(t);
        t.dedup();
    }
    let mut d = sorted(d);
    d.dedup();
    // Drop a term when another term's atoms are a subset of its own (that term covers it).
    let implied = |t: &Term, d: &Dnf| d.iter().any(|s| s.len() < t.len() && s.iter().all(|a| t.contains(a)));
    let keep: Vec<bool> = d.iter().map(|t| !implied(t, &d)).collect();
    let mut out = Vec::with_capacity(d.len());
    for (t, k) in d.into_iter().zip(keep) {
        if k {
            out.push(t);
        }
    }
    out
}

/// Insertion sort, for terms (a handful of atoms): far less code than the library's sorts.
pub fn sort_small(t: &mut Term) {
    for i in 1..t.len() {
        let mut j = i;
        while j > 0 && t[j - 1] > t[j] {
            t.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// A sorted term → equivalent terms with at most one atom per argument (none if unsatisfiable).
fn normalize(t: Term, max: u64) -> Result<Dnf, Why> {
    let mut out: Dnf = vec![Vec::new()];
    let mut i = 0;
    while i < t.len() {
        let j = i + t[i..].iter().take_while(|a| a.index == t[i].index).count();
        let choices = if j - i == 1 { vec![Some(t[i])] } else { merge(t[i].index, &t[i..j], max) };
        if choices.is_empty() {
            return Ok(Vec::new());
        }
        out = extend_each(&out, &choices)?;
        i = j;
    }
    Ok(out)
}

/// Each term of `terms` extended by each of `choices` in turn (`None` adds nothing): `terms`
/// AND one of the choices.
fn extend_each(terms: &Dnf, choices: &[Option<Atom>]) -> Result<Dnf, Why> {
    let mut out = Vec::with_capacity(terms.len() * choices.len());
    for t in terms {
        for c in choices {
            let mut t = t.clone();
            t.extend(c);
            out.push(t);
        }
    }
    if out.len() > MAX_TERMS {
        return Err(too_big());
    }
    Ok(out)
}

/// The intersection of several comparisons on one argument, as alternatives (`None` = no
/// constraint left; empty = unsatisfiable): a set of intervals of `[0, max]` cut by one cube.
/// Every constant written stays within `max` (libseccomp compares only 32 bits on i386).
fn merge(index: u8, atoms: &[Atom], max: u64) -> Vec<Option<Atom>> {
    // An empty interval (the parts of a comparison's set that are not there).
    const NONE: (u64, u64) = (1, 0);
    let mut ivs: Vec<(u64, u64)> = vec![(0, max)];
    let (mut m, mut val) = (0u64, 0u64);
    for at in atoms {
        let a = at.a;
        // The comparison's set: at most two intervals. Past `max` nothing is left; the clipping
        // below keeps the rest within it.
        let keep = match at.op {
            Op::MaskedEq => {
                if m & a & (val ^ at.b) != 0 || at.b & !a != 0 {
                    return Vec::new();
                }
                m |= a;
                val |= at.b;
                continue;
            }
            Op::Eq => [(a, a), NONE],
            Op::Ne => [if a == 0 { NONE } else { (0, a - 1) }, if a == u64::MAX { NONE } else { (a + 1, u64::MAX) }],
            Op::Lt => [if a == 0 { NONE } else { (0, a - 1) }, NONE],
            Op::Le => [(0, a), NONE],
            Op::Gt => [if a == u64::MAX { NONE } else { (a + 1, u64::MAX) }, NONE],
            Op::Ge => [(a, u64::MAX), NONE],
        };
        let mut next = Vec::with_capacity(ivs.len() * 2);
        for &(lo, hi) in &ivs {
            for (klo, khi) in keep {
                let (lo, hi) = (lo.max(klo), hi.min(khi).min(max));
                if lo <= hi {
                    next.push((lo, hi));
                }
            }
        }
        ivs = next;
    }
    let native = |op: Op, a: u64| Some(Atom { index, op, a, b: 0 });
    if m == 0 {
        if let [(0, x), (y, top)] = ivs[..] {
            if top == max && x.wrapping_add(2) == y {
                return vec![native(Op::Ne, x + 1)];
            }
        }
        let mut out = Vec::new();
        for &(lo, hi) in &ivs {
            match (lo, hi) {
                (0, hi) if hi == max => out.push(None),
                (lo, hi) if lo == hi => out.push(native(Op::Eq, lo)),
                (0, hi) => out.push(native(Op::Le, hi)),
                (lo, hi) if hi == max => out.push(native(Op::Ge, lo)),
                (lo, hi) => out.extend(interval_cubes(lo, hi).map(|(cm, cv)| Some(Atom { index, op: Op::MaskedEq, a: cm & max, b: cv }))),
            }
        }
        return out;
    }
    let mut out = Vec::new();
    for &(lo, hi) in &ivs {
        for (cm, cv) in interval_cubes(lo, hi) {
            // Two cubes meet where their common bits agree; the meeting is a cube.
            if cm & m & (cv ^ val) == 0 {
                out.push(Some(Atom { index, op: Op::MaskedEq, a: (cm | m) & max, b: cv | val }));
            }
        }
    }
    out
}

/// libseccomp 2.5.4 (Debian 12) mis-compiles some syscalls whose entries compare one argument in
/// more than one way: a jump between its rules lands on a test of a word it no longer holds
/// (docs/oci.md has a reproducer). Seen when those comparisons' constants differ in the high
/// word, or when the entries also compare other arguments; entries of masked equalities alone
/// it compiles right. So on such an argument every other comparison becomes masked equalities
/// (`==` one, `!=` one per bit, an ordered one the blocks of its interval): the same set, more
/// entries. `terms` pairs each term with the rule it comes from; an error names the rule whose
/// terms grow too many.
pub fn work_around_libseccomp(terms: Vec<(usize, Term)>, max: u64) -> Result<Vec<(usize, Term)>, (usize, Why)> {
    // Whether the atoms compare more than one argument.
    let mut first_index: Option<u8> = None;
    let mut several_args = false;
    for (_, t) in &terms {
        for a in t {
            several_args |= *first_index.get_or_insert(a.index) != a.index;
        }
    }
    // Per argument: compared in more than one way, by a plain comparison, in a shape that
    // trips libseccomp.
    let mut mixed = [false; 6];
    for (i, m) in mixed.iter_mut().enumerate() {
        let (mut first, mut differ, mut plain, mut high_words): (Option<Atom>, bool, bool, bool) = (None, false, false, false);
        for a in terms.iter().flat_map(|(_, t)| t.iter()).filter(|a| a.index as usize == i) {
            let f = *first.get_or_insert(*a);
            differ |= *a != f;
            if a.op != Op::MaskedEq {
                plain = true;
                high_words |= a.a >> 32 != f.a >> 32 || f.op == Op::MaskedEq;
            }
        }
        *m = plain && differ && (several_args || high_words);
    }
    if !mixed.iter().any(|&m| m) {
        return Ok(terms);
    }
    let mut out: Vec<(usize, Term)> = Vec::new();
    let mut per_rule: Vec<(usize, usize)> = Vec::new();
    for (rule, t) in terms {
        let mut expanded: Dnf = vec![Vec::new()];
        for a in t {
            let convert = mixed.get(a.index as usize) == Some(&true);
            let choices: Vec<Option<Atom>> = match (a.op, a.a) {
                _ if !convert => vec![Some(a)],
                (Op::Eq, c) => vec![Some(Atom { index: a.index, op: Op::MaskedEq, a: max, b: c })],
                (Op::Ne, c) => bits(max).map(|bit| Some(Atom { index: a.index, op: Op::MaskedEq, a: bit, b: !c & bit })).collect(),
                (Op::Lt, c) => blocks(a.index, 0, c.wrapping_sub(1), max),
                (Op::Le, c) => blocks(a.index, 0, c, max),
                (Op::Gt, c) => blocks(a.index, c.wrapping_add(1), max, max),
                (Op::Ge, c) => blocks(a.index, c, max, max),
                _ => vec![Some(a)],
            };
            expanded = extend_each(&expanded, &choices).map_err(|why| (rule, why))?;
        }
        match per_rule.iter_mut().find(|(r, _)| *r == rule) {
            Some((_, n)) => *n += expanded.len(),
            None => per_rule.push((rule, expanded.len())),
        }
        if per_rule.iter().any(|&(r, n)| r == rule && n > MAX_TERMS) {
            return Err((rule, too_big()));
        }
        out.extend(expanded.into_iter().map(|t| (rule, t)));
    }
    Ok(out)
}

/// The masked equalities of `[lo, hi]`, as alternatives (none when `lo > hi`, which the
/// callers' wrapped bounds produce only for the empty comparisons the conversion never holds).
fn blocks(index: u8, lo: u64, hi: u64, max: u64) -> Vec<Option<Atom>> {
    if lo > hi {
        return Vec::new();
    }
    interval_cubes(lo, hi).map(|(m, v)| Some(Atom { index, op: Op::MaskedEq, a: m & max, b: v })).collect()
}

/// `[lo, hi]` as aligned power-of-two blocks, each a cube `(mask, value)`.
fn interval_cubes(lo: u64, hi: u64) -> impl Iterator<Item = (u64, u64)> {
    let mut next = Some(lo);
    std::iter::from_fn(move || {
        let at = next?;
        if at > hi {
            return None;
        }
        // The largest block starting at `at` (aligned) that stays within `hi`.
        let mut k = if at == 0 { 64 } else { at.trailing_zeros() };
        while k > 0 && (k == 64 || at + ((1u64 << k) - 1) > hi) {
            if k == 64 && hi == u64::MAX {
                break;
            }
            k -= 1;
        }
        let size_minus_one = if k == 64 { u64::MAX } else { (1u64 << k) - 1 };
        let end = at + size_minus_one;
        next = end.checked_add(1);
        Some((!size_minus_one, at))
    })
}
