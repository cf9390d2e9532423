#!/usr/bin/env python3
"""Generates wasm/src/tables/*.rs (per-architecture, generic and pool) from a Linux source tree.

    python3 wasm/gen/gen_syscalls.py /usr/src/linux-source-6.12.tar.xz

Numbers come from the kernel's syscall tables, argument names and C types from its
SYSCALL_DEFINEn(...) definitions; x86 numbers are cross-checked against the installed uapi
headers. Same input, same output. Python standard library only. See wasm/gen/README.md.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_source import (SourceError, SourceTree, cond_eval, find_definitions,  # noqa: E402
                           kconfig_symbols, make_var, parse_table)
from kafel_names import KAFEL_NAMES  # noqa: E402
from render_rust import render_all  # noqa: E402


class Target:
    """How one architecture's table is found in the tree.

    `table`/`abis` fixed for x86 (its own tables); None for architectures that use the generic
    scripts/syscall.tbl through scripts/Makefile.asm-headers and arch/*/kernel/Makefile.syscalls.
    `roots`: Kconfig symbols that pick this target out of its source arch (64BIT on x86)."""

    def __init__(self, name, srcarch, bits, roots, table=None, abis=None, uapi=None):
        self.name, self.srcarch, self.bits, self.roots = name, srcarch, bits, roots
        self.table, self.abis, self.uapi = table, abis, uapi


TARGETS = [
    Target("x86_64", "x86", 64, {"64BIT"}, "arch/x86/entry/syscalls/syscall_64.tbl",
           {"common", "64"}, "unistd_64.h"),
    Target("i386", "x86", 32, set(), "arch/x86/entry/syscalls/syscall_32.tbl", {"i386"},
           "unistd_32.h"),
    Target("aarch64", "arm64", 64, set()),
    Target("riscv64", "riscv", 64, {"ARCH_RV64I"}),
]

# Native entry column: sys_NAME is SYSCALL_DEFINE(NAME); x86's sys_ia32_NAME (split 64-bit
# arguments on i386) is SYSCALL_DEFINE(ia32_NAME) but the syscall is still called NAME.
_ENTRY = re.compile(r"^sys_((?:ia32_)?(\w+))$")

# C type (without const/volatile/__user) → width in bytes; "long" is the register width.
# Pointers (any `*`) are register-wide too. An unlisted type stops the generator.
_WIDTHS = {
    "long": "long", "unsigned long": "long", "size_t": "long", "ssize_t": "long",
    "off_t": "long", "aio_context_t": "long", "uintptr_t": "long", "old_sigset_t": "long",
    "cap_user_header_t": "long", "cap_user_data_t": "long", "__sighandler_t": "long",
    "loff_t": 8, "u64": 8, "__u64": 8, "s64": 8, "__s64": 8, "long long": 8,
    "unsigned long long": 8,
    "int": 4, "unsigned int": 4, "unsigned": 4, "uint": 4, "u32": 4, "__u32": 4, "s32": 4,
    "__s32": 4, "uint32_t": 4, "int32_t": 4, "pid_t": 4, "uid_t": 4, "gid_t": 4, "qid_t": 4,
    "key_serial_t": 4, "key_t": 4, "clockid_t": 4, "timer_t": 4, "mqd_t": 4, "rwf_t": 4,
    "umode_t": 2, "unsigned short": 2, "u16": 2, "__u16": 2,
    # x86's __kernel_old_uid_t/__kernel_old_gid_t are unsigned short (the uid16 syscalls).
    "old_uid_t": 2, "old_gid_t": 2,
}

class GenError(Exception):
    """The tree does not yield a table we can trust: stop, name the input and the fix."""


def load_rows(tree, t):
    """(nr, table name, entry point or None) rows of the target's table, by number."""
    if t.table is not None:
        table, abis = t.table, t.abis
    else:
        generic = tree.read("scripts/Makefile.asm-headers")
        mk = "arch/%s/kernel/Makefile.syscalls" % t.srcarch
        arch_mk = tree.read(mk)
        bits = str(t.bits)
        abis = set(make_var(generic, "syscall_abis_" + bits)
                   + make_var(arch_mk, "syscall_abis_" + bits))
        paths = make_var(arch_mk, "syscalltbl") or make_var(generic, "syscalltbl")
        if len(paths) != 1:
            raise GenError('No single "syscalltbl" in %s or scripts/Makefile.asm-headers' % mk)
        table = paths[0].replace("$(srctree)/", "").replace("%", bits)
    rows = parse_table(tree.read(table), abis, table)
    seen = {}
    for nr, name, _ in rows:
        if nr in seen:
            raise GenError('%s: number %d is listed twice for %s ("%s", "%s")'
                           % (table, nr, t.name, seen[nr], name))
        seen[nr] = name
    return sorted(rows), table


def choose_definition(name, defs, t, config):
    """The SYSCALL_DEFINE that the target builds for `name`, or None if there is none."""
    mine = "arch/%s/" % t.srcarch
    cands = [d for d in defs.get(name, ())
             if (not d.path.startswith("arch/") or d.path.startswith(mine))
             and (not d.split32 or t.bits == 32)]
    own = [d for d in cands if d.path.startswith(mine)]
    cands = own or cands  # an architecture's own definition overrides the generic one
    if len({_signature(d) for d in cands}) > 1:
        cands = [d for d in cands if cond_eval(d.cond, config) is not False]
        if len({_signature(d) for d in cands}) != 1:
            raise GenError("%s: cannot tell which definition of sys_%s applies: %s; teach "
                           "kernel_source.kconfig_symbols or the Target roots the deciding "
                           "option" % (t.name, name, ", ".join(d.where() for d in defs[name])))
    return cands[0] if cands else None


def _clean_type(ty):
    return " ".join(w for w in ty.split() if w not in ("const", "volatile", "__user"))


def _signature(d):
    return tuple((_clean_type(ty), n) for ty, n in d.args)


def arg_slots(d, t):
    """The (name, width) registers a definition takes on the target: widths 2, 4 or 8; pointers
    and longs are register-wide."""
    reg = t.bits // 8
    slots = []
    for ty, arg in d.args:
        base = _clean_type(ty)
        if "*" in base:
            width = reg
        elif base in _WIDTHS or base.startswith("enum "):
            width = _WIDTHS.get(base, 4)
            width = reg if width == "long" else width
        else:
            raise GenError('%s: unknown C type "%s" of argument "%s" of sys_%s; add it to '
                           "_WIDTHS in wasm/gen/gen_syscalls.py" % (d.where(), base, arg, d.name))
        if width > reg:
            # x86-32 passes one register per declared argument: a 64-bit one would be cut. The
            # kernel declares split halves instead (sys_ia32_*, SC_ARG64); anything else is new.
            raise GenError("%s: %d-byte argument \"%s\" of sys_%s on 32-bit %s; declare its "
                           "halves as the kernel does (SC_ARG64)" % (d.where(), width, arg,
                                                                      d.name, t.name))
        slots.append((arg, width))
    if len(slots) > 6:
        raise GenError("%s: sys_%s takes %d registers on %s (more than 6)"
                       % (d.where(), d.name, len(slots), t.name))
    return slots


def build_target(tree, defs, t, kafel_names):
    """(syscalls, aliases, notes) for one target: syscalls as (name, nr, slots, found)."""
    rows, table = load_rows(tree, t)
    config = kconfig_symbols(tree, t.srcarch, t.roots)
    syscalls = []
    for nr, tname, entry in rows:
        if entry is None:
            syscalls.append((tname, nr, [], False))
            continue
        m = _ENTRY.match(entry)
        if not m:
            raise GenError('%s: entry point "%s" of %d is not sys_NAME' % (table, entry, nr))
        d = choose_definition(m.group(1), defs, t, config)
        name = m.group(2) if m.group(1).startswith("ia32_") else m.group(1)
        syscalls.append((name, nr, arg_slots(d, t) if d else [], d is not None))
    kafel = {kname: knr for arch, kname, knr in kafel_names if arch == t.name}
    syscalls = _yield_kafel_names(syscalls, rows, kafel, t)
    by_name = {}
    for s in syscalls:
        if s[0] in by_name:
            raise GenError('%s: two syscalls named "%s" (%d and %d)'
                           % (t.name, s[0], by_name[s[0]][1], s[1]))
        by_name[s[0]] = s
    by_nr = {s[1]: s for s in syscalls}
    aliases = {}
    for nr, tname, _ in rows:
        primary = by_nr[nr][0]
        if tname != primary and tname not in by_name and tname not in kafel:
            if aliases.get(tname, primary) != primary:
                raise GenError('%s: table name "%s" is used for two syscalls' % (t.name, tname))
            aliases[tname] = primary
    notes = []
    for kname, knr in sorted(kafel.items()):
        if knr not in by_nr:
            if kname in by_name:
                raise GenError('%s: Kafel\'s "%s" is %d, which this kernel lacks, but ours is %d; '
                               "fix wasm/gen/kafel_names.py" % (t.name, kname, knr,
                                                               by_name[kname][1]))
            notes.append('%s: Kafel\'s "%s" (%d) is not in this kernel' % (t.name, kname, knr))
        elif kname not in by_name:
            aliases[kname] = by_nr[knr][0]
    # OCI profiles and libseccomp name syscalls by the table's name (__NR_): record it where it
    # differs from the entry point (i386 nr 22 is "umount" there, sys_oldumount here).
    nr_names = sorted((tname, nr) for nr, tname, _ in rows if tname != by_nr[nr][0])
    return sorted(syscalls), sorted(aliases.items()), notes, rows, nr_names


def _yield_kafel_names(syscalls, rows, kafel, t):
    """Entry points named like a Kafel syscall of another number take their table name instead.

    Kafel's names mean Kafel's numbers (KAFEL.md: same policy, same meaning; anything else is a
    fail-open for deny-lists). On i386 the time64 renames moved `sys_clock_gettime` to nr 403
    (`__NR_clock_gettime64`) while Kafel's `clock_gettime` is 265 (now `sys_clock_gettime32`):
    403 becomes `clock_gettime64`, and `clock_gettime` an alias of 265. A name means one number,
    so `DENY { clock_gettime }` does not cover 403; a policy names `clock_gettime64` for that."""
    table_name = {nr: tname for nr, tname, _ in rows}
    numbers = {s[1] for s in syscalls}
    taken = {s[0] for s in syscalls}
    out = []
    for name, nr, slots, found in syscalls:
        knr = kafel.get(name)
        if knr is not None and knr != nr and knr in numbers:
            new = table_name[nr]
            if new == name or new in taken or new in kafel:
                raise GenError('%s: Kafel\'s "%s" is %d, but our entry point of that name is %d '
                               'and its table name "%s" is taken; fix wasm/gen/kafel_names.py or '
                               "teach gen_syscalls.py another name" % (t.name, name, knr, nr, new))
            taken.add(new)
            name = new
        out.append((name, nr, slots, found))
    return out


def cross_check(t, rows, headers):
    """Every __NR_ name in both the installed uapi header and our table has the same number."""
    path = os.path.join(headers, t.uapi)
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise GenError('Cannot read "%s" for the cross-check (%s): install linux-libc-dev or '
                       "pass --headers" % (path, e.strerror))
    uapi = {m.group(1): int(m.group(2))
            for m in re.finditer(r"^#define __NR_(\w+)\s+(\d+)\s*$", text, re.M)}
    if not uapi:
        raise GenError('"%s" defines no __NR_ numbers' % path)
    bad = ["%s (table %d, header %d)" % (name, nr, uapi[name])
           for nr, name, _ in rows if name in uapi and uapi[name] != nr]
    if bad:
        raise GenError("%s disagrees with %s: %s" % (t.name, path, ", ".join(bad)))
    return sum(1 for _, name, _ in rows if name in uapi)


def build_tables(source, headers, kafel_names=None):
    """(version, {target: (syscalls, aliases, nr_names)}, report lines for the person regenerating)."""
    tree = SourceTree(source)
    version = tree.version()
    defs = {}
    for d in find_definitions(tree):
        defs.setdefault(d.name, []).append(d)
    tables, report = {}, ["Linux %s" % version]
    for t in TARGETS:
        syscalls, aliases, notes, rows, nr_names = build_target(
            tree, defs, t, KAFEL_NAMES if kafel_names is None else kafel_names)
        checked = cross_check(t, rows, headers) if t.uapi else 0
        tables[t.name] = (syscalls, aliases, nr_names)
        report.append("%s: %d syscalls, %d aliases%s" % (
            t.name, len(syscalls), len(aliases),
            "; %d numbers match %s" % (checked, t.uapi) if t.uapi else ""))
        empty = {nr for nr, _, entry in rows if entry is None}
        for what, names in (
                ("unimplemented slots (no entry point, no arguments)",
                 [s[0] for s in syscalls if s[1] in empty]),
                ("entry points without a SYSCALL_DEFINE for this arch (no arguments)",
                 [s[0] for s in syscalls if s[1] not in empty and not s[3]])):
            report.append("  %d %s%s" % (len(names), what, ": " + " ".join(names) if names else ""))
        report += notes
    bad = sorted({n for syscalls, aliases, _ in tables.values()
                  for n in [s[0] for s in syscalls] + [a for a, _ in aliases]
                  + [a for s in syscalls for a, _ in s[2]] if not re.fullmatch(r"\w+", n)})
    if bad:
        raise GenError("Names that are not identifiers: %s" % ", ".join(bad))
    return version, tables, report


def generate(source, headers, kafel_names=None):
    """{file stem: Rust text} for wasm/src/tables, plus the report."""
    version, tables, report = build_tables(source, headers, kafel_names)
    try:
        return render_all(version, tables), report
    except ValueError as e:
        raise GenError(str(e))


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", help="linux-source-*.tar.xz or an unpacked kernel tree")
    ap.add_argument("--headers", default="/usr/include/x86_64-linux-gnu/asm",
                    help="directory with unistd_64.h and unistd_32.h (linux-libc-dev)")
    ap.add_argument("--out", default=os.path.join(here, "..", "src", "tables"),
                    help="where the .rs files go (default wasm/src/tables)")
    args = ap.parse_args(argv)
    try:
        texts, report = generate(args.source, args.headers)
    except (GenError, SourceError) as e:
        print("gen_syscalls: %s" % e, file=sys.stderr)
        return 1
    for name, text in sorted(texts.items()):
        with open(os.path.join(args.out, name + ".rs"), "w") as f:
            f.write(text)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
