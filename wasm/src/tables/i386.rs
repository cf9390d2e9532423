// Generated from Linux 6.12.117 by wasm/gen/gen_syscalls.py; do not edit.
//! i386: (name, number, argument list) per syscall, sorted by name, and (alias, entry
//! point) pairs sorted by alias; indices into pool.rs (see mod.rs).
pub static SYSCALLS: [(u16, u16, u16); 452] = [
    (7, 149, 0), // _sysctl()
    (11, 364, 892), // accept4(fd:4, upeer_sockaddr:4, upeer_addrlen:4, flags:4)
    (12, 33, 1018), // access(filename:4, mode:4)
    (13, 51, 1318), // acct(name:4)
    (15, 286, 12), // add_key(_type:4, _description:4, _payload:4, plen:4, ringid:4)
    (20, 124, 2234), // adjtimex_time32(utp:4)
    (22, 137, 0), // afs_syscall()
    (23, 27, 1810), // alarm(seconds:4)
    (24, 384, 1413), // arch_prctl(option:4, arg2:4)
    (40, 134, 0), // bdflush()
    (42, 361, 884), // bind(fd:4, umyaddr:4, addrlen:4)
    (43, 357, 171), // bpf(cmd:4, uattr:4, size:4)
    (44, 17, 0), // break()
    (45, 45, 113), // brk(brk:4)
    (52, 451, 602), // cachestat(fd:4, cstat_range:4, cstat:4, flags:4)
    (54, 184, 1134), // capget(header:4, dataptr:4)
    (55, 185, 1131), // capset(header:4, data:4)
    (56, 12, 1001), // chdir(filename:4)
    (58, 15, 1011), // chmod(filename:4, mode:2)
    (59, 212, 1035), // chown(filename:4, user:4, group:4)
    (60, 182, 1031), // chown16(filename:4, user:2, group:2)
    (62, 61, 1001), // chroot(filename:4)
    (64, 343, 2319), // clock_adjtime32(which_clock:4, utp:4)
    (65, 405, 2322), // clock_adjtime64(which_clock:4, utx:4)
    (67, 266, 2313), // clock_getres_time32(which_clock:4, tp:4)
    (68, 406, 2313), // clock_getres_time64(which_clock:4, tp:4)
    (70, 265, 2313), // clock_gettime32(which_clock:4, tp:4)
    (71, 403, 2313), // clock_gettime64(which_clock:4, tp:4)
    (73, 267, 2295), // clock_nanosleep_time32(which_clock:4, flags:4, rqtp:4, rmtp:4)
    (74, 407, 2295), // clock_nanosleep_time64(which_clock:4, flags:4, rqtp:4, rmtp:4)
    (76, 264, 2313), // clock_settime32(which_clock:4, tp:4)
    (77, 404, 2313), // clock_settime64(which_clock:4, tp:4)
    (79, 120, 136), // clone(clone_flags:4, newsp:4, parent_tidptr:4, tls:4, child_tidptr:4)
    (80, 435, 2098), // clone3(uargs:4, size:4)
    (82, 6, 531), // close(fd:4)
    (83, 436, 670), // close_range(fd:4, max_fd:4, flags:4)
    (87, 362, 914), // connect(fd:4, uservaddr:4, addrlen:4)
    (88, 377, 967), // copy_file_range(fd_in:4, off_in:4, fd_out:4, off_out:4, len:4, flags:4)
    (95, 8, 1470), // creat(pathname:4, mode:2)
    (96, 127, 0), // create_module()
    (105, 129, 1334), // delete_module(name_user:4, flags:4)
    (112, 41, 991), // dup(fildes:4)
    (113, 63, 1376), // dup2(oldfd:4, newfd:4)
    (114, 330, 1379), // dup3(oldfd:4, newfd:4, flags:4)
    (122, 254, 1873), // epoll_create(size:4)
    (123, 329, 1072), // epoll_create1(flags:4)
    (124, 255, 492), // epoll_ctl(epfd:4, op:4, fd:4, event:4)
    (126, 319, 466), // epoll_pwait(epfd:4, events:4, maxevents:4, timeout:4, sigmask:4, sigsetsize:4)
    (127, 441, 466), // epoll_pwait2(epfd:4, events:4, maxevents:4, timeout:4, sigmask:4, sigsetsize:4)
    (128, 256, 461), // epoll_wait(epfd:4, events:4, maxevents:4, timeout:4)
    (135, 323, 179), // eventfd(count:4)
    (136, 328, 181), // eventfd2(count:4, flags:4)
    (138, 11, 1003), // execve(filename:4, argv:4, envp:4)
    (139, 358, 620), // execveat(fd:4, filename:4, argv:4, envp:4, flags:4)
    (140, 1, 502), // exit(error_code:4)
    (141, 252, 502), // exit_group(error_code:4)
    (143, 307, 290), // faccessat(dfd:4, filename:4, mode:4)
    (144, 439, 294), // faccessat2(dfd:4, filename:4, mode:4, flags:4)
    (145, 250, 787), // fadvise64(fd:4, offset_lo:4, offset_hi:4, len:4, advice:4)
    (146, 272, 797), // fadvise64_64(fd:4, offset_low:4, offset_high:4, len_low:4, len_high:4, advice:4)
    (147, 324, 704), // fallocate(fd:4, mode:4, offset_lo:4, offset_hi:4, len_lo:4, len_hi:4)
    (150, 338, 1074), // fanotify_init(flags:4, event_f_flags:4)
    (151, 339, 524), // fanotify_mark(fanotify_fd:4, flags:4, mask_lo:4, mask_hi:4, dfd:4, pathname:4)
    (152, 133, 531), // fchdir(fd:4)
    (153, 94, 696), // fchmod(fd:4, mode:2)
    (154, 306, 276), // fchmodat(dfd:4, filename:4, mode:2)
    (155, 452, 285), // fchmodat2(dfd:4, filename:4, mode:2, flags:4)
    (156, 207, 910), // fchown(fd:4, user:4, group:4)
    (157, 95, 906), // fchown16(fd:4, user:2, group:2)
    (159, 298, 313), // fchownat(dfd:4, filename:4, user:4, group:4, flag:4)
    (160, 55, 584), // fcntl(fd:4, cmd:4, arg:4)
    (161, 221, 584), // fcntl64(fd:4, cmd:4, arg:4)
    (165, 148, 531), // fdatasync(fd:4)
    (168, 231, 722), // fgetxattr(fd:4, name:4, value:4, size:4)
    (172, 350, 846), // finit_module(fd:4, uargs:4, flags:4)
    (176, 234, 662), // flistxattr(fd:4, list:4, size:4)
    (177, 143, 569), // flock(fd:4, cmd:4)
    (178, 2, 0), // fork()
    (179, 237, 719), // fremovexattr(fd:4, name:4)
    (184, 431, 572), // fsconfig(fd:4, cmd:4, _key:4, _value:4, aux:4)
    (185, 228, 727), // fsetxattr(fd:4, name:4, value:4, size:4, flags:4)
    (186, 432, 1103), // fsmount(fs_fd:4, flags:4, attr_flags:4)
    (187, 430, 1), // fsopen(_fs_name:4, flags:4)
    (188, 433, 399), // fspick(dfd:4, path:4, flags:4)
    (189, 28, 822), // fstat(fd:4, statbuf:4)
    (190, 197, 822), // fstat64(fd:4, statbuf:4)
    (191, 300, 299), // fstatat64(dfd:4, filename:4, statbuf:4, flag:4)
    (192, 100, 536), // fstatfs(fd:4, buf:4)
    (193, 269, 828), // fstatfs64(fd:4, sz:4, buf:4)
    (194, 118, 531), // fsync(fd:4)
    (195, 35, 0), // ftime()
    (196, 93, 638), // ftruncate(fd:4, length:4)
    (197, 194, 793), // ftruncate64(fd:4, offset_low:4, offset_high:4)
    (200, 456, 2236), // futex_requeue(waiters:4, flags:4, nr_wake:4, nr_requeue:4)
    (201, 240, 2065), // futex_time32(uaddr:4, op:4, val:4, utime:4, uaddr2:4, val3:4)
    (202, 422, 2065), // futex_time64(uaddr:4, op:4, val:4, utime:4, uaddr2:4, val3:4)
    (203, 455, 2072), // futex_wait(uaddr:4, val:4, mask:4, flags:4, timeout:4, clockid:4)
    (204, 449, 2241), // futex_waitv(waiters:4, nr_futexes:4, flags:4, timeout:4, clockid:4)
    (205, 454, 2060), // futex_wake(uaddr:4, mask:4, nr:4, flags:4)
    (207, 299, 304), // futimesat_time32(dfd:4, filename:4, t:4)
    (208, 130, 0), // get_kernel_syms()
    (209, 275, 1689), // get_mempolicy(policy:4, nmask:4, maxnode:4, addr:4, flags:4)
    (210, 312, 1524), // get_robust_list(pid:4, head_ptr:4, len_ptr:4)
    (211, 244, 2044), // get_thread_area(u_info:4)
    (212, 318, 184), // getcpu(cpup:4, nodep:4, unused:4)
    (213, 183, 117), // getcwd(buf:4, size:4)
    (214, 141, 612), // getdents(fd:4, dirent:4, count:4)
    (215, 220, 612), // getdents64(fd:4, dirent:4, count:4)
    (216, 202, 0), // getegid()
    (217, 50, 0), // getegid16()
    (219, 201, 0), // geteuid()
    (220, 49, 0), // geteuid16()
    (222, 200, 0), // getgid()
    (223, 47, 0), // getgid16()
    (225, 205, 1119), // getgroups(gidsetsize:4, grouplist:4)
    (226, 80, 1119), // getgroups16(gidsetsize:4, grouplist:4)
    (228, 105, 2270), // getitimer(which:4, value:4)
    (229, 368, 922), // getpeername(fd:4, usockaddr:4, usockaddr_len:4)
    (230, 132, 1519), // getpgid(pid:4)
    (231, 65, 0), // getpgrp()
    (232, 20, 0), // getpid()
    (233, 188, 0), // getpmsg()
    (234, 64, 0), // getppid()
    (235, 96, 2284), // getpriority(which:4, who:4)
    (236, 355, 2104), // getrandom(ubuf:4, len:4, flags:4)
    (237, 211, 1751), // getresgid(rgidp:4, egidp:4, sgidp:4)
    (238, 171, 1751), // getresgid16(rgidp:4, egidp:4, sgidp:4)
    (240, 209, 1789), // getresuid(ruidp:4, euidp:4, suidp:4)
    (241, 165, 1789), // getresuid16(ruidp:4, euidp:4, suidp:4)
    (243, 191, 1731), // getrlimit(resource:4, rlim:4)
    (244, 77, 2328), // getrusage(who:4, ru:4)
    (245, 147, 1519), // getsid(pid:4)
    (246, 367, 922), // getsockname(fd:4, usockaddr:4, usockaddr_len:4)
    (247, 365, 644), // getsockopt(fd:4, level:4, optname:4, optval:4, optlen:4)
    (248, 224, 0), // gettid()
    (249, 78, 2028), // gettimeofday(tv:4, tz:4)
    (250, 199, 0), // getuid()
    (251, 24, 0), // getuid16()
    (253, 229, 1476), // getxattr(pathname:4, name:4, value:4, size:4)
    (259, 32, 0), // gtty()
    (268, 112, 0), // idle()
    (276, 128, 2170), // init_module(umod:4, len:4, uargs:4)
    (279, 292, 814), // inotify_add_watch(fd:4, pathname:4, mask:4)
    (280, 291, 0), // inotify_init()
    (281, 332, 1072), // inotify_init1(flags:4)
    (282, 293, 947), // inotify_rm_watch(fd:4, wd:4)
    (285, 249, 196), // io_cancel(ctx_id:4, iocb:4, result:4)
    (286, 246, 192), // io_destroy(ctx:4)
    (288, 247, 200), // io_getevents_time32(ctx_id:4, min_nr:4, nr:4, events:4, timeout:4)
    (289, 416, 206), // io_pgetevents(ctx_id:4, min_nr:4, nr:4, events:4, timeout:4, usig:4)
    (290, 385, 206), // io_pgetevents_time32(ctx_id:4, min_nr:4, nr:4, events:4, timeout:4, usig:4)
    (292, 245, 1348), // io_setup(nr_events:4, ctxp:4)
    (293, 248, 213), // io_submit(ctx_id:4, nr:4, iocbpp:4)
    (294, 426, 832), // io_uring_enter(fd:4, to_submit:4, min_complete:4, flags:4, argp:4, argsz:4)
    (295, 427, 804), // io_uring_register(fd:4, opcode:4, arg:4, nr_args:4)
    (296, 425, 445), // io_uring_setup(entries:4, params:4)
    (299, 54, 584), // ioctl(fd:4, cmd:4, arg:4)
    (300, 101, 1083), // ioperm(from:4, num:4, turn_on:4)
    (301, 110, 1192), // iopl(level:4)
    (303, 290, 2284), // ioprio_get(which:4, who:4)
    (304, 289, 2287), // ioprio_set(which:4, who:4, ioprio:4)
    (305, 117, 126), // ipc(call:4, first:4, second:4, third:4, ptr:4, fifth:4)
    (306, 349, 1644), // kcmp(pid1:4, pid2:4, type:4, idx1:4, idx2:4)
    (309, 283, 451), // kexec_load(entry:4, nr_segments:4, segments:4, flags:4)
    (311, 288, 1416), // keyctl(option:4, arg2:4, arg3:4, arg4:4, arg5:4)
    (312, 37, 1611), // kill(pid:4, sig:4)
    (313, 445, 1800), // landlock_add_rule(ruleset_fd:4, rule_type:4, rule_attr:4, flags:4)
    (314, 444, 93), // landlock_create_ruleset(attr:4, size:4, flags:4)
    (315, 446, 1797), // landlock_restrict_self(ruleset_fd:4, flags:4)
    (316, 198, 1035), // lchown(filename:4, user:4, group:4)
    (317, 16, 1031), // lchown16(filename:4, user:2, group:2)
    (328, 230, 1476), // lgetxattr(pathname:4, name:4, value:4, size:4)
    (330, 9, 1387), // link(oldname:4, newname:4)
    (331, 303, 1359), // linkat(olddfd:4, oldname:4, newdfd:4, newname:4, flags:4)
    (334, 363, 533), // listen(fd:4, backlog:4)
    (335, 458, 1706), // listmount(req:4, mnt_ids:4, nr_mnt_ids:4, flags:4)
    (336, 232, 1466), // listxattr(pathname:4, list:4, size:4)
    (337, 233, 1466), // llistxattr(pathname:4, list:4, size:4)
    (338, 140, 781), // llseek(fd:4, offset_high:4, offset_low:4, result:4, whence:4)
    (339, 53, 0), // lock()
    (340, 253, 0), // lookup_dcookie()
    (341, 236, 1473), // lremovexattr(pathname:4, name:4)
    (342, 19, 759), // lseek(fd:4, offset:4, whence:4)
    (343, 227, 1481), // lsetxattr(pathname:4, name:4, value:4, size:4, flags:4)
    (344, 459, 78), // lsm_get_self_attr(attr:4, ctx:4, size:4, flags:4)
    (345, 461, 1157), // lsm_list_modules(ids:4, size:4, flags:4)
    (346, 460, 78), // lsm_set_self_attr(attr:4, ctx:4, size:4, flags:4)
    (347, 84, 1025), // lstat(filename:4, statbuf:4)
    (348, 196, 1025), // lstat64(filename:4, statbuf:4)
    (350, 219, 1917), // madvise(start:4, len_in:4, behavior:4)
    (353, 453, 45), // map_shadow_stack(addr:4, size:4, flags:4)
    (360, 274, 1897), // mbind(start:4, len:4, mode:4, nmask:4, maxnode:4, flags:4)
    (361, 375, 157), // membarrier(cmd:4, flags:4, cpu_id:4)
    (362, 356, 2178), // memfd_create(uname:4, flags:4)
    (363, 447, 1072), // memfd_secret(flags:4)
    (364, 294, 1560), // migrate_pages(pid:4, maxnode:4, old_nodes:4, new_nodes:4)
    (367, 218, 1913), // mincore(start:4, len:4, vec:4)
    (368, 39, 1470), // mkdir(pathname:4, mode:2)
    (369, 296, 428), // mkdirat(dfd:4, pathname:4, mode:2)
    (370, 14, 1014), // mknod(filename:4, mode:2, dev:4)
    (371, 297, 280), // mknodat(dfd:4, filename:4, mode:2, dev:4)
    (372, 150, 1885), // mlock(start:4, len:4)
    (373, 376, 1888), // mlock2(start:4, len:4, flags:4)
    (374, 152, 1072), // mlockall(flags:4)
    (377, 192, 32), // mmap_pgoff(addr:4, len:4, prot:4, flags:4, fd:4, pgoff:4)
    (382, 123, 1107), // modify_ldt(func:4, ptr:4, bytecount:4)
    (383, 21, 244), // mount(dev_name:4, dir_name:4, type:4, flags:4, data:4)
    (384, 442, 403), // mount_setattr(dfd:4, path:4, flags:4, uattr:4, usize:4)
    (386, 429, 1091), // move_mount(from_dfd:4, from_pathname:4, to_dfd:4, to_pathname:4, flags:4)
    (387, 317, 1570), // move_pages(pid:4, nr_pages:4, pages:4, nodes:4, status:4, flags:4)
    (388, 125, 1904), // mprotect(start:4, len:4, prot:4)
    (389, 56, 0), // mpx()
    (390, 282, 1224), // mq_getsetattr(mqdes:4, u_mqstat:4, u_omqstat:4)
    (391, 281, 1256), // mq_notify(mqdes:4, u_notification:4)
    (392, 277, 2048), // mq_open(u_name:4, oflag:4, mode:2, u_attr:4)
    (394, 280, 1238), // mq_timedreceive_time32(mqdes:4, u_msg_ptr:4, msg_len:4, u_msg_prio:4, u_abs_timeout:4)
    (395, 419, 1238), // mq_timedreceive_time64(mqdes:4, u_msg_ptr:4, msg_len:4, u_msg_prio:4, u_abs_timeout:4)
    (397, 279, 1232), // mq_timedsend_time32(mqdes:4, u_msg_ptr:4, msg_len:4, msg_prio:4, u_abs_timeout:4)
    (398, 418, 1232), // mq_timedsend_time64(mqdes:4, u_msg_ptr:4, msg_len:4, msg_prio:4, u_abs_timeout:4)
    (399, 278, 2046), // mq_unlink(u_name:4)
    (401, 163, 39), // mremap(addr:4, old_len:4, new_len:4, flags:4, new_addr:4)
    (402, 462, 1888), // mseal(start:4, len:4, flags:4)
    (406, 402, 1262), // msgctl(msqid:4, cmd:4, buf:4)
    (408, 399, 1177), // msgget(key:4, msgflg:4)
    (410, 401, 1275), // msgrcv(msqid:4, msgp:4, msgsz:4, msgtyp:4, msgflg:4)
    (411, 400, 1270), // msgsnd(msqid:4, msgp:4, msgsz:4, msgflg:4)
    (415, 144, 1888), // msync(start:4, len:4, flags:4)
    (416, 151, 1885), // munlock(start:4, len:4)
    (417, 153, 0), // munlockall()
    (418, 91, 29), // munmap(addr:4, len:4)
    (423, 341, 387), // name_to_handle_at(dfd:4, name:4, handle:4, mnt_id:4, flag:4)
    (426, 162, 1759), // nanosleep_time32(rqtp:4, rmtp:4)
    (437, 108, 822), // newfstat(fd:4, statbuf:4)
    (439, 107, 1025), // newlstat(filename:4, statbuf:4)
    (443, 106, 1025), // newstat(filename:4, statbuf:4)
    (444, 122, 1318), // newuname(name:4)
    (446, 169, 0), // nfsservctl()
    (447, 34, 1165), // nice(increment:4)
    (480, 76, 1731), // old_getrlimit(resource:4, rlim:4)
    (482, 90, 76), // old_mmap(arg:4)
    (484, 89, 612), // old_readdir(fd:4, dirent:4, count:4)
    (486, 82, 76), // old_select(arg:4)
    (495, 22, 1318), // oldumount(name:4)
    (496, 59, 1318), // olduname(name:4)
    (499, 5, 1007), // open(filename:4, flags:4, mode:2)
    (500, 342, 1216), // open_by_handle_at(mountdirfd:4, handle:4, flags:4)
    (501, 428, 256), // open_tree(dfd:4, filename:4, flags:4)
    (502, 295, 266), // openat(dfd:4, filename:4, flags:4, mode:2)
    (503, 437, 271), // openat2(dfd:4, filename:4, how:4, usize:4)
    (522, 29, 0), // pause()
    (523, 336, 101), // perf_event_open(attr_uptr:4, pid:4, cpu:4, group_fd:4, flags:4)
    (524, 136, 1517), // personality(personality:4)
    (531, 438, 1656), // pidfd_getfd(pidfd:4, fd:4, flags:4)
    (532, 434, 1521), // pidfd_open(pid:4, flags:4)
    (533, 424, 1663), // pidfd_send_signal(pidfd:4, sig:4, info:4, flags:4)
    (534, 42, 991), // pipe(fildes:4)
    (535, 331, 993), // pipe2(fildes:4, flags:4)
    (536, 217, 1340), // pivot_root(new_root:4, put_old:4)
    (538, 381, 1077), // pkey_alloc(flags:4, init_val:4)
    (539, 382, 1685), // pkey_free(pkey:4)
    (540, 380, 1908), // pkey_mprotect(start:4, len:4, prot:4, pkey:4)
    (543, 168, 2146), // poll(ufds:4, nfds:4, timeout_msecs:4)
    (550, 309, 2150), // ppoll_time32(ufds:4, nfds:4, tsp:4, sigmask:4, sigsetsize:4)
    (551, 414, 2150), // ppoll_time64(ufds:4, nfds:4, tsp:4, sigmask:4, sigsetsize:4)
    (552, 172, 1416), // prctl(option:4, arg2:4, arg3:4, arg4:4, arg5:4)
    (553, 180, 854), // pread64(fd:4, ubuf:4, count:4, poslo:4, poshi:4)
    (554, 333, 934), // preadv(fd:4, vec:4, vlen:4, pos_l:4, pos_h:4)
    (555, 378, 940), // preadv2(fd:4, vec:4, vlen:4, pos_l:4, pos_h:4, flags:4)
    (556, 340, 1601), // prlimit64(pid:4, resource:4, new_rlim:4, old_rlim:4)
    (557, 440, 1673), // process_madvise(pidfd:4, vec:4, vlen:4, behavior:4, flags:4)
    (558, 448, 1660), // process_mrelease(pidfd:4, flags:4)
    (559, 347, 1546), // process_vm_readv(pid:4, lvec:4, liovcnt:4, rvec:4, riovcnt:4, flags:4)
    (560, 348, 1546), // process_vm_writev(pid:4, lvec:4, liovcnt:4, rvec:4, riovcnt:4, flags:4)
    (561, 44, 0), // prof()
    (562, 98, 0), // profil()
    (566, 308, 1292), // pselect6_time32(n:4, inp:4, outp:4, exp:4, tsp:4, sig:4)
    (567, 413, 1292), // pselect6_time64(n:4, inp:4, outp:4, exp:4, tsp:4, sig:4)
    (569, 26, 1721), // ptrace(request:4, pid:4, addr:4, data:4)
    (571, 189, 0), // putpmsg()
    (572, 181, 854), // pwrite64(fd:4, ubuf:4, count:4, poslo:4, poshi:4)
    (573, 334, 934), // pwritev(fd:4, vec:4, vlen:4, pos_l:4, pos_h:4)
    (574, 379, 940), // pwritev2(fd:4, vec:4, vlen:4, pos_l:4, pos_h:4, flags:4)
    (575, 167, 0), // query_module()
    (576, 131, 161), // quotactl(cmd:4, special:4, id:4, addr:4)
    (577, 443, 592), // quotactl_fd(fd:4, cmd:4, id:4, addr:4)
    (578, 3, 539), // read(fd:4, buf:4, count:4)
    (579, 225, 747), // readahead(fd:4, off_lo:4, off_hi:4, count:4)
    (581, 85, 1447), // readlink(path:4, buf:4, bufsiz:4)
    (582, 305, 419), // readlinkat(dfd:4, pathname:4, buf:4, bufsiz:4)
    (583, 145, 930), // readv(fd:4, vec:4, vlen:4)
    (584, 88, 1196), // reboot(magic1:4, magic2:4, cmd:4, arg:4)
    (585, 371, 860), // recvfrom(fd:4, ubuf:4, size:4, flags:4, addr:4, addr_len:4)
    (587, 337, 679), // recvmmsg_time32(fd:4, mmsg:4, vlen:4, flags:4, timeout:4)
    (588, 417, 679), // recvmmsg_time64(fd:4, mmsg:4, vlen:4, flags:4, timeout:4)
    (589, 372, 711), // recvmsg(fd:4, msg:4, flags:4)
    (590, 257, 1921), // remap_file_pages(start:4, size:4, prot:4, pgoff:4, flags:4)
    (591, 235, 1473), // removexattr(pathname:4, name:4)
    (592, 38, 1387), // rename(oldname:4, newname:4)
    (593, 302, 1354), // renameat(olddfd:4, oldname:4, newdfd:4, newname:4)
    (594, 353, 1359), // renameat2(olddfd:4, oldname:4, newdfd:4, newname:4, flags:4)
    (597, 287, 7), // request_key(_type:4, _description:4, _callout_info:4, destringid:4)
    (599, 0, 0), // restart_syscall()
    (608, 40, 1461), // rmdir(pathname:4)
    (611, 386, 1765), // rseq(rseq:4, rseq_len:4, flags:4, sig:4)
    (613, 174, 1860), // rt_sigaction(sig:4, act:4, oact:4, sigsetsize:4)
    (614, 176, 2212), // rt_sigpending(uset:4, sigsetsize:4)
    (615, 175, 1147), // rt_sigprocmask(how:4, nset:4, oset:4, sigsetsize:4)
    (616, 178, 1614), // rt_sigqueueinfo(pid:4, sig:4, uinfo:4)
    (617, 173, 0), // rt_sigreturn()
    (618, 179, 2184), // rt_sigsuspend(unewset:4, sigsetsize:4)
    (620, 177, 2224), // rt_sigtimedwait_time32(uthese:4, uinfo:4, uts:4, sigsetsize:4)
    (621, 421, 2224), // rt_sigtimedwait_time64(uthese:4, uinfo:4, uts:4, sigsetsize:4)
    (622, 335, 1985), // rt_tgsigqueueinfo(tgid:4, pid:4, sig:4, uinfo:4)
    (630, 159, 1687), // sched_get_priority_max(policy:4)
    (631, 160, 1687), // sched_get_priority_min(policy:4)
    (632, 242, 1538), // sched_getaffinity(pid:4, len:4, user_mask_ptr:4)
    (633, 352, 1630), // sched_getattr(pid:4, uattr:4, usize:4, flags:4)
    (634, 155, 1584), // sched_getparam(pid:4, param:4)
    (635, 157, 1519), // sched_getscheduler(pid:4)
    (637, 161, 1532), // sched_rr_get_interval_time32(pid:4, interval:4)
    (638, 423, 1532), // sched_rr_get_interval_time64(pid:4, interval:4)
    (639, 241, 1538), // sched_setaffinity(pid:4, len:4, user_mask_ptr:4)
    (640, 351, 1626), // sched_setattr(pid:4, uattr:4, flags:4)
    (641, 154, 1584), // sched_setparam(pid:4, param:4)
    (642, 156, 1593), // sched_setscheduler(pid:4, policy:4, param:4)
    (643, 158, 0), // sched_yield()
    (644, 354, 1397), // seccomp(op:4, flags:4, uargs:4)
    (649, 142, 1299), // select(n:4, inp:4, outp:4, exp:4, tvp:4)
    (650, 394, 1812), // semctl(semid:4, semnum:4, cmd:4, arg:4)
    (652, 393, 1180), // semget(key:4, nsems:4, semflg:4)
    (656, 420, 1822), // semtimedop(semid:4, tsops:4, nsops:4, timeout:4)
    (658, 187, 1431), // sendfile(out_fd:4, in_fd:4, offset:4, count:4)
    (659, 239, 1431), // sendfile64(out_fd:4, in_fd:4, offset:4, count:4)
    (660, 345, 674), // sendmmsg(fd:4, mmsg:4, vlen:4, flags:4)
    (661, 370, 711), // sendmsg(fd:4, msg:4, flags:4)
    (662, 369, 555), // sendto(fd:4, buff:4, len:4, flags:4, addr:4, addr_len:4)
    (663, 276, 1208), // set_mempolicy(mode:4, nmask:4, maxnode:4)
    (664, 450, 1892), // set_mempolicy_home_node(start:4, len:4, home_node:4, flags:4)
    (665, 311, 1125), // set_robust_list(head:4, len:4)
    (666, 243, 2044), // set_thread_area(u_info:4)
    (667, 258, 1995), // set_tid_address(tidptr:4)
    (668, 121, 1323), // setdomainname(name:4, len:4)
    (669, 216, 1117), // setfsgid(gid:4)
    (670, 139, 1115), // setfsgid16(gid:2)
    (672, 215, 2168), // setfsuid(uid:4)
    (673, 138, 2166), // setfsuid16(uid:2)
    (675, 214, 1117), // setgid(gid:4)
    (676, 46, 1115), // setgid16(gid:2)
    (678, 206, 1119), // setgroups(gidsetsize:4, grouplist:4)
    (679, 81, 1119), // setgroups16(gidsetsize:4, grouplist:4)
    (681, 74, 1323), // sethostname(name:4, len:4)
    (682, 104, 2273), // setitimer(which:4, value:4, ovalue:4)
    (683, 346, 632), // setns(fd:4, flags:4)
    (684, 57, 1590), // setpgid(pid:4, pgid:4)
    (685, 97, 2291), // setpriority(which:4, who:4, niceval:4)
    (686, 204, 1744), // setregid(rgid:4, egid:4)
    (687, 71, 1737), // setregid16(rgid:2, egid:2)
    (689, 210, 1747), // setresgid(rgid:4, egid:4, sgid:4)
    (690, 170, 1740), // setresgid16(rgid:2, egid:2, sgid:2)
    (692, 208, 1785), // setresuid(ruid:4, euid:4, suid:4)
    (693, 164, 1778), // setresuid16(ruid:2, euid:2, suid:2)
    (695, 203, 1782), // setreuid(ruid:4, euid:4)
    (696, 70, 1775), // setreuid16(ruid:2, euid:2)
    (698, 75, 1731), // setrlimit(resource:4, rlim:4)
    (699, 66, 0), // setsid()
    (700, 366, 644), // setsockopt(fd:4, level:4, optname:4, optval:4, optlen:4)
    (701, 79, 2028), // settimeofday(tv:4, tz:4)
    (703, 213, 2168), // setuid(uid:4)
    (704, 23, 2166), // setuid16(uid:2)
    (706, 226, 1481), // setxattr(pathname:4, name:4, value:4, size:4, flags:4)
    (707, 68, 0), // sgetmask()
    (711, 397, 1848), // shmat(shmid:4, shmaddr:4, shmflg:4)
    (712, 396, 1840), // shmctl(shmid:4, cmd:4, buf:4)
    (713, 398, 1836), // shmdt(shmaddr:4)
    (715, 395, 1184), // shmget(key:4, size:4, shmflg:4)
    (717, 373, 635), // shutdown(fd:4, how:4)
    (719, 67, 1856), // sigaction(sig:4, act:4, oact:4)
    (720, 186, 2218), // sigaltstack(uss:4, uoss:4)
    (722, 48, 1870), // signal(sig:4, handler:4)
    (723, 321, 2128), // signalfd(ufd:4, user_mask:4, sizemask:4)
    (724, 327, 2132), // signalfd4(ufd:4, user_mask:4, sizemask:4, flags:4)
    (725, 73, 2210), // sigpending(uset:4)
    (726, 126, 1143), // sigprocmask(how:4, nset:4, oset:4)
    (727, 119, 0), // sigreturn()
    (729, 72, 2194), // sigsuspend(unused1:4, unused2:4, mask:4)
    (732, 359, 504), // socket(family:4, type:4, protocol:4)
    (733, 102, 123), // socketcall(call:4, args:4)
    (734, 360, 508), // socketpair(family:4, type:4, protocol:4, usockvec:4)
    (737, 313, 967), // splice(fd_in:4, off_in:4, fd_out:4, off_out:4, len:4, flags:4)
    (738, 69, 1346), // ssetmask(newmask:4)
    (740, 18, 1025), // stat(filename:4, statbuf:4)
    (741, 195, 1025), // stat64(filename:4, statbuf:4)
    (744, 99, 1463), // statfs(pathname:4, buf:4)
    (745, 268, 1487), // statfs64(pathname:4, sz:4, buf:4)
    (746, 457, 1701), // statmount(req:4, buf:4, bufsize:4, flags:4)
    (748, 383, 260), // statx(dfd:4, filename:4, flags:4, mask:4, buffer:4)
    (750, 25, 2026), // stime32(tptr:4)
    (751, 31, 0), // stty()
    (755, 115, 1875), // swapoff(specialfile:4)
    (756, 87, 1877), // swapon(specialfile:4, swap_flags:4)
    (757, 83, 1387), // symlink(oldname:4, newname:4)
    (758, 304, 1383), // symlinkat(oldname:4, newdfd:4, newname:4)
    (759, 36, 0), // sync()
    (760, 314, 752), // sync_file_range(fd:4, off_low:4, off_hi:4, n_low:4, n_hi:4, flags:4)
    (762, 344, 531), // syncfs(fd:4)
    (764, 135, 1405), // sysfs(option:4, arg1:4, arg2:4)
    (765, 116, 1167), // sysinfo(info:4)
    (766, 103, 2036), // syslog(type:4, buf:4, len:4)
    (770, 315, 981), // tee(fdin:4, fdout:4, len:4, flags:4)
    (772, 270, 1981), // tgkill(tgid:4, pid:4, sig:4)
    (776, 13, 2022), // time32(tloc:4)
    (779, 259, 2305), // timer_create(which_clock:4, timer_event_spec:4, created_timer_id:4)
    (780, 263, 1999), // timer_delete(timer_id:4)
    (782, 262, 1999), // timer_getoverrun(timer_id:4)
    (784, 261, 2016), // timer_gettime32(timer_id:4, setting:4)
    (785, 408, 2016), // timer_gettime64(timer_id:4, setting:4)
    (788, 260, 2001), // timer_settime32(timer_id:4, flags:4, new:4, old:4)
    (789, 409, 2006), // timer_settime64(timer_id:4, flags:4, new_setting:4, old_setting:4)
    (790, 322, 133), // timerfd_create(clockid:4, flags:4)
    (792, 326, 2122), // timerfd_gettime32(ufd:4, otmr:4)
    (793, 410, 2122), // timerfd_gettime64(ufd:4, otmr:4)
    (795, 325, 2112), // timerfd_settime32(ufd:4, flags:4, utmr:4, otmr:4)
    (796, 411, 2112), // timerfd_settime64(ufd:4, flags:4, utmr:4, otmr:4)
    (797, 43, 1977), // times(tbuf:4)
    (798, 238, 1611), // tkill(pid:4, sig:4)
    (806, 92, 1451), // truncate(path:4, length:4)
    (807, 193, 1021), // truncate64(filename:4, offset_low:4, offset_high:4)
    (837, 58, 0), // ulimit()
    (838, 60, 1206), // umask(mask:4)
    (840, 52, 1320), // umount(name:4, flags:4)
    (843, 109, 1318), // uname(name:4)
    (845, 10, 1461), // unlink(pathname:4)
    (846, 301, 424), // unlinkat(dfd:4, pathname:4, flag:4)
    (847, 310, 2190), // unshare(unshare_flags:4)
    (857, 86, 1194), // uselib(library:4)
    (862, 374, 1072), // userfaultfd(flags:4)
    (871, 62, 238), // ustat(dev:4, ubuf:4)
    (874, 30, 1028), // utime32(filename:4, t:4)
    (876, 320, 308), // utimensat_time32(dfd:4, filename:4, t:4, flags:4)
    (877, 412, 319), // utimensat_time64(dfd:4, filename:4, utimes:4, flags:4)
    (879, 271, 1028), // utimes_time32(filename:4, t:4)
    (888, 190, 0), // vfork()
    (889, 111, 0), // vhangup()
    (891, 166, 154), // vm86(cmd:4, arg:4)
    (892, 113, 2208), // vm86old(user_vm86:4)
    (893, 316, 874), // vmsplice(fd:4, uiov:4, nr_segs:4, flags:4)
    (894, 273, 0), // vserver()
    (895, 114, 2198), // wait4(upid:4, stat_addr:4, options:4, ru:4)
    (897, 284, 2258), // waitid(which:4, upid:4, infop:4, options:4, ru:4)
    (898, 7, 1622), // waitpid(pid:4, stat_addr:4, options:4)
    (904, 4, 539), // write(fd:4, buf:4, count:4)
    (905, 146, 930), // writev(fd:4, vec:4, vlen:4)
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
