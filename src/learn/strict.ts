/**
 * The `strict` preset's Kafel text (policies/strict.kafel), generated: every system call of the
 * compiler's four tables goes to `USER_NOTIF`, except a core that ordinary programs need to run,
 * compute and use files, and except the calls policies/baseline.kafel decides itself (its
 * denials, with their argument checks, stay in charge of those). Outside learn mode nothing
 * listens, so the kernel answers `USER_NOTIF` with ENOSYS; in learn mode these are exactly the
 * calls recorded and learned. Networking, IPC, namespaces' relatives, timers and the rest are
 * therefore learned, not granted.
 *
 * Regenerate after changing `STRICT_CORE` or baseline.kafel: `npx tsx src/learn/strict-gen.ts`
 * (tests/learn/strict.test.ts fails when the committed file differs).
 *
 * @module
 */
import type { Arch } from "../compile.ts";
import { syscallTables, TABLE_ARCHES } from "./syscalls.ts";

/** Calls the strict preset allows without learning (the compiler's names; any architecture). */
// deno-fmt-ignore
export const STRICT_CORE: readonly string[] = [
  // memory, threads, process identity
  "brk", "mmap", "mmap2", "munmap", "mprotect", "mremap", "madvise", "msync", "mincore", "membarrier",
  "futex", "futex_time64", "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "arch_prctl",
  "set_thread_area", "get_thread_area", "prctl", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid",
  "getegid", "getuid32", "geteuid32", "getgid32", "getegid32", "getgroups", "getgroups32", "getresuid",
  "getresgid", "getresuid32", "getresgid32", "getpgrp", "getpgid", "getsid", "setpgid", "setsid", "umask",
  "sched_yield", "sched_getaffinity", "sched_getparam", "sched_getscheduler", "getpriority", "getrlimit",
  "ugetrlimit", "prlimit64", "getrusage", "sysinfo", "newuname", "uname", "olduname", "getrandom", "getcpu",
  // processes
  "clone", "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid", "kill",
  "tgkill", "tkill",
  // signals and time
  "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending", "rt_sigtimedwait",
  "rt_sigtimedwait_time64", "sigaltstack", "sigreturn", "sigaction", "sigprocmask", "alarm", "pause",
  "restart_syscall", "signalfd", "signalfd4", "nanosleep", "clock_nanosleep", "clock_nanosleep_time64",
  "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64", "gettimeofday", "time", "times",
  "getitimer", "setitimer",
  // files and descriptors
  "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
  "lseek", "llseek", "_llseek", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "fcntl64", "ioctl",
  "open", "openat", "openat2", "creat", "newstat", "newfstat", "newlstat", "newfstatat", "stat64", "fstat64",
  "lstat64", "fstatat64", "statx", "statfs", "fstatfs", "statfs64", "fstatfs64", "access", "faccessat",
  "faccessat2", "readlink", "readlinkat", "getdents", "getdents64", "getcwd", "chdir", "fchdir", "mkdir",
  "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
  "symlinkat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "chown32",
  "fchown32", "lchown32", "truncate", "ftruncate", "truncate64", "ftruncate64", "fsync", "fdatasync",
  "fallocate", "flock", "utimensat", "utimensat_time64", "utimes", "utime", "futimesat", "copy_file_range",
  "sendfile", "sendfile64", "splice", "tee", "fadvise64", "fadvise64_64", "readahead", "getxattr",
  "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
  // waiting on descriptors
  "pipe", "pipe2", "poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6", "pselect6_time64",
  "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd",
  "eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime", "timerfd_settime64", "timerfd_gettime64",
];

/** Identifiers in Kafel text outside comments: the names baseline.kafel decides. */
function namesIn(kafel: string): Set<string> {
  const text = kafel.replace(/\/\*[^]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  return new Set(text.match(/[A-Za-z][A-Za-z0-9_]*/g) ?? []);
}

/** The text of policies/strict.kafel for the given baseline text. */
export async function strictKafel(baselineText: string): Promise<string> {
  const tables = await syscallTables();
  const keep = new Set([...STRICT_CORE, ...namesIn(baselineText)]);
  const arches = new Map<string, [Arch, number][]>();
  for (const arch of TABLE_ARCHES) {
    for (const [nr, name] of tables.get(arch) ?? []) {
      if (!keep.has(name)) arches.set(name, [...(arches.get(name) ?? []), [arch, nr]]);
    }
  }
  const filters = [...arches.keys()].sort().flatMap((name) => {
    const on = arches.get(name) ?? [];
    // Kafel identifiers start with a letter: `_sysctl` is written by number, per architecture.
    if (!/^[A-Za-z]/.test(name)) return on.map(([arch, nr]) => `SYSCALL[${nr}] ON ${arch} // ${name}`);
    const names = on.map(([arch]) => arch);
    return [
      names.length === TABLE_ARCHES.length ? name : names.length === 1 ? `${name} ON ${names[0]}` : `${name} ON { ${names.join(", ")} }`,
    ];
  });
  return [
    "// Generated by src/learn/strict.ts (npx tsx src/learn/strict-gen.ts); do not edit.",
    "//",
    "// The strict preset: on top of base (policies/baseline.kafel, which decides every call it names),",
    "// every call outside a core of memory, process, signal, time and file calls is USER_NOTIF. Outside",
    "// learn mode nothing listens and the kernel fails those calls with ENOSYS; `stockade learn --policy",
    "// strict` records the ones a command makes and writes them into the policy it learns.",
    "",
    "USER_NOTIF {",
    ...filters.map((f, i) => `  ${f.replace(/( \/\/.*)?$/, (comment) => (i < filters.length - 1 ? "," : "") + comment)}`),
    "}",
    "",
  ].join("\n");
}
