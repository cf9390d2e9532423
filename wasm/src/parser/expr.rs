//! Conditions (KAFEL.md §3 `bool` … `operand`). Each method returns the node and its Kafel
//! depth (leaves 0, each operator +1, parentheses none); `MAX_DEPTH` bounds both that depth and
//! the nesting of parentheses and `!`, so recursion here is bounded.

use super::{PResult, Parser, MAX_DEPTH};
use crate::ast::{BoolExpr, ValExpr};
use crate::ir::CmpOp;
use crate::lexer::{Loc, Tok};

/// A parenthesised primary is a condition or, as in `(fd & 3) == 1`, a value.
enum Either<'a> {
    Bool(BoolExpr<'a>, u32),
    Bits(ValExpr<'a>, u32),
}

fn cmp_op(k: Tok) -> Option<CmpOp> {
    Some(match k {
        Tok::EqEq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        _ => return None,
    })
}

impl<'t, 'a> Parser<'t, 'a> {
    fn depth(&mut self, loc: Loc, a: u32, b: u32) -> PResult<u32> {
        if a >= MAX_DEPTH || b >= MAX_DEPTH {
            return self.fail(loc, cat!("Max expression depth (", MAX_DEPTH, ") exceeded"));
        }
        Ok(1 + a.max(b))
    }

    fn enter(&mut self, loc: Loc) -> PResult<()> {
        self.nest += 1;
        if self.nest > MAX_DEPTH {
            return self.fail(loc, cat!("Max expression depth (", MAX_DEPTH, ") exceeded (parentheses nested too deeply)"));
        }
        Ok(())
    }

    pub(super) fn condition(&mut self) -> PResult<BoolExpr<'a>> {
        match self.bool_or_bits()? {
            Either::Bool(b, _) => Ok(b),
            Either::Bits(..) => self.expected("a comparison operator (==, !=, <, <=, >, >=): a value alone is not a condition"),
        }
    }

    fn bool_or_bits(&mut self) -> PResult<Either<'a>> {
        match self.prim_either()? {
            Either::Bool(b, d) => {
                let (b, d) = self.bool_rest(b, d, 0)?;
                Ok(Either::Bool(b, d))
            }
            bits => Ok(bits),
        }
    }

    fn prim_bool(&mut self) -> PResult<(BoolExpr<'a>, u32)> {
        match self.prim_either()? {
            Either::Bool(b, d) => Ok((b, d)),
            Either::Bits(..) => self.expected("a comparison operator (==, !=, <, <=, >, >=)"),
        }
    }

    fn prim_either(&mut self) -> PResult<Either<'a>> {
        let t = self.tok();
        match t.kind {
            Tok::Bang => {
                self.bump();
                self.enter(t.loc)?;
                let (b, d) = self.prim_bool()?;
                self.nest -= 1;
                let d = self.depth(t.loc, d, 0)?;
                Ok(Either::Bool(BoolExpr::Not(Box::new(b)), d))
            }
            Tok::LParen => {
                self.bump();
                self.enter(t.loc)?;
                let inner = self.bool_or_bits()?;
                match inner {
                    Either::Bool(b, d) => {
                        self.expect(Tok::RParen, "\"&&\", \"||\", \",\" or \")\"")?;
                        self.nest -= 1;
                        Ok(Either::Bool(b, d))
                    }
                    Either::Bits(v, d) => {
                        self.expect(Tok::RParen, "a comparison operator (==, !=, <, <=, >, >=), \"&\", \"|\" or \")\"")?;
                        self.nest -= 1;
                        let (v, d) = self.bits_rest(v, d, 0)?;
                        self.cmp_or_bits(v, d)
                    }
                }
            }
            _ => {
                let (v, d) = self.bits()?;
                self.cmp_or_bits(v, d)
            }
        }
    }

    fn cmp_or_bits(&mut self, lhs: ValExpr<'a>, ld: u32) -> PResult<Either<'a>> {
        let t = self.tok();
        match cmp_op(t.kind) {
            None => Ok(Either::Bits(lhs, ld)),
            Some(op) => {
                self.bump();
                let (rhs, rd) = self.bits()?;
                let d = self.depth(t.loc, ld, rd)?;
                Ok(Either::Bool(BoolExpr::Cmp(op, lhs, rhs, t.loc), d))
            }
        }
    }

    /// The operators after `acc` that bind at least as tightly as `min`, left to right:
    /// `,` (0) < `||` (1) < `&&` (2), as in `a, b || c && d` = `a, (b || (c && d))`.
    fn bool_rest(&mut self, mut acc: BoolExpr<'a>, mut d: u32, min: u8) -> PResult<(BoolExpr<'a>, u32)> {
        loop {
            let level = match self.tok().kind {
                Tok::AndAnd => 2,
                Tok::OrOr => 1,
                Tok::Comma => 0,
                _ => break,
            };
            if level < min {
                break;
            }
            let t = self.bump();
            let (p, pd) = self.prim_bool()?;
            let (p, pd) = self.bool_rest(p, pd, level + 1)?;
            d = self.depth(t.loc, d, pd)?;
            let (acc_box, p) = (Box::new(acc), Box::new(p));
            acc = if level == 2 { BoolExpr::And(acc_box, p) } else { BoolExpr::Or(acc_box, p) };
        }
        Ok((acc, d))
    }

    fn bits(&mut self) -> PResult<(ValExpr<'a>, u32)> {
        let (v, d) = self.operand()?;
        self.bits_rest(v, d, 0)
    }

    /// The same for values: `|` (0) < `&` (1).
    fn bits_rest(&mut self, mut acc: ValExpr<'a>, mut d: u32, min: u8) -> PResult<(ValExpr<'a>, u32)> {
        loop {
            let level = match self.tok().kind {
                Tok::And => 1,
                Tok::Or => 0,
                _ => break,
            };
            if level < min {
                break;
            }
            let t = self.bump();
            let (o, od) = self.operand()?;
            let (o, od) = self.bits_rest(o, od, level + 1)?;
            d = self.depth(t.loc, d, od)?;
            let (acc_box, o) = (Box::new(acc), Box::new(o));
            acc = if level == 1 { ValExpr::And(acc_box, o) } else { ValExpr::Or(acc_box, o) };
        }
        Ok((acc, d))
    }

    fn operand(&mut self) -> PResult<(ValExpr<'a>, u32)> {
        let t = self.tok();
        match t.kind {
            Tok::Number => {
                self.bump();
                Ok((ValExpr::Num(t.value), 0))
            }
            Tok::Ident => {
                self.bump();
                match self.consts.get(t.text) {
                    Some(&v) => Ok((ValExpr::Num(v), 0)),
                    None => Ok((ValExpr::Arg(t.text, t.loc), 0)),
                }
            }
            Tok::LParen => {
                self.bump();
                self.enter(t.loc)?;
                let (v, d) = self.bits()?;
                self.expect(Tok::RParen, "\"&\", \"|\" or \")\"")?;
                self.nest -= 1;
                Ok((v, d))
            }
            _ => self.expected("a number, an argument name or \"(\""),
        }
    }
}
