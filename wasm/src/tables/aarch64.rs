// Generated from Linux 6.12.117 by wasm/gen/gen_syscalls.py; do not edit.
//! aarch64: (name, argument list) per syscall not in generic.rs, in number order, by runs of
//! consecutive numbers; (alias, entry point) pairs sorted by alias; indices into
//! pool.rs (see mod.rs).
pub static RUNS: [(u16, u16); 2] = [(38, 1), (222, 1)];
pub static ROWS: [(u16, u16); 2] = [
    (593, 7428), // 38 renameat(olddfd:4, oldname:8, newdfd:4, newname:8)
    (375, 294), // 222 mmap(addr:8, len:8, prot:8, flags:8, fd:8, off:8)
];
pub static ALIASES: [(u16, u16); 6] = [
    (145, 146), // fadvise64 -> fadvise64_64
    (189, 437), // fstat -> newfstat
    (658, 659), // sendfile -> sendfile64
    (761, 760), // sync_file_range2 -> sync_file_range
    (841, 840), // umount2 -> umount
    (843, 444), // uname -> newuname
];
pub static NR_NAMES: [(u16, u16); 5] = [
    (145, 223), // fadvise64
    (189, 80), // fstat
    (658, 71), // sendfile
    (841, 39), // umount2
    (843, 160), // uname
];
