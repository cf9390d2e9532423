"""Writes the syscall tables as compact Rust data (decoded once at run time by tables/mod.rs).

Written out as `SyscallDef` structs the four tables cost ~60 KB of the WASM module (20 bytes of
pointers per syscall, 12 per argument); packed as u16 indices into one shared name pool and one
shared pool of argument lists they cost ~25 KB. The encoding:

- pool.rs `NAMES`: every syscall, alias and argument name, sorted, concatenated; `NAME_ENDS[i]` is
  the end of name i (its start is the previous end). Sorted names make index order = name order.
- pool.rs `SIGNATURES`: argument lists, each a count then per argument `name << 2 | width code`
  (0: 2 bytes, 1: 4, 2: 8). A syscall refers to its list by offset.
- <arch>.rs `SYSCALLS`: (name, number, argument list) sorted by name; `ALIASES`: (alias, entry
  point) sorted by alias; `NR_NAMES`: (table name, number) sorted by name, only where the table's
  (`__NR_`, libseccomp's) name differs from the entry point.
"""

WIDTH_CODES = {2: 0, 4: 1, 8: 2}
_LIMIT = 0xFFFF


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
    sigs = sorted({tuple((index[a], WIDTH_CODES[w]) for a, w in slots)
                   for syscalls, _, _ in tables.values() for _, _, slots, _ in syscalls})
    offsets, flat = {}, []
    for sig in sigs:
        offsets[sig] = len(flat)
        flat.append(len(sig))
        flat += [(i << 2) | code for i, code in sig]
    ends, pos = [], 0
    for n in names:
        pos += len(n)
        ends.append(pos)
    if max(len(names), len(flat), pos) > _LIMIT:
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
           "pub static SIGNATURES: [u16; %d] = [" % len(flat)]
        + _wrapped("%d," % v for v in flat)
        + ["];", ""])}
    for arch, (syscalls, aliases, nr_names) in sorted(tables.items()):
        out = [_header(version),
               "//! %s: (name, number, argument list) per syscall, sorted by name, and (alias, entry"
               % arch,
               "//! point) pairs sorted by alias; indices into pool.rs (see mod.rs).",
               "pub static SYSCALLS: [(u16, u16, u16); %d] = [" % len(syscalls)]
        for name, nr, slots, _ in syscalls:
            if nr > _LIMIT:
                raise ValueError("Syscall %s number %d does not fit in u16" % (name, nr))
            sig = tuple((index[a], WIDTH_CODES[w]) for a, w in slots)
            out.append("    (%d, %d, %d), // %s(%s)" % (index[name], nr, offsets[sig], name,
                                                       ", ".join("%s:%d" % s for s in slots)))
        out.append("];")
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
