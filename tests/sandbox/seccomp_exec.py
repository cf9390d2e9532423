"""Installs a seccomp BPF program on itself, then runs Python code under it.

usage: seccomp_exec.py PROGRAM.bpf CODE
Lets the baseline policy be tested in the real kernel without the engine: CODE makes the
syscalls (through ctypes) and prints what happened.
"""
import ctypes
import sys

SECCOMP_NR = {"x86_64": 317, "aarch64": 277, "riscv64": 277}


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(path: str) -> None:
    import platform
    libc = ctypes.CDLL(None, use_errno=True)
    prog = open(path, "rb").read()
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        sys.exit("prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.syscall(SECCOMP_NR[platform.machine()], 1, 0, ctypes.byref(fprog)) != 0:  # SECCOMP_SET_MODE_FILTER
        sys.exit("seccomp(SECCOMP_SET_MODE_FILTER) failed: errno %d" % ctypes.get_errno())


install(sys.argv[1])
exec(compile(sys.argv[2], "<probe>", "exec"))
