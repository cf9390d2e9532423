"""Writes the syscall tables as compact Rust data (decoded once at run time by tables/mod.rs).

Written out as `SyscallDef` structs the four tables cost ~60 KB of the WASM module (20 bytes of
pointers per syscall, 12 per argument); packed as u16 indices into one shared name pool and one
shared pool of argument lists they cost ~18 KB. The encoding:

- pool.rs `NAMES`: every syscall, alias and argument name, sorted, concatenated; `NAME_ENDS[i]` is
  the end of name i (its start is the previous end). Sorted names make index order = name order.
- pool.rs `ARGS`: argument lists, per argument `name << 2 | width code` (0: 2 bytes, 1: 4, 2: 8).
  A syscall refers to its list as `start << 3 | length`, so a list that begins another list is
  stored once, as that list's beginning.
- <arch>.rs `ROWS`: (name, argument list) per syscall, in number order; `RUNS`: (first number,
  rows) for each run of consecutive numbers. `ALIASES`: (alias, entry point) sorted by alias;
  `NR_NAMES`: (table name, number) sorted by name, only where the table's (`__NR_`,
  libseccomp's) name differs from the entry point.
- generic.rs: the rows that the architectures numbering their syscalls by asm-generic's table
  (`GENERIC`) have in common, in the same form; their own files hold only the rest.
"""

WIDTH_CODES = {2: 0, 4: 1, 8: 2}
_LIMIT = 0xFFFF
# Argument lists are at most this long (the length's bits in a row's reference).
_MAX_ARGS = 7
_LENGTH_BITS = 3
# Architectures whose syscall numbers come from asm-generic's scripts/syscall.tbl.
GENERIC = ("aarch64", "riscv64")


def _header(version):
    return "// Generated from Linux %s by wasm/gen/gen_syscalls.py; do not edit." % version


def _wrapped(items, indent="    ", width=100):
    lines, line = [], indent
    for item in items:
        if len(line) + len(item) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += item + " "
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _arg_lists(sigs):
    """Sorted argument lists → (flat pool, {list: start}). A list's extensions follow it in
    sorted order, so a list that begins the next one is stored as that one's beginning."""
    flat, starts, pending = [], {}, []
    for i, sig in enumerate(sigs):
        pending.append(sig)
        if i + 1 == len(sigs) or sigs[i + 1][:len(sig)] != sig:
            # The end of a chain of lists each beginning the next: store the longest.
            for p in pending:
                starts[p] = len(flat)
            flat += sig
            pending = []
    return flat, starts


def _rows(out, rows, ref, index):
    """`RUNS` and `ROWS` for `rows` = [(name, nr, slots)] in number order."""
    runs = []
    for _, nr, _ in rows:
        if runs and runs[-1][0] + runs[-1][1] == nr:
            runs[-1][1] += 1
        else:
            runs.append([nr, 1])
    out.append("pub static RUNS: [(u16, u16); %d] = [%s];"
               % (len(runs), ", ".join("(%d, %d)" % (a, n) for a, n in runs)))
    out.append("pub static ROWS: [(u16, u16); %d] = [" % len(rows))
    for n, nr, slots in rows:
        out.append("    (%d, %d), // %d %s(%s)" % (index[n], ref(slots), nr, n,
                                                  ", ".join("%s:%d" % s for s in slots)))
    out.append("];")


def render_all(version, tables):
    """tables: {arch: (syscalls, aliases, nr_names)} with syscalls as (name, nr, slots, found)
    and nr_names as (table name, nr) → {file: text}."""
    names = set()
    for syscalls, aliases, nr_names in tables.values():
        for name, _, slots, _ in syscalls:
            names.add(name)
            names.update(a for a, _ in slots)
        for alias, primary in aliases:
            names.update((alias, primary))
        names.update(n for n, _ in nr_names)
    names = sorted(names)
    index = {n: i for i, n in enumerate(names)}
    code = lambda slots: tuple((index[a] << 2) | WIDTH_CODES[w] for a, w in slots)  # noqa: E731
    sigs = sorted({code(slots) for syscalls, _, _ in tables.values() for _, _, slots, _ in syscalls})
    if max(map(len, sigs), default=0) > _MAX_ARGS:
        raise ValueError("An argument list outgrew the encoding of wasm/gen/render_rust.py")
    flat, starts = _arg_lists(sigs)
    ref = lambda slots: starts[code(slots)] << _LENGTH_BITS | len(slots)  # noqa: E731
    ends, pos = [], 0
    for n in names:
        pos += len(n)
        ends.append(pos)
    if max(len(names), pos, len(flat) << _LENGTH_BITS) > _LIMIT or max(flat, default=0) > _LIMIT:
        raise ValueError("Syscall tables outgrew the u16 encoding of wasm/gen/render_rust.py")
    files = {"pool": "\n".join(
        [_header(version),
         "//! Names and argument lists shared by the per-architecture tables (see mod.rs).",
         "pub static NAMES: &str = concat!("]
        + ['    "%s",' % chunk for chunk in _chunks("".join(names), 90)]
        + [");",
           "pub static NAME_ENDS: [u16; %d] = [" % len(ends)]
        + _wrapped("%d," % e for e in ends)
        + ["];",
           "pub static ARGS: [u16; %d] = [" % len(flat)]
        + _wrapped("%d," % v for v in flat)
        + ["];", ""])}
    rows = {}
    for arch, (syscalls, _, _) in tables.items():
        for name, nr, _, _ in syscalls:
            if nr > _LIMIT:
                raise ValueError("Syscall %s number %d does not fit in u16" % (name, nr))
        rows[arch] = sorted(((n, nr, tuple(slots)) for n, nr, slots, _ in syscalls),
                            key=lambda r: r[1])
    generic = [a for a in GENERIC if a in rows]
    shared = set.intersection(*(set(rows[a]) for a in generic)) if len(generic) > 1 else set()
    out = [_header(version),
           "//! The rows %s share (both number syscalls by asm-generic's table):"
           % " and ".join(generic),
           "//! (name, argument list) in number order, by runs of consecutive numbers; see mod.rs."]
    _rows(out, sorted(shared, key=lambda r: r[1]), ref, index)
    files["generic"] = "\n".join(out + [""])
    for arch, (_, aliases, nr_names) in sorted(tables.items()):
        own = [r for r in rows[arch] if not (arch in generic and r in shared)]
        out = [_header(version),
               "//! %s: (name, argument list) per syscall%s in number order, by runs of"
               % (arch, " not in generic.rs," if arch in generic else ","),
               "//! consecutive numbers; (alias, entry point) pairs sorted by alias; indices into",
               "//! pool.rs (see mod.rs)."]
        _rows(out, own, ref, index)
        out.append("pub static ALIASES: [(u16, u16); %d] = [" % len(aliases))
        out += ["    (%d, %d), // %s -> %s" % (index[a], index[p], a, p) for a, p in aliases]
        out.append("];")
        out.append("pub static NR_NAMES: [(u16, u16); %d] = [" % len(nr_names))
        out += ["    (%d, %d), // %s" % (index[n], nr, n) for n, nr in nr_names]
        out += ["];", ""]
        files[arch] = "\n".join(out)
    return files


def _chunks(text, size):
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]
