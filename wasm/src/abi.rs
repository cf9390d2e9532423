//! The WASM boundary: a plain core module, no generated glue (DESIGN.md "The WASM ABI").
//!
//! Exports: `memory`, `stockade_alloc(len) -> ptr`, `stockade_free(ptr, len)`,
//! `stockade_call(ptr, len) -> out`. The host writes a request into memory it allocated,
//! calls `stockade_call`, reads the response at `out`, and frees both.
//!
//! Request (little-endian; `str` = u32 byte length + bytes):
//!   u32 ABI_VERSION · u32 op · u32 foreign action (SECCOMP_RET value) ·
//!   u32 n · n × str architecture name (`x86_64`, `aarch64`, …) · str policy text ·
//!   u32 m · m × (str name · u8 found · [str text when found])
//! Response: u32 status · u32 payload length · payload
//!   STATUS_OK: the output bytes · STATUS_DIAGNOSTICS: JSON `[{file,line,col,message}]` ·
//!   STATUS_NEED_INCLUDES: JSON `["name", …]` · STATUS_BAD_REQUEST: a UTF-8 message.
//! `src/wasm.ts` is the other side of this contract; change both together.

use crate::diag::Diagnostic;
use crate::ir::Action;
use crate::text::Hex;
use crate::tables::Arch;
use crate::{IncludeMap, Options, Outcome};

pub const ABI_VERSION: u32 = 1;

/// Kafel text → BPF bytes.
pub const OP_BPF: u32 = 1;
/// Kafel text → OCI `linux.seccomp` JSON for the one target architecture.
pub const OP_OCI: u32 = 2;
/// The policy model in `seatbelt::HEADER` format (text field) → a Seatbelt profile
/// (architectures and foreign action ignored); an inexpressible rule is STATUS_BAD_REQUEST.
pub const OP_SEATBELT: u32 = 3;
/// BPF bytes (in the text field) → a readable listing.
pub const OP_DISASM: u32 = 4;
/// The target architectures' OCI syscall names → Kafel names, as JSON (text ignored).
pub const OP_NAMES: u32 = 5;

pub const STATUS_OK: u32 = 0;
pub const STATUS_DIAGNOSTICS: u32 = 1;
pub const STATUS_NEED_INCLUDES: u32 = 2;
pub const STATUS_BAD_REQUEST: u32 = 3;

/// A decoded request.
pub struct Request {
    pub op: u32,
    pub opts: Options,
    pub text: Vec<u8>,
    pub includes: IncludeMap,
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or_else(|| cat!("Request truncated at byte ", self.at))?;
        let out = &self.buf[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn str(&mut self) -> Result<Vec<u8>, String> {
        let n = self.u32()? as usize;
        Ok(self.bytes(n)?.to_vec())
    }
}

/// Parses a request; the error names what is wrong with it.
pub fn decode_request(buf: &[u8]) -> Result<Request, String> {
    let mut r = Reader { buf, at: 0 };
    let version = r.u32()?;
    if version != ABI_VERSION {
        return Err(cat!("Unsupported ABI version ", version, " (this module speaks ", ABI_VERSION, ")"));
    }
    let op = r.u32()?;
    let foreign_raw = r.u32()?;
    let foreign = Action::from_ret_value(foreign_raw)
        .ok_or_else(|| cat!("Foreign-architecture action 0x", Hex(foreign_raw as u64, 8), " is not a seccomp action"))?;
    let n = r.u32()? as usize;
    if n == 0 || n > Arch::ALL.len() {
        return Err(cat!("Expected 1 to ", Arch::ALL.len(), " target architectures, got ", n));
    }
    let mut arches = Vec::with_capacity(n);
    for _ in 0..n {
        let raw = r.str()?;
        // The host encodes strings as UTF-8; anything else cannot name an architecture.
        let name = std::str::from_utf8(&raw).unwrap_or("(not UTF-8)");
        let arch = Arch::parse(&name).ok_or_else(|| {
            cat!("No syscall table for architecture \"", name, "\" (choose x86_64, i386, aarch64 or riscv64)")
        })?;
        if arches.contains(&arch) {
            return Err(cat!("Architecture \"", arch.name(), "\" named twice"));
        }
        arches.push(arch);
    }
    let text = r.str()?;
    let m = r.u32()? as usize;
    let mut includes = IncludeMap::new();
    for _ in 0..m {
        let name = String::from_utf8(r.str()?).map_err(|_| crate::text::owned("Include name is not UTF-8"))?;
        let found = r.u8()?;
        let text = if found != 0 { Some(r.str()?) } else { None };
        includes.insert(name, text);
    }
    if r.at != buf.len() {
        return Err(cat!(buf.len() - r.at, " trailing bytes after the request"));
    }
    Ok(Request { op, opts: Options { arches, foreign }, text, includes })
}

/// Appends `s` as a JSON string literal.
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => crate::text::push_str(out, "\\\""),
            '\\' => crate::text::push_str(out, "\\\\"),
            '\n' => crate::text::push_str(out, "\\n"),
            '\r' => crate::text::push_str(out, "\\r"),
            '\t' => crate::text::push_str(out, "\\t"),
            c if (c as u32) < 0x20 => crate::text::push_str(out, &cat!("\\u", Hex(c as u32 as u64, 4))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn diagnostics_json(diags: &[Diagnostic]) -> String {
    let mut out = String::from("[");
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::text::push_str(&mut out, "{\"file\":");
        match &d.pos.file {
            Some(f) => json_string(&mut out, f),
            None => crate::text::push_str(&mut out, "null"),
        }
        put!(&mut out, ",\"line\":", d.pos.line, ",\"col\":", d.pos.col, ",\"message\":");
        json_string(&mut out, &d.message);
        out.push('}');
    }
    out.push(']');
    out
}

fn names_json(names: &[String]) -> String {
    let mut out = String::from("[");
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, n);
    }
    out.push(']');
    out
}

/// Maps an outcome to (status, payload).
pub fn outcome_payload(o: Outcome<Vec<u8>>) -> (u32, Vec<u8>) {
    match o {
        Outcome::Ok(bytes) => (STATUS_OK, bytes),
        Outcome::Diagnostics(d) => (STATUS_DIAGNOSTICS, diagnostics_json(&d).into_bytes()),
        Outcome::NeedIncludes(n) => (STATUS_NEED_INCLUDES, names_json(&n).into_bytes()),
    }
}

/// Serves one request: the whole logic of `stockade_call`, testable natively.
pub fn handle(buf: &[u8]) -> (u32, Vec<u8>) {
    let req = match decode_request(buf) {
        Ok(r) => r,
        Err(e) => return (STATUS_BAD_REQUEST, e.into_bytes()),
    };
    match req.op {
        OP_BPF => outcome_payload(crate::compile_bpf(&req.text, &req.includes, &req.opts)),
        OP_OCI => outcome_payload(crate::oci::compile_oci(&req.text, &req.includes, &req.opts)),
        OP_SEATBELT => match crate::seatbelt::compile(&req.text) {
            Ok(profile) => (STATUS_OK, profile),
            Err(e) => (STATUS_BAD_REQUEST, e.into_bytes()),
        },
        OP_NAMES => (STATUS_OK, crate::oci::names_json(&req.opts.arches).into_bytes()),
        OP_DISASM => match crate::disasm::listing(&req.text) {
            Ok(text) => (STATUS_OK, text.into_bytes()),
            Err(e) => (STATUS_BAD_REQUEST, e.into_bytes()),
        },
        op => (STATUS_BAD_REQUEST, cat!("Unknown operation ", op).into_bytes()),
    }
}

fn leak(v: Vec<u8>) -> *mut u8 {
    // A boxed slice has exactly `len` capacity, so `stockade_free` can rebuild it from (ptr, len).
    Box::into_raw(v.into_boxed_slice()) as *mut u8
}

/// Allocates `len` bytes for the host to fill.
#[no_mangle]
pub extern "C" fn stockade_alloc(len: u32) -> *mut u8 {
    leak(vec![0u8; len as usize])
}

/// Frees memory from `stockade_alloc` or a response from `stockade_call`.
///
/// # Safety
/// `ptr`/`len` must come from this module, unchanged, and be freed once.
#[no_mangle]
pub unsafe extern "C" fn stockade_free(ptr: *mut u8, len: u32) {
    if !ptr.is_null() {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len as usize)));
    }
}

/// Serves the request at `ptr`/`len`; returns a response of `8 + payload length` bytes.
///
/// # Safety
/// `ptr`/`len` must describe memory from `stockade_alloc`.
#[no_mangle]
pub unsafe extern "C" fn stockade_call(ptr: *const u8, len: u32) -> *mut u8 {
    let req = std::slice::from_raw_parts(ptr, len as usize);
    let (status, payload) = handle(req);
    let mut out = Vec::with_capacity(8 + payload.len());
    out.extend_from_slice(&status.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&payload);
    leak(out)
}
