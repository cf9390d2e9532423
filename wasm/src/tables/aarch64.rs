// Placeholder until wasm/gen/gen_syscalls.py writes the real table.
use super::SyscallDef;
pub static SYSCALLS: &[SyscallDef] = &[];
pub static ALIASES: &[(&str, &str)] = &[];
