//! Syscall name → definition in one hash probe. A policy names hundreds of syscalls and a
//! binary search costs ~9 string compares each, a large share of a compile in WASM; the index
//! is built once per architecture per module instance and reused.

use std::sync::Mutex;

use crate::tables::{Arch, SyscallDef};

/// Open-addressing slots: 0 = empty, else 1 + the index into `Arch::syscalls()`.
static INDEXES: Mutex<[Option<&'static [u16]>; 4]> = Mutex::new([None; 4]);

fn hash(name: &str) -> u32 {
    // FNV-1a: short ASCII keys, no attacker gains anything from collisions (lookups are capped
    // by the table size, and the table is fixed).
    let mut h: u32 = 0x811c_9dc5;
    for &b in name.as_bytes() {
        h = (h ^ b as u32).wrapping_mul(0x0100_0193);
    }
    h
}

fn slot(arch: Arch) -> usize {
    Arch::ALL.iter().position(|a| *a == arch).unwrap_or(0)
}

fn build(table: &[SyscallDef]) -> &'static [u16] {
    let size = (table.len() * 2).next_power_of_two().max(8);
    let mut slots = vec![0u16; size];
    for (i, def) in table.iter().enumerate().take(u16::MAX as usize - 1) {
        let mut at = hash(def.name) as usize & (size - 1);
        while slots[at] != 0 {
            at = (at + 1) & (size - 1);
        }
        slots[at] = i as u16 + 1;
    }
    Box::leak(slots.into_boxed_slice())
}

/// Fast look-ups for one architecture.
pub struct SyscallIndex {
    arch: Arch,
    table: &'static [SyscallDef],
    slots: &'static [u16],
}

impl SyscallIndex {
    pub fn new(arch: Arch) -> SyscallIndex {
        let table = arch.syscalls();
        let mut indexes = INDEXES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let slots = *indexes[slot(arch)].get_or_insert_with(|| build(table));
        SyscallIndex { arch, table, slots }
    }

    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// The same answer as `Arch::lookup`: entry-point names first, then aliases.
    pub fn lookup(&self, name: &str) -> Option<&'static SyscallDef> {
        let mask = self.slots.len() - 1;
        let mut at = hash(name) as usize & mask;
        for _ in 0..self.slots.len() {
            match self.slots[at] {
                0 => break,
                i => {
                    let def = &self.table[i as usize - 1];
                    if def.name == name {
                        return Some(def);
                    }
                }
            }
            at = (at + 1) & mask;
        }
        self.arch.lookup(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_table_for_every_name_and_alias() {
        for arch in Arch::ALL {
            let index = SyscallIndex::new(arch);
            for def in arch.syscalls() {
                assert_eq!(index.lookup(def.name).map(|d| d.nr), Some(def.nr), "{} on {:?}", def.name, arch);
            }
            for (alias, _) in arch.aliases() {
                assert_eq!(index.lookup(alias).map(|d| d.nr), arch.lookup(alias).map(|d| d.nr), "{} on {:?}", alias, arch);
            }
            for miss in ["", "no_such_call", "READ", "read ", "x"] {
                assert!(index.lookup(miss).is_none(), "{} on {:?}", miss, arch);
            }
        }
    }
}
