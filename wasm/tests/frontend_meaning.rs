//! The front end with the real syscall tables: name rules, the width rule (KAFEL.md §5), the
//! reference behaviours of §8 at the IR level, the divergences of §9 that need tables, and a
//! property test holding resolve (via the IR) against the independent reference evaluator.

mod front;

use front::*;
use stockade_kafel::bpf::SeccompData;
use stockade_kafel::ir::{Action, CmpOp, Cond, Policy, Value};
use stockade_kafel::tables::Arch;
use stockade_kafel::{ir_eval, reference, IncludeMap, Options, Outcome};

fn nr(arch: Arch, name: &str) -> u32 {
    arch.lookup(name).unwrap_or_else(|| panic!("{} missing on {}", name, arch.name())).nr
}

fn data(arch: Arch, name: &str, args: [u64; 6]) -> SeccompData {
    SeccompData { nr: nr(arch, name), arch: arch.audit(), instruction_pointer: 0, args }
}

/// The reference and the IR agree, and give `want`.
fn means(text: &str, arches: &[Arch], d: &SeccompData, want: Action) {
    let opts = options(arches);
    let by_ref = reference::evaluate(text.as_bytes(), &IncludeMap::new(), &opts, d).expect("compiles");
    let p = ok_with(text, &IncludeMap::new(), arches);
    assert_eq!(by_ref, ir_eval::evaluate(&p, d), "reference and IR disagree on {:?} for {}", d, text);
    assert_eq!(by_ref, want.ret_value(), "{:?} for {}", d, text);
}

const X: Arch = Arch::X86_64;

// ---- §8 ----

#[test]
fn allow_list_with_default_kill() {
    let p = ok("ALLOW { read, write, exit } DEFAULT KILL");
    let want: Vec<(u32, Vec<(Action, bool)>)> = vec![(0, vec![(Action::Allow, false)]), (1, vec![(Action::Allow, false)]), (60, vec![(Action::Allow, false)])];
    assert_eq!(summary(&p, X), want);
    assert_eq!(p.arches[0].default, Action::KillThread);
}

#[test]
fn first_block_wins_per_syscall() {
    let t = "ALLOW {read}, DENY {read, write}";
    means(t, &[X], &data(X, "read", [0; 6]), Action::Allow);
    means(t, &[X], &data(X, "write", [0; 6]), Action::KillThread);
}

#[test]
fn each_path_of_a_conditional_syscall() {
    let t = "ALLOW { read { fd == 1 } } ERRNO(5) { read { count > 10 } } DEFAULT LOG";
    means(t, &[X], &data(X, "read", [1, 0, 100, 0, 0, 0]), Action::Allow);
    means(t, &[X], &data(X, "read", [0, 0, 11, 0, 0, 0]), Action::Errno(5));
    means(t, &[X], &data(X, "read", [0, 0, 10, 0, 0, 0]), Action::Log);
    means(t, &[X], &data(X, "write", [1, 0, 100, 0, 0, 0]), Action::Log);
}

#[test]
fn a_constant_named_like_an_argument_removes_the_filter() {
    let p = ok("#define fd 3\nALLOW { write { fd == 1 } }");
    assert!(p.arches[0].syscalls.is_empty());
    let p = ok("#define read 5\nALLOW { read }");
    assert_eq!(summary(&p, X)[0].0, 5);
}

// ---- §5 The width rule ----

#[test]
fn narrow_arguments_compare_on_32_bits() {
    assert_eq!(X.lookup("fcntl").unwrap().args[0].width, 4, "fcntl's fd is an unsigned int");
    let p = ok("ALLOW { fcntl { fd == 0x1234 } }");
    assert_eq!(cond_of(&p, nr(X, "fcntl"), 0), cmp(CmpOp::Eq, Value::Arg(0), Value::Const(0x1234), false));
    means("ALLOW { fcntl { fd == 0x1234 } }", &[X], &data(X, "fcntl", [0x1_0000_1234, 0, 0, 0, 0, 0]), Action::Allow);
}

#[test]
fn a_wide_constant_makes_the_comparison_64_bit() {
    let t = "ALLOW { read { (fd & 0x1ffffffff) == 3 } }";
    let p = ok(t);
    let lhs = Value::And(Box::new(Value::Arg(0)), Box::new(Value::Const(0x1_ffff_ffff)));
    assert_eq!(cond_of(&p, 0, 0), cmp(CmpOp::Eq, lhs, Value::Const(3), true));
    means(t, &[X], &data(X, "read", [0x1_0000_0003, 0, 0, 0, 0, 0]), Action::KillThread);
    means(t, &[X], &data(X, "read", [3, 0, 0, 0, 0, 0]), Action::Allow);
    // -1 does not fit in 32 bits either.
    let p = ok("ALLOW { fcntl { fd == -1 } }");
    assert!(matches!(cond_of(&p, nr(X, "fcntl"), 0), Cond::Cmp { wide: true, .. }));
}

#[test]
fn folding_can_make_a_comparison_narrow_again() {
    let p = ok("ALLOW { kill { (pid & 0xffffffffffffffff) == 5 } }");
    assert_eq!(cond_of(&p, nr(X, "kill"), 0), cmp(CmpOp::Eq, Value::Arg(0), Value::Const(5), false));
    means("ALLOW { kill { (pid & 0xffffffffffffffff) == 5 } }", &[X], &data(X, "kill", [0xdead_0000_0005, 0, 0, 0, 0, 0]), Action::Allow);
}

#[test]
fn a_64_bit_argument_makes_the_comparison_64_bit() {
    assert_eq!(X.lookup("read").unwrap().args[2].width, 8, "read's count is a size_t");
    let p = ok("ALLOW { read { fd == count } }");
    assert!(matches!(cond_of(&p, 0, 0), Cond::Cmp { wide: true, .. }));
    let p = ok("ALLOW { read { count == 7 } }");
    assert!(matches!(cond_of(&p, 0, 0), Cond::Cmp { wide: true, .. }));
    // A custom argument list makes every argument 8 bytes wide.
    let p = ok("ALLOW { fcntl(a) { a == 0x1234 } }");
    assert!(matches!(cond_of(&p, nr(X, "fcntl"), 0), Cond::Cmp { wide: true, .. }));
}

// ---- §4 Names with tables ----

#[test]
fn syscall_names_resolve_per_architecture() {
    let both = [Arch::X86_64, Arch::Aarch64];
    let e = errors_with("ALLOW { open }", &IncludeMap::new(), &both);
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("1:9: Undefined identifier \"open\": no such syscall on aarch64"), "{:?}", e);
    let p = ok_with("ALLOW { open ON x86_64, openat }", &IncludeMap::new(), &both);
    assert_eq!(summary(&p, Arch::X86_64).len(), 2);
    assert_eq!(summary(&p, Arch::Aarch64).len(), 1);
    // The kernel's entry-point names: newfstatat, newuname.
    ok_with("ALLOW { newfstatat, newuname }", &IncludeMap::new(), &both);
}

#[test]
fn divergence_kafel_spellings_are_accepted_on_aarch64() {
    let a = [Arch::Aarch64];
    let p = ok_with("ALLOW { sendfile, fadvise64 }", &IncludeMap::new(), &a);
    assert_eq!(summary(&p, Arch::Aarch64).len(), 2);
}

#[test]
fn argument_names_come_from_the_table() {
    ok("ALLOW { read { fd == 0 && count < 10 } }");
    let e = errors("ALLOW { read { flags == 0 } }");
    assert_eq!(e, vec!["1:16: Undefined identifier \"flags\" (neither a constant defined before this point nor an argument of \"read\")"]);
    // A custom list replaces the table's names.
    error_at("ALLOW { read(a, b, c) { fd == 0 } }", "1:25", "Undefined identifier \"fd\"");
}

// ---- §9 x32 and foreign architectures ----

#[test]
fn divergence_x32_is_closed_unless_named() {
    let t = "ALLOW { read, SYSCALL[0x40000001], SYSCALL[0x40000002](a) { 1 == 2 } } DEFAULT ALLOW";
    let mk = |n: u32| SeccompData { nr: n, arch: X.audit(), instruction_pointer: 0, args: [0; 6] };
    means(t, &[X], &mk(0x4000_0000), Action::KillProcess);
    means(t, &[X], &mk(0x4000_0001), Action::Allow);
    // A filter that folds to false does not survive, so its number stays closed.
    means(t, &[X], &mk(0x4000_0002), Action::KillProcess);
    means(t, &[X], &mk(0x3fff_ffff), Action::Allow);
    // Not on other architectures: bit 30 means nothing there.
    let a = Arch::Aarch64;
    let t = "ALLOW { read } DEFAULT ALLOW";
    means(t, &[a], &SeccompData { nr: 0x4000_0000, arch: a.audit(), instruction_pointer: 0, args: [0; 6] }, Action::Allow);
}

#[test]
fn divergence_only_named_architectures_compile() {
    let t = "ALLOW { read }";
    let i386 = SeccompData { nr: 3, arch: Arch::I386.audit(), instruction_pointer: 0, args: [0; 6] };
    means(t, &[X], &i386, Action::KillProcess);
    means(t, &[X, Arch::I386], &i386, Action::Allow);
    let opts = Options { arches: vec![X], foreign: Action::Errno(1) };
    let unknown = SeccompData { nr: 0, arch: 0x1234, instruction_pointer: 0, args: [0; 6] };
    assert_eq!(reference::evaluate(t.as_bytes(), &IncludeMap::new(), &opts, &unknown), Ok(Action::Errno(1).ret_value()));
}

// ---- Property: resolve (through the IR) means what the AST means ----

#[test]
fn resolve_agrees_with_the_reference_evaluator() {
    let mut rng = Rng(42);
    let inc = IncludeMap::new();
    let (mut compiled, mut checked) = (0, 0);
    for _ in 0..3000 {
        let text = random_policy(&mut rng);
        let arches = [vec![X], vec![X, Arch::Aarch64], vec![Arch::Aarch64, Arch::I386]][rng.below(3)].clone();
        let opts = Options { arches: arches.clone(), foreign: Action::KillProcess };
        let p: Policy = match stockade_kafel::compile_ir(text.as_bytes(), &inc, &opts) {
            Outcome::Ok(p) => p,
            _ => continue,
        };
        p.check().unwrap();
        compiled += 1;
        for _ in 0..40 {
            let arch = [X, Arch::Aarch64, Arch::I386][rng.below(3)];
            let call = CALLS[rng.below(CALLS.len())];
            let n = match call {
                c if c.starts_with("SYSCALL[0x4") => 0x4000_0001,
                c if c.starts_with("SYSCALL[900") => 900,
                c => arch.lookup(c).map_or(0x4000_0000, |d| d.nr),
            };
            let mut args = [0u64; 6];
            for a in args.iter_mut() {
                *a = VALUES[rng.below(VALUES.len())];
            }
            let d = SeccompData { nr: n, arch: arch.audit(), instruction_pointer: 0, args };
            let want = reference::evaluate(text.as_bytes(), &inc, &opts, &d).unwrap();
            assert_eq!(ir_eval::evaluate(&p, &d), want, "{:?}\n{}", d, text);
            checked += 1;
        }
    }
    assert!(compiled > 1500 && checked > 60_000, "only {} policies compiled, {} checks", compiled, checked);
}

// ---- Speed: no quadratic passes (the budget is ≤ 100 µs per compile warm, in WASM) ----

#[test]
fn compiling_every_syscall_is_fast() {
    let names: Vec<&str> = X.syscalls().iter().map(|s| s.name).filter(|n| n.as_bytes()[0].is_ascii_alphabetic()).collect();
    assert!(names.len() > 300);
    let text = format!("ALLOW {{ {} }}\nERRNO(1) {{ read {{ fd == 0 }}, write {{ (fd & 3) == 1 || count > 4096 }} }}\nDEFAULT KILL", names.join(",\n  "));
    let opts = options(&[X]);
    let inc = IncludeMap::new();
    let run = || match stockade_kafel::compile_ir(text.as_bytes(), &inc, &opts) {
        Outcome::Ok(p) => assert_eq!(p.arches[0].syscalls.len(), names.len()),
        other => panic!("{:?}", other),
    };
    run();
    let rounds = 200;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        run();
    }
    let each = start.elapsed() / rounds;
    eprintln!("front end: {} syscalls in {:?} per compile (native)", names.len(), each);
    assert!(each < std::time::Duration::from_millis(2), "{:?} per compile", each);
}

#[test]
fn the_reference_follows_long_use_chains_too() {
    let mut text = String::from("POLICY p0 { ALLOW { read } }\n");
    for i in 1..20_000 {
        text.push_str(&format!("POLICY p{} {{ USE p{} }}\n", i, i - 1));
    }
    text.push_str("USE p19999, USE p0");
    means(&text, &[X], &data(X, "read", [0; 6]), Action::Allow);
    means(&text, &[X], &data(X, "write", [0; 6]), Action::KillThread);
}
