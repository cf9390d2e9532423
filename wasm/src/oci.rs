//! Kafel → an OCI runtime-spec `linux.seccomp` object (Docker, Podman, Kubernetes, runc, crun).
//!
//! One profile per target architecture. Semantics are kept exactly (on the architecture's own
//! syscalls; see below for what a runtime adds):
//! - Our rules are first-match; OCI entries are unordered in effect (libseccomp merges them).
//!   So rule i becomes the entries of `cond_i ∧ ¬cond_1 ∧ … ∧ ¬cond_{i-1}` (`dnf`): the
//!   entries of different actions never overlap, and their order does not matter.
//! - Rules whose action is the default are left out: their region gets the default anyway,
//!   and libseccomp refuses rules that repeat the default action.
//! - `architectures` lists the target alone. A runtime gives every other architecture (for
//!   x86_64: i386 and x32 too) libseccomp's bad-architecture action, which kills: that is our
//!   foreign-architecture rule. The runtime's choice of kill replaces the caller's foreign action.
//! - Syscalls are named by their `__NR_` name, as libseccomp resolves them.
//! - Arguments on i386 are 32-bit registers, zero-extended: comparisons are computed with the
//!   high word 0, so libseccomp's 32-bit comparisons there agree with ours.
//! - On i386 libseccomp also applies a rule for a socket or IPC call to the multiplexed
//!   `socketcall`/`ipc` form (checking the call number, dropping or misplacing the argument
//!   comparisons, whose values are in memory there). An unconditional rule there is the same
//!   operation through the other entry point, and is let through; a conditional one would be
//!   weakened, and is an error.

pub mod dnf;

use crate::abi::json_string;
use crate::diag::{push_unique, Diagnostic, Pos};
use crate::ir::{Action, ArchPolicy, Cond};
use crate::lexer::{self, Tok};
use crate::tables::Arch;
use crate::{IncludeMap, Options, Outcome};
use dnf::Atom;

/// A profile for one architecture, before it is written as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub arch: Arch,
    pub default: Action,
    /// Sorted by (action, args); no two share both.
    pub entries: Vec<Entry>,
}

/// One OCI `syscalls[]` entry: these names, when every comparison holds, get `action`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// `__NR_` names, sorted.
    pub names: Vec<&'static str>,
    pub action: Action,
    /// Sorted by argument index, one per index.
    pub args: Vec<Atom>,
}

/// Kafel text → the OCI JSON for the one architecture in `opts.arches`.
pub fn compile_oci(text: &[u8], includes: &IncludeMap, opts: &Options) -> Outcome<Vec<u8>> {
    let policy = match crate::compile_ir(text, includes, opts) {
        Outcome::Ok(p) => p,
        Outcome::Diagnostics(d) => return Outcome::Diagnostics(d),
        Outcome::NeedIncludes(n) => return Outcome::NeedIncludes(n),
    };
    let default_pos = || default_position(text, includes);
    let mut diags = Vec::new();
    let mut out = Vec::new();
    for ap in &policy.arches {
        match profile(ap, default_pos) {
            Ok(p) => out.push(p),
            Err(mut d) => diags.append(&mut d),
        }
    }
    if !diags.is_empty() {
        diags.dedup();
        return Outcome::Diagnostics(diags);
    }
    match out.as_slice() {
        [p] => Outcome::Ok(render(p).into_bytes()),
        _ => Outcome::Diagnostics(vec![Diagnostic::new(Pos { file: None, line: 1, col: 1 }, "OCI output takes exactly one target architecture (make one profile per architecture)")]),
    }
}

/// Where `DEFAULT` is written (errors about the default action point there).
fn default_position(text: &[u8], includes: &IncludeMap) -> Pos {
    let lexed = lexer::lex(text, includes);
    let found = lexed.tokens.iter().find(|t| t.kind == Tok::Default);
    found.map_or(Pos { file: None, line: 1, col: 1 }, |t| lexed.files.pos(t.loc))
}

/// The OCI form of one architecture's policy, or why parts of it have none.
pub fn profile(ap: &ArchPolicy, default_pos: impl Fn() -> Pos) -> Result<Profile, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    if let Err(why) = oci_action(ap.default) {
        diags.push(Diagnostic::new(default_pos(), cat!("The default action ", why)));
    }
    let arg_mask = if ap.arch == Arch::I386 { 0xffff_ffff } else { u64::MAX };
    let mut found: Vec<(Action, Vec<Atom>, &'static str)> = Vec::new();
    for s in &ap.syscalls {
        let rules = ap.rules_of(s);
        let conds: Vec<Option<&Cond>> = rules.iter().map(|r| r.cond.as_ref()).collect();
        let wanted: Vec<bool> = rules.iter().map(|r| r.action != ap.default).collect();
        let regions = dnf::regions(&conds, &wanted, arg_mask);
        let mut terms: Vec<(usize, Vec<Atom>)> = Vec::new();
        let mut name = "";
        for (i, ((rule, region), wanted)) in rules.iter().zip(regions).zip(wanted).enumerate() {
            if !wanted {
                continue;
            }
            if let Err(why) = oci_action(rule.action) {
                push_unique(&mut diags, Diagnostic::new(rule.pos.clone(), cat!("The action ", why)));
                continue;
            }
            name = match ap.arch.nr_name(s.nr) {
                Some(n) => n,
                None => {
                    let msg = cat!("Syscall ", s.nr, " has no name on ", ap.arch.name(), ", and OCI profiles name syscalls (use a syscall name)");
                    push_unique(&mut diags, Diagnostic::new(rule.pos.clone(), msg));
                    continue;
                }
            };
            match region {
                Ok(terms) if ap.arch == Arch::I386 && MULTIPLEXED.contains(&name) && terms.iter().any(|t| !t.is_empty()) => {
                    let msg = cat!("OCI cannot express this condition on i386: libseccomp also applies rules for \"", name, "\" to the multiplexed ", if IPC.contains(&name) { "ipc()" } else { "socketcall()" }, ", whose arguments are in memory, and drops or misplaces the comparisons");
                    push_unique(&mut diags, Diagnostic::new(rule.pos.clone(), msg));
                }
                Ok(region) => terms.extend(region.into_iter().map(|t| (i, t))),
                Err((at, why)) => {
                    // `at` is the rule at fault: this one, or an earlier one whose condition
                    // this rule's region must exclude.
                    let msg = cat!("OCI cannot express this condition on ", ap.arch.name(), ": ", why);
                    push_unique(&mut diags, Diagnostic::new(rules[at].pos.clone(), msg));
                }
            }
        }
        match dnf::work_around_libseccomp(terms, arg_mask) {
            Ok(terms) => found.extend(terms.into_iter().map(|(i, t)| (rules[i].action, t, name))),
            Err((at, why)) => {
                let msg = cat!("OCI cannot express this condition on ", ap.arch.name(), ": ", why);
                push_unique(&mut diags, Diagnostic::new(rules[at].pos.clone(), msg));
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    // Entries that share (action, args) become one, names sorted.
    let mut entries: Vec<Entry> = Vec::new();
    for (action, args, name) in crate::sorting::sorted(found) {
        match entries.last_mut() {
            Some(e) if e.action == action && e.args == args => {
                if e.names.last() != Some(&name) {
                    e.names.push(name);
                }
            }
            _ => entries.push(Entry { names: vec![name], action, args }),
        }
    }
    Ok(Profile { arch: ap.arch, default: ap.default, entries })
}

/// The calls libseccomp also routes through i386's `socketcall()` and `ipc()` (by `__NR_` name).
const MULTIPLEXED: [&str; 32] = [
    "socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername", "socketpair", "send", "recv", "sendto",
    "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg", "semop", "semget",
    "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl", "shmat", "shmdt", "shmget", "shmctl",
];
const IPC: [&str; 12] = ["semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl", "shmat", "shmdt", "shmget", "shmctl"];

/// `(SCMP_ACT_*, errnoRet)`, or why the action has no OCI form.
fn oci_action(a: Action) -> Result<(&'static str, Option<u16>), String> {
    Ok(match a {
        Action::Allow => ("SCMP_ACT_ALLOW", None),
        Action::Log => ("SCMP_ACT_LOG", None),
        Action::KillThread => ("SCMP_ACT_KILL_THREAD", None),
        Action::KillProcess => ("SCMP_ACT_KILL_PROCESS", None),
        Action::UserNotif => ("SCMP_ACT_NOTIFY", None),
        Action::Errno(n) => ("SCMP_ACT_ERRNO", Some(n)),
        // The runtime spec carries TRACE's value in errnoRet too.
        Action::Trace(n) => ("SCMP_ACT_TRACE", Some(n)),
        Action::Trap(0) => ("SCMP_ACT_TRAP", None),
        Action::Trap(n) => return Err(cat!("TRAP(", n, ") has no OCI form: SCMP_ACT_TRAP carries no value (use TRAP(0))")),
    })
}

/// The profile as compact JSON.
pub fn render(p: &Profile) -> String {
    let mut out = String::from("{");
    let (name, ret) = oci_action(p.default).unwrap_or(("SCMP_ACT_KILL_PROCESS", None));
    put!(&mut out, "\"defaultAction\":\"", name, "\"");
    if let Some(n) = ret {
        put!(&mut out, ",\"defaultErrnoRet\":", n);
    }
    put!(&mut out, ",\"architectures\":[\"", p.arch.oci_name(), "\"],\"syscalls\":[");
    for (i, e) in p.entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::text::push_str(&mut out, "{\"names\":[");
        for (j, n) in e.names.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            json_string(&mut out, n);
        }
        let (name, ret) = oci_action(e.action).unwrap_or(("SCMP_ACT_KILL_PROCESS", None));
        put!(&mut out, "],\"action\":\"", name, "\"");
        if let Some(n) = ret {
            put!(&mut out, ",\"errnoRet\":", n);
        }
        if !e.args.is_empty() {
            crate::text::push_str(&mut out, ",\"args\":[");
            for (j, a) in e.args.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                put!(&mut out, "{\"index\":", a.index, ",\"value\":", a.a);
                if a.op == dnf::Op::MaskedEq {
                    put!(&mut out, ",\"valueTwo\":", a.b);
                }
                put!(&mut out, ",\"op\":\"", a.op.oci_name(), "\"}");
            }
            out.push(']');
        }
        out.push('}');
    }
    crate::text::push_str(&mut out, "]}");
    out
}

/// For each architecture, every name an OCI profile may use (`__NR_` names) → the Kafel name
/// of the same syscall there and its number: `{"x86_64":{"stat":["newstat",4],…},…}`.
pub fn names_json(arches: &[Arch]) -> String {
    let mut out = String::from("{");
    for (i, arch) in arches.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, arch.name());
        crate::text::push_str(&mut out, ":{");
        for (j, (oci, s)) in arch.nr_names().enumerate() {
            if j > 0 {
                out.push(',');
            }
            json_string(&mut out, oci);
            crate::text::push_str(&mut out, ":[");
            json_string(&mut out, s.name);
            put!(&mut out, ",", s.nr, "]");
        }
        out.push('}');
    }
    out.push('}');
    out
}

/// What an OCI runtime decides for this syscall under `p` (the tests' oracle for the JSON's
/// meaning): the action of a matching entry, else the default. `None` when two entries that
/// match disagree (which `profile` never produces).
pub fn evaluate(p: &Profile, nr: u32, args: &[u64; 6]) -> Option<Action> {
    let name = match p.arch.nr_name(nr) {
        Some(n) => n,
        None => return Some(p.default),
    };
    let mut decided: Option<Action> = None;
    for e in &p.entries {
        if e.names.contains(&name) && e.args.iter().all(|a| a.holds(args)) {
            match decided {
                Some(d) if d != e.action => return None,
                _ => decided = Some(e.action),
            }
        }
    }
    Some(decided.unwrap_or(p.default))
}
