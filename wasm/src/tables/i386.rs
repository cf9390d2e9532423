// Generated from Linux 6.12.117 by wasm/gen/gen_syscalls.py; do not edit.
//! i386: (name, argument list) per syscall, in number order, by runs of
//! consecutive numbers; (alias, entry point) pairs sorted by alias; indices into
//! pool.rs (see mod.rs).
pub static RUNS: [(u16, u16); 6] = [(0, 222), (224, 27), (252, 33), (286, 101), (393, 22), (416, 47)];
pub static ROWS: [(u16, u16); 452] = [
    (599, 0), // 0 restart_syscall()
    (140, 2729), // 1 exit(error_code:4)
    (178, 0), // 2 fork()
    (578, 2907), // 3 read(fd:4, buf:4, count:4)
    (904, 2907), // 4 write(fd:4, buf:4, count:4)
    (499, 5443), // 5 open(filename:4, flags:4, mode:2)
    (82, 2889), // 6 close(fd:4)
    (898, 8763), // 7 waitpid(pid:4, stat_addr:4, options:4)
    (95, 7970), // 8 creat(pathname:4, mode:2)
    (330, 7514), // 9 link(oldname:4, newname:4)
    (845, 7929), // 10 unlink(pathname:4)
    (138, 5419), // 11 execve(filename:4, argv:4, envp:4)
    (56, 5417), // 12 chdir(filename:4)
    (776, 10929), // 13 time32(tloc:4)
    (370, 5467), // 14 mknod(filename:4, mode:2, dev:4)
    (58, 5466), // 15 chmod(filename:4, mode:2)
    (317, 5563), // 16 lchown16(filename:4, user:2, group:2)
    (44, 0), // 17 break()
    (740, 5530), // 18 stat(filename:4, statbuf:4)
    (342, 4083), // 19 lseek(fd:4, offset:4, whence:4)
    (232, 0), // 20 getpid()
    (383, 1389), // 21 mount(dev_name:4, dir_name:4, type:4, flags:4, data:4)
    (495, 7217), // 22 oldumount(name:4)
    (704, 11737), // 23 setuid16(uid:2)
    (251, 0), // 24 getuid16()
    (750, 10945), // 25 stime32(tptr:4)
    (569, 9380), // 26 ptrace(request:4, pid:4, addr:4, data:4)
    (23, 9841), // 27 alarm(seconds:4)
    (189, 4458), // 28 fstat(fd:4, statbuf:4)
    (522, 0), // 29 pause()
    (874, 5546), // 30 utime32(filename:4, t:4)
    (751, 0), // 31 stty()
    (259, 0), // 32 gtty()
    (12, 5490), // 33 access(filename:4, mode:4)
    (447, 6273), // 34 nice(increment:4)
    (195, 0), // 35 ftime()
    (759, 0), // 36 sync()
    (312, 8714), // 37 kill(pid:4, sig:4)
    (592, 7514), // 38 rename(oldname:4, newname:4)
    (368, 7970), // 39 mkdir(pathname:4, mode:2)
    (608, 7929), // 40 rmdir(pathname:4)
    (112, 5385), // 41 dup(fildes:4)
    (534, 5385), // 42 pipe(fildes:4)
    (797, 10705), // 43 times(tbuf:4)
    (561, 0), // 44 prof()
    (45, 681), // 45 brk(brk:4)
    (676, 6017), // 46 setgid16(gid:2)
    (223, 0), // 47 getgid16()
    (722, 10154), // 48 signal(sig:4, handler:4)
    (220, 0), // 49 geteuid16()
    (217, 0), // 50 getegid16()
    (13, 7217), // 51 acct(name:4)
    (840, 7218), // 52 umount(name:4, flags:4)
    (339, 0), // 53 lock()
    (299, 3139), // 54 ioctl(fd:4, cmd:4, arg:4)
    (160, 3139), // 55 fcntl(fd:4, cmd:4, arg:4)
    (389, 0), // 56 mpx()
    (684, 8586), // 57 setpgid(pid:4, pgid:4)
    (837, 0), // 58 ulimit()
    (496, 7217), // 59 olduname(name:4)
    (838, 6505), // 60 umask(mask:4)
    (62, 5417), // 61 chroot(filename:4)
    (871, 1354), // 62 ustat(dev:4, ubuf:4)
    (113, 7466), // 63 dup2(oldfd:4, newfd:4)
    (234, 0), // 64 getppid()
    (231, 0), // 65 getpgrp()
    (699, 0), // 66 setsid()
    (719, 10091), // 67 sigaction(sig:4, act:4, oact:4)
    (707, 0), // 68 sgetmask()
    (738, 7345), // 69 ssetmask(newmask:4)
    (696, 9666), // 70 setreuid16(ruid:2, euid:2)
    (687, 9474), // 71 setregid16(rgid:2, egid:2)
    (729, 11883), // 72 sigsuspend(unused1:4, unused2:4, mask:4)
    (725, 11977), // 73 sigpending(uset:4)
    (681, 7234), // 74 sethostname(name:4, len:4)
    (698, 9442), // 75 setrlimit(resource:4, rlim:4)
    (480, 9442), // 76 old_getrlimit(resource:4, rlim:4)
    (244, 12626), // 77 getrusage(who:4, ru:4)
    (249, 10954), // 78 gettimeofday(tv:4, tz:4)
    (701, 10954), // 79 settimeofday(tv:4, tz:4)
    (226, 6034), // 80 getgroups16(gidsetsize:4, grouplist:4)
    (679, 6034), // 81 setgroups16(gidsetsize:4, grouplist:4)
    (486, 449), // 82 old_select(arg:4)
    (757, 7514), // 83 symlink(oldname:4, newname:4)
    (347, 5530), // 84 lstat(filename:4, statbuf:4)
    (581, 7851), // 85 readlink(path:4, buf:4, bufsiz:4)
    (857, 6433), // 86 uselib(library:4)
    (756, 10178), // 87 swapon(specialfile:4, swap_flags:4)
    (584, 6444), // 88 reboot(magic1:4, magic2:4, cmd:4, arg:4)
    (484, 3315), // 89 old_readdir(fd:4, dirent:4, count:4)
    (482, 449), // 90 old_mmap(arg:4)
    (418, 178), // 91 munmap(addr:4, len:4)
    (806, 7874), // 92 truncate(path:4, length:4)
    (196, 3474), // 93 ftruncate(fd:4, length:4)
    (153, 3778), // 94 fchmod(fd:4, mode:2)
    (157, 4971), // 95 fchown16(fd:4, user:2, group:2)
    (235, 12386), // 96 getpriority(which:4, who:4)
    (685, 12411), // 97 setpriority(which:4, who:4, niceval:4)
    (562, 0), // 98 profil()
    (744, 7930), // 99 statfs(pathname:4, buf:4)
    (192, 2906), // 100 fstatfs(fd:4, buf:4)
    (300, 5819), // 101 ioperm(from:4, num:4, turn_on:4)
    (733, 730), // 102 socketcall(call:4, args:4)
    (766, 10995), // 103 syslog(type:4, buf:4, len:4)
    (682, 12339), // 104 setitimer(which:4, value:4, ovalue:4)
    (228, 12338), // 105 getitimer(which:4, value:4)
    (443, 5530), // 106 newstat(filename:4, statbuf:4)
    (439, 5530), // 107 newlstat(filename:4, statbuf:4)
    (437, 4458), // 108 newfstat(fd:4, statbuf:4)
    (843, 7217), // 109 uname(name:4)
    (301, 6425), // 110 iopl(level:4)
    (889, 0), // 111 vhangup()
    (268, 0), // 112 idle()
    (892, 11969), // 113 vm86old(user_vm86:4)
    (895, 11908), // 114 wait4(upid:4, stat_addr:4, options:4, ru:4)
    (755, 10177), // 115 swapoff(specialfile:4)
    (765, 6281), // 116 sysinfo(info:4)
    (305, 750), // 117 ipc(call:4, first:4, second:4, third:4, ptr:4, fifth:4)
    (194, 2889), // 118 fsync(fd:4)
    (727, 0), // 119 sigreturn()
    (79, 813), // 120 clone(clone_flags:4, newsp:4, parent_tidptr:4, tls:4, child_tidptr:4)
    (668, 7234), // 121 setdomainname(name:4, len:4)
    (444, 7217), // 122 newuname(name:4)
    (382, 5971), // 123 modify_ldt(func:4, ptr:4, bytecount:4)
    (20, 12105), // 124 adjtimex_time32(utp:4)
    (388, 10315), // 125 mprotect(start:4, len:4, prot:4)
    (726, 6163), // 126 sigprocmask(how:4, nset:4, oset:4)
    (96, 0), // 127 create_module()
    (276, 11755), // 128 init_module(umod:4, len:4, uargs:4)
    (105, 7282), // 129 delete_module(name_user:4, flags:4)
    (208, 0), // 130 get_kernel_syms()
    (576, 972), // 131 quotactl(cmd:4, special:4, id:4, addr:4)
    (230, 8153), // 132 getpgid(pid:4)
    (152, 2889), // 133 fchdir(fd:4)
    (40, 0), // 134 bdflush()
    (764, 7619), // 135 sysfs(option:4, arg1:4, arg2:4)
    (524, 8145), // 136 personality(personality:4)
    (22, 0), // 137 afs_syscall()
    (673, 11737), // 138 setfsuid16(uid:2)
    (670, 6017), // 139 setfsgid16(gid:2)
    (338, 4221), // 140 llseek(fd:4, offset_high:4, offset_low:4, result:4, whence:4)
    (214, 3315), // 141 getdents(fd:4, dirent:4, count:4)
    (649, 7093), // 142 select(n:4, inp:4, outp:4, exp:4, tvp:4)
    (177, 3058), // 143 flock(fd:4, cmd:4)
    (415, 10211), // 144 msync(start:4, len:4, flags:4)
    (583, 5115), // 145 readv(fd:4, vec:4, vlen:4)
    (905, 5115), // 146 writev(fd:4, vec:4, vlen:4)
    (245, 8153), // 147 getsid(pid:4)
    (165, 2889), // 148 fdatasync(fd:4)
    (7, 0), // 149 _sysctl()
    (372, 10210), // 150 mlock(start:4, len:4)
    (416, 10210), // 151 munlock(start:4, len:4)
    (374, 5769), // 152 mlockall(flags:4)
    (417, 0), // 153 munlockall()
    (641, 8554), // 154 sched_setparam(pid:4, param:4)
    (634, 8554), // 155 sched_getparam(pid:4, param:4)
    (642, 8603), // 156 sched_setscheduler(pid:4, policy:4, param:4)
    (635, 8153), // 157 sched_getscheduler(pid:4)
    (643, 0), // 158 sched_yield()
    (630, 9169), // 159 sched_get_priority_max(policy:4)
    (631, 9169), // 160 sched_get_priority_min(policy:4)
    (637, 8218), // 161 sched_rr_get_interval_time32(pid:4, interval:4)
    (426, 9570), // 162 nanosleep_time32(rqtp:4, rmtp:4)
    (401, 229), // 163 mremap(addr:4, old_len:4, new_len:4, flags:4, new_addr:4)
    (693, 9667), // 164 setresuid16(ruid:2, euid:2, suid:2)
    (241, 9715), // 165 getresuid16(ruidp:4, euidp:4, suidp:4)
    (891, 930), // 166 vm86(cmd:4, arg:4)
    (575, 0), // 167 query_module()
    (543, 11611), // 168 poll(ufds:4, nfds:4, timeout_msecs:4)
    (446, 0), // 169 nfsservctl()
    (690, 9475), // 170 setresgid16(rgid:2, egid:2, sgid:2)
    (238, 9523), // 171 getresgid16(rgidp:4, egidp:4, sgidp:4)
    (552, 7669), // 172 prctl(option:4, arg2:4, arg3:4, arg4:4, arg5:4)
    (617, 0), // 173 rt_sigreturn()
    (613, 10092), // 174 rt_sigaction(sig:4, act:4, oact:4, sigsetsize:4)
    (615, 6164), // 175 rt_sigprocmask(how:4, nset:4, oset:4, sigsetsize:4)
    (614, 11978), // 176 rt_sigpending(uset:4, sigsetsize:4)
    (620, 12044), // 177 rt_sigtimedwait_time32(uthese:4, uinfo:4, uts:4, sigsetsize:4)
    (616, 8715), // 178 rt_sigqueueinfo(pid:4, sig:4, uinfo:4)
    (618, 11834), // 179 rt_sigsuspend(unewset:4, sigsetsize:4)
    (553, 4661), // 180 pread64(fd:4, ubuf:4, count:4, poslo:4, poshi:4)
    (572, 4661), // 181 pwrite64(fd:4, ubuf:4, count:4, poslo:4, poshi:4)
    (60, 5563), // 182 chown16(filename:4, user:2, group:2)
    (213, 698), // 183 getcwd(buf:4, size:4)
    (54, 6114), // 184 capget(header:4, dataptr:4)
    (55, 6098), // 185 capset(header:4, data:4)
    (720, 12010), // 186 sigaltstack(uss:4, uoss:4)
    (658, 7748), // 187 sendfile(out_fd:4, in_fd:4, offset:4, count:4)
    (233, 0), // 188 getpmsg()
    (571, 0), // 189 putpmsg()
    (888, 0), // 190 vfork()
    (243, 9442), // 191 getrlimit(resource:4, rlim:4)
    (377, 182), // 192 mmap_pgoff(addr:4, len:4, prot:4, flags:4, fd:4, pgoff:4)
    (807, 5507), // 193 truncate64(filename:4, offset_low:4, offset_high:4)
    (197, 4299), // 194 ftruncate64(fd:4, offset_low:4, offset_high:4)
    (741, 5530), // 195 stat64(filename:4, statbuf:4)
    (348, 5530), // 196 lstat64(filename:4, statbuf:4)
    (190, 4458), // 197 fstat64(fd:4, statbuf:4)
    (316, 5587), // 198 lchown(filename:4, user:4, group:4)
    (250, 0), // 199 getuid()
    (222, 0), // 200 getgid()
    (219, 0), // 201 geteuid()
    (216, 0), // 202 getegid()
    (695, 9690), // 203 setreuid(ruid:4, euid:4)
    (686, 9498), // 204 setregid(rgid:4, egid:4)
    (225, 6034), // 205 getgroups(gidsetsize:4, grouplist:4)
    (678, 6034), // 206 setgroups(gidsetsize:4, grouplist:4)
    (156, 4995), // 207 fchown(fd:4, user:4, group:4)
    (692, 9691), // 208 setresuid(ruid:4, euid:4, suid:4)
    (240, 9715), // 209 getresuid(ruidp:4, euidp:4, suidp:4)
    (689, 9499), // 210 setresgid(rgid:4, egid:4, sgid:4)
    (237, 9523), // 211 getresgid(rgidp:4, egidp:4, sgidp:4)
    (59, 5587), // 212 chown(filename:4, user:4, group:4)
    (703, 11745), // 213 setuid(uid:4)
    (675, 6025), // 214 setgid(gid:4)
    (672, 11745), // 215 setfsuid(uid:4)
    (669, 6025), // 216 setfsgid(gid:4)
    (536, 7314), // 217 pivot_root(new_root:4, put_old:4)
    (367, 10347), // 218 mincore(start:4, len:4, vec:4)
    (350, 10371), // 219 madvise(start:4, len_in:4, behavior:4)
    (215, 3315), // 220 getdents64(fd:4, dirent:4, count:4)
    (161, 3139), // 221 fcntl64(fd:4, cmd:4, arg:4)
    (248, 0), // 224 gettid()
    (579, 4004), // 225 readahead(fd:4, off_lo:4, off_hi:4, count:4)
    (706, 7989), // 226 setxattr(pathname:4, name:4, value:4, size:4, flags:4)
    (343, 7989), // 227 lsetxattr(pathname:4, name:4, value:4, size:4, flags:4)
    (185, 3925), // 228 fsetxattr(fd:4, name:4, value:4, size:4, flags:4)
    (253, 7988), // 229 getxattr(pathname:4, name:4, value:4, size:4)
    (328, 7988), // 230 lgetxattr(pathname:4, name:4, value:4, size:4)
    (168, 3924), // 231 fgetxattr(fd:4, name:4, value:4, size:4)
    (336, 7947), // 232 listxattr(pathname:4, list:4, size:4)
    (337, 7947), // 233 llistxattr(pathname:4, list:4, size:4)
    (176, 3627), // 234 flistxattr(fd:4, list:4, size:4)
    (591, 7986), // 235 removexattr(pathname:4, name:4)
    (341, 7986), // 236 lremovexattr(pathname:4, name:4)
    (179, 3922), // 237 fremovexattr(fd:4, name:4)
    (798, 8714), // 238 tkill(pid:4, sig:4)
    (659, 7748), // 239 sendfile64(out_fd:4, in_fd:4, offset:4, count:4)
    (201, 11150), // 240 futex_time32(uaddr:4, op:4, val:4, utime:4, uaddr2:4, val3:4)
    (639, 8251), // 241 sched_setaffinity(pid:4, len:4, user_mask_ptr:4)
    (632, 8251), // 242 sched_getaffinity(pid:4, len:4, user_mask_ptr:4)
    (666, 11041), // 243 set_thread_area(u_info:4)
    (211, 11041), // 244 get_thread_area(u_info:4)
    (292, 7354), // 245 io_setup(nr_events:4, ctxp:4)
    (286, 1145), // 246 io_destroy(ctx:4)
    (288, 1189), // 247 io_getevents_time32(ctx_id:4, min_nr:4, nr:4, events:4, timeout:4)
    (293, 1235), // 248 io_submit(ctx_id:4, nr:4, iocbpp:4)
    (285, 1163), // 249 io_cancel(ctx_id:4, iocb:4, result:4)
    (145, 4261), // 250 fadvise64(fd:4, offset_lo:4, offset_hi:4, len:4, advice:4)
    (141, 2729), // 252 exit_group(error_code:4)
    (340, 0), // 253 lookup_dcookie()
    (122, 10169), // 254 epoll_create(size:4)
    (124, 2668), // 255 epoll_ctl(epfd:4, op:4, fd:4, event:4)
    (128, 2524), // 256 epoll_wait(epfd:4, events:4, maxevents:4, timeout:4)
    (590, 10397), // 257 remap_file_pages(start:4, size:4, prot:4, pgoff:4, flags:4)
    (667, 10785), // 258 set_tid_address(tidptr:4)
    (779, 12499), // 259 timer_create(which_clock:4, timer_event_spec:4, created_timer_id:4)
    (788, 10804), // 260 timer_settime32(timer_id:4, flags:4, new:4, old:4)
    (784, 10898), // 261 timer_gettime32(timer_id:4, setting:4)
    (782, 10801), // 262 timer_getoverrun(timer_id:4)
    (780, 10801), // 263 timer_delete(timer_id:4)
    (76, 12546), // 264 clock_settime32(which_clock:4, tp:4)
    (70, 12546), // 265 clock_gettime32(which_clock:4, tp:4)
    (67, 12546), // 266 clock_getres_time32(which_clock:4, tp:4)
    (73, 12436), // 267 clock_nanosleep_time32(which_clock:4, flags:4, rqtp:4, rmtp:4)
    (745, 8027), // 268 statfs64(pathname:4, sz:4, buf:4)
    (193, 4491), // 269 fstatfs64(fd:4, sz:4, buf:4)
    (772, 10723), // 270 tgkill(tgid:4, pid:4, sig:4)
    (879, 5546), // 271 utimes_time32(filename:4, t:4)
    (146, 4302), // 272 fadvise64_64(fd:4, offset_low:4, offset_high:4, len_low:4, len_high:4, advice:4)
    (894, 0), // 273 vserver()
    (360, 10270), // 274 mbind(start:4, len:4, mode:4, nmask:4, maxnode:4, flags:4)
    (209, 9173), // 275 get_mempolicy(policy:4, nmask:4, maxnode:4, addr:4, flags:4)
    (663, 6515), // 276 set_mempolicy(mode:4, nmask:4, maxnode:4)
    (392, 11052), // 277 mq_open(u_name:4, oflag:4, mode:2, u_attr:4)
    (399, 11049), // 278 mq_unlink(u_name:4)
    (397, 6661), // 279 mq_timedsend_time32(mqdes:4, u_msg_ptr:4, msg_len:4, msg_prio:4, u_abs_timeout:4)
    (394, 6701), // 280 mq_timedreceive_time32(mqdes:4, u_msg_ptr:4, msg_len:4, u_msg_prio:4, u_abs_timeout:4)
    (391, 6818), // 281 mq_notify(mqdes:4, u_notification:4)
    (390, 6611), // 282 mq_getsetattr(mqdes:4, u_mqstat:4, u_omqstat:4)
    (309, 2460), // 283 kexec_load(entry:4, nr_segments:4, segments:4, flags:4)
    (897, 12261), // 284 waitid(which:4, upid:4, infop:4, options:4, ru:4)
    (15, 69), // 286 add_key(_type:4, _description:4, _payload:4, plen:4, ringid:4)
    (597, 36), // 287 request_key(_type:4, _description:4, _callout_info:4, destringid:4)
    (311, 7669), // 288 keyctl(option:4, arg2:4, arg3:4, arg4:4, arg5:4)
    (304, 12387), // 289 ioprio_set(which:4, who:4, ioprio:4)
    (303, 12386), // 290 ioprio_get(which:4, who:4)
    (280, 0), // 291 inotify_init()
    (279, 4411), // 292 inotify_add_watch(fd:4, pathname:4, mask:4)
    (282, 5162), // 293 inotify_rm_watch(fd:4, wd:4)
    (364, 8396), // 294 migrate_pages(pid:4, maxnode:4, old_nodes:4, new_nodes:4)
    (502, 1508), // 295 openat(dfd:4, filename:4, flags:4, mode:2)
    (369, 2323), // 296 mkdirat(dfd:4, pathname:4, mode:2)
    (371, 1572), // 297 mknodat(dfd:4, filename:4, mode:2, dev:4)
    (159, 1733), // 298 fchownat(dfd:4, filename:4, user:4, group:4, flag:4)
    (207, 1699), // 299 futimesat_time32(dfd:4, filename:4, t:4)
    (191, 1668), // 300 fstatat64(dfd:4, filename:4, statbuf:4, flag:4)
    (846, 2299), // 301 unlinkat(dfd:4, pathname:4, flag:4)
    (593, 7388), // 302 renameat(olddfd:4, oldname:4, newdfd:4, newname:4)
    (331, 7389), // 303 linkat(olddfd:4, oldname:4, newdfd:4, newname:4, flags:4)
    (758, 7491), // 304 symlinkat(oldname:4, newdfd:4, newname:4)
    (582, 2268), // 305 readlinkat(dfd:4, pathname:4, buf:4, bufsiz:4)
    (154, 1571), // 306 fchmodat(dfd:4, filename:4, mode:2)
    (143, 1635), // 307 faccessat(dfd:4, filename:4, mode:4)
    (566, 7046), // 308 pselect6_time32(n:4, inp:4, outp:4, exp:4, tsp:4, sig:4)
    (550, 11637), // 309 ppoll_time32(ufds:4, nfds:4, tsp:4, sigmask:4, sigsetsize:4)
    (847, 11865), // 310 unshare(unshare_flags:4)
    (665, 6066), // 311 set_robust_list(head:4, len:4)
    (210, 8171), // 312 get_robust_list(pid:4, head_ptr:4, len_ptr:4)
    (737, 5230), // 313 splice(fd_in:4, off_in:4, fd_out:4, off_out:4, len:4, flags:4)
    (760, 4038), // 314 sync_file_range(fd:4, off_low:4, off_hi:4, n_low:4, n_hi:4, flags:4)
    (770, 5324), // 315 tee(fdin:4, fdout:4, len:4, flags:4)
    (893, 4796), // 316 vmsplice(fd:4, uiov:4, nr_segs:4, flags:4)
    (387, 8462), // 317 move_pages(pid:4, nr_pages:4, pages:4, nodes:4, status:4, flags:4)
    (212, 1099), // 318 getcpu(cpup:4, nodep:4, unused:4)
    (126, 2526), // 319 epoll_pwait(epfd:4, events:4, maxevents:4, timeout:4, sigmask:4, sigsetsize:4)
    (876, 1700), // 320 utimensat_time32(dfd:4, filename:4, t:4, flags:4)
    (723, 11547), // 321 signalfd(ufd:4, user_mask:4, sizemask:4)
    (790, 794), // 322 timerfd_create(clockid:4, flags:4)
    (135, 1081), // 323 eventfd(count:4)
    (147, 3830), // 324 fallocate(fd:4, mode:4, offset_lo:4, offset_hi:4, len_lo:4, len_hi:4)
    (795, 11452), // 325 timerfd_settime32(ufd:4, flags:4, utmr:4, otmr:4)
    (792, 11514), // 326 timerfd_gettime32(ufd:4, otmr:4)
    (724, 11548), // 327 signalfd4(ufd:4, user_mask:4, sizemask:4, flags:4)
    (136, 1082), // 328 eventfd2(count:4, flags:4)
    (123, 5769), // 329 epoll_create1(flags:4)
    (114, 7467), // 330 dup3(oldfd:4, newfd:4, flags:4)
    (535, 5386), // 331 pipe2(fildes:4, flags:4)
    (281, 5769), // 332 inotify_init1(flags:4)
    (554, 5117), // 333 preadv(fd:4, vec:4, vlen:4, pos_l:4, pos_h:4)
    (573, 5117), // 334 pwritev(fd:4, vec:4, vlen:4, pos_l:4, pos_h:4)
    (622, 10724), // 335 rt_tgsigqueueinfo(tgid:4, pid:4, sig:4, uinfo:4)
    (523, 605), // 336 perf_event_open(attr_uptr:4, pid:4, cpu:4, group_fd:4, flags:4)
    (587, 3701), // 337 recvmmsg_time32(fd:4, mmsg:4, vlen:4, flags:4, timeout:4)
    (150, 5770), // 338 fanotify_init(flags:4, event_f_flags:4)
    (151, 2846), // 339 fanotify_mark(fanotify_fd:4, flags:4, mask_lo:4, mask_hi:4, dfd:4, pathname:4)
    (556, 8652), // 340 prlimit64(pid:4, resource:4, new_rlim:4, old_rlim:4)
    (423, 2109), // 341 name_to_handle_at(dfd:4, name:4, handle:4, mnt_id:4, flag:4)
    (500, 6563), // 342 open_by_handle_at(mountdirfd:4, handle:4, flags:4)
    (64, 12578), // 343 clock_adjtime32(which_clock:4, utp:4)
    (762, 2889), // 344 syncfs(fd:4)
    (660, 3700), // 345 sendmmsg(fd:4, mmsg:4, vlen:4, flags:4)
    (683, 3442), // 346 setns(fd:4, flags:4)
    (559, 8302), // 347 process_vm_readv(pid:4, lvec:4, liovcnt:4, rvec:4, riovcnt:4, flags:4)
    (560, 8302), // 348 process_vm_writev(pid:4, lvec:4, liovcnt:4, rvec:4, riovcnt:4, flags:4)
    (306, 8901), // 349 kcmp(pid1:4, pid2:4, type:4, idx1:4, idx2:4)
    (172, 4611), // 350 finit_module(fd:4, uargs:4, flags:4)
    (640, 8787), // 351 sched_setattr(pid:4, uattr:4, flags:4)
    (633, 8812), // 352 sched_getattr(pid:4, uattr:4, usize:4, flags:4)
    (594, 7389), // 353 renameat2(olddfd:4, oldname:4, newdfd:4, newname:4, flags:4)
    (644, 7571), // 354 seccomp(op:4, flags:4, uargs:4)
    (236, 11403), // 355 getrandom(ubuf:4, len:4, flags:4)
    (362, 11802), // 356 memfd_create(uname:4, flags:4)
    (43, 1035), // 357 bpf(cmd:4, uattr:4, size:4)
    (139, 3365), // 358 execveat(fd:4, filename:4, argv:4, envp:4, flags:4)
    (732, 2739), // 359 socket(family:4, type:4, protocol:4)
    (734, 2740), // 360 socketpair(family:4, type:4, protocol:4, usockvec:4)
    (42, 4859), // 361 bind(fd:4, umyaddr:4, addrlen:4)
    (87, 5019), // 362 connect(fd:4, uservaddr:4, addrlen:4)
    (334, 2890), // 363 listen(fd:4, backlog:4)
    (11, 4908), // 364 accept4(fd:4, upeer_sockaddr:4, upeer_addrlen:4, flags:4)
    (247, 3509), // 365 getsockopt(fd:4, level:4, optname:4, optval:4, optlen:4)
    (700, 3509), // 366 setsockopt(fd:4, level:4, optname:4, optval:4, optlen:4)
    (246, 5067), // 367 getsockname(fd:4, usockaddr:4, usockaddr_len:4)
    (229, 5067), // 368 getpeername(fd:4, usockaddr:4, usockaddr_len:4)
    (662, 2966), // 369 sendto(fd:4, buff:4, len:4, flags:4, addr:4, addr_len:4)
    (661, 3875), // 370 sendmsg(fd:4, msg:4, flags:4)
    (585, 4702), // 371 recvfrom(fd:4, ubuf:4, size:4, flags:4, addr:4, addr_len:4)
    (589, 3875), // 372 recvmsg(fd:4, msg:4, flags:4)
    (717, 3458), // 373 shutdown(fd:4, how:4)
    (862, 5769), // 374 userfaultfd(flags:4)
    (361, 947), // 375 membarrier(cmd:4, flags:4, cpu_id:4)
    (373, 10211), // 376 mlock2(start:4, len:4, flags:4)
    (88, 5230), // 377 copy_file_range(fd_in:4, off_in:4, fd_out:4, off_out:4, len:4, flags:4)
    (555, 5118), // 378 preadv2(fd:4, vec:4, vlen:4, pos_l:4, pos_h:4, flags:4)
    (574, 5118), // 379 pwritev2(fd:4, vec:4, vlen:4, pos_l:4, pos_h:4, flags:4)
    (540, 10316), // 380 pkey_mprotect(start:4, len:4, prot:4, pkey:4)
    (538, 5786), // 381 pkey_alloc(flags:4, init_val:4)
    (539, 9161), // 382 pkey_free(pkey:4)
    (748, 1469), // 383 statx(dfd:4, filename:4, flags:4, mask:4, buffer:4)
    (24, 7666), // 384 arch_prctl(option:4, arg2:4)
    (290, 1190), // 385 io_pgetevents_time32(ctx_id:4, min_nr:4, nr:4, events:4, timeout:4, usig:4)
    (611, 9604), // 386 rseq(rseq:4, rseq_len:4, flags:4, sig:4)
    (652, 6355), // 393 semget(key:4, nsems:4, semflg:4)
    (650, 9852), // 394 semctl(semid:4, semnum:4, cmd:4, arg:4)
    (715, 6379), // 395 shmget(key:4, size:4, shmflg:4)
    (712, 9995), // 396 shmctl(shmid:4, cmd:4, buf:4)
    (711, 10043), // 397 shmat(shmid:4, shmaddr:4, shmflg:4)
    (713, 9977), // 398 shmdt(shmaddr:4)
    (408, 6338), // 399 msgget(key:4, msgflg:4)
    (411, 6900), // 400 msgsnd(msqid:4, msgp:4, msgsz:4, msgflg:4)
    (410, 6933), // 401 msgrcv(msqid:4, msgp:4, msgsz:4, msgtyp:4, msgflg:4)
    (406, 6851), // 402 msgctl(msqid:4, cmd:4, buf:4)
    (71, 12546), // 403 clock_gettime64(which_clock:4, tp:4)
    (77, 12546), // 404 clock_settime64(which_clock:4, tp:4)
    (65, 12594), // 405 clock_adjtime64(which_clock:4, utx:4)
    (68, 12546), // 406 clock_getres_time64(which_clock:4, tp:4)
    (74, 12436), // 407 clock_nanosleep_time64(which_clock:4, flags:4, rqtp:4, rmtp:4)
    (785, 10898), // 408 timer_gettime64(timer_id:4, setting:4)
    (789, 10836), // 409 timer_settime64(timer_id:4, flags:4, new_setting:4, old_setting:4)
    (793, 11514), // 410 timerfd_gettime64(ufd:4, otmr:4)
    (796, 11452), // 411 timerfd_settime64(ufd:4, flags:4, utmr:4, otmr:4)
    (877, 1772), // 412 utimensat_time64(dfd:4, filename:4, utimes:4, flags:4)
    (567, 7046), // 413 pselect6_time64(n:4, inp:4, outp:4, exp:4, tsp:4, sig:4)
    (551, 11637), // 414 ppoll_time64(ufds:4, nfds:4, tsp:4, sigmask:4, sigsetsize:4)
    (289, 1190), // 416 io_pgetevents(ctx_id:4, min_nr:4, nr:4, events:4, timeout:4, usig:4)
    (588, 3701), // 417 recvmmsg_time64(fd:4, mmsg:4, vlen:4, flags:4, timeout:4)
    (398, 6661), // 418 mq_timedsend_time64(mqdes:4, u_msg_ptr:4, msg_len:4, msg_prio:4, u_abs_timeout:4)
    (395, 6701), // 419 mq_timedreceive_time64(mqdes:4, u_msg_ptr:4, msg_len:4, u_msg_prio:4, u_abs_timeout:4)
    (656, 9916), // 420 semtimedop(semid:4, tsops:4, nsops:4, timeout:4)
    (621, 12044), // 421 rt_sigtimedwait_time64(uthese:4, uinfo:4, uts:4, sigsetsize:4)
    (202, 11150), // 422 futex_time64(uaddr:4, op:4, val:4, utime:4, uaddr2:4, val3:4)
    (638, 8218), // 423 sched_rr_get_interval_time64(pid:4, interval:4)
    (533, 9020), // 424 pidfd_send_signal(pidfd:4, sig:4, info:4, flags:4)
    (296, 2426), // 425 io_uring_setup(entries:4, params:4)
    (294, 4518), // 426 io_uring_enter(fd:4, to_submit:4, min_complete:4, flags:4, argp:4, argsz:4)
    (295, 4348), // 427 io_uring_register(fd:4, opcode:4, arg:4, nr_args:4)
    (501, 1467), // 428 open_tree(dfd:4, filename:4, flags:4)
    (386, 5869), // 429 move_mount(from_dfd:4, from_pathname:4, to_dfd:4, to_pathname:4, flags:4)
    (187, 2), // 430 fsopen(_fs_name:4, flags:4)
    (184, 3061), // 431 fsconfig(fd:4, cmd:4, _key:4, _value:4, aux:4)
    (186, 5947), // 432 fsmount(fs_fd:4, flags:4, attr_flags:4)
    (188, 2187), // 433 fspick(dfd:4, path:4, flags:4)
    (532, 8154), // 434 pidfd_open(pid:4, flags:4)
    (80, 11370), // 435 clone3(uargs:4, size:4)
    (83, 3675), // 436 close_range(fd:4, max_fd:4, flags:4)
    (503, 1540), // 437 openat2(dfd:4, filename:4, how:4, usize:4)
    (531, 8979), // 438 pidfd_getfd(pidfd:4, fd:4, flags:4)
    (144, 1636), // 439 faccessat2(dfd:4, filename:4, mode:4, flags:4)
    (557, 9085), // 440 process_madvise(pidfd:4, vec:4, vlen:4, behavior:4, flags:4)
    (127, 2526), // 441 epoll_pwait2(epfd:4, events:4, maxevents:4, timeout:4, sigmask:4, sigsetsize:4)
    (384, 2189), // 442 mount_setattr(dfd:4, path:4, flags:4, uattr:4, usize:4)
    (577, 3188), // 443 quotactl_fd(fd:4, cmd:4, id:4, addr:4)
    (314, 555), // 444 landlock_create_ruleset(attr:4, size:4, flags:4)
    (313, 9780), // 445 landlock_add_rule(ruleset_fd:4, rule_type:4, rule_attr:4, flags:4)
    (315, 9762), // 446 landlock_restrict_self(ruleset_fd:4, flags:4)
    (363, 5769), // 447 memfd_secret(flags:4)
    (558, 9002), // 448 process_mrelease(pidfd:4, flags:4)
    (204, 12149), // 449 futex_waitv(waiters:4, nr_futexes:4, flags:4, timeout:4, clockid:4)
    (664, 10236), // 450 set_mempolicy_home_node(start:4, len:4, home_node:4, flags:4)
    (52, 3252), // 451 cachestat(fd:4, cstat_range:4, cstat:4, flags:4)
    (155, 1604), // 452 fchmodat2(dfd:4, filename:4, mode:2, flags:4)
    (353, 267), // 453 map_shadow_stack(addr:4, size:4, flags:4)
    (205, 11116), // 454 futex_wake(uaddr:4, mask:4, nr:4, flags:4)
    (203, 11198), // 455 futex_wait(uaddr:4, val:4, mask:4, flags:4, timeout:4, clockid:4)
    (200, 12116), // 456 futex_requeue(waiters:4, flags:4, nr_wake:4, nr_requeue:4)
    (746, 9252), // 457 statmount(req:4, buf:4, bufsize:4, flags:4)
    (335, 9284), // 458 listmount(req:4, mnt_ids:4, nr_mnt_ids:4, flags:4)
    (344, 460), // 459 lsm_get_self_attr(attr:4, ctx:4, size:4, flags:4)
    (346, 460), // 460 lsm_set_self_attr(attr:4, ctx:4, size:4, flags:4)
    (345, 6227), // 461 lsm_list_modules(ids:4, size:4, flags:4)
    (402, 10211), // 462 mseal(start:4, len:4, flags:4)
];
pub static ALIASES: [(u16, u16); 59] = [
    (4, 338), // _llseek -> llseek
    (5, 649), // _newselect -> select
    (19, 20), // adjtimex -> adjtimex_time32
    (61, 59), // chown32 -> chown
    (63, 64), // clock_adjtime -> clock_adjtime32
    (66, 67), // clock_getres -> clock_getres_time32
    (69, 70), // clock_gettime -> clock_gettime32
    (72, 73), // clock_nanosleep -> clock_nanosleep_time32
    (75, 76), // clock_settime -> clock_settime32
    (158, 156), // fchown32 -> fchown
    (199, 201), // futex -> futex_time32
    (206, 207), // futimesat -> futimesat_time32
    (218, 216), // getegid32 -> getegid
    (221, 219), // geteuid32 -> geteuid
    (224, 222), // getgid32 -> getgid
    (227, 225), // getgroups32 -> getgroups
    (239, 237), // getresgid32 -> getresgid
    (242, 240), // getresuid32 -> getresuid
    (252, 250), // getuid32 -> getuid
    (287, 288), // io_getevents -> io_getevents_time32
    (291, 289), // io_pgetevents_time64 -> io_pgetevents
    (318, 316), // lchown32 -> lchown
    (375, 482), // mmap -> old_mmap
    (376, 377), // mmap2 -> mmap_pgoff
    (393, 394), // mq_timedreceive -> mq_timedreceive_time32
    (396, 397), // mq_timedsend -> mq_timedsend_time32
    (425, 426), // nanosleep -> nanosleep_time32
    (490, 189), // oldfstat -> fstat
    (491, 347), // oldlstat -> lstat
    (493, 496), // oldolduname -> olduname
    (494, 740), // oldstat -> stat
    (549, 550), // ppoll -> ppoll_time32
    (565, 566), // pselect6 -> pselect6_time32
    (580, 484), // readdir -> old_readdir
    (586, 587), // recvmmsg -> recvmmsg_time32
    (619, 620), // rt_sigtimedwait -> rt_sigtimedwait_time32
    (636, 637), // sched_rr_get_interval -> sched_rr_get_interval_time32
    (657, 656), // semtimedop_time64 -> semtimedop
    (671, 669), // setfsgid32 -> setfsgid
    (674, 672), // setfsuid32 -> setfsuid
    (677, 675), // setgid32 -> setgid
    (680, 678), // setgroups32 -> setgroups
    (688, 686), // setregid32 -> setregid
    (691, 689), // setresgid32 -> setresgid
    (694, 692), // setresuid32 -> setresuid
    (697, 695), // setreuid32 -> setreuid
    (705, 703), // setuid32 -> setuid
    (749, 750), // stime -> stime32
    (763, 7), // sysctl -> _sysctl
    (775, 776), // time -> time32
    (783, 784), // timer_gettime -> timer_gettime32
    (787, 788), // timer_settime -> timer_settime32
    (791, 792), // timerfd_gettime -> timerfd_gettime32
    (794, 795), // timerfd_settime -> timerfd_settime32
    (833, 243), // ugetrlimit -> getrlimit
    (841, 840), // umount2 -> umount
    (873, 874), // utime -> utime32
    (875, 876), // utimensat -> utimensat_time32
    (878, 879), // utimes -> utimes_time32
];
pub static NR_NAMES: [(u16, u16); 86] = [
    (4, 140), // _llseek
    (5, 142), // _newselect
    (19, 124), // adjtimex
    (59, 182), // chown
    (61, 212), // chown32
    (63, 343), // clock_adjtime
    (66, 266), // clock_getres
    (69, 265), // clock_gettime
    (72, 267), // clock_nanosleep
    (75, 264), // clock_settime
    (156, 95), // fchown
    (158, 207), // fchown32
    (189, 108), // fstat
    (199, 240), // futex
    (206, 299), // futimesat
    (216, 50), // getegid
    (218, 202), // getegid32
    (219, 49), // geteuid
    (221, 201), // geteuid32
    (222, 47), // getgid
    (224, 200), // getgid32
    (225, 80), // getgroups
    (227, 205), // getgroups32
    (237, 171), // getresgid
    (239, 211), // getresgid32
    (240, 165), // getresuid
    (242, 209), // getresuid32
    (243, 76), // getrlimit
    (250, 24), // getuid
    (252, 199), // getuid32
    (287, 247), // io_getevents
    (289, 385), // io_pgetevents
    (291, 416), // io_pgetevents_time64
    (316, 16), // lchown
    (318, 198), // lchown32
    (347, 107), // lstat
    (375, 90), // mmap
    (376, 192), // mmap2
    (393, 280), // mq_timedreceive
    (396, 279), // mq_timedsend
    (425, 162), // nanosleep
    (490, 28), // oldfstat
    (491, 84), // oldlstat
    (493, 59), // oldolduname
    (494, 18), // oldstat
    (496, 109), // olduname
    (549, 309), // ppoll
    (565, 308), // pselect6
    (580, 89), // readdir
    (586, 337), // recvmmsg
    (619, 177), // rt_sigtimedwait
    (636, 161), // sched_rr_get_interval
    (649, 82), // select
    (657, 420), // semtimedop_time64
    (669, 139), // setfsgid
    (671, 216), // setfsgid32
    (672, 138), // setfsuid
    (674, 215), // setfsuid32
    (675, 46), // setgid
    (677, 214), // setgid32
    (678, 81), // setgroups
    (680, 206), // setgroups32
    (686, 71), // setregid
    (688, 204), // setregid32
    (689, 170), // setresgid
    (691, 210), // setresgid32
    (692, 164), // setresuid
    (694, 208), // setresuid32
    (695, 70), // setreuid
    (697, 203), // setreuid32
    (703, 23), // setuid
    (705, 213), // setuid32
    (740, 106), // stat
    (749, 25), // stime
    (775, 13), // time
    (783, 261), // timer_gettime
    (787, 260), // timer_settime
    (791, 326), // timerfd_gettime
    (794, 325), // timerfd_settime
    (833, 191), // ugetrlimit
    (840, 22), // umount
    (841, 52), // umount2
    (843, 122), // uname
    (873, 30), // utime
    (875, 320), // utimensat
    (878, 271), // utimes
];
