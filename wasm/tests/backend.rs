//! The back end against KAFEL.md §5–§9: generated BPF must mean what the IR means (property
//! tests against `ir_eval`), have the §6 shape, and meet the size and speed targets.

mod back;

use back::*;
use stockade_kafel::bpf::{self, Insn, SeccompData, JA, JMP, JSET, RET};
use stockade_kafel::codegen::generate;
use stockade_kafel::ir::{Action, ArchPolicy, CmpOp, Cond, Policy, Rule, Value};
use stockade_kafel::ir_eval;
use stockade_kafel::tables::Arch;

const ALLOW: u32 = 0x7fff_0000;
const KILL: u32 = 0;
const KILL_PROCESS: u32 = 0x8000_0000;

fn gen_ok(p: &Policy) -> Vec<Insn> {
    let prog = generate(p).unwrap_or_else(|d| panic!("generate failed: {:?}", d));
    bpf::validate(&prog).unwrap_or_else(|e| panic!("invalid program: {}", e));
    prog
}

/// Runs `n` random policies with `inputs` inputs each; every run must match the IR's meaning,
/// and a decision the IR makes without arguments must not read one.
fn ir_property(seed_value: u64, n: usize, arg_pairs: bool) {
    let mut r = Rng(seed(seed_value));
    for case in 0..n {
        let size = match r.below(20) {
            0 => 700,
            1..=4 => 80,
            _ => 12,
        };
        let p = policy(&mut r, size, arg_pairs);
        let prog = gen_ok(&p);
        let consts = constants(&p);
        let inputs = if size > 100 { 600 } else { 120 };
        for _ in 0..inputs {
            let d = input(&mut r, &p, &consts);
            let got = run(&prog, &d);
            let want = ir_eval::evaluate(&p, &d);
            assert_eq!(got.ret, want, "case {} (seed {}): {:?}\npolicy: {:?}", case, seed(seed_value), d, p);
            if decided_without_args(&p, d.arch, d.nr) {
                assert!(!got.read_args, "case {}: {:?} decided without arguments but read one", case, d);
            }
        }
    }
}

#[test]
fn random_policies_compile_to_their_meaning() {
    ir_property(1, cases(3000), false);
}

#[test]
fn random_policies_with_argument_pairs_compile_to_their_meaning() {
    ir_property(2, cases(1500), true);
}

fn one_syscall(arch: Arch, nr: u32, rules: Vec<(Action, Option<Cond>)>, default: Action) -> Policy {
    let rules = rules.into_iter().map(|(action, cond)| Rule { action, cond, pos: Default::default() }).collect();
    Policy { arches: vec![ArchPolicy::from_lists(arch, default, vec![(nr, rules)])], foreign: Action::KillProcess }
}

fn cmp(op: CmpOp, lhs: Value, c: u64, wide: bool) -> Cond {
    Cond::Cmp { op, lhs, rhs: Value::Const(c), wide }
}

#[test]
fn wide_and_narrow_comparisons_are_exact_at_the_word_edges() {
    let edges: Vec<u64> = {
        let halves = [0u64, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff];
        halves.iter().flat_map(|&h| halves.iter().map(move |&l| (h << 32) | l)).collect()
    };
    let ops = [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge];
    for &c in &edges {
        for &op in &ops {
            for wide in [true, false] {
                let p = one_syscall(Arch::X86_64, 1, vec![(Action::Allow, Some(cmp(op, Value::Arg(2), c, wide)))], Action::KillThread);
                let prog = gen_ok(&p);
                for &a in &edges {
                    let mask = if wide { u64::MAX } else { 0xffff_ffff };
                    let (x, y) = (a & mask, c & mask);
                    let holds = match op {
                        CmpOp::Eq => x == y,
                        CmpOp::Ne => x != y,
                        CmpOp::Lt => x < y,
                        CmpOp::Le => x <= y,
                        CmpOp::Gt => x > y,
                        CmpOp::Ge => x >= y,
                    };
                    let got = run(&prog, &data(Arch::X86_64, 1, [0, 0, a, 0, 0, 0])).ret;
                    assert_eq!(got, if holds { ALLOW } else { KILL }, "arg {:#x} {:?} {:#x} wide={}", a, op, c, wide);
                }
            }
        }
    }
}

/// The offsets of every `LD W ABS` beyond `nr` and `arch`, in program order.
fn arg_loads(prog: &[Insn]) -> Vec<u32> {
    prog.iter().filter(|i| i.code == bpf::LD | bpf::W | bpf::ABS && i.k >= 16).map(|i| i.k).collect()
}

#[test]
fn wide_comparisons_load_the_high_word_first_and_narrow_ones_only_the_low_word() {
    // clone_flags (args[0]) is 8 bytes wide: high word (offset 20) first, then low (16).
    let prog = compile("ALLOW { clone { clone_flags == 0x100000002 } }", &[Arch::X86_64]);
    assert_eq!(arg_loads(&prog), vec![20, 16]);
    let prog = compile("ALLOW { clone { clone_flags < 0x100000002 } }", &[Arch::X86_64]);
    assert_eq!(arg_loads(&prog), vec![20, 16]);
    // fd is 4 bytes wide: the low word only.
    let prog = compile("ALLOW { read { fd <= 7 } }", &[Arch::X86_64]);
    assert_eq!(arg_loads(&prog), vec![16]);
    // A 4-byte argument against a constant beyond 32 bits is compared on 64 bits.
    let prog = compile("ALLOW { read { fd != 0x100000000 } }", &[Arch::X86_64]);
    assert_eq!(arg_loads(&prog), vec![20, 16]);
    // Consecutive tests of one word load it once.
    let prog = compile("ALLOW { read { fd == 1 || fd == 2 || fd > 100 } }", &[Arch::X86_64]);
    assert_eq!(arg_loads(&prog), vec![16]);
}

/// Instructions with this opcode, the x32 split (`JSET 0x40000000`) left out.
fn count(prog: &[Insn], code: u16) -> usize {
    prog.iter().filter(|i| i.code == code && !(code == JMP | JSET && i.k == ir_eval::X32_BIT)).count()
}

#[test]
fn masked_zero_tests_are_one_jset_per_word() {
    let jset = JMP | JSET;
    let and_k = bpf::ALU | bpf::AND;
    // Narrow: one JSET on the low word, no AND.
    let prog = compile("ALLOW { read { (fd & 3) == 0 } }", &[Arch::X86_64]);
    assert_eq!((count(&prog, jset), count(&prog, and_k)), (1, 0), "{:?}", prog);
    assert!(prog.iter().any(|i| i.code == jset && i.k == 3));
    // Wide, a mask with no high bits: still one JSET.
    let prog = compile("ALLOW { clone { (clone_flags & 0x7e020000) == 0 } }", &[Arch::X86_64]);
    assert_eq!((count(&prog, jset), count(&prog, and_k)), (1, 0), "{:?}", prog);
    // Wide with both halves, `!=`: one JSET per word.
    let prog = compile("ALLOW { clone { (clone_flags & 0x100000001) != 0 } }", &[Arch::X86_64]);
    assert_eq!((count(&prog, jset), count(&prog, and_k)), (2, 0), "{:?}", prog);
    for (flags, want) in [(0u64, KILL), (1, ALLOW), (0x1_0000_0000, ALLOW), (0xfffe_fffe_fffe, KILL)] {
        assert_eq!(run(&prog, &data(Arch::X86_64, 56, [flags, 0, 0, 0, 0, 0])).ret, want, "flags {:#x}", flags);
    }
}

#[test]
fn bitwise_operators_with_constants_use_alu_k() {
    let prog = compile("ALLOW { read { (fd & 0xf0 | 4) == 0x34 } }", &[Arch::X86_64]);
    assert_eq!(count(&prog, bpf::ALU | bpf::AND | bpf::K), 1);
    assert_eq!(count(&prog, bpf::ALU | bpf::OR | bpf::K), 1);
    assert_eq!(count(&prog, 0x07 | bpf::TAX), 0);
    for (fd, want) in [(0x34u64, ALLOW), (0x30, ALLOW), (0x134, ALLOW), (0x1_0000_0034, ALLOW), (0x44, KILL), (0x4, KILL), (0x3f, ALLOW)] {
        assert_eq!(run(&prog, &data(Arch::X86_64, 0, [fd, 0, 0, 0, 0, 0])).ret, want, "fd {:#x}", fd);
    }
}

#[test]
fn syscalls_decided_without_arguments_never_load_one_on_any_path() {
    let mut r = Rng(seed(3));
    for _ in 0..cases(300) {
        let pairs = r.chance(50);
        let p = policy(&mut r, 40, pairs);
        let prog = gen_ok(&p);
        for a in &p.arches {
            let mut nrs: Vec<u32> = a.syscalls.iter().flat_map(|s| [s.nr.wrapping_sub(1), s.nr, s.nr.wrapping_add(1), s.nr | 0x4000_0000]).collect();
            nrs.extend_from_slice(&[0, 0x3fff_ffff, 0x4000_0000, 0x8000_0000, 0xc000_0000, u32::MAX]);
            for nr in nrs {
                if decided_without_args(&p, a.arch.audit(), nr) {
                    assert_eq!(first_arg_load(&prog, a.arch.audit(), nr), None, "{:?} nr {:#x} reads an argument\n{:?}", a.arch, nr, p);
                }
            }
        }
    }
    // And the conditional ones do load (the walker is not blind).
    let prog = compile("ALLOW { read { fd == 1 } }", &[Arch::X86_64]);
    assert!(first_arg_load(&prog, Arch::X86_64.audit(), 0).is_some());
}

fn count_far_jumps(prog: &[Insn]) -> usize {
    count(prog, JMP | JA)
}

#[test]
fn far_targets_get_a_ja_or_a_copied_ret() {
    // 900 alternating single-number ranges: the tree alone is far beyond 255 instructions.
    let mut syscalls = Vec::new();
    for nr in 0..900u32 {
        let action = match nr % 3 {
            0 => Action::Allow,
            1 => Action::Errno(nr as u16),
            _ => Action::Trap(1),
        };
        let cond = if nr % 7 == 0 { Some(cmp(CmpOp::Gt, Value::Arg(0), nr as u64, true)) } else { None };
        syscalls.push((nr, vec![Rule { action, cond, pos: Default::default() }]));
    }
    let arches = vec![
        ArchPolicy::from_lists(Arch::X86_64, Action::Log, syscalls.clone()),
        ArchPolicy::from_lists(Arch::Aarch64, Action::KillThread, syscalls),
    ];
    let p = Policy { arches, foreign: Action::KillProcess };
    let prog = gen_ok(&p);
    assert!(prog.len() > 1000, "{}", prog.len());
    assert!(count_far_jumps(&prog) > 0, "no JA in a {}-instruction program", prog.len());
    let trap_rets = prog.iter().filter(|i| i.code == RET && i.k == 0x0003_0001).count();
    assert!(trap_rets > 1, "the TRAP return is never copied");
    for arch in [Arch::X86_64, Arch::Aarch64] {
        for nr in 0..1000u32 {
            for arg in [0u64, nr as u64, nr as u64 + 1, 1 << 40] {
                let d = data(arch, nr, [arg, 0, 0, 0, 0, 0]);
                assert_eq!(run(&prog, &d).ret, ir_eval::evaluate(&p, &d), "{:?} nr {} arg {}", arch, nr, arg);
            }
        }
    }
    // `(c0 || c1 || … || c399) && a5 == 7`: every true edge of the chain goes to the last
    // test, far from the first ones: far jumps to code, not only to RETs.
    let mut any = cmp(CmpOp::Eq, Value::Arg(0), 0, true);
    for i in 1..400u64 {
        let c = cmp(CmpOp::Eq, Value::Arg((i % 5) as u8), i * 0x1_0000_0001, i % 2 == 0);
        any = Cond::Or(Box::new(c), Box::new(any));
    }
    let c = Cond::And(Box::new(any), Box::new(cmp(CmpOp::Eq, Value::Arg(5), 7, true)));
    let p = one_syscall(Arch::X86_64, 3, vec![(Action::Errno(1), Some(c))], Action::Allow);
    let prog = gen_ok(&p);
    assert!(count_far_jumps(&prog) > 0, "{} instructions", prog.len());
    let mut r = Rng(7);
    let consts = constants(&p);
    for _ in 0..3000 {
        let d = SeccompData { nr: 3, ..input(&mut r, &p, &consts) };
        assert_eq!(run(&prog, &d).ret, ir_eval::evaluate(&p, &d), "{:?}", d);
    }
}

#[test]
fn a_program_over_4096_instructions_is_an_error_with_the_count() {
    let syscalls: Vec<(u32, Vec<Rule>)> = (0..1500u32)
        .map(|nr| {
            (
                nr,
                vec![Rule {
                action: Action::Errno(nr as u16),
                cond: Some(cmp(CmpOp::Eq, Value::Arg(0), nr as u64 * 3, false)),
                    pos: stockade_kafel::diag::Pos { file: None, line: 2 + nr, col: 5 },
                }],
            )
        })
        .collect();
    let p = Policy { arches: vec![ArchPolicy::from_lists(Arch::X86_64, Action::Allow, syscalls)], foreign: Action::KillProcess };
    let d = generate(&p).unwrap_err();
    assert_eq!(d.len(), 1);
    let msg = d[0].to_string();
    assert!(msg.starts_with("2:5: Filter too long: "), "{}", msg);
    let n: usize = msg["2:5: Filter too long: ".len()..].split(' ').next().unwrap().parse().unwrap();
    assert!(n > 4096 && n < 10_000, "{}", msg);
    assert!(msg.ends_with(" instructions (the kernel allows 4096)"), "{}", msg);
    // A third of it fits.
    let mut small = p.clone();
    small.arches[0].syscalls.truncate(500);
    small.arches[0].rules.truncate(500);
    assert!(gen_ok(&small).len() <= 4096);
}

/// A full binary tree of `&` over arguments: needs `levels - 1` scratch words.
fn scratch_hungry(levels: u32, next_arg: &mut u8) -> Value {
    if levels == 0 {
        *next_arg = (*next_arg + 1) % 6;
        return Value::Arg(*next_arg);
    }
    let a = scratch_hungry(levels - 1, next_arg);
    let b = scratch_hungry(levels - 1, next_arg);
    if levels % 2 == 0 {
        Value::And(Box::new(a), Box::new(b))
    } else {
        Value::Or(Box::new(a), Box::new(b))
    }
}

#[test]
fn scratch_memory_is_used_for_argument_pairs_and_its_limit_is_an_error() {
    let mut k = 0;
    let v = scratch_hungry(5, &mut k);
    let c = Cond::Cmp { op: CmpOp::Ne, lhs: v, rhs: scratch_hungry(3, &mut k), wide: true };
    let p = one_syscall(Arch::Aarch64, 9, vec![(Action::Errno(3), Some(c))], Action::Allow);
    let prog = gen_ok(&p);
    assert!(count(&prog, bpf::ST) > 0 && count(&prog, bpf::LDX | bpf::MEM) > 0);
    let mut r = Rng(11);
    let consts = constants(&p);
    for _ in 0..3000 {
        let d = SeccompData { nr: 9, ..input(&mut r, &p, &consts) };
        assert_eq!(run(&prog, &d).ret, ir_eval::evaluate(&p, &d));
    }
    let c = Cond::Cmp { op: CmpOp::Eq, lhs: scratch_hungry(18, &mut k), rhs: Value::Const(1), wide: false };
    let mut p = one_syscall(Arch::X86_64, 1, vec![(Action::Allow, Some(c))], Action::KillThread);
    p.arches[0].rules[0].pos = stockade_kafel::diag::Pos { file: Some("inc.kafel".into()), line: 4, col: 7 };
    let d = generate(&p).unwrap_err();
    assert_eq!(d.len(), 1);
    assert!(d[0].to_string().starts_with("inc.kafel:4:7: Scratch memory exceeded"), "{}", d[0]);
}

#[test]
fn foreign_architectures_and_x32_numbers_get_the_foreign_action() {
    let text = "ALLOW { read, write, SYSCALL[0x40000005] } DEFAULT ERRNO(1)";
    let prog = compile(text, &[Arch::X86_64, Arch::Aarch64]);
    let x = |nr| run(&prog, &data(Arch::X86_64, nr, [0; 6])).ret;
    assert_eq!(x(0), ALLOW);
    assert_eq!(x(2), 0x0005_0001);
    assert_eq!(x(0x4000_0000), KILL_PROCESS, "x32 read");
    assert_eq!(x(0x4000_0005), ALLOW, "a named x32 number");
    assert_eq!(x(0x4000_0006), KILL_PROCESS);
    assert_eq!(x(0x8000_0000), 0x0005_0001, "bit 31 alone is not x32");
    assert_eq!(x(0xc000_0000), KILL_PROCESS);
    assert_eq!(x(u32::MAX), KILL_PROCESS);
    // aarch64 has no x32: bit 30 is just a number there.
    assert_eq!(run(&prog, &data(Arch::Aarch64, 0x4000_0000, [0; 6])).ret, 0x0005_0001);
    assert_eq!(run(&prog, &data(Arch::I386, 3, [0; 6])).ret, KILL_PROCESS, "i386 is foreign when not a target");
    let d = SeccompData { arch: 0x4000_0028, ..data(Arch::X86_64, 0, [0; 6]) };
    assert_eq!(run(&prog, &d).ret, KILL_PROCESS);
}

// ---- KAFEL.md §8 reference behaviours, at the BPF level ----

#[test]
fn kafel_reference_read_write_exit_is_at_most_ten_instructions() {
    let prog = compile("ALLOW { read, write, exit } DEFAULT KILL", &[Arch::X86_64]);
    assert!(prog.len() <= 10, "{} instructions: {:?}", prog.len(), prog);
    for (nr, want) in [(0, ALLOW), (1, ALLOW), (60, ALLOW), (2, KILL), (59, KILL), (61, KILL), (0x4000_0001, KILL_PROCESS)] {
        let e = run(&prog, &data(Arch::X86_64, nr, [0; 6]));
        assert_eq!(e.ret, want, "nr {:#x}", nr);
        assert!(e.executed <= 7, "nr {:#x}: {} executed", nr, e.executed);
    }
    println!("ALLOW {{ read, write, exit }} DEFAULT KILL: {} instructions", prog.len());
}

#[test]
fn kafel_reference_first_match_wins() {
    let prog = compile("ALLOW {read}, DENY {read, write}", &[Arch::X86_64]);
    assert_eq!(run(&prog, &data(Arch::X86_64, 0, [0; 6])).ret, ALLOW);
    assert_eq!(run(&prog, &data(Arch::X86_64, 1, [0; 6])).ret, KILL);
    assert_eq!(run(&prog, &data(Arch::X86_64, 2, [0; 6])).ret, KILL, "the default is KILL");
    assert!(prog.len() <= 9, "{}", prog.len());
}

#[test]
fn kafel_reference_conditions_fall_through_in_order() {
    let prog = compile("ALLOW { read { fd == 1 } } ERRNO(5) { read { count > 10 } } DEFAULT LOG", &[Arch::X86_64]);
    let r = |fd, count| run(&prog, &data(Arch::X86_64, 0, [fd, 0, count, 0, 0, 0]));
    assert_eq!(r(1, 100).ret, ALLOW);
    assert_eq!(r(1 | 1 << 32, 100).ret, ALLOW, "fd is 32 bits wide");
    assert_eq!(r(2, 11).ret, 0x0005_0005);
    assert_eq!(r(2, 10).ret, 0x7ffc_0000);
    assert_eq!(r(2, 1 << 32).ret, 0x0005_0005, "count is 64 bits wide");
    assert!(r(2, 10).executed <= 13, "{}", r(2, 10).executed);
    assert_eq!(run(&prog, &data(Arch::X86_64, 1, [1; 6])).ret, 0x7ffc_0000);
}

#[test]
fn kafel_reference_a_constant_shadowing_an_argument_removes_the_filter() {
    let prog = compile("#define fd 3\nALLOW { write { fd == 1 } } DEFAULT ERRNO(9)", &[Arch::X86_64]);
    let e = run(&prog, &data(Arch::X86_64, 1, [1; 6]));
    assert_eq!((e.ret, e.read_args), (0x0005_0009, false));
    assert_eq!(first_arg_load(&prog, Arch::X86_64.audit(), 1), None);
}

#[test]
fn kafel_reference_use_inlines_each_policy_once_first_use_first() {
    let text = "POLICY a { ERRNO(1) { read } } POLICY b { ALLOW { read }, ERRNO(2) { write } }\nUSE b, USE a, USE b DEFAULT KILL";
    let prog = compile(text, &[Arch::X86_64]);
    assert_eq!(run(&prog, &data(Arch::X86_64, 0, [0; 6])).ret, ALLOW);
    assert_eq!(run(&prog, &data(Arch::X86_64, 1, [0; 6])).ret, 0x0005_0002);
}

#[test]
fn kafel_reference_syscall_0x40000000_compiles_and_is_named() {
    let prog = compile("ALLOW { SYSCALL[0x40000000] }", &[Arch::X86_64]);
    assert_eq!(run(&prog, &data(Arch::X86_64, 0x4000_0000, [0; 6])).ret, ALLOW);
    assert_eq!(run(&prog, &data(Arch::X86_64, 0x4000_0001, [0; 6])).ret, KILL_PROCESS);
    assert_eq!(run(&prog, &data(Arch::X86_64, 0, [0; 6])).ret, KILL);
}

// ---- The docker-like policy: size and speed targets ----

fn docker_like() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/policies/docker-like.kafel");
    std::fs::read_to_string(path).expect("bench/policies/docker-like.kafel")
}

/// Arguments a well-behaved program passes: clone(SIGCHLD), socket(AF_INET), ioctl(TCGETS),
/// personality(PER_LINUX).
fn typical_args(nr: u32) -> [u64; 6] {
    match nr {
        56 => [0x11, 0, 0, 0, 0, 0],
        41 => [2, 1, 0, 0, 0, 0],
        16 => [1, 0x5401, 0x7ffd_0000, 0, 0, 0],
        _ => [0; 6],
    }
}

/// (program length, mean executed, max executed) over x86_64 numbers 0..=460.
fn docker_like_stats() -> (usize, f64, usize) {
    let prog = compile(&docker_like(), &[Arch::X86_64]);
    let runs: Vec<usize> = (0..=460u32).map(|nr| run(&prog, &data(Arch::X86_64, nr, typical_args(nr))).executed).collect();
    let mean = runs.iter().sum::<usize>() as f64 / runs.len() as f64;
    (prog.len(), mean, *runs.iter().max().unwrap())
}

#[test]
fn docker_like_policy_is_small_and_fast() {
    let (len, mean, max) = docker_like_stats();
    println!("docker-like.kafel on x86_64: {} instructions; executed over nr 0..=460: mean {:.2}, max {}", len, mean, max);
    assert!(len < 100, "{} instructions", len);
    assert!(mean <= 10.5, "mean {:.2} executed", mean);
}

#[test]
fn a_custom_number_far_past_the_table_does_not_unbalance_the_search() {
    let text = docker_like();
    let with_far = format!("{}\nALLOW {{ SYSCALL[0xfffffffe], SYSCALL[0x7ffffff0] }}", text);
    let (a, b) = (compile(&text, &[Arch::X86_64]), compile(&with_far, &[Arch::X86_64]));
    let mut extra = 0;
    for nr in 0..=460u32 {
        let (ea, eb) = (run(&a, &data(Arch::X86_64, nr, [0; 6])), run(&b, &data(Arch::X86_64, nr, [0; 6])));
        assert_eq!(ea.ret, eb.ret);
        assert!(eb.executed <= ea.executed + 2, "nr {}: {} → {} executed", nr, ea.executed, eb.executed);
        extra += eb.executed - ea.executed.min(eb.executed);
    }
    println!("two far custom numbers: {} extra instructions over 461 syscalls", extra);
    assert!(extra < 461 / 4, "{} extra instructions", extra);
}

#[test]
fn docker_like_policy_decides_like_the_reference_evaluator() {
    let text = docker_like();
    let opts = options(&[Arch::X86_64]);
    let prog = compile(&text, &opts.arches);
    let mut r = Rng(5);
    for nr in (0..=470u32).chain([0x4000_0000, 0x4000_0001, 0x8000_0000, u32::MAX]) {
        for _ in 0..4 {
            let mut args = typical_args(nr);
            args[0] = arg_near(&mut r, &[0, 8, 0x20000, 0x20008, 0xffff_ffff, 0x7e02_0000, 40, 0x5412]);
            args[1] = arg_near(&mut r, &[0x5412, 0x541c, 1]);
            for arch in [Arch::X86_64, Arch::I386, Arch::Aarch64] {
                let d = data(arch, nr, args);
                let want = stockade_kafel::reference::evaluate(text.as_bytes(), &Default::default(), &opts, &d).unwrap();
                assert_eq!(run(&prog, &d).ret, want, "{:?}", d);
            }
        }
    }
}

#[test]
fn the_kernel_action_cache_can_prove_every_unconditional_allow() {
    let baseline = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/baseline.kafel")).unwrap();
    let arches = [Arch::X86_64, Arch::I386, Arch::Aarch64, Arch::Riscv64];
    for (text, targets) in [(docker_like(), &arches[..1]), (baseline, &arches[..])] {
        let opts = options(targets);
        let policy = match stockade_kafel::compile_ir(text.as_bytes(), &Default::default(), &opts) {
            stockade_kafel::Outcome::Ok(p) => p,
            other => panic!("{:?}", other),
        };
        let prog = gen_ok(&policy);
        let mut cached = 0;
        for ap in &policy.arches {
            for nr in 0..=600u32 {
                let d = data(ap.arch, nr, [0; 6]);
                let always_allowed = decided_without_args(&policy, d.arch, nr) && ir_eval::evaluate(&policy, &d) == ALLOW;
                assert_eq!(kernel_caches_allow(&prog, d.arch, nr), always_allowed, "{:?} nr {}", ap.arch, nr);
                cached += always_allowed as usize;
            }
        }
        assert!(cached > 250 * targets.len(), "only {} cached", cached);
    }
}

#[test]
fn the_baseline_policy_on_four_architectures_stays_small_and_fast() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/baseline.kafel")).unwrap();
    let arches = [Arch::X86_64, Arch::I386, Arch::Aarch64, Arch::Riscv64];
    let prog = compile(&text, &arches);
    let mut line = format!("baseline.kafel on 4 architectures: {} instructions; mean executed over nr 0..=460:", prog.len());
    for arch in arches {
        let runs: Vec<usize> = (0..=460u32).map(|nr| run(&prog, &data(arch, nr, typical_args(nr))).executed).collect();
        let mean = runs.iter().sum::<usize>() as f64 / runs.len() as f64;
        line += &format!(" {} {:.2}", arch.name(), mean);
        assert!(mean < 14.0, "{:?}: mean {:.2}", arch, mean);
    }
    println!("{}", line);
    assert!(prog.len() < 4 * 70, "{}", prog.len());
}

#[test]
fn a_broken_intermediate_form_is_refused_not_miscompiled() {
    let rule = |action| Rule { action, cond: None, pos: Default::default() };
    let syscalls = vec![(5, vec![rule(Action::Allow)]), (2, vec![rule(Action::Log)])];
    let p = Policy { arches: vec![ArchPolicy::from_lists(Arch::X86_64, Action::KillThread, syscalls)], foreign: Action::KillProcess };
    let d = generate(&p).unwrap_err();
    assert!(d[0].message.starts_with("Internal error: "), "{}", d[0]);
    // Rule spans must tile the architecture's rules in order, each non-empty.
    let good = ArchPolicy::from_lists(Arch::X86_64, Action::KillThread, vec![(2, vec![rule(Action::Log)]), (5, vec![rule(Action::Allow)])]);
    let broken: [(&str, fn(&mut ArchPolicy)); 5] = [
        ("no rules", |a| a.syscalls[0].len = 0),
        ("does not follow", |a| a.syscalls[1].first = 0),
        ("does not follow", |a| a.syscalls[1].len = 2),
        ("belong to no syscall", |a| a.rules.push(a.rules[0].clone())),
        ("after an unconditional one", |a| {
            a.rules.insert(1, a.rules[0].clone());
            a.syscalls[0].len = 2;
            a.syscalls[1].first = 2;
        }),
    ];
    assert_eq!(Policy { arches: vec![good.clone()], foreign: Action::KillProcess }.check(), Ok(()));
    for (want, breaks) in broken {
        let mut a = good.clone();
        breaks(&mut a);
        let p = Policy { arches: vec![a], foreign: Action::KillProcess };
        assert!(p.check().unwrap_err().contains(want), "{}: {:?}", want, p.check());
        assert!(generate(&p).unwrap_err()[0].message.starts_with("Internal error: "));
    }
}

#[test]
fn a_condition_nested_past_any_front_end_limit_is_an_error_not_a_crash() {
    let mut v = Value::Arg(0);
    for i in 0..3000u64 {
        v = Value::Or(Box::new(v), Box::new(Value::Const(i)));
    }
    let mut c = Cond::Cmp { op: CmpOp::Eq, lhs: v, rhs: Value::Const(1), wide: true };
    for _ in 0..3000 {
        c = Cond::Not(Box::new(c));
    }
    let p = one_syscall(Arch::X86_64, 0, vec![(Action::Allow, Some(c))], Action::KillThread);
    let d = generate(&p).unwrap_err();
    assert!(d[0].message.contains("nested too deeply"), "{}", d[0]);
}

#[test]
fn no_target_or_a_repeated_target_still_compiles() {
    let p = Policy { arches: vec![], foreign: Action::Errno(7) };
    let prog = gen_ok(&p);
    assert_eq!(run(&prog, &data(Arch::X86_64, 0, [0; 6])).ret, 0x0005_0007);
    let ap = |default| ArchPolicy { arch: Arch::Riscv64, default, syscalls: vec![], rules: vec![] };
    let p = Policy { arches: vec![ap(Action::Allow), ap(Action::Log)], foreign: Action::KillProcess };
    let prog = gen_ok(&p);
    let d = data(Arch::Riscv64, 5, [0; 6]);
    assert_eq!(run(&prog, &d).ret, ir_eval::evaluate(&p, &d));
    assert_eq!(run(&prog, &d).ret, ALLOW, "the first entry for an architecture wins");
}

#[test]
#[ignore = "timing, run with --ignored --nocapture"]
fn compile_time_of_the_docker_like_policy() {
    use std::time::Instant;
    let text = docker_like();
    let opts = options(&[Arch::X86_64]);
    let policy = match stockade_kafel::compile_ir(text.as_bytes(), &Default::default(), &opts) {
        stockade_kafel::Outcome::Ok(p) => p,
        other => panic!("{:?}", other),
    };
    let n = 2000;
    // Summing the lengths keeps the optimiser from dropping the work (no black_box in 1.63).
    let mut sink = 0usize;
    let t = Instant::now();
    for _ in 0..n {
        sink += generate(&policy).unwrap().len();
    }
    let gen = t.elapsed() / n;
    let t = Instant::now();
    for _ in 0..n {
        if let stockade_kafel::Outcome::Ok(p) = stockade_kafel::compile_insns(text.as_bytes(), &Default::default(), &opts) {
            sink += p.len();
        }
    }
    let all = t.elapsed() / n;
    println!("docker-like.kafel: codegen {:?}, whole compile {:?} per run ({})", gen, all, sink);
    // Linear-ish: codegen time per syscall stays flat as policies grow (programs past 4,096
    // instructions are still generated, then refused).
    for n in [1_000u32, 4_000, 16_000] {
        let syscalls = (0..n)
            .map(|nr| {
                let cond = if nr % 5 == 0 { Some(cmp(CmpOp::Ge, Value::Arg((nr % 6) as u8), nr as u64, true)) } else { None };
                (nr * 3, vec![Rule { action: Action::Errno((nr % 7) as u16), cond, pos: Default::default() }])
            })
            .collect();
        let p = Policy { arches: vec![ArchPolicy::from_lists(Arch::X86_64, Action::Allow, syscalls)], foreign: Action::KillProcess };
        let t = Instant::now();
        let out = generate(&p);
        println!("{} syscalls: {:?} ({:?} per syscall), ok = {}", n, t.elapsed(), t.elapsed() / n, out.is_ok());
    }
}
