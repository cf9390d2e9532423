//! Stockade's policy compiler: Kafel text → seccomp BPF (and OCI JSON, Seatbelt).
//!
//! Pipeline: `lexer` (tokens, `#include` splicing) → `parser` (AST) → `resolve` (names,
//! `USE`, folding → `ir::Policy` per architecture) → `codegen` (BPF). `abi` is the WASM
//! boundary; nothing in here panics on any input.

#[macro_use]
pub mod text;

pub mod abi;
pub mod ast;
pub mod bpf;
pub mod codegen;
pub mod diag;
pub mod disasm;
pub mod fold;
#[cfg(any(target_arch = "wasm32", test))]
mod heap;
pub mod ir;
pub mod ir_eval;
pub mod lexer;
pub mod oci;
pub mod parser;
pub mod reference;
pub mod resolve;
pub mod seatbelt;
pub mod sorting;
pub mod syscall_index;
pub mod tables;

/// The module's allocator (`heap.rs`); native builds keep the system's.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();

use diag::Diagnostic;
use ir::Action;
use tables::Arch;

/// Included texts supplied by the host, by the name written in `#include "NAME"`.
/// `Some(text)`: found; `None`: the host looked and found nothing (an error at the include);
/// a name absent from the map has not been looked up yet (see `Outcome::NeedIncludes`).
///
/// A list searched from the end (the last entry for a name wins), not a map type: a host
/// supplies a handful, and each map type instance costs the module kilobytes.
#[derive(Clone, Debug, Default)]
pub struct IncludeMap {
    entries: Vec<(String, Option<Vec<u8>>)>,
}

impl IncludeMap {
    pub fn new() -> IncludeMap {
        IncludeMap::default()
    }

    /// Supplies `name`, replacing what was supplied before under it.
    pub fn insert(&mut self, name: String, text: Option<Vec<u8>>) {
        self.entries.push((name, text));
    }

    /// The stored name and what was supplied under `name`, if anything was.
    pub fn get_key_value(&self, name: &str) -> Option<(&str, &Option<Vec<u8>>)> {
        self.entries.iter().rev().find(|(n, _)| n == name).map(|(n, t)| (n.as_str(), t))
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get_key_value(name).is_some()
    }
}

impl FromIterator<(String, Option<Vec<u8>>)> for IncludeMap {
    fn from_iter<I: IntoIterator<Item = (String, Option<Vec<u8>>)>>(iter: I) -> IncludeMap {
        IncludeMap { entries: iter.into_iter().collect() }
    }
}

/// What every compile needs besides the text.
#[derive(Clone, Debug)]
pub struct Options {
    /// Target architectures, in dispatch order. Never empty.
    pub arches: Vec<Arch>,
    /// The action for a foreign architecture (and x32 on x86_64). KAFEL.md §9: KILL_PROCESS.
    pub foreign: Action,
}

/// The result of a compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    Ok(T),
    /// Every error found, in source order.
    Diagnostics(Vec<Diagnostic>),
    /// The text includes these names the host has not supplied yet: supply them and call again.
    NeedIncludes(Vec<String>),
}

/// Kafel text → `ir::Policy` (front end only).
pub fn compile_ir(text: &[u8], includes: &IncludeMap, opts: &Options) -> Outcome<ir::Policy> {
    resolve::compile_ir(text, includes, opts)
}

/// Kafel text → BPF instructions.
pub fn compile_insns(text: &[u8], includes: &IncludeMap, opts: &Options) -> Outcome<Vec<bpf::Insn>> {
    match compile_ir(text, includes, opts) {
        Outcome::Ok(policy) => match codegen::generate(&policy) {
            Ok(prog) => Outcome::Ok(prog),
            Err(diags) => Outcome::Diagnostics(diags),
        },
        Outcome::Diagnostics(d) => Outcome::Diagnostics(d),
        Outcome::NeedIncludes(n) => Outcome::NeedIncludes(n),
    }
}

/// Kafel text → the bytes `seccomp(SECCOMP_SET_MODE_FILTER)` takes.
pub fn compile_bpf(text: &[u8], includes: &IncludeMap, opts: &Options) -> Outcome<Vec<u8>> {
    match compile_insns(text, includes, opts) {
        Outcome::Ok(prog) => Outcome::Ok(bpf::encode(&prog)),
        Outcome::Diagnostics(d) => Outcome::Diagnostics(d),
        Outcome::NeedIncludes(n) => Outcome::NeedIncludes(n),
    }
}
