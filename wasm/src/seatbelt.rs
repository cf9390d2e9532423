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
pub const HEADER: &str = "stockade-seatbelt 1";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Net {
    None,
    Proxy,
    Host,
}

/// One path rule kind: its name in the input and what it becomes.
struct Kind {
    name: &'static str,
    glob: bool,
    /// The SBPL form the rule's filters go into.
    form: &'static str,
    /// Whether this kind's paths (and their ancestors) need their metadata readable.
    ancestors: bool,
}

const READ: &str = "(allow file-read* file-map-executable process-exec";
const WRITE: &str = "(allow file-read* file-write* file-map-executable process-exec";
const READONLY: &str = "(deny file-write*";
const HIDE: &str = "(deny file-read* file-write* file-map-executable process-exec";

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
struct Policy {
    rules: Vec<(usize, String)>,
    tmp: bool,
    net: Net,
}

/// The fixed part: what the dynamic loader, libc and an ordinary build need on macOS.
const SYSTEM: &str = r#"(version 1)
(deny default)

; Processes: fork and exec (exec only of readable files, below); signals and process
; information only within this sandbox.
(allow process-fork)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))

; The system: frameworks, the dyld cache, libraries, developer tools, time zones.
(allow file-read* file-map-executable process-exec
  (subpath "/System")
  (subpath "/usr/lib")
  (subpath "/Library/Apple")
  (subpath "/Library/Developer/CommandLineTools")
  (subpath "/opt/homebrew")
  (subpath "/private/var/db/dyld")
  (subpath "/private/var/db/timezone")
  (literal "/private/var/db/xcode_select_link"))
(allow file-read-metadata (literal "/") (literal "/private") (literal "/private/var")
  (literal "/private/var/db") (literal "/var") (literal "/etc") (literal "/tmp"))
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

; Devices: the harmless ones. No terminal ioctls (TIOCSTI) on inherited terminals.
(allow file-read* file-write-data
  (literal "/dev/null") (literal "/dev/zero") (literal "/dev/stdin") (literal "/dev/stdout")
  (literal "/dev/stderr") (subpath "/dev/fd"))
(allow file-read* (literal "/dev/random") (literal "/dev/urandom") (literal "/dev/dtracehelper"))
(allow file-read-metadata (literal "/dev"))
(allow file-ioctl (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper")
  (subpath "/dev/fd"))
"#;

/// Decodes the input and renders the profile; the error says what cannot be expressed.
pub fn compile(input: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(input).map_err(|_| "Seatbelt policy is not UTF-8".to_string())?;
    let policy = decode(text)?;
    Ok(render(&policy))
}

fn decode(text: &str) -> Result<Policy, String> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = body.split('\n');
    if lines.next() != Some(HEADER) {
        return Err(format!("Seatbelt policy must start with \"{}\"", HEADER));
    }
    let mut policy = Policy { rules: Vec::new(), tmp: false, net: Net::None };
    let mut net = None;
    for (i, line) in lines.enumerate() {
        let at = i + 2;
        let (name, arg) = match line.find(' ') {
            Some(sp) => (&line[..sp], Some(&line[sp + 1..])),
            None => (line, None),
        };
        match (name, arg) {
            ("tmp", None) if !policy.tmp => policy.tmp = true,
            ("net", Some(mode)) if net.is_none() => {
                net = Some(match mode {
                    "none" => Net::None,
                    "proxy" => Net::Proxy,
                    "host" => Net::Host,
                    _ => return Err(format!("Line {}: unknown network mode {} (use none, proxy or host)", at, quote(mode))),
                })
            }
            ("tmp", _) | ("net", _) => return Err(format!("Line {}: unexpected {} (a repeated or malformed rule)", at, quote(line))),
            (_, Some(raw)) => {
                let kind = KINDS.iter().position(|k| k.name == name);
                let kind = kind.ok_or_else(|| format!("Line {}: unknown rule {}", at, quote(name)))?;
                let value = unescape(raw).ok_or_else(|| format!("Line {}: bad escape in {}", at, quote(raw)))?;
                check_path(&KINDS[kind], &value)?;
                policy.rules.push((kind, value));
            }
            (_, None) => return Err(format!("Line {}: unexpected {} (a rule without a value)", at, quote(line))),
        }
    }
    policy.net = net.ok_or_else(|| "Seatbelt policy has no \"net\" rule".to_string())?;
    Ok(policy)
}

fn unescape(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            _ => return None,
        }
    }
    Some(out)
}

fn check_path(kind: &Kind, value: &str) -> Result<(), String> {
    let what = if kind.glob { "glob" } else { "path" };
    let fail = |why: String| Err(format!("Cannot express {} {} in Seatbelt: {}", kind.name, quote(value), why));
    if !value.starts_with('/') {
        return fail(format!("the {} must be absolute", what));
    }
    if let Some(c) = value.chars().find(|&c| (c < ' ' && c != '\n' && c != '\t' && c != '\r') || c == '\u{7f}') {
        return fail(format!("the {} contains control character U+{:04X}", what, c as u32));
    }
    if kind.glob {
        if let Some(c) = value.chars().find(|c| "[]{}\\".contains(*c)) {
            return fail(format!("\"{}\" is not glob syntax here (only *, ** and ?); use a path rule for such names", c));
        }
    }
    Ok(())
}

/// A value as a quoted string for messages.
fn quote(s: &str) -> String {
    let mut out = String::new();
    crate::abi::json_string(&mut out, s);
    out
}

/// An SBPL string literal: quotes and backslashes escaped, so nothing leaves the string.
fn sbpl_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An anchored regex for a glob; every character that is not a wildcard matches itself.
pub fn glob_regex(glob: &str) -> String {
    let b = glob.as_bytes();
    let mut re = String::from("^");
    let mut i = 0;
    while i < b.len() {
        let c = glob[i..].chars().next().unwrap_or('\0');
        if glob[i..].starts_with("**") {
            let after_slash = i > 0 && b[i - 1] == b'/';
            if after_slash && glob[i + 2..].starts_with('/') {
                re.push_str("(.*/)?"); // "/**/": any number of segments, including none
                i += 3;
            } else if after_slash && i + 2 == b.len() {
                re.pop(); // "/**" at the end: the directory itself or anything below it
                re.push_str("(/.*)?");
                i += 2;
            } else {
                re.push_str(".*");
                i += 2;
            }
            continue;
        }
        match c {
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '.' | '^' | '$' | '|' | '(' | ')' | '[' | ']' | '{' | '}' | '+' | '\\' => {
                re.push('\\');
                re.push(c);
            }
            c => re.push(c),
        }
        i += c.len_utf8();
    }
    re.push('$');
    re
}

/// The filter of one path rule.
fn filter(out: &mut String, kind: usize, value: &str) {
    let k = &KINDS[kind];
    let (open, close) = match (kind == SOCKET, k.glob) {
        (true, _) => ("(remote unix-socket (path-literal ", "))"),
        (false, true) => ("(regex ", ")"),
        (false, false) => ("(subpath ", ")"),
    };
    out.push_str("\n  ");
    out.push_str(open);
    if k.glob {
        sbpl_string(out, &glob_regex(value));
    } else {
        sbpl_string(out, value);
    }
    out.push_str(close);
}

/// The directories above a path or a glob's fixed prefix, which must be visible to reach it.
fn ancestors(value: &str, glob: bool, into: &mut Vec<String>) {
    let fixed = if glob {
        let wild = value.find(|c| c == '*' || c == '?').unwrap_or(value.len());
        &value[..value[..wild].rfind('/').unwrap_or(0)]
    } else {
        value
    };
    let mut end = 0;
    while let Some(next) = fixed.get(end + 1..).and_then(|rest| rest.find('/')) {
        end += 1 + next;
        into.push(fixed[..end].to_string());
    }
    if glob && !fixed.is_empty() {
        into.push(fixed.to_string());
    }
}

fn render(p: &Policy) -> String {
    let mut out = String::from("; Generated by Stockade from the policy model: do not edit.\n");
    out.push_str("; Parameters (sandbox-exec -D NAME=VALUE):");
    out.push_str(match (p.net == Net::Proxy, p.tmp) {
        (true, true) => " PROXY_PORT, TMPDIR\n",
        (true, false) => " PROXY_PORT\n",
        (false, true) => " TMPDIR\n",
        (false, false) => " none\n",
    });
    out.push_str(SYSTEM);

    let mut dirs = Vec::new();
    for (kind, value) in &p.rules {
        if KINDS[*kind].ancestors {
            ancestors(value, KINDS[*kind].glob, &mut dirs);
        }
    }
    dirs.sort();
    dirs.dedup();
    if !dirs.is_empty() {
        out.push_str("\n; The directories above allowed paths, as on Linux where the view has them.\n");
        out.push_str("(allow file-read-metadata");
        for d in &dirs {
            out.push_str("\n  (literal ");
            sbpl_string(&mut out, d);
            out.push(')');
        }
        out.push_str(")\n");
    }
    if p.tmp {
        out.push_str("\n; The private temporary directory the engine creates for this run.\n");
        out.push_str("(allow file-read* file-write* file-map-executable process-exec (subpath (param \"TMPDIR\")))\n");
        out.push_str("(allow file-read-metadata (path-ancestors (param \"TMPDIR\")))\n");
    }
    out.push_str(match p.net {
        Net::None => "\n; Network: none.\n",
        Net::Proxy => concat!(
            "\n; Network: only Stockade's filtering proxy on the loopback (the host's loopback: nothing else on it).\n",
            "(allow system-socket (socket-domain AF_INET) (socket-domain AF_INET6))\n",
            "(allow network-outbound (remote ip (string-append \"localhost:\" (param \"PROXY_PORT\"))))\n",
        ),
        Net::Host => concat!(
            "\n; Network: the host's, over IP, with name resolution. Unix sockets stay as listed.\n",
            "(allow system-socket (socket-domain AF_INET) (socket-domain AF_INET6))\n",
            "(allow network-outbound (remote ip \"*:*\"))\n",
            "(allow network-bind network-inbound (local ip \"*:*\"))\n",
            "(allow network-outbound (remote unix-socket (path-literal \"/private/var/run/mDNSResponder\")))\n",
            "(allow mach-lookup (global-name \"com.apple.mDNSResponder\") (global-name \"com.apple.dnssd.service\")\n",
            "  (global-name \"com.apple.SystemConfiguration.configd\"))\n",
        ),
    });
    for (kind, k) in KINDS.iter().enumerate() {
        let mut forms = String::new();
        for (_, value) in p.rules.iter().filter(|(rk, _)| *rk == kind) {
            filter(&mut forms, kind, value);
        }
        if forms.is_empty() {
            continue;
        }
        out.push_str("\n; ");
        out.push_str(k.name);
        out.push('\n');
        out.push_str(k.form);
        out.push_str(&forms);
        out.push_str(")\n");
        if k.form == HIDE {
            // Connecting to a socket is a network operation: hidden means unreachable too.
            out.push_str("(deny network-outbound");
            for (_, value) in p.rules.iter().filter(|(rk, _)| *rk == kind) {
                out.push_str("\n  (remote unix-socket (");
                out.push_str(if k.glob { "path-regex " } else { "subpath " });
                sbpl_string(&mut out, &if k.glob { glob_regex(value) } else { value.clone() });
                out.push_str("))");
            }
            out.push_str(")\n");
        }
    }
    out
}
