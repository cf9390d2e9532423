//! OCI output: the conversion of first-match rules into OCI entries is exact (property tests
//! against `ir_eval`), the JSON is what runtimes read, and what OCI cannot say is an error at
//! the rule's LINE:COL.

use stockade_kafel::abi;
use stockade_kafel::bpf::SeccompData;
use stockade_kafel::ir::{Action, CmpOp, Cond, Policy, Value};
use stockade_kafel::ir_eval;
use stockade_kafel::oci::dnf::{self, Atom, Dnf, Op};
use stockade_kafel::oci::{self, Profile};
use stockade_kafel::tables::Arch;
use stockade_kafel::{compile_ir, IncludeMap, Options, Outcome};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const CONSTS: [u64; 12] = [0, 1, 2, 5, 7, 0xff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0005, u64::MAX - 1, u64::MAX];

fn konst(r: &mut Rng) -> u64 {
    if r.below(4) == 0 {
        r.next() >> r.below(64)
    } else {
        r.pick(&CONSTS)
    }
}

/// A value of argument `arg` (or, rarely, of a second argument: OCI cannot say that).
fn value(r: &mut Rng, arg: u8, depth: u32) -> Value {
    match if depth > 2 { 0 } else { r.below(6) } {
        0 | 1 | 2 => Value::Arg(arg),
        3 => Value::And(Box::new(value(r, arg, depth + 1)), Box::new(Value::Const(konst(r)))),
        4 => Value::Or(Box::new(value(r, arg, depth + 1)), Box::new(Value::Const(konst(r)))),
        _ => Value::And(Box::new(Value::Const(konst(r))), Box::new(value(r, arg, depth + 1))),
    }
}

fn cond(r: &mut Rng, depth: u32, rare_two_args: bool) -> Cond {
    match if depth > 2 { 0 } else { r.below(7) } {
        0 | 1 | 2 => {
            let op = r.pick(&[CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge]);
            let arg = r.below(3) as u8;
            let rhs = if rare_two_args && r.below(40) == 0 { Value::Arg((arg + 1) % 3) } else { Value::Const(konst(r)) };
            Cond::Cmp { op, lhs: value(r, arg, 0), rhs, wide: r.below(2) == 0 }
        }
        3 | 4 => Cond::And(Box::new(cond(r, depth + 1, rare_two_args)), Box::new(cond(r, depth + 1, rare_two_args))),
        5 => Cond::Or(Box::new(cond(r, depth + 1, rare_two_args)), Box::new(cond(r, depth + 1, rare_two_args))),
        _ => Cond::Not(Box::new(cond(r, depth + 1, rare_two_args))),
    }
}

/// Arguments near the interesting constants: equal, one off, a bit flipped, or random.
fn args(r: &mut Rng, high_zero: bool) -> [u64; 6] {
    let mut a = [0u64; 6];
    for x in a.iter_mut() {
        let c = konst(r);
        *x = match r.below(5) {
            0 => c,
            1 => c.wrapping_add(1),
            2 => c.wrapping_sub(1),
            3 => c ^ (1 << r.below(64)),
            _ => r.next(),
        };
        if high_zero {
            *x &= 0xffff_ffff;
        }
    }
    a
}

fn dnf_holds(d: &Dnf, a: &[u64; 6]) -> bool {
    d.iter().any(|t| t.iter().all(|at| at.holds(a)))
}

fn one_per_index(d: &Dnf) -> bool {
    d.iter().all(|t| t.windows(2).all(|w| w[0].index < w[1].index))
}

/// For random first-match rule lists, each rule's region holds exactly where that rule is the
/// first to match, on 64-bit arguments and on i386's zero-extended ones.
#[test]
fn regions_are_exact() {
    let mut r = Rng(7);
    let (mut checked, mut refused, mut too_big) = (0, 0, 0);
    for round in 0..3000 {
        let i386 = round % 4 == 3;
        let n = 1 + r.below(3) as usize;
        let conds: Vec<Option<Cond>> = (0..n).map(|k| if k + 1 == n && r.below(3) == 0 { None } else { Some(cond(&mut r, 0, true)) }).collect();
        let refs: Vec<Option<&Cond>> = conds.iter().map(Option::as_ref).collect();
        let mask = if i386 { 0xffff_ffff } else { u64::MAX };
        for i in 0..n {
            let region = match dnf::rule_region(&refs, i, mask) {
                Ok(d) => d,
                Err(why) => {
                    assert!(why.contains("argument with an argument") || why.contains("combines argument") || why.contains("OCI entries"), "{}", why);
                    refused += 1;
                    too_big += why.contains("OCI entries") as u32;
                    continue;
                }
            };
            assert!(one_per_index(&region), "{:?}", region);
            // libseccomp compares 32 bits on i386: a constant with high bits would be cut.
            assert!(!i386 || region.iter().flatten().all(|a| (a.a | a.b) >> 32 == 0), "{:?}", region);
            for _ in 0..200 {
                let a = args(&mut r, i386);
                let first = refs.iter().position(|c| c.map_or(true, |c| ir_eval::cond(c, &a)));
                assert_eq!(dnf_holds(&region, &a), first == Some(i), "rule {} of {:?} on {:x?}: {:?}", i, conds, a, region);
            }
            checked += 1;
        }
    }
    eprintln!("regions: {} checked, {} refused ({} past MAX_TERMS)", checked, refused, too_big);
    // Refusals are the inherent ones: a negated 32-bit equality is 32 one-bit terms, and two
    // of them on different arguments multiply past MAX_TERMS.
    assert!(checked > 4000 && refused < checked / 4, "checked {}, refused {}", checked, refused);
}

fn cmp(op: CmpOp, lhs: Value, c: u64, wide: bool) -> Cond {
    Cond::Cmp { op, lhs, rhs: Value::Const(c), wide }
}

fn atom(index: u8, op: Op, a: u64, b: u64) -> Atom {
    Atom { index, op, a, b }
}

#[test]
fn comparisons_keep_their_native_form() {
    let c = cmp(CmpOp::Gt, Value::Arg(2), 10, true);
    assert_eq!(dnf::rule_region(&[Some(&c)], 0, u64::MAX), Ok(vec![vec![atom(2, Op::Gt, 10, 0)]]));
    // Negation (an earlier rule) flips the operator.
    assert_eq!(dnf::rule_region(&[Some(&c), None], 1, u64::MAX), Ok(vec![vec![atom(2, Op::Le, 10, 0)]]));
}

#[test]
fn narrow_equality_is_a_32_bit_masked_eq() {
    let c = cmp(CmpOp::Eq, Value::Arg(0), 1, false);
    assert_eq!(dnf::rule_region(&[Some(&c)], 0, u64::MAX), Ok(vec![vec![atom(0, Op::MaskedEq, 0xffff_ffff, 1)]]));
    // On i386 an argument has 32 bits: the plain comparison is exact.
    assert_eq!(dnf::rule_region(&[Some(&c)], 0, 0xffff_ffff), Ok(vec![vec![atom(0, Op::Eq, 1, 0)]]));
}

#[test]
fn negated_masked_equality_is_one_bit_per_term() {
    let c = cmp(CmpOp::Eq, Value::And(Box::new(Value::Arg(1)), Box::new(Value::Const(0b1010))), 0b1000, true);
    let mut want = vec![vec![atom(1, Op::MaskedEq, 0b10, 0b10)], vec![atom(1, Op::MaskedEq, 0b1000, 0)]];
    want.sort();
    assert_eq!(dnf::rule_region(&[Some(&c), None], 1, u64::MAX), Ok(want));
}

#[test]
fn comparisons_on_one_argument_merge() {
    let ne = |c| cmp(CmpOp::Ne, Value::Arg(0), c, true);
    let both = Cond::And(Box::new(ne(1)), Box::new(ne(2)));
    let mut want = vec![vec![atom(0, Op::Eq, 0, 0)], vec![atom(0, Op::Ge, 3, 0)]];
    want.sort();
    assert_eq!(dnf::rule_region(&[Some(&both)], 0, u64::MAX), Ok(want));
    let range = Cond::And(Box::new(cmp(CmpOp::Gt, Value::Arg(0), 5, true)), Box::new(cmp(CmpOp::Lt, Value::Arg(0), 10, true)));
    // 6..=9 is two aligned blocks: 6-7 and 8-9.
    let mut want = vec![vec![atom(0, Op::MaskedEq, !1, 6)], vec![atom(0, Op::MaskedEq, !1, 8)]];
    want.sort();
    assert_eq!(dnf::rule_region(&[Some(&range)], 0, u64::MAX), Ok(want));
    let never = Cond::And(Box::new(cmp(CmpOp::Eq, Value::Arg(0), 5, true)), Box::new(cmp(CmpOp::Eq, Value::Arg(0), 6, true)));
    assert_eq!(dnf::rule_region(&[Some(&never)], 0, u64::MAX), Ok(vec![]));
}

#[test]
fn argument_against_argument_is_refused() {
    let c = Cond::Cmp { op: CmpOp::Eq, lhs: Value::Arg(0), rhs: Value::Arg(1), wide: true };
    let why = dnf::rule_region(&[Some(&c)], 0, u64::MAX).unwrap_err();
    assert!(why.contains("compares an argument with an argument"), "{}", why);
}

#[test]
fn too_many_terms_is_refused() {
    // Each negated narrow equality is 32 one-bit terms; three of them on different arguments
    // multiply to 32768.
    let eq = |i| cmp(CmpOp::Eq, Value::Arg(i), 7, false);
    let c = Cond::Or(Box::new(eq(0)), Box::new(Cond::Or(Box::new(eq(1)), Box::new(eq(2)))));
    let why = dnf::rule_region(&[Some(&c), None], 1, u64::MAX).unwrap_err();
    assert!(why.contains("more than 256 OCI entries"), "{}", why);
}

// ---- Whole profiles (need the syscall tables) ----

fn opts(arch: Arch) -> Options {
    Options { arches: vec![arch], foreign: Action::KillProcess }
}

fn ir(text: &str, arch: Arch) -> Policy {
    match compile_ir(text.as_bytes(), &IncludeMap::new(), &opts(arch)) {
        Outcome::Ok(p) => p,
        other => panic!("{} did not compile: {:?}", text, other),
    }
}

fn json(text: &str, arch: Arch) -> Result<String, Vec<String>> {
    match oci::compile_oci(text.as_bytes(), &IncludeMap::new(), &opts(arch)) {
        Outcome::Ok(b) => Ok(String::from_utf8(b).unwrap()),
        Outcome::Diagnostics(d) => Err(d.iter().map(|d| d.to_string()).collect()),
        Outcome::NeedIncludes(n) => panic!("needs {:?}", n),
    }
}

fn profile(text: &str, arch: Arch) -> Profile {
    let p = ir(text, arch);
    oci::profile(&p.arches[0], Default::default).unwrap()
}

#[test]
fn a_plain_allow_list() {
    let got = json("ALLOW { read, write, newstat } DEFAULT ERRNO(1)", Arch::X86_64).unwrap();
    assert_eq!(
        got,
        r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read","stat","write"],"action":"SCMP_ACT_ALLOW"}]}"#
    );
}

#[test]
fn first_match_becomes_disjoint_entries() {
    let text = "ALLOW { read { fd == 1 } } ERRNO(5) { read { count > 10 } } DEFAULT LOG";
    let got = json(text, Arch::X86_64).unwrap();
    // fd is an int: a 32-bit comparison, so a masked one; the ERRNO entry excludes fd == 1.
    assert!(got.contains(r#"{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967295,"valueTwo":1,"op":"SCMP_CMP_MASKED_EQ"}]}"#), "{}", got);
    assert!(got.contains(r#""action":"SCMP_ACT_ERRNO","errnoRet":5,"args":[{"index":0,"value":1,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"},{"index":2,"value":10,"op":"SCMP_CMP_GT"}]"#), "{}", got);
}

#[test]
fn every_action_has_its_oci_name() {
    let text = "ALLOW { read } LOG { write } KILL { open } KILL_PROCESS { close } USER_NOTIF { mmap } ERRNO(13) { brk } TRAP(0) { dup } TRACE(7) { dup2 } DEFAULT KILL_PROCESS";
    let got = json(text, Arch::X86_64).unwrap();
    for want in [
        r#"["read"],"action":"SCMP_ACT_ALLOW""#,
        r#"["write"],"action":"SCMP_ACT_LOG""#,
        r#"["open"],"action":"SCMP_ACT_KILL_THREAD""#,
        r#"["mmap"],"action":"SCMP_ACT_NOTIFY""#,
        r#"["brk"],"action":"SCMP_ACT_ERRNO","errnoRet":13"#,
        r#"["dup"],"action":"SCMP_ACT_TRAP""#,
        r#"["dup2"],"action":"SCMP_ACT_TRACE","errnoRet":7"#,
        r#""defaultAction":"SCMP_ACT_KILL_PROCESS""#,
    ] {
        assert!(got.contains(want), "{} in {}", want, got);
    }
    // A rule that repeats the default is left out (libseccomp would refuse it).
    assert!(!got.contains("close"), "{}", got);
}

#[test]
fn inexpressible_rules_are_errors_at_their_position() {
    let e = json("ALLOW {\n  mmap(a, b) { a == b }\n}", Arch::X86_64).unwrap_err();
    assert_eq!(e.len(), 1, "{:?}", e);
    assert!(e[0].starts_with("2:3: OCI cannot express this condition on x86_64: it compares an argument with an argument"), "{:?}", e);
    // An earlier rule's inexpressible condition is reported there once, not at the rules
    // whose regions must exclude it.
    let e = json("ERRNO(1) {\n  mmap(a, b) { a == b }\n}\nALLOW { mmap { len > 5 }, mmap }", Arch::X86_64).unwrap_err();
    assert_eq!(e.len(), 1, "{:?}", e);
    assert!(e[0].starts_with("2:3: OCI cannot express"), "{:?}", e);
    // i386: libseccomp would apply socket's comparisons to socketcall(), wrongly.
    let e = json("ALLOW {\n  socket { family == 2 }, semctl, read { fd == 0 } }", Arch::I386).unwrap_err();
    assert_eq!(e.len(), 1, "{:?}", e);
    assert!(e[0].starts_with("2:3: OCI cannot express this condition on i386: libseccomp also applies rules for \"socket\" to the multiplexed socketcall()"), "{:?}", e);
    assert!(json("ALLOW { socket { family == 2 } }", Arch::X86_64).is_ok());
    let e = json("TRAP(5) { read }", Arch::X86_64).unwrap_err();
    assert!(e[0].starts_with("1:11: The action TRAP(5) has no OCI form"), "{:?}", e);
    let e = json("ALLOW { read }\nDEFAULT TRAP(2)", Arch::X86_64).unwrap_err();
    assert!(e[0].starts_with("2:1: The default action TRAP(2) has no OCI form"), "{:?}", e);
    let e = json("ALLOW { read, SYSCALL[4000] }", Arch::X86_64).unwrap_err();
    assert_eq!(e, vec!["1:15: Syscall 4000 has no name on x86_64, and OCI profiles name syscalls (use a syscall name)"]);
}

#[test]
fn names_are_the_kernel_nr_names() {
    let p = profile("ALLOW { newuname, umount, llseek } DEFAULT KILL", Arch::I386);
    let names: Vec<&str> = p.entries.iter().flat_map(|e| e.names.iter().copied()).collect();
    assert_eq!(names, vec!["_llseek", "umount2", "uname"]);
    let p = profile("ALLOW { newuname, umount } DEFAULT KILL", Arch::X86_64);
    assert_eq!(p.entries[0].names, vec!["umount2", "uname"]);
}

#[test]
fn architectures_list_the_target_alone() {
    for (arch, name) in [(Arch::X86_64, "SCMP_ARCH_X86_64"), (Arch::I386, "SCMP_ARCH_X86"), (Arch::Aarch64, "SCMP_ARCH_AARCH64"), (Arch::Riscv64, "SCMP_ARCH_RISCV64")] {
        let got = json("ALLOW { read }", arch).unwrap();
        assert!(got.contains(&format!(r#""architectures":["{}"]"#, name)), "{}", got);
    }
}

#[test]
fn one_architecture_only() {
    let o = Options { arches: vec![Arch::X86_64, Arch::Aarch64], foreign: Action::KillProcess };
    match oci::compile_oci(b"ALLOW { read }", &IncludeMap::new(), &o) {
        Outcome::Diagnostics(d) => assert!(d[0].message.contains("exactly one target architecture")),
        other => panic!("{:?}", other),
    }
}

const SYSCALLS: [&str; 8] = ["read", "write", "openat", "mmap", "fcntl", "clone", "socket", "prctl"];

/// A random policy over `SYSCALLS`, and whether it uses x86_64's argument names.
fn random_policy(r: &mut Rng) -> (String, bool) {
    let actions = ["ALLOW", "LOG", "KILL", "KILL_PROCESS", "ERRNO(1)", "ERRNO(13)", "TRACE(3)", "USER_NOTIF"];
    let mut text = String::new();
    let mut table_args = false;
    for _ in 0..1 + r.below(6) {
        let name = r.pick(&SYSCALLS);
        let cond = match r.below(4) {
            0 => String::new(),
            _ => {
                let terms: Vec<String> = (0..1 + r.below(3))
                    .map(|_| {
                        let arg = r.pick(&["@0", "@1", "@2"]);
                        let op = r.pick(&["==", "!=", "<", "<=", ">", ">="]);
                        let lhs = match r.below(3) {
                            0 => format!("({} & 0x{:x})", arg, konst(r)),
                            _ => arg.to_string(),
                        };
                        format!("{} {} {}", lhs, op, konst(r))
                    })
                    .collect();
                let joiner = r.pick(&[" && ", " || "]);
                format!(" {{ {} }}", terms.join(joiner))
            }
        };
        // Custom (64-bit) arguments and the table's (some 32-bit) both.
        let custom = r.below(2) == 0;
        table_args |= !custom && !cond.is_empty();
        let (decl, cond) = if custom { ("(a0, a1, a2)".to_string(), cond.replace('@', "a")) } else { (String::new(), table_names(name, &cond)) };
        text.push_str(&format!("{} {{ {}{}{} }}\n", r.pick(&actions), name, decl, cond));
    }
    text.push_str(&format!("DEFAULT {}\n", r.pick(&actions)));
    (text, table_args)
}

/// Rewrites @0..@2 into the syscall's own argument names.
fn table_names(name: &str, cond: &str) -> String {
    let def = Arch::X86_64.lookup(name).unwrap();
    let mut out = cond.to_string();
    for (i, a) in def.args.iter().enumerate().take(3) {
        out = out.replace(&format!("@{}", i), a.name);
    }
    out
}

/// For random policies, what a runtime decides from the OCI entries is what the policy says.
#[test]
fn profiles_mean_what_the_policy_means() {
    let mut r = Rng(11);
    let mut checked = 0;
    for _ in 0..600 {
        let (text, table_args) = random_policy(&mut r);
        for arch in [Arch::X86_64, Arch::Aarch64, Arch::I386] {
            if arch != Arch::X86_64 && table_args {
                continue; // the argument names were taken from x86_64's table
            }
            let policy = ir(&text, arch);
            let p = match oci::profile(&policy.arches[0], Default::default) {
                Ok(p) => p,
                Err(d) => {
                    let known = |m: &str| m.contains("OCI entries") || (arch == Arch::I386 && m.contains("multiplexed socketcall()"));
                    assert!(d.iter().all(|d| known(&d.message)), "{}: {:?}", text, d);
                    continue;
                }
            };
            for e in &p.entries {
                assert!(e.args.windows(2).all(|w| w[0].index < w[1].index), "{:?}", e);
                assert!(e.action != p.default);
            }
            for _ in 0..300 {
                let name = r.pick(&SYSCALLS);
                let nr = arch.lookup(name).unwrap().nr;
                let data = SeccompData { nr, arch: arch.audit(), instruction_pointer: 0, args: args(&mut r, arch == Arch::I386) };
                let want = Action::from_ret_value(ir_eval::evaluate(&policy, &data));
                assert_eq!(oci::evaluate(&p, nr, &data.args), want, "{} on {:?} {:x?}", text, arch, data.args);
            }
            checked += 1;
        }
    }
    eprintln!("profiles: {} checked", checked);
    assert!(checked > 700, "{}", checked);
}

#[test]
fn the_names_op_maps_oci_names_to_kafel_names() {
    let got = oci::names_json(&[Arch::X86_64, Arch::I386]);
    assert!(got.starts_with(r#"{"x86_64":{"#), "{}", &got[..40]);
    for want in [r#""stat":["newstat",4]"#, r#""read":["read",0]"#, r#""umount2":["umount",166]"#, r#""_llseek":["llseek",140]"#, r#""umount":["oldumount",22]"#] {
        assert!(got.contains(want), "{}", want);
    }
}

#[test]
fn the_abi_serves_oci_and_names() {
    let mut req = Vec::new();
    let str = |req: &mut Vec<u8>, s: &[u8]| {
        req.extend_from_slice(&(s.len() as u32).to_le_bytes());
        req.extend_from_slice(s);
    };
    for op in [abi::OP_OCI, abi::OP_NAMES] {
        req.clear();
        for v in [abi::ABI_VERSION, op, 0x8000_0000, 1] {
            req.extend_from_slice(&v.to_le_bytes());
        }
        str(&mut req, b"aarch64");
        str(&mut req, b"ALLOW { read }");
        req.extend_from_slice(&0u32.to_le_bytes());
        let (status, payload) = abi::handle(&req);
        assert_eq!(status, abi::STATUS_OK, "{}", String::from_utf8_lossy(&payload));
        assert!(String::from_utf8(payload).unwrap().contains("read"));
    }
}

/// Mangled policies never panic the OCI path (the module must answer every input).
#[test]
fn mangled_policies_do_not_panic() {
    let seeds = [
        "ALLOW { read { fd == 1 } } ERRNO(5) { read { count > 10 } } DEFAULT LOG",
        "KILL { mmap(a, b, c) { (a & 0xff) < 7 || !(b | 3) == c, a >= -1 } } TRACE(2) { write } DEFAULT TRAP(0)",
        "POLICY p { ALLOW { clone { (clone_flags & 0x7e020000) == 0 } } } USE p DEFAULT ERRNO(1)",
    ];
    let mut r = Rng(3);
    let alphabet = b"(){}&|!=<>,0123456789xabf -_";
    for round in 0..3000 {
        let mut text = seeds[round % seeds.len()].as_bytes().to_vec();
        for _ in 0..1 + r.below(4) {
            let at = r.below(text.len() as u64) as usize;
            match r.below(3) {
                0 => text[at] = r.pick(alphabet),
                1 => text.insert(at, r.pick(alphabet)),
                _ => {
                    text.remove(at);
                }
            }
        }
        for arch in [Arch::X86_64, Arch::I386] {
            let _ = oci::compile_oci(&text, &IncludeMap::new(), &opts(arch));
        }
    }
}

/// libseccomp 2.5.4 mis-compiles several entries comparing one argument in more than one way
/// (across high words, or beside other arguments): those comparisons become masked equalities.
#[test]
fn comparisons_libseccomp_mis_compiles_become_masked() {
    let ops = |text: &str| -> Vec<Vec<Op>> { profile(text, Arch::X86_64).entries.iter().map(|e| e.args.iter().map(|a| a.op).collect()).collect() };
    // a0 <= 4 or a0 >= 2^32: constants with different high words.
    let got = ops("KILL_PROCESS { openat(a, b, c) { a != 0xffffffff && a != 5 } } DEFAULT TRACE(3)");
    assert!(got.len() > 2 && got.iter().flatten().all(|&o| o == Op::MaskedEq), "{:?}", got);
    // b compared two ways beside c.
    let got = ops("USER_NOTIF { write(a, b, c) { b >= 2 } } USER_NOTIF { write(a, b, c) { c <= 1 } } DEFAULT ALLOW");
    assert!(got.iter().flatten().all(|&o| o == Op::MaskedEq || o == Op::Le), "{:?}", got);
    assert!(got.iter().flatten().any(|&o| o == Op::MaskedEq), "{:?}", got);
    // What it compiles right keeps the short form.
    assert_eq!(ops("ERRNO(1) { write(a, b, c) { a != 1 && a != 2 } } DEFAULT ALLOW"), vec![vec![Op::Eq], vec![Op::Ge]]);
    assert_eq!(profile("ALLOW { read { fd == 1 } } ERRNO(5) { read { count > 10 } } DEFAULT LOG", Arch::X86_64).entries.len(), 33);
}
