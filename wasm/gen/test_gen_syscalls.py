"""Tests gen_syscalls.py on a tiny synthetic kernel tree: python3 -m unittest discover wasm/gen"""

import os
import re
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_syscalls as gen  # noqa: E402
from kernel_source import SourceError  # noqa: E402

TREE = {
    "Makefile": "VERSION = 9\nPATCHLEVEL = 8\nSUBLEVEL = 7\nEXTRAVERSION =\n",
    "scripts/Makefile.asm-headers": (
        "syscall_abis_32  += common,32\nsyscall_abis_64  += common,64\n"
        "syscalltbl := $(srctree)/scripts/syscall.tbl\n"),
    "scripts/syscall.tbl": (
        "# nr abi name entry compat\n"
        "0\tcommon\tio_setup\tsys_io_setup\tcompat_sys_io_setup\n"
        "18\tcommon\tlookup_dcookie\tsys_ni_syscall\n"
        "38\trenameat renameat\tsys_renameat\n"
        "39\tcommon\tumount2\tsys_umount\n"
        "63\tcommon\tread\tsys_read\n"
        "71\t32\tsendfile64\tsys_sendfile64\n"
        "71\t64\tsendfile\tsys_sendfile64\n"
        "220\tcommon\tclone\tsys_clone\n"
        "244\triscv\triscv_flush_icache\tsys_riscv_flush_icache\n"),
    "arch/arm64/kernel/Makefile.syscalls": (
        "syscall_abis_64 += renameat\nsyscalltbl = arch/arm64/tools/syscall_%.tbl\n"),
    "arch/riscv/kernel/Makefile.syscalls": "syscall_abis_64 += riscv\n",
    "arch/x86/entry/syscalls/syscall_64.tbl": (
        "0\tcommon\tread\tsys_read\n"
        "2\tcommon\topen\tsys_open\n"
        "4\tcommon\tstat\tsys_newstat\n"
        "17\tcommon\tpread64\tsys_pread64\n"
        "56\tcommon\tclone\tsys_clone\n"
        "166\tcommon\tumount2\tsys_umount\n"
        "184\tcommon\ttuxcall\n"
        "301\tcommon\tfanotify_mark\tsys_fanotify_mark\n"
        "512\tx32\trt_sigaction\tcompat_sys_rt_sigaction\n"),
    "arch/x86/entry/syscalls/syscall_32.tbl": (
        "3\ti386\tread\tsys_read\n"
        "5\ti386\topen\tsys_open\tcompat_sys_open\n"
        "22\ti386\tumount\tsys_oldumount\n"
        "52\ti386\tumount2\tsys_umount\n"
        "120\ti386\tclone\tsys_clone\n"
        "180\ti386\tpread64\tsys_ia32_pread64\n"
        "339\ti386\tfanotify_mark\tsys_fanotify_mark\n"),
    "arch/x86/Kconfig": (
        'config 64BIT\n\tbool "64-bit kernel"\n\n'
        "config X86_32\n\tdef_bool y\n\tdepends on !64BIT\n\tselect CLONE_BACKWARDS\n"
        "\tselect ARCH_SPLIT_ARG64\n\n"
        "config X86_64\n\tdef_bool y\n\tdepends on 64BIT\n"),
    "arch/arm64/Kconfig": "config ARM64\n\tdef_bool y\n\tselect CLONE_BACKWARDS if !EXPERT\n",
    "arch/riscv/Kconfig": "config RISCV\n\tdef_bool y\n",
    "fs/read_write.c": (
        "/* SYSCALL_DEFINE1(commented_out, int, x) */\n"
        "SYSCALL_DEFINE3(read, unsigned int, fd, char __user *, buf, size_t, count)\n{\n}\n"
        "SYSCALL_DEFINE4(pread64, unsigned int, fd, char __user *, buf,\n"
        "\t\tsize_t, count, loff_t, pos)\n{\n}\n"
        "SYSCALL_DEFINE4(pwrite64, unsigned int, fd, const char __user *, buf,\n"
        "\t\tsize_t, count, loff_t, pos)\n{\n}\n"
        "SYSCALL_DEFINE4(sendfile64, int, out_fd, int, in_fd, loff_t __user *, offset,\n"
        "\t\tsize_t, count)\n{\n}\n"),
    "fs/open.c": (
        "SYSCALL_DEFINE3(open, const char __user *, filename, int, flags, umode_t, mode)\n{}\n"
        "#define NOT_A_DEFINITION SYSCALL_DEFINE1(macro, int, x)\n"),
    "fs/stat.c": "SYSCALL_DEFINE2(newstat, const char __user *, filename,\n"
                 "\t\tstruct stat __user *, statbuf)\n{}\n",
    "fs/namei.c": "SYSCALL_DEFINE4(renameat, int, olddfd, const char __user *, oldname,\n"
                  "\t\tint, newdfd, const char __user *, newname)\n{}\n",
    "fs/namespace.c": (
        "SYSCALL_DEFINE2(umount, char __user *, name, int, flags)\n{}\n"
        "#ifdef __ARCH_WANT_SYS_OLDUMOUNT\nSYSCALL_DEFINE1(oldumount, char __user *, name)\n{}\n"
        "#endif\n"),
    "fs/notify/fanotify/fanotify_user.c": (
        "#ifndef CONFIG_ARCH_SPLIT_ARG64\n"
        "SYSCALL_DEFINE5(fanotify_mark, int, fanotify_fd, unsigned int, flags,\n"
        "\t__u64, mask, int, dfd, const char  __user *, pathname)\n{}\n#endif\n"
        "#if defined(CONFIG_ARCH_SPLIT_ARG64) || defined(CONFIG_COMPAT)\n"
        "SYSCALL32_DEFINE6(fanotify_mark, int, fanotify_fd, unsigned int, flags,\n"
        "\tSC_ARG64(mask), int, dfd, const char  __user *, pathname)\n{}\n#endif\n"),
    "fs/aio.c": "SYSCALL_DEFINE2(io_setup, unsigned, nr_events, aio_context_t __user *, ctxp)\n",
    "kernel/fork.c": (
        "#ifdef __ARCH_WANT_SYS_CLONE\n"
        "#ifdef CONFIG_CLONE_BACKWARDS\n"
        "SYSCALL_DEFINE5(clone, unsigned long, clone_flags, unsigned long, newsp,\n"
        "\t int __user *, parent_tidptr, unsigned long, tls, int __user *, child_tidptr)\n"
        "#elif defined(CONFIG_CLONE_BACKWARDS2)\n"
        "SYSCALL_DEFINE5(clone, unsigned long, newsp, unsigned long, clone_flags,\n"
        "\t int __user *, parent_tidptr, int __user *, child_tidptr, unsigned long, tls)\n"
        "#else\n"
        "SYSCALL_DEFINE5(clone, unsigned long, clone_flags, unsigned long, newsp,\n"
        "\t int __user *, parent_tidptr, int __user *, child_tidptr, unsigned long, tls)\n"
        "#endif\n{\n}\n#endif\n"),
    "arch/x86/kernel/sys_ia32.c": (
        "SYSCALL_DEFINE5(ia32_pread64, unsigned int, fd, char __user *, ubuf,\n"
        "\t\tu32, count, u32, poslo, u32, poshi)\n{}\n"),
    "arch/riscv/kernel/sys_riscv.c": (
        "SYSCALL_DEFINE3(riscv_flush_icache, uintptr_t, start, uintptr_t, end,\n"
        "\t\tuintptr_t, flags)\n{}\n"),
    # Other architectures' and tools' definitions must not leak into ours.
    "arch/mips/kernel/syscall.c": "SYSCALL_DEFINE3(read, int, a, int, b, int, c)\n{}\n",
    "tools/include/fake.c": "SYSCALL_DEFINE1(open, weird_t, x)\n",
}

HEADERS = {
    "unistd_64.h": "#define __NR_read 0\n#define __NR_open 2\n#define __NR_stat 4\n",
    "unistd_32.h": "#define __NR_read 3\n#define __NR_umount 22\n#define __NR_umount2 52\n",
}

KAFEL = [("riscv64", "flush_icache", 244), ("x86_64", "not_in_this_kernel", 999)]


def write_tree(top, files, link=True):
    for rel, text in files.items():
        path = os.path.join(top, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    if link:
        os.makedirs(os.path.join(top, "arch/arm64/tools"), exist_ok=True)
        os.symlink("../../../scripts/syscall.tbl",
                   os.path.join(top, "arch/arm64/tools/syscall_64.tbl"))


def decode(files):
    """The generated Rust back into {arch: {name: (nr, [(arg, width)])}}, {arch: {alias: name}},
    {arch: {table name: nr}}."""
    pool = files["pool"]
    names = "".join(re.findall(r'^    "(\w*)",$', pool, re.M))
    ints = lambda text: [int(x) for x in re.findall(r"\d+", text)]  # noqa: E731
    array = lambda text, key: text.split(key)[1].split("= [")[1].split("];")[0]  # noqa: E731
    ends = ints(array(pool, "NAME_ENDS"))
    arg_pool = ints(array(pool, "ARGS"))
    name = lambda i: names[ends[i - 1] if i else 0:ends[i]]  # noqa: E731

    def rows(text):
        runs = [(int(a), int(n)) for a, n in re.findall(r"\((\d+), (\d+)\)", array(text, "RUNS"))]
        packed = re.findall(r"^    \((\d+), (\d+)\), // (\d+) ", text, re.M)
        numbers = [nr for first, count in runs for nr in range(first, first + count)]
        assert len(numbers) == len(packed), "runs cover the rows"
        out = []
        for nr, (n, ref, commented) in zip(numbers, packed):
            assert int(commented) == nr, "comment names the row's number"
            start, length = int(ref) >> 3, int(ref) & 7
            args = [(name(c >> 2), (2, 4, 8)[c & 3]) for c in arg_pool[start:start + length]]
            out.append((name(int(n)), (nr, args)))
        assert numbers == sorted(set(numbers)), "rows in number order"
        return out

    generic = rows(files["generic"])
    syscalls, aliases, nr_names = {}, {}, {}
    for arch in ("x86_64", "i386", "aarch64", "riscv64"):
        text, nr_text = files[arch].split("NR_NAMES")
        own = rows(text)
        syscalls[arch] = dict((generic if arch in ("aarch64", "riscv64") else []) + own)
        aliases[arch] = {name(int(a)): name(int(p)) for a, p in
                         re.findall(r"^    \((\d+), (\d+)\), // \w+ -> ", text, re.M)}
        nr_names[arch] = {name(int(n)): int(nr) for n, nr in
                          re.findall(r"^    \((\d+), (\d+)\), //", nr_text, re.M)}
    return syscalls, aliases, nr_names


class GenerateTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.top = os.path.join(self.tmp.name, "linux-source-9.8")
        self.headers = os.path.join(self.tmp.name, "asm")
        write_tree(self.top, TREE)
        write_tree(self.headers, HEADERS, link=False)

    def tearDown(self):
        self.tmp.cleanup()

    def run_gen(self, files=None, headers=None, kafel=KAFEL):
        if files is not None:
            write_tree(self.top, files, link=False)
        if headers is not None:
            write_tree(self.headers, headers, link=False)
        return gen.generate(self.top, self.headers, kafel)

    def test_tables(self):
        files, report = self.run_gen()
        self.assertTrue(files["x86_64"].startswith(
            "// Generated from Linux 9.8.7 by wasm/gen/gen_syscalls.py; do not edit.\n"))
        sc, al, nr_names = decode(files)
        x64, x32, a64, rv = sc["x86_64"], sc["i386"], sc["aarch64"], sc["riscv64"]
        self.assertEqual(sorted(x64), ["clone", "fanotify_mark", "newstat", "open", "pread64",
                                       "read", "tuxcall", "umount"])  # no x32 row
        self.assertEqual(x64["read"], (0, [("fd", 4), ("buf", 8), ("count", 8)]))
        self.assertEqual(x64["open"][1], [("filename", 8), ("flags", 4), ("mode", 2)])
        self.assertEqual(x64["tuxcall"], (184, []))
        self.assertEqual(al["x86_64"], {"stat": "newstat", "umount2": "umount"})
        # i386: widths capped at 4, loff_t split, sys_ia32_ prefix dropped, no shadowing alias.
        self.assertEqual(x32["read"][1], [("fd", 4), ("buf", 4), ("count", 4)])
        self.assertEqual([a for a, _ in x32["pread64"][1]], ["fd", "ubuf", "count", "poslo", "poshi"])
        # SYSCALL32_DEFINE is native on a 32-bit kernel, a compat entry on a 64-bit one.
        self.assertEqual(x64["fanotify_mark"][1][2], ("mask", 8))
        self.assertEqual(x32["fanotify_mark"][1][2:4], [("mask_lo", 4), ("mask_hi", 4)])
        self.assertEqual((x32["umount"][0], x32["oldumount"][0]), (52, 22))
        self.assertEqual(al["i386"], {"umount2": "umount"})
        # libseccomp's (__NR_) names where they differ from the entry point, shadowing or not.
        self.assertEqual(nr_names["x86_64"], {"stat": 4, "umount2": 166})
        self.assertEqual(nr_names["i386"], {"umount": 22, "umount2": 52})
        # Kconfig picks the clone variant; arm64's `if !EXPERT` holds (EXPERT is not selected).
        backwards = ["clone_flags", "newsp", "parent_tidptr", "tls", "child_tidptr"]
        plain = ["clone_flags", "newsp", "parent_tidptr", "child_tidptr", "tls"]
        for table, order in ((x64, plain), (x32, backwards), (a64, backwards), (rv, plain)):
            self.assertEqual([a for a, _ in table["clone"][1]], order)
        # Generic table: ABIs per arch, the 64 row of a 32/64 pair, unimplemented slots.
        self.assertEqual(a64["sendfile64"][0], 71)
        self.assertEqual(al["aarch64"], {"sendfile": "sendfile64", "umount2": "umount"})
        self.assertIn("renameat", a64)
        self.assertNotIn("renameat", rv)
        self.assertNotIn("riscv_flush_icache", a64)
        self.assertEqual(rv["riscv_flush_icache"], (244, [("start", 8), ("end", 8), ("flags", 8)]))
        self.assertEqual(a64["lookup_dcookie"], (18, []))
        self.assertEqual(a64["read"][1], [("fd", 4), ("buf", 8), ("count", 8)])  # not mips's
        # The rows both generic-table architectures have are written once.
        self.assertIn(" read(", files["generic"])
        self.assertNotIn(" read(", files["aarch64"] + files["riscv64"])
        self.assertIn(" riscv_flush_icache(", files["riscv64"])
        self.assertEqual(a64["io_setup"][1], [("nr_events", 4), ("ctxp", 8)])
        # Kafel's own spelling becomes an alias; a name this kernel lacks is only reported.
        self.assertEqual(al["riscv64"], {"flush_icache": "riscv_flush_icache", "sendfile": "sendfile64",
                                         "umount2": "umount"})
        self.assertTrue(any("not_in_this_kernel" in line for line in report))

    def test_tarball_matches_tree_and_output_is_deterministic(self):
        first, _ = self.run_gen()
        again, _ = self.run_gen()
        self.assertEqual(first, again)
        tar = os.path.join(self.tmp.name, "linux.tar.xz")
        with tarfile.open(tar, "w:xz") as t:
            t.add(self.top, arcname="linux-source-9.8")
        from_tar, _ = gen.generate(tar, self.headers, KAFEL)
        self.assertEqual(from_tar, first)

    def test_header_disagreement_fails(self):
        with self.assertRaisesRegex(gen.GenError, r"read \(table 0, header 7\)"):
            self.run_gen(headers={"unistd_64.h": "#define __NR_read 7\n"})

    def test_64bit_argument_on_i386_fails(self):
        with self.assertRaisesRegex(gen.GenError, '8-byte argument "pos" of sys_pwrite64'):
            self.run_gen({"arch/x86/entry/syscalls/syscall_32.tbl":
                          TREE["arch/x86/entry/syscalls/syscall_32.tbl"]
                          + "181\ti386\tpwrite64\tsys_pwrite64\n"})

    def test_unknown_type_fails(self):
        with self.assertRaisesRegex(gen.GenError, 'unknown C type "frob_t"'):
            self.run_gen({"fs/aio.c": "SYSCALL_DEFINE1(io_setup, frob_t, x)\n"})

    def test_ambiguous_definitions_fail(self):
        with self.assertRaisesRegex(gen.GenError, "which definition of sys_read"):
            self.run_gen({"fs/other.c": "SYSCALL_DEFINE1(read, int, fd)\n"})

    def test_kafel_number_disagreement_fails(self):
        with self.assertRaisesRegex(gen.GenError, "Kafel's \"read\" is 5, which this kernel "
                                    "lacks, but ours is 0"):
            self.run_gen(kafel=[("x86_64", "read", 5)])

    def test_kafel_name_wins_over_a_renamed_entry_point(self):
        # i386's time64 pattern: sys_clock_gettime moved to the new number (403, table name
        # clock_gettime64); Kafel's clock_gettime is the old one (265, sys_clock_gettime32).
        tbl = TREE["arch/x86/entry/syscalls/syscall_32.tbl"] + (
            "265\ti386\tclock_gettime\tsys_clock_gettime32\n"
            "403\ti386\tclock_gettime64\tsys_clock_gettime\n")
        src = ("SYSCALL_DEFINE2(clock_gettime, clockid_t, which_clock, void __user *, tp)\n{}\n"
               "SYSCALL_DEFINE2(clock_gettime32, clockid_t, which_clock, void __user *, tp)\n{}\n")
        files, _ = self.run_gen({"arch/x86/entry/syscalls/syscall_32.tbl": tbl,
                                 "kernel/time/posix-timers.c": src},
                                kafel=[("i386", "clock_gettime", 265)])
        sc, al, nr_names = decode(files)
        self.assertEqual(sc["i386"]["clock_gettime64"][0], 403)
        self.assertEqual(sc["i386"]["clock_gettime32"][0], 265)
        self.assertNotIn("clock_gettime", sc["i386"])
        self.assertEqual(al["i386"]["clock_gettime"], "clock_gettime32")
        self.assertNotIn("clock_gettime64", al["i386"])
        self.assertEqual(nr_names["i386"]["clock_gettime"], 265)
        self.assertNotIn("clock_gettime64", nr_names["i386"])
        # Without the Kafel fact the entry point keeps its name (the 64-bit targets' rule).
        files, _ = self.run_gen(kafel=[])
        sc, al, _ = decode(files)
        self.assertEqual(sc["i386"]["clock_gettime"][0], 403)
        self.assertEqual(al["i386"]["clock_gettime64"], "clock_gettime")

    def test_kafel_name_that_cannot_be_freed_fails(self):
        # The entry point named like Kafel's syscall has no other name to take.
        with self.assertRaisesRegex(gen.GenError, 'Kafel\'s "read" is 5, but our entry point'):
            self.run_gen(kafel=[("i386", "read", 5)])

    def test_shipped_kafel_facts_are_unique(self):
        seen = {}
        for arch, name, nr in gen.KAFEL_NAMES:
            self.assertNotIn((arch, name), seen, "%s %s listed twice" % (arch, name))
            seen[(arch, name)] = nr
        self.assertEqual(seen[("i386", "clock_gettime")], 265)
        self.assertGreater(sum(1 for arch, _, _ in gen.KAFEL_NAMES if arch == "i386"), 340)

    def test_missing_source_fails(self):
        with self.assertRaisesRegex(SourceError, "not found"):
            gen.generate(os.path.join(self.tmp.name, "nope"), self.headers)
        with self.assertRaisesRegex(SourceError, "no top-level Makefile"):
            gen.generate(self.headers, self.headers)


if __name__ == "__main__":
    unittest.main()
