"""Builds an OCI seccomp profile's filter with libseccomp (Debian's python3-seccomp) and times
export_bpf, the step where libseccomp generates its program. Run with /usr/bin/python3.

usage: libseccomp_compile.py PROFILE.json OUT_PREFIX ITERATIONS
Writes OUT_PREFIX-linear.bpf and OUT_PREFIX-tree.bpf; prints JSON with median microseconds.
"""
import json
import os
import sys
import tempfile
import time

import seccomp

OPS = {
    "SCMP_CMP_EQ": seccomp.EQ,
    "SCMP_CMP_NE": seccomp.NE,
    "SCMP_CMP_LT": seccomp.LT,
    "SCMP_CMP_LE": seccomp.LE,
    "SCMP_CMP_GT": seccomp.GT,
    "SCMP_CMP_GE": seccomp.GE,
    "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ,
}


def action(name, errno_ret):
    if name == "SCMP_ACT_ALLOW":
        return seccomp.ALLOW
    if name == "SCMP_ACT_ERRNO":
        return seccomp.ERRNO(errno_ret if errno_ret is not None else 1)
    if name in ("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"):
        return seccomp.KILL
    if name == "SCMP_ACT_KILL_PROCESS":
        return seccomp.KILL_PROCESS
    if name == "SCMP_ACT_LOG":
        return seccomp.LOG
    if name == "SCMP_ACT_TRAP":
        return seccomp.TRAP
    raise SystemExit("unsupported action %s" % name)


def build(profile, optimize, skipped):
    """The filter; names this libseccomp does not know (syscalls newer than it) go to `skipped`."""
    f = seccomp.SyscallFilter(action(profile["defaultAction"], profile.get("defaultErrnoRet")))
    f.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, optimize)
    for rule in profile.get("syscalls", []):
        act = action(rule["action"], rule.get("errnoRet"))
        args = [seccomp.Arg(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0)) for a in rule.get("args", [])]
        for name in rule["names"]:
            if seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) < 0:
                skipped.add(name)
                continue
            f.add_rule(act, name, *args)
    return f


def median_export_us(f, iterations):
    times = []
    with tempfile.TemporaryFile() as sink:
        for _ in range(iterations):
            sink.seek(0)
            t0 = time.perf_counter_ns()
            f.export_bpf(sink)
            times.append(time.perf_counter_ns() - t0)
    times.sort()
    return times[len(times) // 2] / 1000


def main():
    profile = json.load(open(sys.argv[1]))
    prefix, iterations = sys.argv[2], int(sys.argv[3])
    out = {}
    skipped = set()
    for label, optimize in (("linear", 1), ("tree", 2)):
        f = build(profile, optimize, skipped)
        with open("%s-%s.bpf" % (prefix, label), "wb") as fh:
            f.export_bpf(fh)
        out[label] = {"median_us": median_export_us(f, iterations), "bytes": os.path.getsize("%s-%s.bpf" % (prefix, label))}
    out["skipped"] = sorted(skipped)
    print(json.dumps(out))


main()
