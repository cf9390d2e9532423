//! The front end against KAFEL.md §2–§5, §7–§9: lexer, parser, names, meaning, errors.
//! Table-free cases use `SYSCALL[n]` and custom argument lists; the rest use real names.

mod front;

use front::*;
use stockade_kafel::ir::{Action, CmpOp, Cond, Value};
use stockade_kafel::lexer::{self, Tok};
use stockade_kafel::tables::Arch;
use stockade_kafel::{IncludeMap, Outcome};

/// The value of a text that lexes to exactly one number, or the first error.
fn number(text: &str) -> Result<u64, String> {
    let map = IncludeMap::new();
    let lexed = lexer::lex(text.as_bytes(), &map);
    if let Some(d) = lexed.diags.first() {
        return Err(d.to_string());
    }
    match lexer::kinds(&lexed).as_slice() {
        [Tok::Number] => Ok(lexed.tokens[0].value),
        other => Err(format!("not one number: {:?}", other)),
    }
}

// ---- §2 Lexical structure ----

#[test]
fn numbers_in_every_base() {
    assert_eq!(number("0"), Ok(0));
    assert_eq!(number("42"), Ok(42));
    assert_eq!(number("18446744073709551615"), Ok(u64::MAX));
    assert_eq!(number("-1"), Ok(u64::MAX));
    assert_eq!(number("-2"), Ok(u64::MAX - 1));
    assert_eq!(number("0x1F"), Ok(0x1f));
    assert_eq!(number("0xffffffffffffffff"), Ok(u64::MAX));
    assert_eq!(number("0b101"), Ok(5));
    assert_eq!(number("017"), Ok(15));
    assert_eq!(number("00"), Ok(0));
}

#[test]
fn numbers_out_of_range_and_malformed() {
    let e = number("18446744073709551616").unwrap_err();
    assert!(e.starts_with("1:1: Number \"18446744073709551616\" out of range"), "{}", e);
    assert!(number("0x1ffffffffffffffff").unwrap_err().contains("out of range"));
    assert!(number("-18446744073709551616").unwrap_err().contains("out of range"));
    assert!(number("0b1".repeat(1).as_str()).is_ok());
    assert!(number(&format!("0b1{}", "0".repeat(64))).unwrap_err().contains("out of range"));
    assert!(number("02000000000000000000000").unwrap_err().contains("out of range"));
    // `-` is not an operator: it only glues to a nonzero decimal.
    for bad in ["-0", "- 1", "-0x1", "-"] {
        let e = errors(&format!("ALLOW {{ SYSCALL[1] {{ {} == 1 }} }}", bad));
        assert!(e[0].starts_with("1:22: Unexpected character \"-\""), "{}: {:?}", bad, e);
    }
    // Uppercase prefixes are not numbers: `0X1` is 0 then the identifier X1.
    assert_eq!(number("0X1"), Err("not one number: [Number, Ident]".into()));
}

#[test]
fn divergence_octal_with_8_or_9_is_an_error() {
    for bad in ["09", "0128", "08"] {
        let e = number(bad).unwrap_err();
        assert!(e.starts_with(&format!("1:1: Number \"{}\" is not valid octal", bad)), "{}", e);
    }
}

#[test]
fn comments_and_whitespace() {
    let p = ok("// line comment\nALLOW /* block\n comment */ { SYSCALL[1] }\t// trailing");
    assert_eq!(summary(&p, Arch::X86_64), vec![(1, vec![(Action::Allow, false)])]);
    error_at("ALLOW { SYSCALL[1] }\n  /* never closed\n", "2:3", "Unterminated comment");
    // Comments do not nest: the first */ closes.
    error_at("/* a /* b */ c */ ALLOW { SYSCALL[1] }", "1:16", "Unexpected character \"*\"");
}

#[test]
fn divergence_star_before_comment_end_closes_it() {
    ok("/***/ ALLOW { SYSCALL[1] }");
    ok("/* x **/ ALLOW { SYSCALL[1] }");
    ok("/****\n***/ ALLOW { SYSCALL[1] }");
}

#[test]
fn divergence_carriage_returns_are_whitespace() {
    let p = ok("#define X 7\r\nALLOW {\r\n  X\r\n}\r\nDEFAULT LOG\r\n");
    assert_eq!(summary(&p, Arch::X86_64), vec![(7, vec![(Action::Allow, false)])]);
    // Positions after a CRLF still count lines by LF.
    error_at("ALLOW {\r\n  SYSCALL[1] }\r\n @", "3:2", "Unexpected character \"@\"");
}

#[test]
fn identifiers_and_reserved_words() {
    // Lowercase `allow` is an ordinary identifier, so it cannot start a statement.
    error_at("allow { SYSCALL[1] }", "1:1", "Expected a statement");
    error_at("ALLOW { _read }", "1:9", "Unexpected character \"_\" (identifiers start with a letter)");
    // Reserved words are whole words: ALLOWED is an identifier.
    error_at("ALLOWED { SYSCALL[1] }", "1:1", "found identifier \"ALLOWED\"");
    // `ON` and `define` are reserved: they cannot name a syscall or a constant.
    error_at("ALLOW { ON }", "1:9", "Expected a syscall name");
    error_at("#define define 1", "1:9", "Expected a constant name");
}

#[test]
fn punctuation_outside_the_language_is_refused() {
    for (c, col) in [("~", 25), ("^", 25), ("+", 25), ("=", 25)] {
        let text = format!("ALLOW {{ SYSCALL[1](a) {{ {}a == 1 }} }}", c);
        error_at(&text, &format!("1:{}", col), &format!("Unexpected character \"{}\"", c));
    }
    error_at("ALLOW { SYSCALL[1](a) { a << 1 == 1 } }", "1:28", "Expected a number, an argument name or \"(\", found \"<\"");
    error_at("ALLOW { SYSCALL[1] }\n\u{1}", "2:1", "Unexpected character byte 0x01");
}

#[test]
fn define_takes_two_tokens() {
    for text in ["#define N 9 ALLOW { SYSCALL[N] }", "# define N 9 ALLOW { SYSCALL[N] }", "#\ndefine N 9 ALLOW { N }"] {
        let r = compile(text);
        if text.contains("SYSCALL[N]") {
            // A constant is not a literal: SYSCALL[NAME] is a syntax error.
            assert!(matches!(r, Outcome::Diagnostics(_)), "{}", text);
        } else {
            assert_eq!(summary(&ok(text), Arch::X86_64), vec![(9, vec![(Action::Allow, false)])]);
        }
    }
    error_at("#define N 9 ALLOW { SYSCALL[N] }", "1:29", "Expected a syscall number (constants are not allowed in SYSCALL[…]), found identifier \"N\"");
    error_at("#define N M", "1:11", "Expected a number (a constant's value is a literal)");
    error_at("#undef N", "1:2", "Expected \"define\" after \"#\"");
}

// ---- §3 Grammar ----

#[test]
fn statements_need_no_separators() {
    let a = ok("ALLOW { SYSCALL[1] } ERRNO(1) { SYSCALL[2] }");
    let b = ok("ALLOW { SYSCALL[1] }, ERRNO(1) { SYSCALL[2] }");
    assert_eq!(summary(&a, Arch::X86_64), summary(&b, Arch::X86_64));
    assert_eq!(summary(&a, Arch::X86_64), vec![(1, vec![(Action::Allow, false)]), (2, vec![(Action::Errno(1), false)])]);
}

#[test]
fn empty_input_is_a_syntax_error() {
    error_at("", "1:1", "Empty policy");
    error_at("  // only a comment\n", "2:1", "Empty policy");
}

#[test]
fn no_trailing_commas() {
    error_at("ALLOW { SYSCALL[1], }", "1:21", "Expected a syscall name or SYSCALL[number], found \"}\"");
    error_at("ALLOW { SYSCALL[1] },", "1:22", "Expected \"USE\" or an action");
    error_at("POLICY p { ALLOW {}, } USE p", "1:22", "Expected \"USE\" or an action");
}

#[test]
fn policies_do_not_nest() {
    error_at("POLICY a { POLICY b {} }", "1:12", "Expected \"USE\" or an action such as \"ALLOW\", found \"POLICY\"");
}

#[test]
fn define_only_at_top_level_but_include_anywhere() {
    error_at("POLICY a { #define X 1 }", "1:12", "#define is allowed only at the top level");
    let inc = includes(&[("x", "SYSCALL[2], SYSCALL[3]\n")]);
    let p = ok_with("POLICY a { ALLOW { SYSCALL[1], #include \"x\"\n } } USE a", &inc, &[Arch::X86_64]);
    let nrs: Vec<u32> = summary(&p, Arch::X86_64).iter().map(|s| s.0).collect();
    assert_eq!(nrs, vec![1, 2, 3]);
}

#[test]
fn a_bare_value_is_not_a_condition() {
    error_at("ALLOW { SYSCALL[9](prot) { prot & 4 } }", "1:37", "Expected a comparison operator (==, !=, <, <=, >, >=): a value alone is not a condition, found \"}\"");
    error_at("ALLOW { SYSCALL[9](prot) { (prot & 4) && prot == 1 } }", "1:39", "Expected a comparison operator");
}

#[test]
fn not_binds_to_one_comparison() {
    let p = ok("ALLOW { SYSCALL[1](fd) { !fd == 1 } }");
    let c = cond_of(&p, 1, 0);
    assert_eq!(c, Cond::Not(Box::new(cmp(CmpOp::Eq, Value::Arg(0), Value::Const(1), true))));
}

#[test]
fn bit_operators_bind_tighter_than_comparisons() {
    let p = ok("ALLOW { SYSCALL[1](a, b, c) { a | b & c == a } }");
    let lhs = Value::Or(Box::new(Value::Arg(0)), Box::new(Value::And(Box::new(Value::Arg(1)), Box::new(Value::Arg(2)))));
    assert_eq!(cond_of(&p, 1, 0), cmp(CmpOp::Eq, lhs, Value::Arg(0), true));
    // Parenthesised values and parenthesised conditions are both primaries.
    let p = ok("ALLOW { SYSCALL[1](a) { ((a & 3)) == 1 && (a == 2 || (a | 1) > 0) } }");
    assert!(matches!(cond_of(&p, 1, 0), Cond::And(..)));
}

#[test]
fn boolean_precedence_comma_or_and() {
    // `a, b || c && d` is `a || (b || (c && d))`, left-associated.
    let p = ok("ALLOW { SYSCALL[1](a) { a == 1, a == 2 || a == 3 && a == 4 } }");
    let eq = |n| cmp(CmpOp::Eq, Value::Arg(0), Value::Const(n), true);
    let and = Cond::And(Box::new(eq(3)), Box::new(eq(4)));
    let or = Cond::Or(Box::new(eq(2)), Box::new(and));
    assert_eq!(cond_of(&p, 1, 0), Cond::Or(Box::new(eq(1)), Box::new(or)));
}

#[test]
fn comparisons_do_not_chain() {
    error_at("ALLOW { SYSCALL[1](a, b, c) { a == b == c } }", "1:38", "Expected \"&&\", \"||\", \",\" or \"}\" after a comparison, found \"==\"");
}

#[test]
fn arch_guard_goes_after_custom_arguments_and_before_the_condition() {
    ok("ALLOW { SYSCALL[1](a) ON x86_64 { a == 1 } }");
    error_at("ALLOW { SYSCALL[1] ON x86_64 (a) { a == 1 } }", "1:30", "Expected \",\" or \"}\" after a syscall filter, found \"(\"");
    error_at("ALLOW { SYSCALL[1] { a == 1 } ON x86_64 }", "1:31", "found \"ON\"");
    error_at("ALLOW { SYSCALL[1] ON {} }", "1:24", "Expected an architecture name, found \"}\"");
}

#[test]
fn actions_and_their_values() {
    let p = ok("ALLOW { SYSCALL[1] } LOG { SYSCALL[2] } KILL { SYSCALL[3] } KILL_THREAD { SYSCALL[4] } DENY { SYSCALL[5] } \
                KILL_PROCESS { SYSCALL[6] } USER_NOTIF { SYSCALL[7] } ERRNO(0) { SYSCALL[8] } TRAP(65535) { SYSCALL[9] } TRACE(0x10) { SYSCALL[10] }");
    let got: Vec<Action> = summary(&p, Arch::X86_64).into_iter().map(|(_, r)| r[0].0).collect();
    use Action::*;
    assert_eq!(got, vec![Allow, Log, KillThread, KillThread, KillThread, KillProcess, UserNotif, Errno(0), Trap(65535), Trace(16)]);
    error_at("ERRNO(65536) { SYSCALL[1] }", "1:7", "Errno value 65536 out of range (0-65535)");
    error_at("TRAP(-1) { SYSCALL[1] }", "1:6", "Trap value -1 out of range (0-65535)");
    error_at("TRACE(0x10000) { SYSCALL[1] }", "1:7", "Trace value 0x10000 out of range (0-65535)");
    error_at("#define E 1\nERRNO(E) { SYSCALL[1] }", "2:7", "Expected a number from 0 to 65535 (constants are not allowed here), found identifier \"E\"");
    error_at("ERRNO { SYSCALL[1] }", "1:7", "Expected \"(\" after ERRNO");
}

#[test]
fn empty_blocks() {
    let p = ok("POLICY p {} USE p ALLOW {} ALLOW { SYSCALL[1] {} }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(1, vec![(Action::Allow, false)])]);
}

// ---- §4 Names ----

#[test]
fn constants_shadow_syscall_and_argument_names() {
    let p = ok("#define read 5\nALLOW { read }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(5, vec![(Action::Allow, false)])]);
    // An argument shadowed by a constant: `3 == 1` is false, the filter vanishes.
    let p = ok("#define fd 3\nALLOW { SYSCALL[1](fd) { fd == 1 } } ERRNO(1) { SYSCALL[2](fd) { fd == 3 } }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(2, vec![(Action::Errno(1), false)])]);
}

#[test]
fn constants_are_defined_in_source_order() {
    // Before its #define, X is an argument name (undefined here), not the constant.
    error_at("ALLOW { SYSCALL[1] { X == 1 } }\n#define X 1", "1:22", "Undefined identifier \"X\"");
    ok("#define X 1\nALLOW { SYSCALL[1] { X == 1 } }");
}

#[test]
fn constant_redefinition() {
    ok("#define X 1\n#define X 1\nALLOW { X }");
    ok("#define X 1\n#define X 0x1\nALLOW { SYSCALL[1] }");
    error_at("#define X 1\n#define X 2\nALLOW { SYSCALL[1] }", "2:9", "Redefinition of constant \"X\" with a different value (was 1, now 2)");
}

#[test]
fn policy_names() {
    error_at("POLICY p {}\nPOLICY p {}\nUSE p", "2:8", "Redefinition of policy \"p\"");
    error_at("USE p\nPOLICY p {}", "1:5", "Undefined policy \"p\"");
    // A policy is defined at its end, so it cannot use itself: no recursion.
    error_at("POLICY p { USE p }", "1:16", "Undefined policy \"p\"");
    ok("POLICY p { ALLOW { SYSCALL[1] } } POLICY q { USE p } USE q");
}

#[test]
fn custom_syscall_numbers_are_narrowed_to_32_bits() {
    let p = ok("ALLOW { SYSCALL[0x100000005] }");
    assert_eq!(summary(&p, Arch::X86_64)[0].0, 5);
    let p = ok("#define BIG 0x1ffffffff\nALLOW { BIG }");
    assert_eq!(summary(&p, Arch::X86_64)[0].0, 0xffff_ffff);
    let p = ok("#define SYS_CUSTOM -1\nERRNO(1) { SYSCALL[-1] } ALLOW { SYS_CUSTOM }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(0xffff_ffff, vec![(Action::Errno(1), false)])]);
}

#[test]
fn custom_argument_lists() {
    // Each custom argument is 8 bytes wide: every comparison on it is 64-bit.
    let p = ok("ALLOW { SYSCALL[1](a, b, c, d, e, f) { f == 1 } }");
    assert_eq!(cond_of(&p, 1, 0), cmp(CmpOp::Eq, Value::Arg(5), Value::Const(1), true));
    error_at("ALLOW { SYSCALL[1]() { a == 1 } }", "1:24", "Undefined identifier \"a\"");
    error_at("ALLOW { SYSCALL[1](a, b, a) }", "1:26", "Redefinition of argument \"a\"");
    error_at("ALLOW { SYSCALL[1](a, b, c, d, e, f, g) }", "1:38", "Too many arguments for SYSCALL[1] (at most 6)");
    error_at("ALLOW { SYSCALL[1](a) { b == 1 } }", "1:25", "Undefined identifier \"b\" (neither a constant defined before this point nor an argument of syscall 1)");
}

#[test]
fn architecture_names_in_on() {
    for name in ["x86_64", "AMD64", "X86_64", "amd64"] {
        let p = ok(&format!("ALLOW {{ SYSCALL[1] ON {} }}", name));
        assert_eq!(summary(&p, Arch::X86_64).len(), 1, "{}", name);
    }
    // Names without a table are accepted; the filter just never exists on our targets.
    for name in ["aarch64", "arm64", "x86", "i386", "arm", "riscv64", "rv64", "mips", "mipso32", "mips64", "m68k"] {
        let p = ok(&format!("ALLOW {{ SYSCALL[1] ON {}, SYSCALL[2] ON {{ {}, x86_64 }} }}", name, name));
        assert_eq!(summary(&p, Arch::X86_64).iter().map(|s| s.0).collect::<Vec<_>>(), vec![2], "{}", name);
    }
    error_at("ALLOW { SYSCALL[1] ON sparc }", "1:23", "Unknown architecture \"sparc\" (known: x86_64/amd64");
    error_at("ALLOW { SYSCALL[1] ON { x86_64, amd64 } }", "1:33", "Architecture \"amd64\" repeated in ON");
}

#[test]
fn undefined_syscall_names_the_architecture() {
    let opts = [Arch::X86_64, Arch::Aarch64];
    let e = errors_with("ALLOW { no_such_call }", &IncludeMap::new(), &opts);
    assert_eq!(
        e,
        vec![
            "1:9: Undefined identifier \"no_such_call\": no such syscall on x86_64 (add an ON guard if it exists only on other architectures)",
            "1:9: Undefined identifier \"no_such_call\": no such syscall on aarch64 (add an ON guard if it exists only on other architectures)",
        ]
    );
    // Unused policies are validated too; an ON guard that excludes the target skips it.
    error_at("POLICY unused { ALLOW { no_such_call } }\nALLOW { SYSCALL[1] }", "1:25", "Undefined identifier \"no_such_call\"");
    ok("ALLOW { no_such_call ON arm, SYSCALL[1] }");
}

// ---- §5 Meaning ----

#[test]
fn default_action() {
    assert_eq!(ok("ALLOW { SYSCALL[1] }").arches[0].default, Action::KillThread);
    assert_eq!(ok("DEFAULT ERRNO(38) ALLOW { SYSCALL[1] }").arches[0].default, Action::Errno(38));
    assert_eq!(ok("ALLOW { SYSCALL[1] } DEFAULT LOG").arches[0].default, Action::Log);
    error_at("DEFAULT LOG\nDEFAULT ALLOW", "2:1", "Redefinition of default action");
}

#[test]
fn use_inlines_each_policy_once_and_first() {
    // `USE b, USE a, USE b`: b once, first — so b's rule for 1 comes before a's.
    let p = ok("POLICY a { ALLOW { SYSCALL[1] } } POLICY b { ERRNO(2) { SYSCALL[1](x) { x == 5 } } } USE b, USE a, USE b");
    assert_eq!(summary(&p, Arch::X86_64), vec![(1, vec![(Action::Errno(2), true), (Action::Allow, false)])]);
    // A policy used inside another counts as used for the rest of the compile.
    let p = ok("POLICY a { LOG { SYSCALL[1] } } POLICY b { USE a, ALLOW { SYSCALL[2] } } USE b, USE a, ALLOW { SYSCALL[1] }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(1, vec![(Action::Log, false)]), (2, vec![(Action::Allow, false)])]);
    // Named policies count only when used.
    let p = ok("POLICY a { LOG { SYSCALL[1] } } ALLOW { SYSCALL[2] }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(2, vec![(Action::Allow, false)])]);
}

#[test]
fn long_use_chains_do_not_recurse() {
    let mut text = String::from("POLICY p0 { ALLOW { SYSCALL[0] } }\n");
    for i in 1..20_000 {
        text.push_str(&format!("POLICY p{} {{ USE p{} }}\n", i, i - 1));
    }
    text.push_str("USE p19999");
    assert_eq!(summary(&ok(&text), Arch::X86_64), vec![(0, vec![(Action::Allow, false)])]);
}

#[test]
fn first_match_wins_and_unconditional_shadows() {
    let p = ok("ALLOW { SYSCALL[1] }, DENY { SYSCALL[1], SYSCALL[2] }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(1, vec![(Action::Allow, false)]), (2, vec![(Action::KillThread, false)])]);
    let p = ok("ALLOW { SYSCALL[1](a) { a == 1 } } ERRNO(5) { SYSCALL[1](a) { a > 10 } } LOG { SYSCALL[1] } KILL { SYSCALL[1] }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(1, vec![(Action::Allow, true), (Action::Errno(5), true), (Action::Log, false)])]);
}

#[test]
fn folding_true_and_false() {
    // True → unconditional (and it shadows what follows); false → the filter is gone.
    let p = ok("ALLOW { SYSCALL[1] { 1 == 1 } } LOG { SYSCALL[1] } ALLOW { SYSCALL[2] { 1 > 2 } }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(1, vec![(Action::Allow, false)])]);
    let cases = [
        ("a == a", Some(true)),
        ("a <= a", Some(true)),
        ("a >= a", Some(true)),
        ("a != a", Some(false)),
        ("a < a", Some(false)),
        ("a > a", Some(false)),
        ("(a & 0) == 0", Some(true)),
        ("(a | 0xffffffffffffffff) == -1", Some(true)),
        ("(a | -1) != -1", Some(false)),
        ("(a & -1) == a", Some(true)),
        ("(a | 0) == a", Some(true)),
        ("a == 1 || 1 == 1", Some(true)),
        ("a == 1 && 1 == 2", Some(false)),
        ("!(2 > 1)", Some(false)),
        ("(6 & 3) == 2 && (4 | 1) == 5", Some(true)),
        ("a == b", None),
        ("(a & 1) == (a & 1)", None),
    ];
    for (c, want) in cases {
        let p = ok(&format!("ALLOW {{ SYSCALL[1](a, b) {{ {} }} }}", c));
        let got = summary(&p, Arch::X86_64);
        match want {
            Some(true) => assert_eq!(got, vec![(1, vec![(Action::Allow, false)])], "{}", c),
            Some(false) => assert!(got.is_empty(), "{}", c),
            None => assert_eq!(got, vec![(1, vec![(Action::Allow, true)])], "{}", c),
        }
    }
}

#[test]
fn folding_simplifies_what_remains() {
    let p = ok("ALLOW { SYSCALL[1](a, b) { 5 > a && (a & 1) == 1 || a == 2 && 1 == 1, (b | 0) <= (3 | 4) } }");
    let want = Cond::Or(
        Box::new(Cond::Or(
            Box::new(Cond::And(
                Box::new(cmp(CmpOp::Lt, Value::Arg(0), Value::Const(5), true)),
                Box::new(cmp(CmpOp::Eq, Value::And(Box::new(Value::Arg(0)), Box::new(Value::Const(1))), Value::Const(1), true)),
            )),
            Box::new(cmp(CmpOp::Eq, Value::Arg(0), Value::Const(2), true)),
        )),
        Box::new(cmp(CmpOp::Le, Value::Arg(1), Value::Const(7), true)),
    );
    assert_eq!(cond_of(&p, 1, 0), want);
    // Constants move right inside bit operators too.
    let p = ok("ALLOW { SYSCALL[1](a) { (8 | a) == 9 } }");
    assert_eq!(cond_of(&p, 1, 0), cmp(CmpOp::Eq, Value::Or(Box::new(Value::Arg(0)), Box::new(Value::Const(8))), Value::Const(9), true));
}

#[test]
fn expression_depth_limit() {
    // 200 comparisons joined by `||` make depth 200 (Kafel's limit); 201 exceed it.
    let chain = |n: usize| (0..n).map(|i| format!("a == {}", i)).collect::<Vec<_>>().join(" || ");
    ok(&format!("ALLOW {{ SYSCALL[1](a) {{ {} }} }}", chain(200)));
    let text = format!("ALLOW {{ SYSCALL[1](a) {{ {} }} }}", chain(201));
    // Reported at the operator that would make the tree too deep: the 200th `||`.
    let col = text.match_indices(" || ").nth(199).unwrap().0 + 2;
    assert_eq!(errors(&text), vec![format!("1:{}: Max expression depth (200) exceeded", col)]);
    // Deep nesting is an error, not a stack overflow.
    for deep in ["(".repeat(10_000), "!".repeat(10_000), format!("{}a", "(".repeat(100_000))] {
        let e = errors(&format!("ALLOW {{ SYSCALL[1](a) {{ {} }} }}", deep));
        assert_eq!(e.len(), 1, "{:?}", &e[..e.len().min(3)]);
        assert!(e[0].contains("Max expression depth (200) exceeded"), "{:?}", e);
    }
}

// ---- §7 Errors: several per compile, in source order ----

#[test]
fn several_errors_per_compile() {
    let text = "ALLOW { SYSCALL[1], }\nPOLICY p { ALLOW { SYSCALL[2] SYSCALL[3] } }\nERRNO(70000) { SYSCALL[4] }\nDEFAULT LOG DEFAULT LOG\nUSE q";
    let e = errors(text);
    assert_eq!(
        e,
        vec![
            "1:21: Expected a syscall name or SYSCALL[number], found \"}\"",
            "2:31: Expected \",\" or \"}\" after a syscall filter, found \"SYSCALL\"",
            "3:7: Errno value 70000 out of range (0-65535)",
            "4:13: Redefinition of default action (DEFAULT may appear once)",
            "5:5: Undefined policy \"q\" (define a policy before you USE it)",
        ]
    );
    // Name errors from resolve come together too, in source order.
    let e = errors("ALLOW { SYSCALL[1](a) { b == 1 } }\nALLOW { SYSCALL[2](a) { a == 1 && c == 2 } }");
    assert_eq!(e.len(), 2);
    assert!(e[0].starts_with("1:25: Undefined identifier \"b\""));
    assert!(e[1].starts_with("2:35: Undefined identifier \"c\""));
}

#[test]
fn lexical_errors_are_collected_too() {
    let e = errors("ALLOW { SYSCALL[09] }\n@ 99999999999999999999999");
    assert_eq!(e.len(), 3, "{:?}", e);
    assert!(e[0].starts_with("1:17: Number \"09\""));
    assert!(e[1].starts_with("2:1: Unexpected character \"@\""));
    assert!(e[2].starts_with("2:3: Number \"99999999999999999999999\" out of range"));
}

// ---- §8 Reference behaviours (table-free parts) ----

#[test]
fn x32_numbers_compile_and_oversized_ones_do_not() {
    let p = ok("ALLOW { SYSCALL[0x40000000] }");
    assert_eq!(summary(&p, Arch::X86_64), vec![(0x4000_0000, vec![(Action::Allow, false)])]);
    error_at("ALLOW { SYSCALL[0x1ffffffffffffffff] }", "1:17", "Number \"0x1ffffffffffffffff\" out of range");
}

#[test]
fn define_shadowing_argument_removes_filter() {
    let p = ok("#define fd 3\nALLOW { SYSCALL[1](fd) { fd == 1 } }");
    assert!(p.arches[0].syscalls.is_empty());
}

#[test]
fn foreign_action_and_architectures_come_from_options() {
    let inc = IncludeMap::new();
    let p = ok_with("ALLOW { SYSCALL[1] ON aarch64, SYSCALL[2] ON x86_64 }", &inc, &[Arch::Aarch64, Arch::X86_64]);
    assert_eq!(p.foreign, Action::KillProcess);
    assert_eq!(p.arches.iter().map(|a| a.arch).collect::<Vec<_>>(), vec![Arch::Aarch64, Arch::X86_64]);
    assert_eq!(summary(&p, Arch::Aarch64)[0].0, 1);
    assert_eq!(summary(&p, Arch::X86_64)[0].0, 2);
}

// ---- §2 #include ----

fn need(text: &str, inc: &IncludeMap) -> Vec<String> {
    match stockade_kafel::compile_ir(text.as_bytes(), inc, &options(&[Arch::X86_64])) {
        Outcome::NeedIncludes(n) => n,
        other => panic!("expected NeedIncludes, got {:?}", other),
    }
}

#[test]
fn include_is_a_token_level_splice() {
    let inc = includes(&[("x", "SYSCALL[2],\nSYSCALL[3]"), ("y", "ERRNO(1) { SYSCALL[4] }")]);
    let p = ok_with("ALLOW { SYSCALL[1], #include \"x\"\n } #include \"y\";ALLOW { SYSCALL[5] }", &inc, &[Arch::X86_64]);
    let got: Vec<(u32, Action)> = summary(&p, Arch::X86_64).into_iter().map(|(n, r)| (n, r[0].0)).collect();
    assert_eq!(got, vec![(1, Action::Allow), (2, Action::Allow), (3, Action::Allow), (4, Action::Errno(1)), (5, Action::Allow)]);
    // Several names on one line, spliced in order; CRLF and tabs are fine.
    let inc = includes(&[("a", "ALLOW { SYSCALL[1] }"), ("b", "ALLOW { SYSCALL[1](x) { x == 1 } }")]);
    let p = ok_with("#include\t\"b\" \"a\"\r\n", &inc, &[Arch::X86_64]);
    assert_eq!(summary(&p, Arch::X86_64), vec![(1, vec![(Action::Allow, true), (Action::Allow, false)])]);
    // Rules keep the included file's name in their position.
    assert_eq!(p.arches[0].rules[0].pos.file.as_deref(), Some("b"));
}

#[test]
fn missing_includes_are_gathered_in_one_pass() {
    assert_eq!(need("#include \"a\" \"b\"\n#include \"a\"\n#include \"c\"\n", &IncludeMap::new()), vec!["a", "b", "c"]);
    // Supplied includes are lexed, so their own missing includes are gathered too.
    let inc = includes(&[("a", "#include \"d\"\n")]);
    assert_eq!(need("#include \"a\" \"b\"\n", &inc), vec!["d", "b"]);
    // Lexical errors are final whatever the includes say, so they come first.
    let e = errors_with("@\n#include \"a\"\n", &IncludeMap::new(), &[Arch::X86_64]);
    assert_eq!(e, vec!["1:1: Unexpected character \"@\""]);
}

#[test]
fn include_not_found_and_include_errors_carry_the_file() {
    let mut inc = IncludeMap::new();
    inc.insert("gone".into(), None);
    inc.insert("bad".into(), Some(b"ALLOW {\n  read @ }".to_vec()));
    inc.insert("syntax".into(), Some(b"ALLOW {\n  SYSCALL[1] SYSCALL[2] }".to_vec()));
    inc.insert("names".into(), Some(b"ALLOW { SYSCALL[1](a) { b == 1 } }".to_vec()));
    inc.insert("nested".into(), Some(b"\n #include \"gone\"\n".to_vec()));
    let e = |t: &str| errors_with(t, &inc, &[Arch::X86_64]);
    assert_eq!(e("ALLOW {}\n#include \"gone\"\n"), vec!["2:10: Include \"gone\" not found"]);
    assert_eq!(e("#include \"nested\"\n"), vec!["nested:2:11: Include \"gone\" not found"]);
    assert_eq!(e("#include \"bad\"\n"), vec!["bad:2:8: Unexpected character \"@\""]);
    assert_eq!(e("#include \"syntax\"\n"), vec!["syntax:2:14: Expected \",\" or \"}\" after a syscall filter, found \"SYSCALL\""]);
    assert!(e("#include \"names\"\n")[0].starts_with("names:1:25: Undefined identifier \"b\""));
}

#[test]
fn include_depth_limit() {
    // Sixteen nested includes are fine; the seventeenth is refused.
    let chain = |n: usize| {
        let mut files: Vec<(String, String)> = (1..n).map(|i| (format!("f{}", i), format!("#include \"f{}\"\n", i + 1))).collect();
        files.push((format!("f{}", n), "ALLOW { SYSCALL[1] }".into()));
        files.into_iter().map(|(n, t)| (n, Some(t.into_bytes()))).collect::<IncludeMap>()
    };
    ok_with("#include \"f1\"\n", &chain(16), &[Arch::X86_64]);
    let e = errors_with("#include \"f1\"\n", &chain(17), &[Arch::X86_64]);
    assert_eq!(e, vec!["f16:1:10: Include \"f17\": maximum include depth (16) exceeded"]);
    // A file that includes itself stops at the limit instead of looping.
    let inc = includes(&[("self", "#include \"self\"\n")]);
    let e = errors_with("#include \"self\"\n", &inc, &[Arch::X86_64]);
    assert_eq!(e, vec!["self:1:10: Include \"self\": maximum include depth (16) exceeded"]);
    // Two includes per level would mean 2^16 copies: the total size is capped instead.
    let big = format!("ALLOW {{ {} }}\n", vec!["SYSCALL[1]"; 30_000].join(", "));
    let mut inc = includes(&[("leaf", big.as_str())]);
    for i in 0..15 {
        let below = if i == 0 { "leaf".to_string() } else { format!("l{}", i - 1) };
        inc.insert(format!("l{}", i), Some(format!("#include \"{}\" \"{}\"\n", below, below).into_bytes()));
    }
    let e = errors_with("#include \"l14\"\n", &inc, &[Arch::X86_64]);
    assert!(e[0].contains("included text exceeds 16 MiB in total"), "{:?}", e);
}

#[test]
fn malformed_includes() {
    let inc = includes(&[("a", "")]);
    let e = |t: &str| errors_with(t, &inc, &[Arch::X86_64]);
    assert_eq!(e("#include\"a\"\n"), vec!["1:9: Expected a space or tab before the include file name"]);
    assert_eq!(e("#include \"a\" junk\n"), vec!["1:14: Unexpected \"j\" in #include (expected a quoted file name, a newline or \";\")"]);
    assert_eq!(e("#include \"a\" // c\n"), vec!["1:14: Unexpected \"/\" in #include (expected a quoted file name, a newline or \";\")"]);
    assert_eq!(e("ALLOW {} #include \"a\""), vec!["1:10: Unterminated #include (end it with a newline or \";\")"]);
    assert_eq!(e("#include\nALLOW {}"), vec!["1:9: Expected a quoted file name after #include, as in #include \"file.policy\""]);
    assert_eq!(e("#include \"\"\n"), vec!["1:10: Empty include file name \"\""]);
    assert_eq!(e("#include \"a\"\"a\"\n"), vec!["1:13: Expected a space or tab before the include file name"]);
    assert_eq!(e("#include a; ALLOW {}"), vec!["1:10: Unexpected \"a\" in #include (expected a quoted file name, a newline or \";\")"]);
    assert_eq!(e("#include \"a\nALLOW {}"), vec!["1:10: Unterminated include file name (missing closing \")"]);
    // `#include` is one word: `# include` is `#` then the identifier `include`, and a quote
    // outside an include line is not part of the language.
    let e2 = e("# include \"a\"\n");
    assert_eq!(e2[0], "1:11: Unexpected character \"\\\"\" (quoted names appear only in #include \"name\")");
}

#[test]
fn an_error_in_a_file_included_twice_is_reported_once() {
    let inc = includes(&[("x", "ALLOW { SYSCALL[1](a) { b == 1 } }\n")]);
    let e = errors_with("#include \"x\"\n#include \"x\"\n", &inc, &[Arch::X86_64, Arch::Aarch64]);
    assert_eq!(e, vec!["x:1:25: Undefined identifier \"b\" (neither a constant defined before this point nor an argument of syscall 1)"]);
}

#[test]
fn reserved_words_are_never_names() {
    let words = ["SYSCALL", "ALLOW", "LOG", "USER_NOTIF", "ERRNO", "KILL_PROCESS", "KILL_THREAD", "KILL", "DENY", "TRAP", "TRACE", "USE", "POLICY", "DEFAULT", "ON", "define"];
    for w in words {
        for text in [
            format!("POLICY empty {{}} USE {} DEFAULT KILL", w),
            format!("POLICY {} {{}} ALLOW {{ SYSCALL[1] }}", w),
            format!("ALLOW {{ {} }}", w),
            format!("ALLOW {{ SYSCALL[1]({}) }}", w),
            format!("#define {} 1\nALLOW {{ SYSCALL[1] }}", w),
        ] {
            assert!(matches!(compile(&text), Outcome::Diagnostics(_)), "{}", text);
        }
    }
}

#[test]
fn depth_counts_bit_operators_too() {
    // `fd == 1&1&…` with 200 `&`: the right side has depth 200, so the comparison exceeds it.
    let text = format!("ALLOW {{ SYSCALL[1](fd) {{ fd == 1{} }} }}", "&1".repeat(200));
    assert_eq!(errors(&text), vec!["1:29: Max expression depth (200) exceeded"]);
    ok(&format!("ALLOW {{ SYSCALL[1](fd) {{ fd == 1{} }} }}", "&1".repeat(199)));
}
