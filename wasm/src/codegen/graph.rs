//! A program as a DAG of interned instructions, laid out into classic BPF.
//!
//! Code is built bottom-up: every node names its successors, which already exist, so labels
//! grow along edges reversed and the graph is acyclic by construction. Interning (hash-consing)
//! makes identical code shared: one `RET` per value, one block per distinct rule list.
//! `emit` then drops redundant loads, orders the nodes so most edges fall through, and writes
//! the instructions back to front, adding a `JA` (or a copy of a `RET`) wherever an 8-bit
//! conditional offset cannot reach its target.

use crate::bpf::{Insn, ABS, JA, JMP, K, LD, RET, W};

pub type Label = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    Ret(u32),
    /// Any non-jump instruction; control continues at `next`.
    Stmt { code: u16, k: u32, next: Label },
    /// A conditional jump (`JEQ JGT JGE JSET`, K or X).
    Jump { code: u16, k: u32, jt: Label, jf: Label },
}

/// What the accumulator is known to hold on entry to a node.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Acc {
    Unknown,
    Word(u32),
}

const MAX_JUMP: usize = 255;

#[derive(Default)]
pub struct Graph {
    nodes: Vec<Node>,
    /// Open addressing over `nodes`: 0 = empty, else 1 + a label. Never more than half full.
    /// (A hand-written table: a library hash map costs the module ~4 KB per key type.)
    slots: Vec<u32>,
}

/// A multiply-rotate hash (as in rustc's FxHash): nodes are small trusted integers, so
/// flood resistance buys nothing.
fn hash(n: &Node) -> usize {
    let words = match *n {
        Node::Ret(v) => [0, v as u64, 0],
        Node::Stmt { code, k, next } => [1 | (code as u64) << 8, k as u64, next as u64],
        Node::Jump { code, k, jt, jf } => [2 | (code as u64) << 8, k as u64, (jt as u64) << 32 | jf as u64],
    };
    let mut h: u64 = 0;
    for w in words {
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x51_7cc1_b727_220a_95);
    }
    (h >> 32) as usize
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    fn intern(&mut self, n: Node) -> Label {
        if self.nodes.len() * 2 >= self.slots.len() {
            self.rehash();
        }
        let mask = self.slots.len() - 1;
        let mut at = hash(&n) & mask;
        loop {
            match self.slots[at] {
                0 => break,
                s if self.nodes[s as usize - 1] == n => return s - 1,
                _ => at = (at + 1) & mask,
            }
        }
        let l = self.nodes.len() as Label;
        self.nodes.push(n);
        self.slots[at] = l + 1;
        l
    }

    /// Doubles the table (at least 64 slots) and re-inserts every node.
    fn rehash(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        self.slots = vec![0; size];
        for (l, n) in self.nodes.iter().enumerate() {
            let mut at = hash(n) & (size - 1);
            while self.slots[at] != 0 {
                at = (at + 1) & (size - 1);
            }
            self.slots[at] = l as u32 + 1;
        }
    }

    pub fn ret(&mut self, value: u32) -> Label {
        self.intern(Node::Ret(value))
    }

    pub fn stmt(&mut self, code: u16, k: u32, next: Label) -> Label {
        self.intern(Node::Stmt { code, k, next })
    }

    /// A conditional jump; none at all when both targets are the same.
    pub fn jump(&mut self, code: u16, k: u32, jt: Label, jf: Label) -> Label {
        if jt == jf {
            return jt;
        }
        self.intern(Node::Jump { code, k, jt, jf })
    }

    fn succs(&self, l: Label) -> [Option<Label>; 2] {
        match self.nodes[l as usize] {
            Node::Ret(_) => [None, None],
            Node::Stmt { next, .. } => [Some(next), None],
            // jf first: the depth-first order then places jt right after the jump.
            Node::Jump { jt, jf, .. } => [Some(jf), Some(jt)],
        }
    }

    /// Reverse post-order from `root` over successors mapped through `map`: a topological
    /// order in which a node with one unvisited successor is followed by it.
    fn order(&self, root: Label, map: &[Label]) -> Vec<Label> {
        let mut seen = vec![false; self.nodes.len()];
        let mut post = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(Label, usize)> = Vec::with_capacity(64);
        stack.push((root, 0));
        seen[root as usize] = true;
        while let Some(top) = stack.last_mut() {
            let (l, i) = *top;
            top.1 += 1;
            match self.succs(l).get(i) {
                Some(Some(s)) => {
                    let s = map[*s as usize];
                    if !seen[s as usize] {
                        seen[s as usize] = true;
                        stack.push((s, 0));
                    }
                }
                Some(None) => {}
                None => {
                    post.push(l);
                    stack.pop();
                }
            }
        }
        post.reverse();
        post
    }

    /// For every node, the node control really goes to: a `LD W ABS` whose word the
    /// accumulator already holds on every path into it is skipped.
    fn skip_redundant_loads(&self, root: Label) -> Vec<Label> {
        let identity: Vec<Label> = (0..self.nodes.len() as Label).collect();
        let order = self.order(root, &identity);
        let mut entry: Vec<Option<Acc>> = vec![None; self.nodes.len()];
        entry[root as usize] = Some(Acc::Unknown);
        for &l in &order {
            let acc_in = entry[l as usize].unwrap_or(Acc::Unknown);
            let acc_out = match self.nodes[l as usize] {
                Node::Stmt { code, k, .. } if code == LD | W | ABS => Acc::Word(k),
                // Every other LD-class or ALU instruction, and TXA, writes A.
                Node::Stmt { code, .. } if code & 0x07 == LD || code & 0x07 == 0x04 || code == 0x87 => Acc::Unknown,
                _ => acc_in,
            };
            for s in self.succs(l).iter().flatten() {
                let e = &mut entry[*s as usize];
                *e = match *e {
                    None => Some(acc_out),
                    Some(prev) if prev == acc_out => Some(prev),
                    Some(_) => Some(Acc::Unknown),
                };
            }
        }
        let mut map = identity;
        // Labels grow along reversed edges, so `next` is resolved before the node using it.
        for l in 0..self.nodes.len() {
            if let Node::Stmt { code, k, next } = self.nodes[l] {
                if code == LD | W | ABS && entry[l] == Some(Acc::Word(k)) {
                    map[l] = map[next as usize];
                }
            }
        }
        map
    }

    /// The program starting at `root`.
    pub fn emit(&self, root: Label) -> Vec<Insn> {
        let map = self.skip_redundant_loads(root);
        let root = map[root as usize];
        let order = self.order(root, &map);
        // Built back to front: `out[i]` is the instruction `i` places before the end, and
        // `near[l]` the closest emitted instruction equivalent to going to `l`.
        let mut out: Vec<Insn> = Vec::with_capacity(order.len() + 8);
        let mut near = vec![usize::MAX; self.nodes.len()];
        for &l in order.iter().rev() {
            match self.nodes[l as usize] {
                Node::Ret(v) => out.push(Insn::stmt(RET | K, v)),
                Node::Stmt { code, k, next } => {
                    let next = map[next as usize];
                    if near[next as usize] + 1 != out.len() {
                        self.trampoline(next, &mut out, &mut near);
                    }
                    out.push(Insn::stmt(code, k));
                }
                Node::Jump { code, k, jt, jf } => {
                    let (jt, jf) = (map[jt as usize], map[jf as usize]);
                    // Up to two trampolines may be pushed before the jump itself.
                    for t in [jt, jf] {
                        if out.len() + 1 - near[t as usize] > MAX_JUMP {
                            self.trampoline(t, &mut out, &mut near);
                        }
                    }
                    let off = |t: Label| (out.len() - near[t as usize] - 1) as u8;
                    out.push(Insn::jump(code, k, off(jt), off(jf)));
                }
            }
            near[l as usize] = out.len() - 1;
        }
        out.reverse();
        out
    }

    /// Emits the cheapest instruction equivalent to going to `target`: a copy of it when it
    /// is a `RET`, else a `JA` to its nearest instance.
    fn trampoline(&self, target: Label, out: &mut Vec<Insn>, near: &mut [usize]) {
        let insn = match self.nodes[target as usize] {
            Node::Ret(v) => Insn::stmt(RET | K, v),
            _ => Insn::stmt(JMP | JA, (out.len() - near[target as usize] - 1) as u32),
        };
        out.push(insn);
        near[target as usize] = out.len() - 1;
    }
}
