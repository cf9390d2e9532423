//! The generated syscall tables (wasm/src/tables), checked against ABI facts, the installed uapi
//! headers, and the invariants the compiler relies on (sorted unique names, sane widths).

use std::collections::BTreeSet;

use stockade_kafel::bpf::{run, SeccompData};
use stockade_kafel::ir::Action;
use stockade_kafel::tables::{Arch, SyscallDef};
use stockade_kafel::{compile_insns, IncludeMap, Options, Outcome};

fn get(arch: Arch, name: &str) -> &'static SyscallDef {
    arch.lookup(name).unwrap_or_else(|| panic!("{} has no syscall \"{}\"", arch.name(), name))
}

fn nr(arch: Arch, name: &str) -> u32 {
    get(arch, name).nr
}

fn arg_names(arch: Arch, name: &str) -> Vec<&'static str> {
    get(arch, name).args.iter().map(|a| a.name).collect()
}

fn widths(arch: Arch, name: &str) -> Vec<u8> {
    get(arch, name).args.iter().map(|a| a.width).collect()
}

#[test]
fn well_known_numbers() {
    // (name, x86_64, i386, aarch64, riscv64): the kernel ABI, which never changes.
    let facts: &[(&str, u32, u32, u32, u32)] = &[
        ("read", 0, 3, 63, 63),
        ("write", 1, 4, 64, 64),
        ("openat", 257, 295, 56, 56),
        ("close", 3, 6, 57, 57),
        ("clone", 56, 120, 220, 220),
        ("clone3", 435, 435, 435, 435),
        ("execve", 59, 11, 221, 221),
        ("exit_group", 231, 252, 94, 94),
        ("io_uring_setup", 425, 425, 425, 425),
        ("ptrace", 101, 26, 117, 117),
        ("socket", 41, 359, 198, 198),
        ("ioctl", 16, 54, 29, 29),
        ("seccomp", 317, 354, 277, 277),
        ("landlock_create_ruleset", 444, 444, 444, 444),
        ("mseal", 462, 462, 462, 462),
    ];
    for &(name, x64, x32, a64, rv64) in facts {
        assert_eq!(nr(Arch::X86_64, name), x64, "x86_64 {}", name);
        assert_eq!(nr(Arch::I386, name), x32, "i386 {}", name);
        assert_eq!(nr(Arch::Aarch64, name), a64, "aarch64 {}", name);
        assert_eq!(nr(Arch::Riscv64, name), rv64, "riscv64 {}", name);
    }
    assert_eq!(nr(Arch::X86_64, "mmap"), 9);
    assert_eq!(nr(Arch::X86_64, "arch_prctl"), 158);
    assert_eq!(nr(Arch::I386, "socketcall"), 102);
    assert_eq!(nr(Arch::I386, "mmap_pgoff"), 192);
    assert_eq!(nr(Arch::Riscv64, "riscv_flush_icache"), 259);
    assert_eq!(nr(Arch::Riscv64, "riscv_hwprobe"), 258);
    assert_eq!(nr(Arch::Aarch64, "newfstatat"), 79);
}

/// Every `__NR_name N` of the installed Debian headers (6.1, so a subset) is in our table with
/// the same number, under that name or as an alias. The exception is a name that is another
/// syscall's entry point: on i386 `__NR_umount` is 22 (sys_oldumount) but `umount` is sys_umount
/// (52), likewise the uid16 calls (`getuid` = getuid32's sys_getuid) and `stat`/`uname`, as in
/// Kafel. The time32 calls are not shadowed: `clock_gettime` is 265 as in Kafel (see
/// `i386_time32_names_mean_kafels_numbers`). x86_64 has none.
#[test]
fn x86_numbers_match_installed_headers() {
    for (arch, file) in [(Arch::X86_64, "unistd_64.h"), (Arch::I386, "unistd_32.h")] {
        let path = format!("/usr/include/x86_64-linux-gnu/asm/{}", file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {} (install linux-libc-dev)", path, e));
        let mut compared = 0;
        let mut shadowed = BTreeSet::new();
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let (name, value) = match words[..] {
                ["#define", n, v] if n.starts_with("__NR_") => match v.parse::<u32>() {
                    Ok(v) => (&n[5..], v),
                    Err(_) => continue,
                },
                _ => continue,
            };
            let by_nr = arch
                .by_number(value)
                .unwrap_or_else(|| panic!("{}: no syscall {} ({})", arch.name(), value, name));
            let by_name = get(arch, name);
            if by_name.nr != value {
                assert_eq!(
                    by_name.name,
                    name,
                    "{}: {} resolves through an alias to {}",
                    arch.name(),
                    name,
                    by_name.nr
                );
                assert_ne!(by_nr.name, name);
                shadowed.insert(name);
            }
            compared += 1;
        }
        assert!(compared > 300, "{}: only {} names compared", arch.name(), compared);
        if arch == Arch::X86_64 {
            assert!(shadowed.is_empty(), "x86_64: {:?}", shadowed);
        } else {
            for name in ["umount", "stat", "chown", "getuid", "uname"] {
                assert!(shadowed.contains(name), "i386: {} not shadowed: {:?}", name, shadowed);
            }
            for name in ["clock_gettime", "futex", "utimensat", "ppoll"] {
                assert!(!shadowed.contains(name), "i386: {} shadowed: {:?}", name, shadowed);
            }
        }
    }
}

#[test]
fn names_are_sorted_unique_and_args_sane() {
    for arch in Arch::ALL {
        let table = arch.syscalls();
        assert!(table.len() > 300, "{} has {} syscalls", arch.name(), table.len());
        for pair in table.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{}: {} / {}",
                arch.name(),
                pair[0].name,
                pair[1].name
            );
        }
        let numbers: BTreeSet<u32> = table.iter().map(|s| s.nr).collect();
        assert_eq!(numbers.len(), table.len(), "{}: a number is listed twice", arch.name());
        for s in table {
            assert!(!s.name.is_empty());
            assert!(s.args.len() <= 6, "{} {} has {} args", arch.name(), s.name, s.args.len());
            let mut seen = BTreeSet::new();
            for a in s.args {
                assert!(
                    matches!(a.width, 2 | 4 | 8),
                    "{} {} {} width {}",
                    arch.name(),
                    s.name,
                    a.name,
                    a.width
                );
                assert!(
                    arch != Arch::I386 || a.width <= 4,
                    "i386 {} {} is {} bytes",
                    s.name,
                    a.name,
                    a.width
                );
                assert!(
                    !a.name.is_empty() && seen.insert(a.name),
                    "{} {}: argument {:?}",
                    arch.name(),
                    s.name,
                    a.name
                );
            }
            let found = arch.lookup(s.name).expect("every entry point resolves");
            assert!(std::ptr::eq(found, s), "{} {} resolves elsewhere", arch.name(), s.name);
            assert_eq!(arch.by_number(s.nr).map(|d| d.name), Some(s.name));
        }
    }
}

#[test]
fn aliases_point_at_entry_points_and_never_shadow_one() {
    for arch in Arch::ALL {
        let aliases: Vec<_> = arch.aliases().collect();
        for pair in aliases.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} aliases not sorted: {:?}", arch.name(), pair);
        }
        let primaries: BTreeSet<&str> = arch.syscalls().iter().map(|s| s.name).collect();
        for (alias, target) in aliases {
            assert!(
                !primaries.contains(alias),
                "{}: alias {} shadows an entry point",
                arch.name(),
                alias
            );
            assert!(
                primaries.contains(target),
                "{}: alias {} → missing {}",
                arch.name(),
                alias,
                target
            );
            assert_eq!(arch.lookup(alias).map(|s| s.name), Some(target));
        }
    }
}

#[test]
fn entry_point_names_and_aliases() {
    // x86_64: entry points newstat, newuname, sendfile64, umount; table names as aliases.
    assert_eq!(get(Arch::X86_64, "stat").name, "newstat");
    assert_eq!(nr(Arch::X86_64, "newstat"), 4);
    assert_eq!(get(Arch::X86_64, "uname").name, "newuname");
    assert_eq!(nr(Arch::X86_64, "newuname"), 63);
    assert_eq!(get(Arch::X86_64, "sendfile").name, "sendfile64");
    assert_eq!(nr(Arch::X86_64, "sendfile64"), 40);
    assert_eq!(get(Arch::X86_64, "umount2").name, "umount");
    assert_eq!(nr(Arch::X86_64, "umount"), 166);
    // Kafel's spellings (KAFEL.md §9).
    assert_eq!(get(Arch::X86_64, "sysctl").name, "_sysctl");
    assert_eq!(get(Arch::Aarch64, "sendfile").name, "sendfile64");
    assert_eq!(nr(Arch::Aarch64, "sendfile"), 71);
    assert_eq!(get(Arch::Aarch64, "fadvise64").name, "fadvise64_64");
    assert_eq!(nr(Arch::Aarch64, "fadvise64"), 223);
    assert_eq!(get(Arch::Riscv64, "sync_file_range2").name, "sync_file_range");
    assert_eq!(nr(Arch::Riscv64, "sync_file_range2"), 84);
    // i386: sys_umount (52) owns `umount`; the table's `umount` (22) is sys_oldumount.
    assert_eq!(nr(Arch::I386, "umount"), 52);
    assert_eq!(nr(Arch::I386, "umount2"), 52);
    assert_eq!(nr(Arch::I386, "oldumount"), 22);
    assert_eq!(nr(Arch::I386, "stat"), 18);
    assert_eq!(nr(Arch::I386, "newstat"), 106);
    assert_eq!(nr(Arch::I386, "chown16"), 182);
    assert_eq!(nr(Arch::I386, "chown"), 212);
    assert_eq!(nr(Arch::I386, "chown32"), 212);
    assert_eq!(nr(Arch::I386, "mmap"), 90);
    assert_eq!(get(Arch::I386, "mmap").name, "old_mmap");
    // Unimplemented slots keep the table's name and take no arguments.
    assert!(get(Arch::X86_64, "tuxcall").args.is_empty());
    assert!(get(Arch::Aarch64, "nfsservctl").args.is_empty());
}

#[test]
fn legacy_calls_exist_only_where_the_kernel_has_them() {
    for name in ["open", "stat", "fork", "poll", "select", "pipe", "dup2", "epoll_wait"] {
        assert!(Arch::Aarch64.lookup(name).is_none(), "aarch64 has {}", name);
        assert!(Arch::Riscv64.lookup(name).is_none(), "riscv64 has {}", name);
    }
    assert_eq!(nr(Arch::X86_64, "open"), 2);
    assert_eq!(nr(Arch::I386, "open"), 5);
    assert!(Arch::X86_64.lookup("riscv_hwprobe").is_none());
    assert!(Arch::Aarch64.lookup("renameat").is_some(), "arm64 enables the renameat ABI");
    assert!(Arch::Riscv64.lookup("renameat").is_none(), "riscv does not");
    assert!(Arch::X86_64.lookup("no_such_call").is_none());
    assert!(Arch::X86_64.lookup("").is_none());
}

#[test]
fn arguments_follow_the_kernel_declarations() {
    assert_eq!(arg_names(Arch::X86_64, "read"), ["fd", "buf", "count"]);
    assert_eq!(widths(Arch::X86_64, "read"), [4, 8, 8]);
    assert_eq!(widths(Arch::I386, "read"), [4, 4, 4]);
    assert_eq!(widths(Arch::Aarch64, "openat"), [4, 8, 4, 2]); // umode_t mode
    assert_eq!(widths(Arch::X86_64, "mmap"), [8; 6]);
    assert_eq!(arg_names(Arch::X86_64, "ioctl"), ["fd", "cmd", "arg"]);
    assert_eq!(widths(Arch::X86_64, "ioctl"), [4, 4, 8]);
    assert_eq!(widths(Arch::I386, "chown16"), [4, 2, 2]); // old_uid_t

    // CONFIG_CLONE_BACKWARDS (i386, arm64, riscv) puts tls before child_tidptr.
    let plain = ["clone_flags", "newsp", "parent_tidptr", "child_tidptr", "tls"];
    let backwards = ["clone_flags", "newsp", "parent_tidptr", "tls", "child_tidptr"];
    assert_eq!(arg_names(Arch::X86_64, "clone"), plain);
    for arch in [Arch::I386, Arch::Aarch64, Arch::Riscv64] {
        assert_eq!(arg_names(arch, "clone"), backwards, "{}", arch.name());
    }
    // A 64-bit argument on i386 takes two registers, low word first (sys_ia32_pread64, and
    // SC_ARG64 in the generic fanotify_mark).
    assert_eq!(arg_names(Arch::I386, "pread64"), ["fd", "ubuf", "count", "poslo", "poshi"]);
    assert_eq!(
        arg_names(Arch::I386, "fanotify_mark"),
        ["fanotify_fd", "flags", "mask_lo", "mask_hi", "dfd", "pathname"]
    );
    assert_eq!(arg_names(Arch::I386, "fadvise64_64")[5], "advice");
    assert_eq!(arg_names(Arch::X86_64, "fadvise64"), ["fd", "offset", "len", "advice"]);
    // CONFIG_OLD_SIGSUSPEND3 on i386.
    assert_eq!(arg_names(Arch::I386, "sigsuspend"), ["unused1", "unused2", "mask"]);
    assert!(get(Arch::X86_64, "rt_sigreturn").args.is_empty());
    assert!(get(Arch::X86_64, "getpid").args.is_empty());
}

#[test]
fn decoded_once_and_shared_between_threads() {
    let first: Vec<usize> = Arch::ALL.iter().map(|a| a.syscalls().as_ptr() as usize).collect();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                Arch::ALL.iter().map(|a| a.syscalls().as_ptr() as usize).collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), first);
    }
}

/// i386's time64 renames (Linux 5.1) moved entry-point names to the new numbers; Kafel's names,
/// and so nsjail policies, mean the old ones. (name, Kafel's number, the time64 number and the
/// name it goes by here: its `__NR_` name.)
const I386_TIME32: [(&str, u32, u32, &str); 18] = [
    ("clock_settime", 264, 404, "clock_settime64"),
    ("clock_gettime", 265, 403, "clock_gettime64"),
    ("clock_getres", 266, 406, "clock_getres_time64"),
    ("clock_nanosleep", 267, 407, "clock_nanosleep_time64"),
    ("clock_adjtime", 343, 405, "clock_adjtime64"),
    ("futex", 240, 422, "futex_time64"),
    ("timer_settime", 260, 409, "timer_settime64"),
    ("timer_gettime", 261, 408, "timer_gettime64"),
    ("timerfd_settime", 325, 411, "timerfd_settime64"),
    ("timerfd_gettime", 326, 410, "timerfd_gettime64"),
    ("utimensat", 320, 412, "utimensat_time64"),
    ("pselect6", 308, 413, "pselect6_time64"),
    ("ppoll", 309, 414, "ppoll_time64"),
    ("recvmmsg", 337, 417, "recvmmsg_time64"),
    ("mq_timedsend", 279, 418, "mq_timedsend_time64"),
    ("mq_timedreceive", 280, 419, "mq_timedreceive_time64"),
    ("rt_sigtimedwait", 177, 421, "rt_sigtimedwait_time64"),
    ("sched_rr_get_interval", 161, 423, "sched_rr_get_interval_time64"),
];

#[test]
fn i386_time32_names_mean_kafels_numbers() {
    for (name, kafel, time64, time64_name) in I386_TIME32 {
        assert_eq!(nr(Arch::I386, name), kafel, "i386 {}", name);
        assert_eq!(get(Arch::I386, time64_name).name, time64_name, "i386 {} is a primary", time64_name);
        assert_eq!(nr(Arch::I386, time64_name), time64, "i386 {}", time64_name);
        assert_eq!(Arch::I386.nr_name(kafel), Some(name), "libseccomp's name of {}", kafel);
        assert_eq!(Arch::I386.nr_name(time64), Some(time64_name), "libseccomp's name of {}", time64);
    }
    assert_eq!(nr(Arch::I386, "clock_gettime32"), 265, "the entry point name still works");
}

/// Runs the compiled i386 filter on syscall `nr`; the return value.
fn i386_verdict(prog: &[stockade_kafel::bpf::Insn], nr: u32) -> u32 {
    let data = SeccompData { nr, arch: Arch::I386.audit(), instruction_pointer: 0, args: [0; 6] };
    run(prog, &data).expect("runs").ret
}

/// A deny-list of the Kafel names blocks Kafel's (32-bit time) numbers and nothing else: a name
/// means one number, as in Kafel. Denying the time64 variant takes its own name.
#[test]
fn i386_deny_list_of_time32_names_blocks_kafels_numbers() {
    let opts = Options { arches: vec![Arch::I386], foreign: Action::KillProcess };
    let names: Vec<&str> = I386_TIME32.iter().map(|t| t.0).collect();
    let text = format!("DENY {{ {} }} DEFAULT ALLOW", names.join(", "));
    let prog = match compile_insns(text.as_bytes(), &IncludeMap::new(), &opts) {
        Outcome::Ok(p) => p,
        other => panic!("{:?}", other),
    };
    let (deny, allow) = (Action::KillThread.ret_value(), Action::Allow.ret_value());
    for (name, kafel, time64, _) in I386_TIME32 {
        assert_eq!(i386_verdict(&prog, kafel), deny, "{} ({}) denied", name, kafel);
        assert_eq!(i386_verdict(&prog, time64), allow, "{} does not name {}", name, time64);
    }
    let both = "DENY { clock_settime, clock_settime64 } DEFAULT ALLOW";
    let prog = match compile_insns(both.as_bytes(), &IncludeMap::new(), &opts) {
        Outcome::Ok(p) => p,
        other => panic!("{:?}", other),
    };
    assert_eq!(i386_verdict(&prog, 264), deny);
    assert_eq!(i386_verdict(&prog, 404), deny);
    assert_eq!(i386_verdict(&prog, 403), allow);
}
