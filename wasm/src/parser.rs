//! Recursive-descent parser for the grammar of KAFEL.md §3, producing `ast::Program`.
//!
//! Names settled in source order are settled here, as the tokens go by: constants (a constant
//! shadows syscall and argument names from its definition on) and `USE` (the policy must be
//! defined earlier). After an error the parser skips to the next top-level statement, so one
//! compile reports several errors. Recursion is bounded by the expression depth limit, so no
//! input can overflow the stack.

use crate::ast::{ArchSet, Block, Entry, Filter, PolicyDef, Program, SyscallRef};
use crate::diag::Diagnostic;
use crate::ir::Action;
use crate::lexer::{self, describe, Files, Loc, Tok, Token, MAX_ERRORS};

mod expr;
use crate::tables::KafelArch;
use crate::IncludeMap;

/// Kafel's limit on expression depth; parentheses nested deeper than this are refused too.
pub const MAX_DEPTH: u32 = 200;
/// A syscall has at most six arguments.
pub const MAX_ARGS: usize = 6;

pub struct Parsed<'a> {
    pub program: Program<'a>,
    pub files: Files<'a>,
}

/// Why there is no `Parsed`.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    Diagnostics(Vec<Diagnostic>),
    NeedIncludes(Vec<String>),
}

/// Lexes (with includes) and parses. Lexical errors come first; then missing includes (the parse
/// would be meaningless without them); then syntax errors.
pub fn parse<'a>(text: &'a [u8], includes: &'a IncludeMap) -> Result<Parsed<'a>, Failure> {
    let lexed = lexer::lex(text, includes);
    if !lexed.diags.is_empty() {
        return Err(Failure::Diagnostics(lexed.diags));
    }
    if !lexed.missing.is_empty() {
        return Err(Failure::NeedIncludes(lexed.missing));
    }
    let mut p = Parser {
        toks: &lexed.tokens,
        at: 0,
        braces: 0,
        nest: 0,
        files: &lexed.files,
        diags: Vec::new(),
        consts: Names::default(),
        policy_ids: Names::default(),
        prog: Program::default(),
    };
    p.program();
    if !p.diags.is_empty() {
        return Err(Failure::Diagnostics(p.diags));
    }
    let program = p.prog;
    Ok(Parsed { program, files: lexed.files })
}

type PResult<T> = Result<T, ()>;

/// Names → values, sorted by name: a policy defines a few dozen at most, and a map type would
/// cost the module kilobytes.
#[derive(Default)]
struct Names<'a>(Vec<(&'a str, u64)>);

impl<'a> Names<'a> {
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| (*n).cmp(name))
    }
    fn get(&self, name: &str) -> Option<&u64> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }
    fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }
    /// Adds `name` (which must not be there yet).
    fn insert(&mut self, name: &'a str, value: u64) {
        if let Err(i) = self.find(name) {
            self.0.insert(i, (name, value));
        }
    }
}

struct Parser<'t, 'a> {
    toks: &'t [Token<'a>],
    at: usize,
    /// `{` open in the current statement (for recovery).
    braces: u32,
    /// Parentheses and `!` open in the current expression (bounds recursion).
    nest: u32,
    files: &'t Files<'a>,
    diags: Vec<Diagnostic>,
    consts: Names<'a>,
    /// Index in `prog.policies`, as u64 so it shares the map type (and its code) with `consts`.
    policy_ids: Names<'a>,
    prog: Program<'a>,
}

fn is_action(k: Tok) -> bool {
    matches!(
        k,
        Tok::Allow | Tok::Log | Tok::Kill | Tok::KillThread | Tok::Deny | Tok::KillProcess | Tok::UserNotif | Tok::Errno | Tok::Trap | Tok::Trace
    )
}

fn starts_statement(k: Tok) -> bool {
    is_action(k) || matches!(k, Tok::Use | Tok::Hash | Tok::Policy | Tok::Default)
}

const ARCH_NAMES: &str = "x86_64/amd64, aarch64/arm64, x86/i386, arm, riscv64/rv64, mips/mipso32, mips64, m68k";

impl<'t, 'a> Parser<'t, 'a> {
    fn tok(&self) -> Token<'a> {
        self.toks[self.at]
    }

    fn bump(&mut self) -> Token<'a> {
        let t = self.toks[self.at];
        match t.kind {
            Tok::Eof => return t,
            Tok::LBrace => self.braces += 1,
            Tok::RBrace => self.braces = self.braces.saturating_sub(1),
            _ => {}
        }
        self.at += 1;
        t
    }

    /// Records an error that does not stop the parse (a name or value problem).
    #[inline(never)]
    fn note(&mut self, loc: Loc, message: String) {
        if self.diags.len() < MAX_ERRORS {
            self.diags.push(Diagnostic::new(self.files.pos(loc), message));
        }
    }

    fn fail<T>(&mut self, loc: Loc, message: String) -> PResult<T> {
        self.note(loc, message);
        Err(())
    }

    /// A syntax error at the current token.
    fn expected<T>(&mut self, what: &str) -> PResult<T> {
        let t = self.tok();
        self.fail(t.loc, cat!("Expected ", what, ", found ", describe(&t)))
    }

    fn expect(&mut self, kind: Tok, what: &str) -> PResult<Token<'a>> {
        if self.tok().kind == kind {
            Ok(self.bump())
        } else {
            self.expected(what)
        }
    }

    /// How many comma-separated items the list starting at the current token holds, up to
    /// its closing bracket: a capacity hint (growing a vector of hundreds of filters by
    /// doubling showed in the compile time). Looks at most 4,096 tokens ahead.
    fn list_len_hint(&self) -> usize {
        let mut depth = 0u32;
        let mut items = 1;
        for t in self.toks.iter().skip(self.at).take(4096) {
            match t.kind {
                Tok::LBrace | Tok::LParen | Tok::LBracket => depth += 1,
                Tok::RBrace | Tok::RParen | Tok::RBracket if depth == 0 => break,
                Tok::RBrace | Tok::RParen | Tok::RBracket => depth -= 1,
                Tok::Comma if depth == 0 => items += 1,
                _ => {}
            }
        }
        items
    }

    fn program(&mut self) {
        if self.tok().kind == Tok::Eof {
            let loc = self.tok().loc;
            self.note(loc, crate::text::owned("Empty policy: expected a statement such as ALLOW { read }"));
            return;
        }
        while self.tok().kind != Tok::Eof && self.diags.len() < MAX_ERRORS {
            let start = self.at;
            self.braces = 0;
            self.nest = 0;
            if self.statement().is_err() {
                self.recover(start);
            }
        }
    }

    /// Skips the rest of a broken statement: to the `}` that closes what it opened, or to the
    /// next token that can start a statement outside any braces.
    fn recover(&mut self, start: usize) {
        let mut depth = self.braces;
        loop {
            let k = self.tok().kind;
            match k {
                Tok::Eof => break,
                Tok::LBrace => depth += 1,
                Tok::RBrace if depth <= 1 => {
                    self.at += 1;
                    break;
                }
                Tok::RBrace => depth -= 1,
                _ if depth == 0 && starts_statement(k) && self.at > start => break,
                _ => {}
            }
            self.at += 1;
        }
    }

    fn statement(&mut self) -> PResult<()> {
        match self.tok().kind {
            Tok::Hash => self.define(),
            Tok::Policy => self.policy(),
            Tok::Default => self.default(),
            k if k == Tok::Use || is_action(k) => {
                let mut entries = Vec::new();
                let r = self.entries(&mut entries);
                self.prog.main.append(&mut entries);
                r
            }
            _ => self.expected("a statement (\"#define\", \"POLICY\", \"DEFAULT\", \"USE\" or an action such as \"ALLOW\")"),
        }
    }

    fn define(&mut self) -> PResult<()> {
        self.bump();
        self.expect(Tok::Define, "\"define\" after \"#\"")?;
        let name = self.expect(Tok::Ident, "a constant name after \"#define\"")?;
        let value = self.expect(Tok::Number, "a number (a constant's value is a literal)")?;
        match self.consts.get(name.text) {
            Some(&old) if old != value.value => {
                let msg = cat!("Redefinition of constant \"", name.text, "\" with a different value (was ", old, ", now ", value.value, ")");
                self.note(name.loc, msg);
            }
            Some(_) => {}
            None => {
                self.consts.insert(name.text, value.value);
            }
        }
        Ok(())
    }

    fn policy(&mut self) -> PResult<()> {
        self.bump();
        let name = self.expect(Tok::Ident, "a policy name after \"POLICY\"")?;
        let mut entries = Vec::new();
        let body = self.policy_body(&mut entries);
        // Registered even when broken, so a later USE does not add a second, misleading error.
        if self.policy_ids.contains_key(name.text) {
            self.note(name.loc, cat!("Redefinition of policy \"", name.text, "\""));
        } else {
            self.policy_ids.insert(name.text, self.prog.policies.len() as u64);
            self.prog.policies.push(PolicyDef { name: name.text, entries });
        }
        body
    }

    fn policy_body(&mut self, entries: &mut Vec<Entry<'a>>) -> PResult<()> {
        self.expect(Tok::LBrace, "\"{\" after the policy name")?;
        if self.tok().kind != Tok::RBrace {
            self.entries(entries)?;
        }
        self.expect(Tok::RBrace, "\",\" or \"}\" after a policy entry")?;
        Ok(())
    }

    fn default(&mut self) -> PResult<()> {
        let t = self.bump();
        let action = self.action()?;
        if self.prog.default.is_some() {
            self.note(t.loc, crate::text::owned("Redefinition of default action (DEFAULT may appear once)"));
        } else {
            self.prog.default = Some(action);
        }
        Ok(())
    }

    fn entries(&mut self, out: &mut Vec<Entry<'a>>) -> PResult<()> {
        loop {
            self.entry(out)?;
            if self.tok().kind != Tok::Comma {
                return Ok(());
            }
            self.bump();
        }
    }

    fn entry(&mut self, out: &mut Vec<Entry<'a>>) -> PResult<()> {
        let k = self.tok().kind;
        if k == Tok::Use {
            self.bump();
            let name = self.expect(Tok::Ident, "a policy name after \"USE\"")?;
            match self.policy_ids.get(name.text) {
                Some(&i) => out.push(Entry::Use(i as usize)),
                None => self.note(name.loc, cat!("Undefined policy \"", name.text, "\" (define a policy before you USE it)")),
            }
            return Ok(());
        }
        if k == Tok::Hash {
            let t = self.tok();
            return self.fail(t.loc, crate::text::owned("Unexpected \"#\": #define is allowed only at the top level, not inside a policy"));
        }
        if !is_action(k) {
            return self.expected("\"USE\" or an action such as \"ALLOW\"");
        }
        let action = self.action()?;
        self.expect(Tok::LBrace, "\"{\" after the action")?;
        let mut filters = Vec::with_capacity(self.list_len_hint());
        if self.tok().kind != Tok::RBrace {
            loop {
                filters.push(self.filter()?);
                if self.tok().kind != Tok::Comma {
                    break;
                }
                self.bump();
            }
        }
        self.expect(Tok::RBrace, "\",\" or \"}\" after a syscall filter")?;
        out.push(Entry::Block(Block { action, filters }));
        Ok(())
    }

    fn action(&mut self) -> PResult<Action> {
        let t = self.tok();
        let simple = match t.kind {
            Tok::Allow => Some(Action::Allow),
            Tok::Log => Some(Action::Log),
            Tok::Kill | Tok::KillThread | Tok::Deny => Some(Action::KillThread),
            Tok::KillProcess => Some(Action::KillProcess),
            Tok::UserNotif => Some(Action::UserNotif),
            Tok::Errno | Tok::Trap | Tok::Trace => None,
            _ => return self.expected("an action (ALLOW, LOG, KILL, KILL_THREAD, KILL_PROCESS, DENY, USER_NOTIF, ERRNO(n), TRAP(n) or TRACE(n))"),
        };
        self.bump();
        if let Some(a) = simple {
            return Ok(a);
        }
        self.expect(Tok::LParen, &cat!("\"(\" after ", t.text))?;
        let n = self.expect(Tok::Number, "a number from 0 to 65535 (constants are not allowed here)")?;
        self.expect(Tok::RParen, &cat!("\")\" after the ", t.text, " value"))?;
        let label = match t.kind {
            Tok::Errno => "Errno",
            Tok::Trap => "Trap",
            _ => "Trace",
        };
        if n.value > 0xffff {
            self.note(n.loc, cat!(label, " value ", n.text, " out of range (0-65535)"));
        }
        let v = n.value as u16;
        Ok(match t.kind {
            Tok::Errno => Action::Errno(v),
            Tok::Trap => Action::Trap(v),
            _ => Action::Trace(v),
        })
    }

    fn filter(&mut self) -> PResult<Filter<'a>> {
        let t = self.tok();
        let syscall = match t.kind {
            Tok::Ident => {
                self.bump();
                match self.consts.get(t.text) {
                    Some(&v) => SyscallRef::Number(v as u32),
                    None => SyscallRef::Name(t.text),
                }
            }
            Tok::Syscall => {
                self.bump();
                self.expect(Tok::LBracket, "\"[\" after SYSCALL")?;
                let n = self.expect(Tok::Number, "a syscall number (constants are not allowed in SYSCALL[…])")?;
                self.expect(Tok::RBracket, "\"]\" after the syscall number")?;
                SyscallRef::Number(n.value as u32)
            }
            _ => return self.expected("a syscall name or SYSCALL[number]"),
        };
        let args = if self.tok().kind == Tok::LParen {
            self.bump();
            Some(self.custom_args(syscall)?)
        } else {
            None
        };
        let archs = if self.tok().kind == Tok::On {
            self.bump();
            Some(self.archs()?)
        } else {
            None
        };
        let mut cond = None;
        if self.tok().kind == Tok::LBrace {
            self.bump();
            if self.tok().kind != Tok::RBrace {
                cond = Some(Box::new(self.condition()?));
            }
            self.expect(Tok::RBrace, "\"&&\", \"||\", \",\" or \"}\" after a comparison")?;
        }
        Ok(Filter { syscall, loc: t.loc, args, archs, cond })
    }

    fn custom_args(&mut self, syscall: SyscallRef<'a>) -> PResult<Vec<(&'a str, Loc)>> {
        let mut args: Vec<(&'a str, Loc)> = Vec::new();
        if self.tok().kind != Tok::RParen {
            loop {
                let a = self.expect(Tok::Ident, "an argument name")?;
                if args.iter().any(|(n, _)| *n == a.text) {
                    self.note(a.loc, cat!("Redefinition of argument \"", a.text, "\""));
                } else if args.len() == MAX_ARGS {
                    let name = match syscall {
                        SyscallRef::Name(n) => cat!("\"", n, "\""),
                        SyscallRef::Number(n) => cat!("SYSCALL[", n, "]"),
                    };
                    let msg = cat!("Too many arguments for ", name, " (at most ", MAX_ARGS, ")");
                    self.note(a.loc, msg);
                } else {
                    args.push((a.text, a.loc));
                }
                if self.tok().kind != Tok::Comma {
                    break;
                }
                self.bump();
            }
        }
        self.expect(Tok::RParen, "\",\" or \")\" after an argument name")?;
        Ok(args)
    }

    fn archs(&mut self) -> PResult<ArchSet> {
        let mut set = ArchSet::default();
        if self.tok().kind != Tok::LBrace {
            self.arch_name(&mut set)?;
            return Ok(set);
        }
        self.bump();
        loop {
            self.arch_name(&mut set)?;
            if self.tok().kind != Tok::Comma {
                break;
            }
            self.bump();
        }
        self.expect(Tok::RBrace, "\",\" or \"}\" after an architecture name")?;
        Ok(set)
    }

    fn arch_name(&mut self, set: &mut ArchSet) -> PResult<()> {
        let t = self.expect(Tok::Ident, "an architecture name")?;
        match KafelArch::parse(t.text) {
            None => self.note(t.loc, cat!("Unknown architecture \"", t.text, "\" (known: ", ARCH_NAMES, ")")),
            Some(k) => {
                if !set.insert(k) {
                    self.note(t.loc, cat!("Architecture \"", t.text, "\" repeated in ON"));
                }
            }
        }
        Ok(())
    }
}
