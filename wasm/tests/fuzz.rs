//! KAFEL.md §7: "No input, however malformed, panics". A deterministic fuzz loop through the
//! whole pipeline (`compile_bpf`, with includes): random bytes, token soup from the language's
//! vocabulary, generated valid policies, and mutations of those and of the seed corpus in
//! tests/corpus/. Every file in
//! tests/corpus/crashers/ is replayed first, always.
//!
//! FUZZ_ITERS (default 1,000,000) and FUZZ_SEED scale and vary the run. A panic saves its input
//! to tests/corpus/crashers/ and fails the test.

mod front;

use std::panic::{self, AssertUnwindSafe};

use front::{random_policy, Rng};
use std::path::{Path, PathBuf};

use stockade_kafel::ir::Action;
use stockade_kafel::tables::Arch;
use stockade_kafel::{compile_bpf, IncludeMap, Options, Outcome};

const VOCAB: &[&str] = &[
    "SYSCALL", "ALLOW", "LOG", "USER_NOTIF", "ERRNO", "KILL_PROCESS", "KILL_THREAD", "KILL", "DENY", "TRAP", "TRACE", "USE",
    "POLICY", "DEFAULT", "ON", "define", "#define", "#", "==", "!=", "<=", "<", ">=", ">", "||", "&&", "|", "&", "[", "]", "(",
    ")", "{", "}", ",", "!", "0", "1", "-1", "5", "0x1f", "0x40000000", "0xffffffff", "0x100000000", "0b101", "017", "09",
    "18446744073709551615", "18446744073709551616", "-0", "read", "write", "open", "openat", "mmap", "fcntl", "kill", "exit",
    "fd", "count", "prot", "flags", "pid", "a", "b", "c", "p", "q", "X", "x86_64", "amd64", "aarch64", "arm", "i386", "riscv64",
    "sparc", "allow", "_x", "#include \"a\"\n", "#include \"b\" \"a\";", "#include \"gone\"\n", "#include \"self\"\n",
    "#include \"loop1\"\n", "#include \"missing\"\n", "#include", "\"", "/*", "*/", "//", "\n", " ", "\t", "\r\n", "@", ";",
];

fn fuzz_includes() -> IncludeMap {
    let mut m = IncludeMap::new();
    m.insert("a".into(), Some(b"write, close".to_vec()));
    m.insert("b".into(), Some(b"ALLOW { exit }\nPOLICY inc { ERRNO(1) { SYSCALL[7](x) { x == 1 } } }\n".to_vec()));
    m.insert("gone".into(), None);
    m.insert("self".into(), Some(b"#include \"self\"\n".to_vec()));
    m.insert("loop1".into(), Some(b"ALLOW {\n#include \"loop2\"\n}".to_vec()));
    m.insert("loop2".into(), Some(b"#include \"loop1\"\n".to_vec()));
    m
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus")
}

fn read_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap_or_default()))
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    let n = rng.below(160);
    (0..n)
        .map(|_| match rng.below(4) {
            0 => rng.next() as u8,
            _ => 0x20 + rng.below(0x5f) as u8,
        })
        .collect()
}

fn token_soup(rng: &mut Rng) -> Vec<u8> {
    let n = 1 + rng.below(60);
    let mut out = Vec::new();
    for _ in 0..n {
        out.extend_from_slice(rng.pick(VOCAB).as_bytes());
        if rng.below(3) != 0 {
            out.push(b' ');
        }
    }
    out
}

/// Applies one to `max` random edits to `v`: cut, duplicate, insert a word, flip a byte, splice
/// from the corpus, replace a range with a word.
fn mutate(rng: &mut Rng, mut v: Vec<u8>, corpus: &[(String, Vec<u8>)], max: usize) -> Vec<u8> {
    for _ in 0..1 + rng.below(max) {
        let len = v.len();
        let (a, b) = (rng.below(len + 1), rng.below(len + 1));
        let (lo, hi) = (a.min(b), a.max(b).min(lo_cap(a.min(b), len)));
        match rng.below(6) {
            0 => {
                v.drain(lo..hi);
            }
            1 => {
                let piece = v[lo..hi].to_vec();
                let at = rng.below(v.len() + 1);
                v.splice(at..at, piece);
            }
            2 => {
                let at = rng.below(len + 1);
                let t = rng.pick(VOCAB).as_bytes().to_vec();
                v.splice(at..at, t);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                v[at] = rng.next() as u8;
            }
            4 => {
                let other = &rng.pick(corpus).1;
                let (c, d) = (rng.below(other.len() + 1), rng.below(other.len() + 1));
                let piece = other[c.min(d)..c.max(d)].to_vec();
                let at = rng.below(v.len() + 1);
                v.splice(at..at, piece);
            }
            _ => {
                let at = rng.below(len + 1);
                let t = rng.pick(VOCAB).as_bytes().to_vec();
                v.splice(at..hi.max(at), t);
            }
        }
    }
    v
}

fn lo_cap(lo: usize, len: usize) -> usize {
    (lo + 64).min(len)
}

/// Checks an outcome is sane; returns a description of what is wrong.
fn insane(out: &Outcome<Vec<u8>>, includes: &IncludeMap) -> Option<String> {
    match out {
        Outcome::Ok(bytes) => {
            if bytes.is_empty() || bytes.len() % 8 != 0 || bytes.len() / 8 > 4096 {
                return Some(format!("program of {} bytes", bytes.len()));
            }
        }
        Outcome::Diagnostics(d) => {
            if d.is_empty() {
                return Some("no diagnostics".into());
            }
            for x in d {
                let m = &x.message;
                let first = m.chars().next().unwrap_or(' ');
                if x.pos.line == 0 || x.pos.col == 0 || !first.is_ascii_uppercase() || m.ends_with('.') {
                    return Some(format!("bad diagnostic {:?}", x));
                }
            }
        }
        Outcome::NeedIncludes(n) => {
            if n.is_empty() || n.iter().any(|x| includes.contains_key(x)) {
                return Some(format!("bad include request {:?}", n));
            }
        }
    }
    None
}

struct Failure {
    input: Vec<u8>,
    what: String,
}

/// Outcomes seen: compiled, diagnostics, includes requested.
#[derive(Default, Debug)]
struct Tally {
    ok: u64,
    diagnostics: u64,
    need_includes: u64,
}

fn run_one(input: &[u8], includes: &IncludeMap, opts: &Options, tally: &mut Tally) -> Result<(), String> {
    let r = panic::catch_unwind(AssertUnwindSafe(|| compile_bpf(input, includes, opts)));
    match r {
        Err(e) => {
            let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(format!("panic: {}", msg.unwrap_or_default()))
        }
        Ok(out) => {
            match out {
                Outcome::Ok(_) => tally.ok += 1,
                Outcome::Diagnostics(_) => tally.diagnostics += 1,
                Outcome::NeedIncludes(_) => tally.need_includes += 1,
            }
            match insane(&out, includes) {
                Some(w) => Err(w),
                None => Ok(()),
            }
        }
    }
}

fn options(rng: &mut Rng) -> Options {
    let mut arches: Vec<Arch> = Arch::ALL.iter().copied().filter(|_| rng.below(2) == 0).collect();
    if arches.is_empty() {
        arches.push(Arch::X86_64);
    }
    let foreign = *rng.pick(&[Action::KillProcess, Action::KillThread, Action::Errno(1), Action::Log]);
    Options { arches, foreign }
}

fn save_crasher(f: &Failure) -> PathBuf {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in &f.input {
        h = (h ^ *b as u64).wrapping_mul(0x100_0000_01b3);
    }
    let path = corpus_dir().join("crashers").join(format!("crash-{:016x}.policy", h));
    let _ = std::fs::write(&path, &f.input);
    path
}

fn fuzz(iters: u64, seed: u64) -> (Vec<Failure>, Tally) {
    let mut tally = Tally::default();
    let includes = fuzz_includes();
    let all = Options { arches: Arch::ALL.to_vec(), foreign: Action::KillProcess };
    let mut failures = Vec::new();
    // Regressions first, always.
    for (name, input) in read_dir(&corpus_dir().join("crashers")) {
        if let Err(what) = run_one(&input, &includes, &all, &mut tally) {
            failures.push(Failure { input, what: format!("{}: {}", name, what) });
        }
    }
    let corpus = read_dir(&corpus_dir());
    assert!(corpus.len() >= 5, "seed corpus missing");
    for (name, input) in &corpus {
        let out = compile_bpf(input, &includes, &all);
        assert!(insane(&out, &includes).is_none(), "{}: {:?}", name, out);
    }
    let mut rng = Rng(seed);
    for _ in 0..iters {
        let input = match rng.below(10) {
            0 => random_bytes(&mut rng),
            1 | 2 => token_soup(&mut rng),
            3 | 4 => random_policy(&mut rng).into_bytes(),
            5 | 6 => {
                let base = random_policy(&mut rng).into_bytes();
                mutate(&mut rng, base, &corpus, 2)
            }
            _ => {
                let base = rng.pick(&corpus).1.clone();
                mutate(&mut rng, base, &corpus, 3)
            }
        };
        let opts = options(&mut rng);
        if let Err(what) = run_one(&input, &includes, &opts, &mut tally) {
            failures.push(Failure { input, what });
            if failures.len() >= 20 {
                break;
            }
        }
    }
    (failures, tally)
}

#[test]
fn no_input_panics() {
    let iters = std::env::var("FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000u64);
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_cafe_f00d_d00du64);
    let quiet: Box<dyn Fn(&panic::PanicInfo) + Sync + Send> = Box::new(|_| {});
    let previous = panic::take_hook();
    panic::set_hook(quiet);
    // The WASM module runs on a 1 MiB stack: fuzz on one too, so deep recursion shows here.
    let started = std::time::Instant::now();
    let (failures, tally) = std::thread::Builder::new().stack_size(1 << 20).spawn(move || fuzz(iters, seed)).unwrap().join().unwrap();
    panic::set_hook(previous);
    eprintln!("fuzz: {} inputs in {:.1} s: {:?}", iters, started.elapsed().as_secs_f64(), tally);
    // The mutations must reach the back end often, or the loop only fuzzes the parser.
    assert!(tally.ok * 20 >= iters, "only {} of {} inputs compiled", tally.ok, iters);
    for f in &failures {
        let path = save_crasher(f);
        eprintln!("{} -> {}\n{:?}", f.what, path.display(), String::from_utf8_lossy(&f.input));
    }
    assert!(failures.is_empty(), "{} failing inputs (saved under tests/corpus/crashers/)", failures.len());
}
