//! Placeholder: the back end (IR → BPF) replaces this file.
use crate::bpf::Insn;
use crate::diag::{Diagnostic, Pos};
use crate::ir;

pub fn generate(_policy: &ir::Policy) -> Result<Vec<Insn>, Vec<Diagnostic>> {
    Err(vec![Diagnostic::new(Pos { file: None, line: 1, col: 1 }, "Back end not built yet")])
}
