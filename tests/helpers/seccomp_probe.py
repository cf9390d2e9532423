"""Installs a seccomp BPF program on itself, then makes raw syscalls and prints what happened.

usage: seccomp_probe.py PROGRAM.bpf SECCOMP_NR NR [NR ...]
Prints one line per syscall, "NR RESULT ERRNO", flushing before each call so a kill is visible.
"""
import ctypes
import os
import sys


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    prog = open(sys.argv[1], "rb").read()
    seccomp_nr = int(sys.argv[2])
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        sys.exit("prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.syscall(seccomp_nr, 1, 0, ctypes.byref(fprog)) != 0:  # SECCOMP_SET_MODE_FILTER
        sys.exit("seccomp(SECCOMP_SET_MODE_FILTER) failed: errno %d" % ctypes.get_errno())
    for nr in map(int, sys.argv[3:]):
        ctypes.set_errno(0)
        res = libc.syscall(nr, 0, 0, 0, 0, 0, 0)
        os.write(1, b"%d %d %d\n" % (nr, res, ctypes.get_errno()))


main()
