//! Kafel tokens (KAFEL.md §2), with `#include` spliced in at the token level.
//!
//! The whole input, includes and all, becomes one token vector before parsing: a splice may sit
//! anywhere between tokens, and lexing everything first lets one pass report every include the
//! host has not supplied yet (`missing`), so the host needs few round trips.

use crate::diag::{Diagnostic, Pos};
use crate::text::Hex;
use crate::IncludeMap;

/// Nested includes allowed (KAFEL.md §2): a 17th level is an error, which stops include loops.
pub const MAX_INCLUDE_DEPTH: u32 = 16;
/// Total bytes lexed across all includes. Includes are not include-once, so a few files that
/// include each other twice per level would otherwise expand to 2^16 copies.
pub const MAX_TOTAL_SOURCE: usize = 16 << 20;
/// Errors reported before the lexer gives up on a hopeless input.
pub const MAX_ERRORS: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    Ident,
    Number,
    // Reserved words.
    Syscall,
    Allow,
    Log,
    UserNotif,
    Errno,
    KillProcess,
    KillThread,
    Kill,
    Deny,
    Trap,
    Trace,
    Use,
    Policy,
    Default,
    On,
    Define,
    // Punctuation.
    EqEq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
    OrOr,
    AndAnd,
    Or,
    And,
    LBracket,
    RBracket,
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Bang,
    Hash,
    Eof,
}

/// Where a token is: `tok` is its index in the token stream (orders diagnostics in source
/// order across includes), `file` indexes `Files` (0 = the main text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    pub tok: u32,
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Copy, Debug)]
pub struct Token<'a> {
    pub kind: Tok,
    /// The token's text (identifiers and numbers; punctuation and keywords too).
    pub text: &'a str,
    /// The value of a `Number`.
    pub value: u64,
    pub loc: Loc,
}

/// The names of the files tokens come from: index 0 is the main text.
#[derive(Debug, Default)]
pub struct Files<'a> {
    names: Vec<&'a str>,
}

impl<'a> Files<'a> {
    #[inline(never)]
    pub fn pos(&self, loc: Loc) -> Pos {
        let file = match loc.file {
            0 => None,
            i => self.names.get(i as usize - 1).map(|s| s.to_string()),
        };
        Pos { file, line: loc.line, col: loc.col }
    }

    fn index(&mut self, name: &'a str) -> u32 {
        match self.names.iter().position(|n| *n == name) {
            Some(i) => i as u32 + 1,
            None => {
                self.names.push(name);
                self.names.len() as u32
            }
        }
    }
}

pub struct Lexed<'a> {
    /// Always ends with one `Eof`.
    pub tokens: Vec<Token<'a>>,
    pub files: Files<'a>,
    pub diags: Vec<Diagnostic>,
    /// Include names absent from the map, in first-seen order, each once.
    pub missing: Vec<String>,
}

fn keyword(word: &str) -> Tok {
    // Most identifiers are lowercase syscall and argument names; only `define` is reserved there.
    if word.as_bytes().first().map_or(true, u8::is_ascii_lowercase) && word != "define" {
        return Tok::Ident;
    }
    match word {
        "SYSCALL" => Tok::Syscall,
        "ALLOW" => Tok::Allow,
        "LOG" => Tok::Log,
        "USER_NOTIF" => Tok::UserNotif,
        "ERRNO" => Tok::Errno,
        "KILL_PROCESS" => Tok::KillProcess,
        "KILL_THREAD" => Tok::KillThread,
        "KILL" => Tok::Kill,
        "DENY" => Tok::Deny,
        "TRAP" => Tok::Trap,
        "TRACE" => Tok::Trace,
        "USE" => Tok::Use,
        "POLICY" => Tok::Policy,
        "DEFAULT" => Tok::Default,
        "ON" => Tok::On,
        "define" => Tok::Define,
        _ => Tok::Ident,
    }
}

/// Quotes one input byte for a message: printable ASCII as itself, anything else in hex.
pub fn show_byte(b: u8) -> String {
    if b == b'"' {
        crate::text::owned("\"\\\"\"")
    } else if (0x21..0x7f).contains(&b) {
        cat!("\"", b as char, "\"")
    } else {
        cat!("byte 0x", Hex(b as u64, 2))
    }
}

struct Lexer<'a> {
    includes: &'a IncludeMap,
    tokens: Vec<Token<'a>>,
    files: Files<'a>,
    diags: Vec<Diagnostic>,
    missing: Vec<String>,
    total: usize,
}

/// One file being scanned.
struct Cursor<'a> {
    src: &'a [u8],
    i: usize,
    file: u32,
    line: u32,
    col: u32,
}

impl<'a> Cursor<'a> {
    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.i + ahead).copied().unwrap_or(0)
    }
    /// Advances over `n` bytes that contain no newline.
    fn skip(&mut self, n: usize) {
        self.i += n;
        self.col += n as u32;
    }
    fn text(&self, start: usize) -> &'a str {
        let bytes = &self.src[start..self.i];
        if bytes.is_ascii() {
            // SAFETY: ASCII is valid UTF-8 (checked just above; the scanner only ever slices
            // identifier, number and punctuation runs, so the check always passes).
            unsafe { std::str::from_utf8_unchecked(bytes) }
        } else {
            ""
        }
    }
    fn at_line_end(&self) -> bool {
        self.i >= self.src.len() || self.src[self.i] == b'\n'
    }
    fn skip_to_line_end(&mut self) {
        while !self.at_line_end() {
            self.skip(1);
        }
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic()
}
fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Lexes `text` and everything it includes.
pub fn lex<'a>(text: &'a [u8], includes: &'a IncludeMap) -> Lexed<'a> {
    let mut lx = Lexer {
        includes,
        tokens: Vec::with_capacity(text.len() / 4 + 1),
        files: Files::default(),
        diags: Vec::new(),
        missing: Vec::new(),
        total: text.len(),
    };
    let end = lx.file(text, 0, 0);
    let loc = Loc { tok: lx.tokens.len() as u32, file: 0, line: end.0, col: end.1 };
    lx.tokens.push(Token { kind: Tok::Eof, text: "", value: 0, loc });
    Lexed { tokens: lx.tokens, files: lx.files, diags: lx.diags, missing: lx.missing }
}

impl<'a> Lexer<'a> {
    #[inline(never)]
    fn error(&mut self, file: u32, line: u32, col: u32, message: String) {
        if self.diags.len() < MAX_ERRORS {
            let pos = self.files.pos(Loc { tok: 0, file, line, col });
            self.diags.push(Diagnostic::new(pos, message));
        }
    }

    fn push(&mut self, c: &Cursor<'a>, kind: Tok, start: usize, line: u32, col: u32, value: u64) {
        let loc = Loc { tok: self.tokens.len() as u32, file: c.file, line, col };
        self.tokens.push(Token { kind, text: c.text(start), value, loc });
    }

    /// Scans one file; returns the (line, col) just past its end.
    fn file(&mut self, src: &'a [u8], file: u32, depth: u32) -> (u32, u32) {
        let mut c = Cursor { src, i: 0, file, line: 1, col: 1 };
        while c.i < src.len() {
            if self.diags.len() >= MAX_ERRORS {
                break;
            }
            let (start, line, col) = (c.i, c.line, c.col);
            let b = src[c.i];
            match b {
                b' ' | b'\t' | b'\r' => {
                    while matches!(c.peek(0), b' ' | b'\t' | b'\r') {
                        c.skip(1);
                    }
                }
                b'\n' => {
                    c.i += 1;
                    c.line += 1;
                    c.col = 1;
                }
                b'/' if c.peek(1) == b'/' => c.skip_to_line_end(),
                b'/' if c.peek(1) == b'*' => self.block_comment(&mut c),
                b'#' if src[c.i..].starts_with(b"#include") => self.include(&mut c, depth),
                b'0'..=b'9' => self.number(&mut c, false),
                b'-' if (b'1'..=b'9').contains(&c.peek(1)) => self.number(&mut c, true),
                b'-' => {
                    c.skip(1);
                    self.error(file, line, col, crate::text::owned("Unexpected character \"-\" (a minus sign must be glued to a nonzero decimal number, as in -1)"));
                }
                _ if is_ident_start(b) => {
                    while c.i < src.len() && is_ident_byte(src[c.i]) {
                        c.skip(1);
                    }
                    let kind = keyword(c.text(start));
                    self.push(&c, kind, start, line, col, 0);
                }
                _ => match punct(b, c.peek(1)) {
                    Some((kind, len)) => {
                        c.skip(len);
                        self.push(&c, kind, start, line, col, 0);
                    }
                    None => {
                        c.skip(1);
                        let hint = match b {
                            b'_' => " (identifiers start with a letter)",
                            b'"' => " (quoted names appear only in #include \"name\")",
                            _ => "",
                        };
                        self.error(file, line, col, cat!("Unexpected character ", show_byte(b), hint));
                    }
                },
            }
        }
        (c.line, c.col)
    }

    fn block_comment(&mut self, c: &mut Cursor<'a>) {
        let (line, col) = (c.line, c.col);
        c.skip(2);
        loop {
            if c.i >= c.src.len() {
                self.error(c.file, line, col, crate::text::owned("Unterminated comment (\"/*\" without \"*/\")"));
                return;
            }
            match c.src[c.i] {
                b'*' if c.peek(1) == b'/' => {
                    c.skip(2);
                    return;
                }
                b'\n' => {
                    c.i += 1;
                    c.line += 1;
                    c.col = 1;
                }
                _ => c.skip(1),
            }
        }
    }

    /// Decimal (optionally with a glued `-`), `0x` hex, `0b` binary, or octal after a leading 0.
    fn number(&mut self, c: &mut Cursor<'a>, negative: bool) {
        let (start, line, col) = (c.i, c.line, c.col);
        if negative {
            c.skip(1);
        }
        let digits_from = |c: &mut Cursor<'a>, ok: fn(u8) -> bool| {
            let from = c.i;
            while c.i < c.src.len() && ok(c.src[c.i]) {
                c.skip(1);
            }
            from
        };
        let (radix, digits_start) = if !negative && c.peek(0) == b'0' && c.peek(1) == b'x' && c.peek(2).is_ascii_hexdigit() {
            c.skip(2);
            (16, digits_from(c, |b| b.is_ascii_hexdigit()))
        } else if !negative && c.peek(0) == b'0' && c.peek(1) == b'b' && matches!(c.peek(2), b'0' | b'1') {
            c.skip(2);
            (2, digits_from(c, |b| b == b'0' || b == b'1'))
        } else if !negative && c.peek(0) == b'0' && c.peek(1).is_ascii_digit() {
            c.skip(1);
            (8, digits_from(c, |b| b.is_ascii_digit()))
        } else if !negative && c.peek(0) == b'0' {
            c.skip(1);
            self.push(c, Tok::Number, start, line, col, 0);
            return;
        } else {
            (10, digits_from(c, |b| b.is_ascii_digit()))
        };
        let text = c.text(start);
        let mut value: u64 = 0;
        for &d in &c.src[digits_start..c.i] {
            let digit = (d as char).to_digit(16).unwrap_or(0) as u64;
            if digit >= radix {
                let msg = cat!("Number \"", text, "\" is not valid octal (a leading 0 means octal, which has no digit 8 or 9)");
                self.error(c.file, line, col, msg);
                return;
            }
            match value.checked_mul(radix).and_then(|v| v.checked_add(digit)) {
                Some(v) => value = v,
                None => {
                    let msg = cat!("Number \"", text, "\" out of range (numbers are unsigned 64-bit)");
                    self.error(c.file, line, col, msg);
                    return;
                }
            }
        }
        if negative {
            value = value.wrapping_neg();
        }
        self.push(c, Tok::Number, start, line, col, value);
    }

    /// `#include "a" "b"`: each name preceded by a space or tab, ended by a newline or `;`.
    fn include(&mut self, c: &mut Cursor<'a>, depth: u32) {
        let (file, line, col) = (c.file, c.line, c.col);
        c.skip("#include".len());
        let mut names = 0;
        loop {
            let mut spaced = false;
            while c.i < c.src.len() && matches!(c.src[c.i], b' ' | b'\t' | b'\r') {
                c.skip(1);
                spaced = true;
            }
            if c.i >= c.src.len() {
                self.error(file, line, col, crate::text::owned("Unterminated #include (end it with a newline or \";\")"));
                return;
            }
            let (qline, qcol) = (c.line, c.col);
            match c.src[c.i] {
                b'\n' | b';' if names == 0 => {
                    self.error(file, qline, qcol, crate::text::owned("Expected a quoted file name after #include, as in #include \"file.policy\""));
                    c.skip_to_line_end();
                    return;
                }
                b'\n' => return,
                b';' => {
                    c.skip(1);
                    return;
                }
                b'"' if !spaced => {
                    self.error(file, qline, qcol, crate::text::owned("Expected a space or tab before the include file name"));
                    c.skip_to_line_end();
                    return;
                }
                b'"' => {
                    c.skip(1);
                    let from = c.i;
                    while c.i < c.src.len() && c.src[c.i] != b'"' && c.src[c.i] != b'\n' {
                        c.skip(1);
                    }
                    if c.i >= c.src.len() || c.src[c.i] != b'"' {
                        self.error(file, qline, qcol, crate::text::owned("Unterminated include file name (missing closing \")"));
                        c.skip_to_line_end();
                        return;
                    }
                    let raw = &c.src[from..c.i];
                    c.skip(1);
                    names += 1;
                    match std::str::from_utf8(raw) {
                        Ok("") => self.error(file, qline, qcol, crate::text::owned("Empty include file name \"\"")),
                        Ok(name) => self.splice(name, file, qline, qcol, depth),
                        Err(_) => self.error(file, qline, qcol, crate::text::owned("Include file name is not valid UTF-8")),
                    }
                }
                b => {
                    let msg = cat!("Unexpected ", show_byte(b), " in #include (expected a quoted file name, a newline or \";\")");
                    self.error(file, qline, qcol, msg);
                    c.skip_to_line_end();
                    return;
                }
            }
        }
    }

    fn splice(&mut self, name: &str, file: u32, line: u32, col: u32, depth: u32) {
        if depth >= MAX_INCLUDE_DEPTH {
            let msg = cat!("Include \"", name, "\": maximum include depth (", MAX_INCLUDE_DEPTH, ") exceeded");
            self.error(file, line, col, msg);
            return;
        }
        match self.includes.get_key_value(name) {
            None => {
                if !self.missing.iter().any(|m| m == name) {
                    self.missing.push(name.to_string());
                }
            }
            Some((_, None)) => self.error(file, line, col, cat!("Include \"", name, "\" not found")),
            Some((key, Some(text))) => {
                self.total = self.total.saturating_add(text.len());
                if self.total > MAX_TOTAL_SOURCE {
                    let msg = cat!("Include \"", name, "\": included text exceeds ", MAX_TOTAL_SOURCE >> 20, " MiB in total (is a file included over and over?)");
                    self.error(file, line, col, msg);
                    return;
                }
                let index = self.files.index(key);
                self.file(text, index, depth + 1);
            }
        }
    }
}

fn punct(b: u8, next: u8) -> Option<(Tok, usize)> {
    Some(match (b, next) {
        (b'=', b'=') => (Tok::EqEq, 2),
        (b'!', b'=') => (Tok::Ne, 2),
        (b'<', b'=') => (Tok::Le, 2),
        (b'>', b'=') => (Tok::Ge, 2),
        (b'|', b'|') => (Tok::OrOr, 2),
        (b'&', b'&') => (Tok::AndAnd, 2),
        (b'<', _) => (Tok::Lt, 1),
        (b'>', _) => (Tok::Gt, 1),
        (b'|', _) => (Tok::Or, 1),
        (b'&', _) => (Tok::And, 1),
        (b'[', _) => (Tok::LBracket, 1),
        (b']', _) => (Tok::RBracket, 1),
        (b'(', _) => (Tok::LParen, 1),
        (b')', _) => (Tok::RParen, 1),
        (b'{', _) => (Tok::LBrace, 1),
        (b'}', _) => (Tok::RBrace, 1),
        (b',', _) => (Tok::Comma, 1),
        (b'!', _) => (Tok::Bang, 1),
        (b'#', _) => (Tok::Hash, 1),
        _ => return None,
    })
}

/// How a token reads in a message: `identifier "foo"`, `number 12`, `"{"`, `end of input`.
pub fn describe(t: &Token) -> String {
    match t.kind {
        Tok::Ident => cat!("identifier \"", t.text, "\""),
        Tok::Number => cat!("number ", t.text),
        Tok::Eof => crate::text::owned("end of input"),
        _ => cat!("\"", t.text, "\""),
    }
}

/// For tests and tools: the kinds of the tokens, without the final `Eof`.
pub fn kinds(lexed: &Lexed) -> Vec<Tok> {
    lexed.tokens.iter().map(|t| t.kind).filter(|k| *k != Tok::Eof).collect()
}
