//! Policy model → Seatbelt (SBPL) profile for macOS `sandbox-exec` (DESIGN.md "macOS").
//!
//! Input: the policy model, one rule per line, written by `encodeSeatbeltPolicy` in
//! src/seatbelt.ts (the other half of this format; change both together):
//!
//! ```text
//! stockade-seatbelt 1          header, first line
//! read PATH                    fs.read: reads, mapping and exec under PATH
//! write PATH                   fs.write: the same plus writes
//! readonly PATH                fs.readOnly: no writes under PATH (wins over write)
//! hide PATH                    fs.hide: nothing at all under PATH (wins over everything)
//! socket PATH                  fs.sockets: connect() to the unix socket at PATH
//! read-glob GLOB               the same four for absolute globs: `*` and `?` stay within one
//! write-glob GLOB                path segment, `**` crosses segments (`/**/` also matches `/`)
//! readonly-glob GLOB
//! hide-glob GLOB
//! tmp                          a private temporary directory, passed as the TMPDIR parameter
//! net none|proxy|host          exactly once; proxy: only 127.0.0.1/::1 port PROXY_PORT
//! ```
//!
//! In a PATH or GLOB `\\` stands for a backslash and `\n` for a newline; nothing else is escaped.
//!
//! Output: SBPL. Seatbelt applies the LAST matching rule, so the profile lists the allowances
//! first and the denials (readonly, then hide) last: deny within allow wins. Values only known
//! when the engine starts are SBPL parameters, passed with `sandbox-exec -D NAME=VALUE`:
//! `PROXY_PORT` (net proxy) and `TMPDIR` (tmp). Anything SBPL cannot say exactly is an error.

/// The first line of every input.
macro_rules! header {
    () => {
        "stockade-seatbelt 1"
    };
}
pub const HEADER: &str = header!();

/// One path rule kind: its name in the input and what it becomes.
struct Kind {
    name: &'static str,
    glob: bool,
    /// The SBPL form the rule's filters go into.
    form: &'static str,
    /// Whether this kind's paths (and their ancestors) need their metadata readable.
    ancestors: bool,
}

const READ: &str = "(allow file-read* file-test-existence file-map-executable process-exec";
const WRITE: &str = "(allow file-read* file-test-existence file-write* file-map-executable process-exec";
const READONLY: &str = "(deny file-write*";
const HIDE: &str = "(deny file-read* file-test-existence file-write* file-map-executable process-exec";

/// Path rule kinds in output order: allowances first, then denials, the strongest last.
const KINDS: [Kind; 9] = [
    Kind { name: "read", glob: false, form: READ, ancestors: true },
    Kind { name: "read-glob", glob: true, form: READ, ancestors: true },
    Kind { name: "write", glob: false, form: WRITE, ancestors: true },
    Kind { name: "write-glob", glob: true, form: WRITE, ancestors: true },
    Kind { name: "socket", glob: false, form: "(allow network-outbound", ancestors: true },
    Kind { name: "readonly", glob: false, form: READONLY, ancestors: false },
    Kind { name: "readonly-glob", glob: true, form: READONLY, ancestors: false },
    Kind { name: "hide", glob: false, form: HIDE, ancestors: false },
    Kind { name: "hide-glob", glob: true, form: HIDE, ancestors: false },
];
const SOCKET: usize = 4;

/// A decoded policy: path rules by kind index, in input order.
struct Policy<'a> {
    rules: Vec<(usize, Vec<u8>)>,
    tmp: bool,
    net: &'a [u8],
}

/// The fixed part: what the dynamic loader, libc and an ordinary build need on macOS.
const SYSTEM: &str = r#"(version 1)
(deny default)
; Processes: fork; exec of readable files only (below); signals and process information
; within this sandbox only.
(allow process-fork)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))
; The system: frameworks, dyld cache, libraries, developer tools, time zones.
(allow file-read* file-map-executable process-exec
  (subpath "/System")
  (subpath "/usr/lib")
  (subpath "/Library/Apple")
  (subpath "/Library/Developer/CommandLineTools")
  (subpath "/opt/homebrew")
  (subpath "/private/var/db/dyld")
  (subpath "/private/var/db/timezone")
  (literal "/private/var/db/xcode_select_link"))
(allow file-read-metadata file-test-existence (literal "/") (literal "/private") (literal "/private/var")
  (literal "/private/var/db") (literal "/var") (literal "/etc") (literal "/tmp") (literal "/dev"))
(allow sysctl-read)
(allow ipc-posix-sem)
(allow ipc-posix-shm-read-data ipc-posix-shm-read-metadata
  (ipc-posix-name "apple.shm.notification_center"))
(allow mach-lookup
  (global-name "com.apple.system.opendirectoryd.libinfo")
  (global-name "com.apple.system.notification_center")
  (global-name "com.apple.system.logger")
  (global-name "com.apple.logd")
  (global-name "com.apple.trustd")
  (global-name "com.apple.trustd.agent")
  (global-name "com.apple.cfprefsd.daemon"))
(allow system-socket (socket-domain AF_UNIX))
; Devices: the harmless ones; no ioctl on terminals (TIOCSTI).
(allow file-read* file-write-data (literal "/dev/null") (literal "/dev/zero")
  (literal "/dev/stdin") (literal "/dev/stdout") (literal "/dev/stderr") (subpath "/dev/fd"))
(allow file-read* (literal "/dev/random") (literal "/dev/urandom") (literal "/dev/dtracehelper"))
(allow file-ioctl (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper")
  (subpath "/dev/fd"))
"#;

/// The network rules of each mode.
const NETS: [(&str, &str); 3] = [
    ("none", "; Network: none.\n"),
    (
        "proxy",
        "; Network: only Stockade's proxy, on the host's loopback.
(allow system-socket (socket-domain AF_INET) (socket-domain AF_INET6))
(allow network-outbound (remote ip (string-append \"localhost:\" (param \"PROXY_PORT\"))))\n",
    ),
    (
        "host",
        "; Network: the host's, over IP, with DNS. Unix sockets only as listed.
(allow system-socket (socket-domain AF_INET) (socket-domain AF_INET6))
(allow network-outbound (remote ip \"*:*\"))
(allow network-bind network-inbound (local ip \"*:*\"))
(allow network-outbound (remote unix-socket (path-literal \"/private/var/run/mDNSResponder\")))
(allow mach-lookup (global-name \"com.apple.mDNSResponder\") (global-name \"com.apple.dnssd.service\")
  (global-name \"com.apple.SystemConfiguration.configd\"))\n",
    ),
];

/// Decodes the input and renders the profile; the error says what cannot be expressed.
pub fn compile(input: &[u8]) -> Result<Vec<u8>, String> {
    if std::str::from_utf8(input).is_err() {
        return Err("Seatbelt policy is not UTF-8".into());
    }
    Ok(render(&decode(input)?))
}

/// Appends (out of line: the module stays small).
#[inline(never)]
fn put(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s);
}

/// An error message: `before`, the value quoted, `after` (out of line: the module stays small).
#[inline(never)]
fn message(before: &[&str], value: &[u8], after: &[&str]) -> String {
    let mut out = String::new();
    for b in before {
        out.push_str(b);
    }
    crate::abi::json_string(&mut out, std::str::from_utf8(value).unwrap_or(""));
    for a in after {
        out.push_str(a);
    }
    out
}

fn decode(text: &[u8]) -> Result<Policy<'_>, String> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let mut lines = body.split(|&b| b == b'\n');
    if lines.next() != Some(HEADER.as_bytes()) {
        return Err(concat!("Seatbelt policy must start with \"", header!(), "\"").into());
    }
    let mut policy = Policy { rules: Vec::new(), tmp: false, net: b"" };
    for line in lines {
        let sp = line.iter().position(|&b| b == b' ');
        let (name, arg) = match sp {
            Some(sp) => (&line[..sp], Some(&line[sp + 1..])),
            None => (line, None),
        };
        match (name, arg) {
            (b"tmp", None) if !policy.tmp => policy.tmp = true,
            (b"net", Some(mode)) if policy.net.is_empty() => {
                if !NETS.iter().any(|(m, _)| m.as_bytes() == mode) {
                    return Err(message(&["Unknown network mode "], mode, &[" in the Seatbelt policy (use none, proxy or host)"]));
                }
                policy.net = mode;
            }
            (b"tmp", _) | (b"net", _) => return Err(message(&["Unexpected Seatbelt rule "], line, &[" (repeated or malformed)"])),
            (_, Some(raw)) => {
                let kind = KINDS.iter().position(|k| k.name.as_bytes() == name);
                let kind = kind.ok_or_else(|| message(&["Unknown Seatbelt rule "], name, &[]))?;
                let value = unescape(raw).ok_or_else(|| message(&["Bad escape in Seatbelt rule "], line, &[" (only \\\\ and \\n)"]))?;
                check_path(&KINDS[kind], &value)?;
                policy.rules.push((kind, value));
            }
            (_, None) => return Err(message(&["Unexpected Seatbelt rule "], line, &[" (a rule without a value)"])),
        }
    }
    if policy.net.is_empty() {
        return Err("Seatbelt policy has no \"net\" rule".into());
    }
    Ok(policy)
}

fn unescape(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter();
    while let Some(&b) = bytes.next() {
        out.push(match (b, b == b'\\') {
            (_, false) => b,
            _ => match bytes.next() {
                Some(b'\\') => b'\\',
                Some(b'n') => b'\n',
                _ => return None,
            },
        });
    }
    Some(out)
}

fn check_path(kind: &Kind, value: &[u8]) -> Result<(), String> {
    let control = value.iter().any(|&c| (c < b' ' && !b"\n\t\r".contains(&c)) || c == 0x7f);
    let why = if value.first() != Some(&b'/') {
        "it is not absolute"
    } else if control {
        "it contains a control character other than tab, newline or carriage return"
    } else if kind.glob && value.iter().any(|c| b"[]{}\\".contains(c)) {
        "globs take only *, ** and ? (use a path rule for names with [ ] { } or \\)"
    } else {
        return Ok(());
    };
    Err(message(&["Cannot express ", kind.name, " "], value, &[" in Seatbelt: ", why]))
}

/// An SBPL string literal: quotes and backslashes escaped, so nothing leaves the string.
#[inline(never)]
fn sbpl_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        let escaped: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => {
                out.push(c);
                continue;
            }
        };
        put(out, escaped);
    }
    out.push(b'"');
}

/// An anchored regex for a glob; every character that is not a wildcard matches itself. Works
/// on bytes: the bytes of a multi-byte UTF-8 character are never ASCII, so they pass unchanged.
pub fn glob_regex(glob: &[u8]) -> Vec<u8> {
    let mut re = vec![b'^'];
    let mut i = 0;
    while let Some(&c) = glob.get(i) {
        let after_slash = i > 0 && glob[i - 1] == b'/';
        let next = glob.get(i + 1).copied();
        i += 1;
        let piece: &[u8] = match c {
            b'*' if next == Some(b'*') => {
                i += 1;
                match glob.get(i) {
                    Some(b'/') if after_slash => {
                        i += 1;
                        b"(.*/)?" // "/**/": any number of segments, including none
                    }
                    None if after_slash => {
                        re.pop(); // "/**" at the end: the directory itself or anything below it
                        b"(/.*)?"
                    }
                    _ => b".*",
                }
            }
            b'*' => b"[^/]*",
            b'?' => b"[^/]",
            b'.' | b'^' | b'$' | b'|' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'+' | b'\\' => {
                re.push(b'\\');
                re.push(c);
                continue;
            }
            _ => {
                re.push(c);
                continue;
            }
        };
        put(&mut re, piece);
    }
    re.push(b'$');
    re
}

/// The directories above a path or above a glob's first wildcard, which must be visible.
/// Each is listed once, in the order first needed.
fn ancestors<'a>(value: &'a [u8], glob: bool, into: &mut Vec<&'a [u8]>) {
    let wild = value.iter().position(|&c| glob && (c == b'*' || c == b'?')).unwrap_or(value.len());
    let fixed = &value[..wild];
    for (at, &c) in fixed.iter().enumerate() {
        if c == b'/' && at > 0 && !into.contains(&&fixed[..at]) {
            into.push(&fixed[..at]);
        }
    }
}

fn render(p: &Policy) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    put(&mut out, b"; Generated by Stockade from the policy model: do not edit.\n; Parameters (sandbox-exec -D NAME=VALUE):");
    put(&mut out, if p.net == b"proxy" { b" PROXY_PORT" } else if p.tmp { b"" } else { b" none" });
    put(&mut out, if p.tmp { b" TMPDIR\n" } else { b"\n" });
    put(&mut out, SYSTEM.as_bytes());

    let mut dirs = Vec::new();
    for (kind, value) in &p.rules {
        if KINDS[*kind].ancestors {
            ancestors(value, KINDS[*kind].glob, &mut dirs);
        }
    }
    if !dirs.is_empty() {
        put(&mut out, b"; The directories above allowed paths (on Linux the view has them).\n(allow file-read-metadata file-test-existence");
        for d in &dirs {
            put(&mut out, b"\n  (literal ");
            sbpl_string(&mut out, d);
            out.push(b')');
        }
        put(&mut out, b")\n");
    }
    if p.tmp {
        put(&mut out, b"; The run's private temporary directory, made by the engine.
(allow file-read* file-test-existence file-write* file-map-executable process-exec (subpath (param \"TMPDIR\")))
(allow file-read-metadata file-test-existence (path-ancestors (param \"TMPDIR\")))\n");
    }
    for (mode, rules) in NETS {
        if mode.as_bytes() == p.net {
            put(&mut out, rules.as_bytes());
        }
    }
    for (kind, k) in KINDS.iter().enumerate() {
        // Hidden means unreachable too: connecting to a socket is a network operation.
        let both = [k.form, "(deny network-outbound"];
        let forms = &both[..if k.form == HIDE { 2 } else { 1 }];
        for (f, form) in forms.iter().enumerate() {
            let mut any = false;
            for (_, value) in p.rules.iter().filter(|(rk, _)| *rk == kind) {
                if !any && f == 0 {
                    put(&mut out, b"; ");
                    put(&mut out, k.name.as_bytes());
                    out.push(b'\n');
                }
                if !any {
                    put(&mut out, form.as_bytes());
                    any = true;
                }
                let open: &[u8] = match (f, kind == SOCKET, k.glob) {
                    (1, _, true) => b"\n  (remote unix-socket (path-regex ",
                    (1, _, false) => b"\n  (remote unix-socket (subpath ",
                    (_, true, _) => b"\n  (remote unix-socket (path-literal ",
                    (_, _, true) => b"\n  (regex ",
                    _ => b"\n  (subpath ",
                };
                put(&mut out, open);
                let regex;
                sbpl_string(&mut out, if k.glob { regex = glob_regex(value); &regex } else { value });
                put(&mut out, if f == 1 || kind == SOCKET { b"))" } else { b")" });
            }
            if any {
                put(&mut out, b")\n");
            }
        }
    }
    out
}
