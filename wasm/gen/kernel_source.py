"""Reads the facts gen_syscalls.py needs out of a Linux source tree (tarball or directory).

Three kinds of facts: syscall tables (`*.tbl`), `SYSCALL_DEFINEn(...)` definitions with the
preprocessor condition around each, and the Kconfig symbols an architecture selects (only to pick
between definitions that differ per configuration, such as the argument order of `clone`).
Python standard library only.
"""

import os
import re
import tarfile

# Files kept from the tree: tables, the Makefiles that pick a table's ABIs, Kconfig, and C files
# that define syscalls. Everything else in the (1.4 GB unpacked) tree is skipped while reading.
_KEEP = re.compile(r"(\.tbl|/Makefile\.syscalls|/Makefile\.asm-headers|/Kconfig[^/]*)$")
# Trees that build no native syscalls for our targets: user-mode Linux, tools, docs, samples.
_SKIP_DIRS = ("tools/", "Documentation/", "samples/", "arch/um/", "arch/x86/um/")


class SourceError(Exception):
    """A fact the generator needs is missing or cannot be read from the source tree."""


class SourceTree:
    """The kept files of a kernel tree, by path relative to its top directory."""

    def __init__(self, path):
        self.files = {}
        if os.path.isdir(path):
            self._read_dir(path)
        elif os.path.isfile(path):
            self._read_tar(path)
        else:
            raise SourceError('Kernel source "%s" not found: pass the linux-source tarball or an '
                              "unpacked tree" % path)
        if "Makefile" not in self.files:
            raise SourceError('"%s" has no top-level Makefile: is it a Linux source tree?' % path)

    @staticmethod
    def _wanted(rel):
        if rel == "Makefile":
            return True
        if rel.startswith(_SKIP_DIRS):
            return False
        return bool(_KEEP.search("/" + rel)) or rel.endswith(".c")

    def _keep(self, rel, data):
        text = data.decode("utf-8", "replace")
        if rel.endswith(".c") and "SYSCALL" not in text:
            return
        self.files[rel] = text

    def _read_dir(self, top):
        for d, dirs, names in os.walk(top):
            dirs.sort()
            for n in sorted(names):
                full = os.path.join(d, n)
                rel = os.path.relpath(full, top).replace(os.sep, "/")
                if self._wanted(rel) and os.path.isfile(full):
                    with open(full, "rb") as f:
                        self._keep(rel, f.read())

    def _read_tar(self, path):
        links = {}
        try:
            with tarfile.open(path) as tar:
                for m in tar:
                    rel = m.name.split("/", 1)[1] if "/" in m.name else ""
                    if not rel or not self._wanted(rel):
                        continue
                    if m.issym():
                        links[rel] = os.path.normpath(os.path.join(os.path.dirname(rel), m.linkname))
                    elif m.isfile():
                        self._keep(rel, tar.extractfile(m).read())
        except (tarfile.TarError, OSError) as e:
            raise SourceError('Cannot read kernel tarball "%s": %s' % (path, e))
        for rel, target in links.items():
            if target in self.files:
                self.files[rel] = self.files[target]

    def read(self, rel):
        if rel not in self.files:
            raise SourceError('Kernel source has no "%s"' % rel)
        return self.files[rel]

    def version(self):
        top = self.read("Makefile")
        parts = []
        for key in ("VERSION", "PATCHLEVEL", "SUBLEVEL"):
            m = re.search(r"^%s\s*=\s*(\d+)\s*$" % key, top, re.M)
            if not m:
                raise SourceError('Top-level Makefile has no "%s = N" line' % key)
            parts.append(m.group(1))
        return ".".join(parts)


# --- syscall tables -------------------------------------------------------------------------

def parse_table(text, abis, where):
    """Rows `nr abi name [entry [compat ...]]` whose abi is in `abis`, as (nr, name, entry|None).

    An entry of `sys_ni_syscall` or none at all is an unimplemented slot: entry None.
    """
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cols = line.split()
        if len(cols) < 3 or not cols[0].isdigit():
            raise SourceError('%s:%d: malformed syscall table row "%s"' % (where, lineno, line))
        if cols[1] not in abis:
            continue
        entry = cols[3] if len(cols) > 3 and cols[3] != "sys_ni_syscall" else None
        rows.append((int(cols[0]), cols[2], entry))
    return rows


def make_var(text, var):
    """The words `VAR += a,b c` / `VAR := x` / `VAR = x` add to VAR in a Makefile, in order."""
    words = []
    for m in re.finditer(r"^%s\s*(\+=|:=|=)(.*)$" % re.escape(var), text, re.M):
        if m.group(1) != "+=":
            words = []
        words += [w for w in re.split(r"[\s,]+", m.group(2).strip()) if w]
    return words


# --- Kconfig ---------------------------------------------------------------------------------

def kconfig_symbols(tree, srcarch, roots):
    """Symbols set for an architecture: `roots`, what they `select` (transitively, `if` clauses
    evaluated), and `def_bool y` symbols whose `depends on` holds. Only the arch's own Kconfig
    files are read, so user-chosen options are absent (false): good enough to choose between
    definitions, and gen_syscalls fails when a choice stays ambiguous."""
    blocks = {}
    prefix = "arch/%s/Kconfig" % srcarch
    for rel in sorted(tree.files):
        if not rel.startswith(prefix):
            continue
        name = None
        for raw in tree.files[rel].splitlines():
            line = raw.split("#", 1)[0].strip()
            m = re.match(r"(?:menu)?config\s+(\w+)$", line)
            if m:
                name = m.group(1)
                blocks.setdefault(name, {"selects": [], "depends": [], "def_y": False})
                continue
            if not raw[:1].isspace():
                name = None
            if name is None:
                continue
            b = blocks[name]
            m = re.match(r"select\s+(\w+)(?:\s+if\s+(.*))?$", line)
            if m:
                b["selects"].append((m.group(1), m.group(2)))
            elif line.startswith("depends on "):
                b["depends"].append(line[len("depends on "):])
            elif line == "def_bool y":
                b["def_y"] = True
    on = set(roots)
    changed = True
    while changed:
        changed = False
        for name, b in sorted(blocks.items()):
            if name not in on and b["def_y"] and all(_kexpr(d, on) for d in b["depends"]):
                on.add(name)
                changed = True
            if name in on:
                for sym, cond in b["selects"]:
                    if sym not in on and (cond is None or _kexpr(cond, on)):
                        on.add(sym)
                        changed = True
    return on


def _kexpr(expr, on):
    """A Kconfig `depends on` / `if` expression over bool symbols; anything else is false.
    Same grammar as a C #if over CONFIG_ symbols, so it reuses that parser."""
    return cond_eval(_cond_parse(re.sub(r"\b(\w+)\b", r"CONFIG_\1", expr)), on) is True


# --- SYSCALL_DEFINE --------------------------------------------------------------------------

_DEFINE = re.compile(r"\bSYSCALL(32)?_DEFINE([0-6])\s*\(")
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


class Definition:
    """One `SYSCALL_DEFINEn(name, type, arg, ...)`: where, under which #if, with which args."""

    def __init__(self, path, line, name, args, cond, split32):
        self.path, self.line, self.name, self.args = path, line, name, args
        self.cond = cond        # condition tree, see _cond_eval
        self.split32 = split32  # SYSCALL32_DEFINE: the native form only on 32-bit kernels

    def where(self):
        return "%s:%d" % (self.path, self.line)


def _blank_comments(text):
    # Comments become spaces (newlines kept) so line numbers and #if lines survive.
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def find_definitions(tree):
    """Every SYSCALL_DEFINEn / SYSCALL32_DEFINEn in the kept C files, in path order."""
    found = []
    for rel in sorted(tree.files):
        if rel.endswith(".c"):
            found += _definitions_in(rel, _blank_comments(tree.files[rel]))
    return found


def _definitions_in(rel, text):
    found = []
    conds = _line_conditions(text)
    for m in _DEFINE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if text[start:m.start()].strip():  # inside a #define or another macro: not a definition
            continue
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        if depth:
            raise SourceError("%s: unterminated SYSCALL_DEFINE" % rel)
        line = text.count("\n", 0, m.start()) + 1
        where = "%s:%d" % (rel, line)
        parts = [" ".join(p.split()) for p in text[m.end():i - 1].split(",")]
        parts = _expand_arg64(parts)
        n = int(m.group(2))
        if len(parts) != 1 + 2 * n or not re.fullmatch(r"\w+", parts[0]):
            raise SourceError('%s: cannot read "SYSCALL_DEFINE%d(%s)"' % (where, n, ", ".join(parts)))
        args = [(parts[1 + 2 * k], parts[2 + 2 * k]) for k in range(n)]
        found.append(Definition(rel, line, parts[0], args, conds[line], m.group(1) is not None))
    return found


def _expand_arg64(parts):
    # SC_ARG64(x) is the kernel's split 64-bit argument: u32 x_lo, u32 x_hi (little-endian).
    out = []
    for p in parts:
        m = re.fullmatch(r"SC_ARG64\((\w+)\)", p)
        out += ["u32", m.group(1) + "_lo", "u32", m.group(1) + "_hi"] if m else [p]
    return out


def _line_conditions(text):
    """For each line number (1-based), the #if condition it sits under, as a tree."""
    conds = [("true",)]
    stack = []  # per open #if: [earlier branches (trees), current branch (tree)]
    lines = text.split("\n")
    pending = ""
    for raw in lines:
        conds.append(_all_of(stack))
        line = pending + raw
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        m = re.match(r"\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b(.*)", line)
        if not m:
            continue
        kw, rest = m.group(1), m.group(2).strip()
        if kw == "ifdef":
            stack.append([[], ("def", rest.split()[0] if rest else "")])
        elif kw == "ifndef":
            stack.append([[], ("not", ("def", rest.split()[0] if rest else ""))])
        elif kw == "if":
            stack.append([[], _cond_parse(rest)])
        elif stack and kw == "elif":
            stack[-1][0].append(stack[-1][1])
            stack[-1][1] = _cond_parse(rest)
        elif stack and kw == "else":
            stack[-1][0].append(stack[-1][1])
            stack[-1][1] = ("true",)
        elif stack and kw == "endif":
            stack.pop()
    conds.append(_all_of(stack))
    return conds


def _all_of(stack):
    terms = []
    for earlier, current in stack:
        terms += [("not", c) for c in earlier] + [current]
    return ("and",) + tuple(terms) if terms else ("true",)


def _cond_parse(expr):
    """#if expression → tree of and/or/not/def/unknown. Anything unusual becomes unknown."""
    tokens = re.findall(r"&&|\|\||[()!]|[A-Za-z_]\w*|\S+", expr)
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        pos[0] += 1
        return tokens[pos[0] - 1]

    def alt():
        terms = [conj()]
        while peek() == "||":
            take()
            terms.append(conj())
        return terms[0] if len(terms) == 1 else ("or",) + tuple(terms)

    def conj():
        terms = [unary()]
        while peek() == "&&":
            take()
            terms.append(unary())
        return terms[0] if len(terms) == 1 else ("and",) + tuple(terms)

    def unary():
        t = peek()
        if t == "!":
            take()
            return ("not", unary())
        if t == "(":
            take()
            inner = alt()
            if take() != ")":
                raise ValueError
            return inner
        if t in ("defined", "IS_ENABLED", "IS_BUILTIN"):
            take()
            paren = peek() == "("
            if paren:
                take()
            name = take()
            if paren and take() != ")":
                raise ValueError
            return ("def", name)
        if t is not None and re.fullmatch(r"CONFIG_\w+", t):
            take()
            return ("def", t)
        raise ValueError

    try:
        tree = alt()
        if pos[0] != len(tokens):
            raise ValueError
        return tree
    except (ValueError, IndexError):
        return ("unknown",)


def cond_eval(tree, config):
    """Three-valued: True, False, or None (unknown). CONFIG_X is known from `config` (the
    arch's Kconfig symbols); other macros (__ARCH_WANT_*, …) are unknown."""
    op = tree[0]
    if op == "true":
        return True
    if op == "unknown":
        return None
    if op == "def":
        name = tree[1]
        return name[len("CONFIG_"):] in config if name.startswith("CONFIG_") else None
    if op == "not":
        v = cond_eval(tree[1], config)
        return None if v is None else not v
    vals = [cond_eval(t, config) for t in tree[1:]]
    if op == "and":
        return False if False in vals else (None if None in vals else True)
    return True if True in vals else (None if None in vals else False)
