"""Builds the BPF that libseccomp makes of an OCI seccomp profile, the way runc does.

usage: /usr/bin/python3 oci_libseccomp.py [--docker GOARCH SCMP_ARCH] < profile.json > program.bpf
Needs Debian's python3-seccomp (libseccomp's own bindings). The rules follow runc's
libcontainer/seccomp: one rule per name; an entry whose action is the default is skipped; when an
argument index repeats, each comparison becomes its own rule. Other architectures and x32 get
KILL_PROCESS, our foreign-architecture action.

--docker: first do what Docker does to its profile format on a GOARCH host for a container with
no capabilities (drop entries needing caps or other arches), build for SCMP_ARCH alone, and skip
names libseccomp does not know there (runc ignores them).
"""
import json
import sys

import seccomp

ARCHES = {"SCMP_ARCH_X86_64": seccomp.Arch.X86_64, "SCMP_ARCH_X86": seccomp.Arch.X86,
          "SCMP_ARCH_AARCH64": seccomp.Arch.AARCH64, "SCMP_ARCH_RISCV64": seccomp.Arch.RISCV64}
OPS = {"SCMP_CMP_EQ": seccomp.EQ, "SCMP_CMP_NE": seccomp.NE, "SCMP_CMP_LT": seccomp.LT,
       "SCMP_CMP_LE": seccomp.LE, "SCMP_CMP_GT": seccomp.GT, "SCMP_CMP_GE": seccomp.GE,
       "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ}


def action(name, ret):
    simple = {"SCMP_ACT_ALLOW": seccomp.ALLOW, "SCMP_ACT_LOG": seccomp.LOG,
              "SCMP_ACT_KILL": seccomp.KILL, "SCMP_ACT_KILL_THREAD": seccomp.KILL,
              "SCMP_ACT_KILL_PROCESS": seccomp.KILL_PROCESS, "SCMP_ACT_TRAP": seccomp.TRAP,
              "SCMP_ACT_NOTIFY": seccomp.NOTIFY}
    if name in simple:
        return simple[name]
    value = 1 if ret is None else ret  # runc's default errnoRet: EPERM
    return seccomp.ERRNO(value) if name == "SCMP_ACT_ERRNO" else seccomp.TRACE(value)


def docker(profile, goarch, scmp_arch):
    kept = []
    for e in profile.get("syscalls") or []:
        inc, exc = e.get("includes") or {}, e.get("excludes") or {}
        if inc.get("caps") or (inc.get("arches") and goarch not in inc["arches"]):
            continue
        if exc.get("arches") and goarch in exc["arches"]:
            continue
        kept.append(dict(e, names=e.get("names") or [e["name"]]))
    return dict(profile, syscalls=kept, architectures=[scmp_arch])


def main():
    profile = json.load(sys.stdin)
    lenient = sys.argv[1:2] == ["--docker"]
    if lenient:
        profile = docker(profile, sys.argv[2], sys.argv[3])
    default = action(profile["defaultAction"], profile.get("defaultErrnoRet"))
    f = seccomp.SyscallFilter(defaction=default)
    f.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    # The bindings give the native token unsigned and the Arch constants signed.
    native = seccomp.system_arch() & 0xFFFFFFFF
    arches = [ARCHES[a] for a in profile["architectures"]]
    for arch in arches:
        if arch & 0xFFFFFFFF != native:
            f.add_arch(arch)
    if native not in [a & 0xFFFFFFFF for a in arches]:
        f.remove_arch(seccomp.Arch.NATIVE)
    for entry in profile.get("syscalls") or []:
        act = action(entry["action"], entry.get("errnoRet"))
        if act == default:
            continue
        args = [seccomp.Arg(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0))
                for a in entry.get("args") or []]
        indexes = [a["index"] for a in entry.get("args") or []]
        groups = [[a] for a in args] if len(set(indexes)) != len(indexes) else [args]
        for name in entry["names"]:
            for group in groups:
                try:
                    f.add_rule(act, name, *group)
                except (RuntimeError, ValueError):
                    if not lenient:
                        raise
    f.export_bpf(sys.stdout)


if __name__ == "__main__":
    main()
