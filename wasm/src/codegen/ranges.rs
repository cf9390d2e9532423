//! The syscall-number dispatcher (KAFEL.md §6.2): the 32-bit number space cut into ranges
//! that end in the same code, searched with a weight-balanced tree of `JGE`.
//!
//! A single number whose neighbours on both sides end in the same code becomes a `JEQ`
//! exception of one merged range: one instruction instead of two boundaries.

use super::graph::{Graph, Label};
use crate::bpf::{JEQ, JGE, JMP, K};

/// At most this many `JEQ` exceptions per range, so no path grows long.
const MAX_EXCEPTIONS: usize = 2;

/// `[start, next range's start)` ends in `base`, except the numbers listed.
#[derive(Clone, Debug)]
pub struct Range {
    pub start: u32,
    pub base: Label,
    pub exceptions: Vec<(u32, Label)>,
}

/// Cuts the number space: `named` (sorted, unique) keep their own code; every gap
/// `[from, to)` (to ≤ 2^32) takes `gap(from, to)`. Neighbours ending alike are merged.
pub fn partition(named: &[(u32, Label)], mut gap: impl FnMut(u64, u64) -> Label) -> Vec<Range> {
    let mut out: Vec<Range> = Vec::with_capacity(2 * named.len() + 1);
    let mut cursor: u64 = 0;
    for &(nr, code) in named {
        if cursor < nr as u64 {
            push(&mut out, cursor as u32, gap(cursor, nr as u64));
        }
        push(&mut out, nr, code);
        cursor = nr as u64 + 1;
    }
    if cursor < 1 << 32 {
        push(&mut out, cursor as u32, gap(cursor, 1 << 32));
    }
    out
}

/// Appends `[start, …)` ending in `code`, merging with the last range, or turning the
/// last range into an exception when it is a single number between two ranges alike.
fn push(out: &mut Vec<Range>, start: u32, code: Label) {
    let n = out.len();
    if n >= 1 && out[n - 1].base == code {
        return; // the last range simply extends
    }
    if n >= 2 {
        let (prev, single) = (&out[n - 2], &out[n - 1]);
        let is_single = single.start as u64 + 1 == start as u64 && single.exceptions.is_empty();
        if is_single && prev.base == code && prev.exceptions.len() < MAX_EXCEPTIONS {
            let single = out.pop().expect("n >= 2");
            out[n - 2].exceptions.push((single.start, single.base));
            return;
        }
    }
    out.push(Range { start, base: code, exceptions: Vec::new() });
}

/// The search tree over `ranges` (non-empty, sorted); A holds the syscall number.
/// `weight(i)` is how often range `i` is expected to be searched for; each split balances
/// the weight on both sides, so frequent numbers sit near the root.
pub fn search_tree(g: &mut Graph, ranges: &[Range], weight: impl Fn(usize) -> u64) -> Label {
    let mut prefix = Vec::with_capacity(ranges.len() + 1);
    prefix.push(0u64);
    for i in 0..ranges.len() {
        let last = *prefix.last().expect("non-empty");
        prefix.push(last + weight(i));
    }
    build(g, ranges, &prefix, 0, ranges.len())
}

fn build(g: &mut Graph, ranges: &[Range], prefix: &[u64], lo: usize, hi: usize) -> Label {
    if hi - lo == 1 {
        let r = &ranges[lo];
        let mut code = r.base;
        for &(nr, hit) in r.exceptions.iter().rev() {
            code = g.jump(JMP | JEQ | K, nr, hit, code);
        }
        return code;
    }
    // The split s in lo+1..hi whose prefix weight is nearest half of this span's.
    let half = (prefix[lo] + prefix[hi]) / 2;
    let mut s = lo + 1 + prefix[lo + 1..hi].partition_point(|&p| p < half);
    if s == hi || (s > lo + 1 && half - prefix[s - 1] < prefix[s] - half) {
        s -= 1;
    }
    let right = build(g, ranges, prefix, s, hi);
    let left = build(g, ranges, prefix, lo, s);
    g.jump(JMP | JGE | K, ranges[s].start, right, left)
}
