"""Kafel's syscall names and numbers, the facts gen_syscalls.py holds our tables to.

Read from google/kafel src/syscalls/<arch>_syscalls.c (names and numbers only: kernel ABI facts).
A policy that compiles with Kafel must mean the same here (KAFEL.md), so every name below resolves
to its number in the generated table; gen_syscalls.py stops if that cannot be arranged.

i386 is complete: its time64 renames (kernel 5.1) moved entry-point names (`sys_clock_gettime` is
now nr 403, `__NR_clock_gettime64`) away from the numbers Kafel, and nsjail policies, mean. For the
64-bit targets only the spellings that differ from both the kernel's entry point and the table's
name column are listed.
"""

_I386 = """
accept4 364 access 33 acct 51 add_key 286 adjtimex 124 alarm 27 arch_prctl 384 bdflush 134
bind 361 brk 45 capget 184 capset 185 chdir 12 chmod 15 chown 212 chown16 182 chroot 61
clock_adjtime 343 clock_getres 266 clock_gettime 265 clock_nanosleep 267 clock_settime 264
clone 120 close 6 connect 362 copy_file_range 377 creat 8 delete_module 129 dup 41 dup2 63
dup3 330 epoll_create 254 epoll_create1 329 epoll_ctl 255 epoll_pwait 319 epoll_wait 256
eventfd 323 eventfd2 328 execve 11 execveat 358 exit 1 exit_group 252 faccessat 307
fadvise64 250 fadvise64_64 272 fallocate 324 fanotify_init 338 fanotify_mark 339 fchdir 133
fchmod 94 fchmodat 306 fchown 207 fchown16 95 fchownat 298 fcntl 55 fcntl64 221 fdatasync 148
fgetxattr 231 finit_module 350 flistxattr 234 flock 143 fork 2 fremovexattr 237 fsetxattr 228
fstat 28 fstat64 197 fstatat64 300 fstatfs 100 fstatfs64 269 fsync 118 ftruncate 93
ftruncate64 194 futex 240 futimesat 299 getcpu 318 getcwd 183 getdents 141 getdents64 220
getegid 202 getegid16 50 geteuid 201 geteuid16 49 getgid 200 getgid16 47 getgroups 205
getgroups16 80 getitimer 105 getpeername 368 getpgid 132 getpgrp 65 getpid 20 getppid 64
getpriority 96 getrandom 355 getresgid 211 getresgid16 171 getresuid 209 getresuid16 165
getrlimit 191 get_robust_list 312 getrusage 77 getsid 147 getsockname 367 getsockopt 365
get_thread_area 244 gettid 224 gettimeofday 78 getuid 199 getuid16 24 getxattr 229
init_module 128 inotify_add_watch 292 inotify_init 291 inotify_init1 332 inotify_rm_watch 293
io_cancel 249 ioctl 54 io_destroy 246 io_getevents 247 ioperm 101 iopl 110 ioprio_get 290
ioprio_set 289 io_setup 245 io_submit 248 ipc 117 kexec_load 283 keyctl 288 kill 37 lchown 198
lchown16 16 lgetxattr 230 link 9 linkat 303 listen 363 listxattr 232 llistxattr 233 llseek 140
lookup_dcookie 253 lremovexattr 236 lseek 19 lsetxattr 227 lstat 84 lstat64 196 madvise 219
membarrier 375 memfd_create 356 mincore 218 mkdir 39 mkdirat 296 mknod 14 mknodat 297 mlock 150
mlock2 376 mlockall 152 mmap_pgoff 192 modify_ldt 123 mount 21 mprotect 125 mq_getsetattr 282
mq_notify 281 mq_open 277 mq_timedreceive 280 mq_timedsend 279 mq_unlink 278 mremap 163
msync 144 munlock 151 munlockall 153 munmap 91 name_to_handle_at 341 nanosleep 162 newfstat 108
newlstat 107 newstat 106 newuname 122 nice 34 old_getrlimit 76 old_mmap 90 old_readdir 89
old_select 82 oldumount 22 olduname 59 open 5 openat 295 open_by_handle_at 342 pause 29
perf_event_open 336 personality 136 pipe 42 pipe2 331 pivot_root 217 poll 168 ppoll 309
prctl 172 pread64 180 preadv 333 preadv2 378 prlimit64 340 process_vm_readv 347
process_vm_writev 348 pselect6 308 ptrace 26 pwrite64 181 pwritev 334 pwritev2 379 quotactl 131
read 3 readahead 225 readlink 85 readlinkat 305 readv 145 reboot 88 recvfrom 371 recvmmsg 337
recvmsg 372 remap_file_pages 257 removexattr 235 rename 38 renameat 302 renameat2 353
request_key 287 restart_syscall 0 rmdir 40 rt_sigaction 174 rt_sigpending 176 rt_sigprocmask 175
rt_sigqueueinfo 178 rt_sigsuspend 179 rt_sigtimedwait 177 rt_tgsigqueueinfo 335
sched_getaffinity 242 sched_getattr 352 sched_getparam 155 sched_get_priority_max 159
sched_get_priority_min 160 sched_getscheduler 157 sched_rr_get_interval 161
sched_setaffinity 241 sched_setattr 351 sched_setparam 154 sched_setscheduler 156
sched_yield 158 seccomp 354 select 142 sendfile 187 sendfile64 239 sendmmsg 345 sendmsg 370
sendto 369 setdomainname 121 setfsgid 216 setfsgid16 139 setfsuid 215 setfsuid16 138 setgid 214
setgid16 46 setgroups 206 setgroups16 81 sethostname 74 setitimer 104 setns 346 setpgid 57
setpriority 97 setregid 204 setregid16 71 setresgid 210 setresgid16 170 setresuid 208
setresuid16 164 setreuid 203 setreuid16 70 setrlimit 75 set_robust_list 311 setsid 66
setsockopt 366 set_thread_area 243 set_tid_address 258 settimeofday 79 setuid 213 setuid16 23
setxattr 226 sgetmask 68 shutdown 373 sigaction 67 sigaltstack 186 signal 48 signalfd 321
signalfd4 327 sigpending 73 sigprocmask 126 sigsuspend 72 socket 359 socketcall 102
socketpair 360 splice 313 ssetmask 69 stat 18 stat64 195 statfs 99 statfs64 268 statx 383
stime 25 swapoff 115 swapon 87 symlink 83 symlinkat 304 sync 36 sync_file_range 314 syncfs 344
sysctl 149 sysfs 135 sysinfo 116 syslog 103 tee 315 tgkill 270 time 13 timer_create 259
timer_delete 263 timerfd_create 322 timerfd_gettime 326 timerfd_settime 325 timer_getoverrun 262
timer_gettime 261 timer_settime 260 times 43 tkill 238 truncate 92 truncate64 193 umask 60
umount 52 uname 109 unlink 10 unlinkat 301 unshare 310 ustat 62 utime 30 utimensat 320
utimes 271 vfork 190 vhangup 111 vm86 166 vm86old 113 vmsplice 316 wait4 114 waitid 284
waitpid 7 write 4 writev 146
"""

# (architecture, name, number in Kafel's table) for the 64-bit targets, where Kafel's spelling
# differs from both the kernel entry point and the table's name.
_SPELLINGS = [
    ("x86_64", "sysctl", 156),            # kernel: _sysctl (an unimplemented slot)
    ("aarch64", "sync_file_range2", 84),  # kernel: sys_sync_file_range, same argument order
    ("riscv64", "sync_file_range2", 84),  # kernel: sys_sync_file_range, same argument order
]


def _pairs(arch, text):
    words = text.split()
    return [(arch, words[i], int(words[i + 1])) for i in range(0, len(words), 2)]


KAFEL_NAMES = _SPELLINGS + _pairs("i386", _I386)
