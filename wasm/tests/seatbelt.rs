//! Seatbelt output: balanced S-expressions whatever the paths contain, every rule present in the
//! form of its kind, denials after allowances, globs anchored with metacharacters escaped, and a
//! clear error for what SBPL cannot say.

use stockade_kafel::abi;
use stockade_kafel::seatbelt::{self, HEADER};

fn glob_regex(glob: &str) -> String {
    String::from_utf8(seatbelt::glob_regex(glob.as_bytes())).unwrap()
}

fn sb(text: &[u8]) -> Result<String, String> {
    seatbelt::compile(text).map(|out| String::from_utf8(out).unwrap())
}

#[derive(Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    Str(String),
    Atom(String),
}

/// A reader of SBPL as TinyScheme reads it: `;` comments, `"…"` strings with `\"`, `\\`, `\n`,
/// `\r`, `\t` escapes. Errors on an unterminated string, an unknown escape or unbalanced parens.
fn read_sbpl(text: &str) -> Result<Vec<Vec<Tok>>, String> {
    let mut forms = Vec::new();
    let mut cur = Vec::new();
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '(' => {
                depth += 1;
                cur.push(Tok::Open);
            }
            ')' => {
                depth = depth.checked_sub(1).ok_or("unbalanced )")?;
                cur.push(Tok::Close);
                if depth == 0 {
                    forms.push(std::mem::take(&mut cur));
                }
            }
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next().ok_or("unterminated string")? {
                        '"' => break,
                        '\\' => s.push(match chars.next().ok_or("unterminated escape")? {
                            '"' => '"',
                            '\\' => '\\',
                            'n' => '\n',
                            'r' => '\r',
                            't' => '\t',
                            e => return Err(format!("unknown escape \\{}", e)),
                        }),
                        c => s.push(c),
                    }
                }
                if depth == 0 {
                    return Err("string outside a form".into());
                }
                cur.push(Tok::Str(s));
            }
            c if c.is_whitespace() => {}
            c => {
                let mut a = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || n == '(' || n == ')' || n == '"' || n == ';' {
                        break;
                    }
                    a.push(n);
                    chars.next();
                }
                if depth == 0 {
                    return Err(format!("atom {:?} outside a form", a));
                }
                cur.push(Tok::Atom(a));
            }
        }
    }
    if depth != 0 {
        return Err("unbalanced (".into());
    }
    Ok(forms)
}

fn atoms(form: &[Tok]) -> Vec<&str> {
    form.iter().filter_map(|t| if let Tok::Atom(a) = t { Some(a.as_str()) } else { None }).collect()
}

fn strings(form: &[Tok]) -> Vec<&str> {
    form.iter().filter_map(|t| if let Tok::Str(s) = t { Some(s.as_str()) } else { None }).collect()
}

/// Escapes a value as src/seatbelt.ts does.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

fn compile(lines: &[(&str, &str)], net: &str) -> Result<String, String> {
    let mut text = format!("{}\n", HEADER);
    for (kind, value) in lines {
        text.push_str(&format!("{} {}\n", kind, escape(value)));
    }
    text.push_str(&format!("net {}\n", net));
    sb(text.as_bytes())
}

/// Index of the first top-level form whose atoms start with `head` (e.g. ["deny", "file-write*"])
/// and that holds the string `value`.
fn form_with(forms: &[Vec<Tok>], head: &[&str], value: &str) -> Option<usize> {
    forms.iter().position(|f| atoms(f).starts_with(head) && strings(f).contains(&value))
}

/// What each kind becomes: the head of its form and the string its value turns into.
fn expected(kind: &str, value: &str) -> (&'static [&'static str], String) {
    let glob = kind.ends_with("-glob");
    let string = if glob { glob_regex(value) } else { value.to_string() };
    let head: &[&str] = match kind.trim_end_matches("-glob") {
        "read" => &["allow", "file-read*", "file-test-existence", "file-map-executable"],
        "write" => &["allow", "file-read*", "file-test-existence", "file-write*"],
        "readonly" => &["deny", "file-write*"],
        "hide" => &["deny", "file-read*", "file-test-existence", "file-write*"],
        "socket" => &["allow", "network-outbound", "remote"],
        k => panic!("unknown kind {}", k),
    };
    (head, string)
}

const KINDS: [&str; 9] = ["read", "read-glob", "write", "write-glob", "socket", "readonly", "readonly-glob", "hide", "hide-glob"];

#[test]
fn every_rule_kind_becomes_a_rule_of_its_form() {
    for kind in KINDS {
        let value = if kind.ends_with("-glob") { "/w/**/x-*.?" } else { "/w/x y" };
        let out = compile(&[(kind, value)], "none").unwrap();
        let forms = read_sbpl(&out).unwrap();
        let (head, string) = expected(kind, value);
        assert!(form_with(&forms, head, &string).is_some(), "{} {}: no {:?} form with {:?} in\n{}", kind, value, head, string, out);
    }
}

#[test]
fn network_modes_allow_only_what_they_say() {
    let none = compile(&[], "none").unwrap();
    assert!(!none.contains("remote ip"), "{}", none);
    assert!(!none.contains("mDNSResponder"), "no DNS without network: {}", none);
    let proxy = compile(&[], "proxy").unwrap();
    assert!(proxy.contains(r#"(allow network-outbound (remote ip (string-append "localhost:" (param "PROXY_PORT"))))"#));
    assert!(!proxy.contains("\"*:*\"") && !proxy.contains("mDNSResponder"), "{}", proxy);
    let host = compile(&[], "host").unwrap();
    assert!(host.contains(r#"(remote ip "*:*")"#) && host.contains("mDNSResponder"));
    for out in [&none, &proxy, &host] {
        read_sbpl(out).unwrap();
        assert!(!out.contains("(allow network*") && !out.contains("(allow default"), "{}", out);
        assert!(out.contains("(deny default)"));
    }
    assert!(proxy.contains("; Parameters (sandbox-exec -D NAME=VALUE): PROXY_PORT\n"));
}

#[test]
fn tmp_is_a_parameter() {
    let out = compile(&[("tmp", "")], "none");
    assert_eq!(out, Err(r#"Unexpected Seatbelt rule "tmp " (repeated or malformed)"#.into()));
    let out = compile(&[("hide-glob", "/*"), ("read-glob", "/*")], "none");
    assert!(out.is_ok(), "a glob at the root has no ancestors");
    let text = format!("{}\ntmp\nnet proxy\n", HEADER);
    let out = sb(text.as_bytes()).unwrap();
    assert!(out.contains(r#"(subpath (param "TMPDIR"))"#), "{}", out);
    assert!(out.contains("; Parameters (sandbox-exec -D NAME=VALUE): PROXY_PORT TMPDIR\n"));
}

#[test]
fn denials_come_after_allowances_so_they_win() {
    let out = compile(
        &[("hide", "/p/secret"), ("readonly", "/p/.git/hooks"), ("write", "/p"), ("read", "/p/secret/x"), ("socket", "/p/secret/s.sock")],
        "proxy",
    )
    .unwrap();
    let forms = read_sbpl(&out).unwrap();
    let write = form_with(&forms, &["allow", "file-read*", "file-test-existence", "file-write*"], "/p").unwrap();
    let read = form_with(&forms, &["allow", "file-read*"], "/p/secret/x").unwrap();
    let socket = form_with(&forms, &["allow", "network-outbound"], "/p/secret/s.sock").unwrap();
    let readonly = form_with(&forms, &["deny", "file-write*"], "/p/.git/hooks").unwrap();
    let hide = form_with(&forms, &["deny", "file-read*"], "/p/secret").unwrap();
    let hide_socket = form_with(&forms, &["deny", "network-outbound"], "/p/secret").unwrap();
    assert!(read < readonly && write < readonly && readonly < hide && socket < hide_socket, "{}", out);
    // The last rule of the profile that could match /p/secret/x is the hide.
    assert!(forms.iter().rposition(|f| strings(f).iter().any(|s| "/p/secret/x".starts_with(s) && !s.is_empty() && *s != "/")) == Some(hide_socket.max(hide)));
}

#[test]
fn ancestors_of_allowed_paths_are_visible_but_not_hidden_ones() {
    let out = compile(&[("write", "/Users/me/proj"), ("read-glob", "/opt/x/*/lib"), ("hide", "/Users/me/.ssh")], "none").unwrap();
    let forms = read_sbpl(&out).unwrap();
    let meta = forms.iter().find(|f| atoms(f).starts_with(&["allow", "file-read-metadata", "file-test-existence", "literal"]) && strings(f).contains(&"/Users")).unwrap();
    assert_eq!(strings(meta), vec!["/Users", "/Users/me", "/opt", "/opt/x"]);
}

#[test]
fn globs_are_anchored_regexes_with_metacharacters_escaped() {
    assert_eq!(glob_regex("/a/*.txt"), r"^/a/[^/]*\.txt$");
    assert_eq!(glob_regex("/a/**/b"), r"^/a/(.*/)?b$");
    assert_eq!(glob_regex("/a/**"), r"^/a(/.*)?$");
    assert_eq!(glob_regex("/a/x**"), r"^/a/x.*$");
    assert_eq!(glob_regex("/a/?.(+)|^$"), r"^/a/[^/]\.\(\+\)\|\^\$$");
    assert_eq!(glob_regex("/é/*"), "^/é/[^/]*$");
}

#[test]
fn hostile_paths_stay_inside_their_strings() {
    let hostile = [
        "/a\"b",
        "/a\\",
        "/a\\\"))(allow default)(\"",
        "/x\n(allow default)",
        "/t\tab\rcr",
        "/; comment",
        "/re.*[x]$^(|)",
        "/\"",
    ];
    for path in hostile {
        for kind in ["read", "write", "readonly", "hide", "socket"] {
            let out = compile(&[(kind, path)], "none").unwrap();
            let forms = read_sbpl(&out).unwrap_or_else(|e| panic!("{} {:?}: {}\n{}", kind, path, e, out));
            assert!(forms.iter().any(|f| strings(f).contains(&path)), "{} {:?} not found intact:\n{}", kind, path, out);
            assert!(!forms.iter().any(|f| atoms(f).starts_with(&["allow", "default"])));
        }
    }
    for glob in ["/re.*/x+", "/a\"b/*", "/n\nl/**"] {
        let out = compile(&[("hide-glob", glob)], "none").unwrap();
        let forms = read_sbpl(&out).unwrap();
        assert!(forms.iter().any(|f| strings(f).contains(&glob_regex(glob).as_str())), "{:?}:\n{}", glob, out);
    }
}

#[test]
fn what_sbpl_cannot_say_is_a_clear_error() {
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("read", "relative/path")], r#"Cannot express read "relative/path" in Seatbelt: it is not absolute"#),
        (&[("hide", "/a\u{1}b")], r#"Cannot express hide "/a\u0001b" in Seatbelt: it contains a control character other than tab, newline or carriage return"#),
        (&[("read-glob", "/a/[ab]")], r#"Cannot express read-glob "/a/[ab]" in Seatbelt: globs take only *, ** and ? (use a path rule for names with [ ] { } or \)"#),
        (&[("hide-glob", "*.env")], r#"Cannot express hide-glob "*.env" in Seatbelt: it is not absolute"#),
        (&[("execute", "/bin")], r#"Unknown Seatbelt rule "execute""#),
        (&[("write", "/a\u{7f}")], "Cannot express write \"/a\u{7f}\" in Seatbelt: it contains a control character other than tab, newline or carriage return"),
    ];
    for (rules, message) in cases {
        assert_eq!(compile(rules, "none"), Err(message.to_string()));
    }
    let raw = |t: &str| sb(t.as_bytes());
    assert_eq!(raw("net none\n"), Err(format!("Seatbelt policy must start with \"{}\"", HEADER)));
    assert_eq!(raw(&format!("{}\nread /a\n", HEADER)), Err("Seatbelt policy has no \"net\" rule".into()));
    assert_eq!(raw(&format!("{}\nnet none\nnet host\n", HEADER)), Err(r#"Unexpected Seatbelt rule "net host" (repeated or malformed)"#.into()));
    assert_eq!(raw(&format!("{}\nnet wifi\n", HEADER)), Err(r#"Unknown network mode "wifi" in the Seatbelt policy (use none, proxy or host)"#.into()));
    assert_eq!(raw(&format!("{}\nread /a\\t\nnet none\n", HEADER)), Err(r#"Bad escape in Seatbelt rule "read /a\\t" (only \\ and \n)"#.into()));
    assert_eq!(raw(&format!("{}\n\nnet none\n", HEADER)), Err(r#"Unexpected Seatbelt rule "" (a rule without a value)"#.into()));
    assert_eq!(sb(b"\xff"), Err("Seatbelt policy is not UTF-8".into()));
}

#[test]
fn the_abi_serves_op_3() {
    let text = format!("{}\nread /usr\nnet none\n", HEADER);
    let mut req = Vec::new();
    for n in [abi::ABI_VERSION, abi::OP_SEATBELT, 0x8000_0000, 1, 6] {
        req.extend_from_slice(&n.to_le_bytes());
    }
    req.extend_from_slice(b"x86_64");
    req.extend_from_slice(&(text.len() as u32).to_le_bytes());
    req.extend_from_slice(text.as_bytes());
    req.extend_from_slice(&0u32.to_le_bytes());
    let (status, out) = abi::handle(&req);
    assert_eq!(status, abi::STATUS_OK, "{}", String::from_utf8_lossy(&out));
    assert!(String::from_utf8(out).unwrap().contains("(subpath \"/usr\")"));
}

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
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: [&str; 16] = ["a", "b.c", "\"", "\\", "\n", "(", ")", ";", " ", "*", "**", "?", "é", "$^", "|+", "\t"];

#[test]
fn random_rule_sets_give_balanced_profiles_with_every_rule_present() {
    let mut rng = Rng(0x5ea7_be17);
    for _ in 0..2000 {
        let mut rules = Vec::new();
        for _ in 0..rng.below(8) {
            let kind = KINDS[rng.below(KINDS.len())];
            let mut value = String::new();
            for _ in 0..1 + rng.below(4) {
                value.push('/');
                for _ in 0..1 + rng.below(3) {
                    let p = PIECES[rng.below(PIECES.len())];
                    let glob = kind.ends_with("-glob");
                    if (glob && p != "\\") || (!glob && !p.contains('*')) {
                        value.push_str(p);
                    }
                }
            }
            rules.push((kind, value));
        }
        let net = ["none", "proxy", "host"][rng.below(3)];
        let borrowed: Vec<(&str, &str)> = rules.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = compile(&borrowed, net).unwrap_or_else(|e| panic!("{:?}: {}", rules, e));
        let forms = read_sbpl(&out).unwrap_or_else(|e| panic!("{:?}: {}\n{}", rules, e, out));
        for (kind, value) in &rules {
            let (head, string) = expected(kind, value);
            assert!(form_with(&forms, head, &string).is_some(), "{} {:?} missing from\n{}", kind, value, out);
        }
        assert_eq!(forms.iter().filter(|f| atoms(f).starts_with(&["deny", "default"])).count(), 1);
    }
}

#[test]
fn no_input_panics() {
    let mut rng = Rng(42);
    let alphabet = b"ab/\\n *?\"[.";
    for _ in 0..20000 {
        let mut input = format!("{}\n", HEADER).into_bytes();
        for _ in 0..rng.below(6) {
            if rng.below(4) != 0 {
                let kind = ["net", "tmp", "bogus", KINDS[rng.below(KINDS.len())]][rng.below(4)];
                input.extend_from_slice(kind.as_bytes());
                input.push(b' ');
            }
            for _ in 0..rng.below(12) {
                input.push(if rng.below(40) == 0 { (rng.next() & 0xff) as u8 } else { alphabet[rng.below(alphabet.len())] });
            }
            input.push(b'\n');
        }
        if rng.below(2) == 0 {
            input.extend_from_slice(b"net none\n");
        }
        if let Ok(out) = sb(&input) {
            read_sbpl(&out).unwrap();
        }
    }
}
