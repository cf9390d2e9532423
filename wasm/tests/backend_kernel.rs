//! The generated programs in the real kernel: a child process (this test binary, re-run with
//! one ignored test selected) installs them with seccomp(2) and makes real syscalls; the
//! parent checks what the child reports and how it died. x86_64 only.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

mod back;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};

use back::*;
use stockade_kafel::bpf::{self, Insn};
use stockade_kafel::ir::Action;
use stockade_kafel::tables::Arch;
use stockade_kafel::codegen::generate;

const CHILD_ENV: &str = "STOCKADE_KERNEL_PROBE";
const SIGSYS: i32 = 31;
const EPERM: i64 = 1;
const ENOSYS: i64 = 38;

/// A raw x86_64 syscall: the filter sees exactly these six 64-bit arguments.
unsafe fn syscall(nr: u64, a: [u64; 6]) -> i64 {
    let ret: i64;
    std::arch::asm!(
        "syscall",
        inlateout("rax") nr as i64 => ret,
        in("rdi") a[0], in("rsi") a[1], in("rdx") a[2], in("r10") a[3], in("r8") a[4], in("r9") a[5],
        lateout("rcx") _, lateout("r11") _,
        options(nostack)
    );
    ret
}

/// prctl(PR_SET_NO_NEW_PRIVS) then seccomp(SECCOMP_SET_MODE_FILTER, 0, prog).
fn install(prog: &[Insn]) -> Result<(), i64> {
    #[repr(C)]
    struct SockFprog {
        len: u16,
        filter: *const u8,
    }
    let bytes = bpf::encode(prog);
    let fprog = SockFprog { len: prog.len() as u16, filter: bytes.as_ptr() };
    unsafe {
        let r = syscall(157, [38, 1, 0, 0, 0, 0]);
        if r != 0 {
            return Err(r);
        }
        let r = syscall(317, [1, 0, &fprog as *const SockFprog as u64, 0, 0, 0]);
        if r != 0 {
            return Err(r);
        }
    }
    Ok(())
}

fn docker_like() -> Vec<Insn> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/policies/docker-like.kafel")).unwrap();
    compile(&text, &[Arch::X86_64])
}

/// Runs this binary's `kernel_probe_child` with `case`.
fn child(case: &str) -> Output {
    let exe = std::env::current_exe().unwrap();
    Command::new(exe)
        .args(["kernel_probe_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, case)
        .output()
        .unwrap()
}

fn describe(out: &Output) -> String {
    format!("status {:?}\nstdout: {}\nstderr: {}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
#[ignore = "entry point of the child processes the other tests in this file start"]
fn kernel_probe_child() {
    let case = match std::env::var(CHILD_ENV) {
        Ok(c) => c,
        Err(_) => return,
    };
    match case.as_str() {
        "docker" => {
            install(&docker_like()).expect("the kernel refused docker-like.kafel");
            let mut bad = Vec::new();
            let mut expect = |what: &str, got: i64, want: i64| {
                if got != want {
                    bad.push(format!("{}: got {}, want {}", what, got, want));
                }
            };
            unsafe {
                expect("getppid > 0", (syscall(110, [0; 6]) > 0) as i64, 1);
                expect("acct", syscall(163, [0; 6]), -EPERM);
                expect("clone3", syscall(435, [0; 6]), -ENOSYS);
                expect("personality(PER_QUERY) is allowed", (syscall(135, [0xffff_ffff, 0, 0, 0, 0, 0]) >= 0) as i64, 1);
                expect("personality(READ_IMPLIES_EXEC)", syscall(135, [0x0040_0000, 0, 0, 0, 0, 0]), -EPERM);
                expect("socket(AF_VSOCK)", syscall(41, [40, 1, 0, 0, 0, 0]), -EPERM);
                // 0x5412 = TIOCSTI: refused before the kernel looks at the fd, also when the
                // upper half of the 64-bit register is set (the comparison is on 32 bits).
                expect("ioctl(TIOCSTI)", syscall(16, [0, 0x5412, 0, 0, 0, 0]), -EPERM);
                expect("ioctl(TIOCSTI | 1 << 32)", syscall(16, [0, 0x1_0000_5412, 0, 0, 0, 0]), -EPERM);
                // An allowed ioctl on a bad fd reaches the kernel: EBADF (9).
                expect("ioctl(TCGETS) on a bad fd", syscall(16, [9999, 0x5401, 0, 0, 0, 0]), -9);
                // clone with CLONE_NEWUSER: EPERM from the filter, nothing created.
                expect("clone(CLONE_NEWUSER)", syscall(56, [0x1000_0000 | 17, 0, 0, 0, 0, 0]), -EPERM);
            }
            if bad.is_empty() {
                println!("PROBE OK");
            } else {
                println!("PROBE FAILED: {}", bad.join("; "));
            }
        }
        "x32" => {
            install(&docker_like()).unwrap();
            println!("BEFORE");
            unsafe { syscall(39 | 0x4000_0000, [0; 6]) }; // getpid through the x32 ABI
            println!("PROBE SURVIVED");
        }
        "int80" => {
            install(&docker_like()).unwrap();
            println!("BEFORE");
            let ret: i64;
            // getpid through the i386 ABI (int 0x80, eax = 20): a foreign architecture.
            unsafe { std::arch::asm!("int 0x80", inlateout("rax") 20i64 => ret, options(nostack)) };
            println!("PROBE SURVIVED {}", ret);
        }
        "accept" => {
            // Random programs for other architectures, foreign action ALLOW: each one is
            // checked by the kernel in full but leaves this x86_64 process alone.
            let mut r = Rng(seed(99));
            let mut total = 0usize;
            let mut n = 0;
            while n < 120 {
                let mut p = policy(&mut r, if n % 10 == 0 { 300 } else { 20 }, n % 2 == 0);
                p.arches.retain(|a| a.arch != Arch::X86_64);
                p.foreign = Action::Allow;
                let prog = match generate(&p) {
                    Ok(prog) => prog,
                    Err(_) => continue,
                };
                // The kernel caps all filters of a process at 32,768 instructions (+4 each).
                if total + prog.len() + 4 > 32_768 {
                    break;
                }
                if let Err(e) = install(&prog) {
                    println!("PROBE FAILED: the kernel refused program {} ({} instructions): {}", n, prog.len(), e);
                    return;
                }
                total += prog.len() + 4;
                n += 1;
            }
            println!("PROBE OK {} programs, {} instructions", n, total);
        }
        other => panic!("unknown probe {:?}", other),
    }
}

#[test]
fn the_kernel_enforces_the_docker_like_policy() {
    let out = child("docker");
    assert!(String::from_utf8_lossy(&out.stdout).contains("PROBE OK"), "{}", describe(&out));
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn the_kernel_kills_an_x32_syscall() {
    let out = child("x32");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BEFORE") && !stdout.contains("SURVIVED"), "{}", describe(&out));
    assert_eq!(out.status.signal(), Some(SIGSYS), "{}", describe(&out));
}

#[test]
fn the_kernel_kills_a_foreign_architecture_syscall() {
    let out = child("int80");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BEFORE") && !stdout.contains("SURVIVED"), "{}", describe(&out));
    assert_eq!(out.status.signal(), Some(SIGSYS), "{} (SIGSEGV here means the kernel has no i386 emulation)", describe(&out));
}

#[test]
fn the_kernel_accepts_generated_programs() {
    let out = child("accept");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("PROBE OK"), "{}", describe(&out));
    println!("{}", stdout.lines().find(|l| l.contains("PROBE")).unwrap_or(""));
}
