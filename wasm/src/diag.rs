//! Diagnostics shared by every stage: a message anchored at FILE:LINE:COL.

use std::fmt;

/// Where a token starts. `file` is `None` for the main policy text, else the include name.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    pub file: Option<String>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in bytes; the language is ASCII).
    pub col: u32,
}

/// One error found while compiling. Messages are in sentence case, no trailing period,
/// with values quoted: `Undefined identifier "foo"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub pos: Pos,
    pub message: String,
}

impl Diagnostic {
    pub fn new(pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic { pos, message: message.into() }
    }
}

/// Adds `d` unless the same diagnostic is there already (one per architecture or per rule would
/// repeat it).
pub fn push_unique(diags: &mut Vec<Diagnostic>, d: Diagnostic) {
    if !diags.contains(&d) {
        diags.push(d);
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pos.file {
            Some(file) => write!(f, "{}:{}:{}: {}", file, self.pos.line, self.pos.col, self.message),
            None => write!(f, "{}:{}: {}", self.pos.line, self.pos.col, self.message),
        }
    }
}
