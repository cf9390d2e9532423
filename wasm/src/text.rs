//! Messages and listings without `format!`: `cat!` joins strings and numbers, `put!` appends
//! them to a `String`.
//!
//! `core::fmt` number formatting, padding and `format!`'s argument tables cost the module
//! several kilobytes; every message here needs only decimal or hex numbers and plain text.

/// Something `cat!` can append.
pub trait Piece {
    fn put(&self, out: &mut String);
}

impl Piece for str {
    fn put(&self, out: &mut String) {
        push_str(out, self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn put(&self, out: &mut String) {
        (**self).put(out);
    }
}

impl Piece for String {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

macro_rules! decimal_piece {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn put(&self, out: &mut String) {
                push_decimal(out, *self as u64);
            }
        }
    )*};
}
decimal_piece!(u8, u16, u32, u64, usize);

/// `value` in lowercase hex, zero-padded to at least `digits` digits (`0x` not included).
pub struct Hex(pub u64, pub usize);

impl Piece for Hex {
    fn put(&self, out: &mut String) {
        push_radix(out, self.0, 16, self.1);
    }
}

/// `out.push_str(s)`, kept out of line: inlined at every call site it costs the module
/// kilobytes.
#[inline(never)]
pub fn push_str(out: &mut String, s: &str) {
    out.push_str(s);
}

/// `s` as a `String`, out of line for the same reason.
#[inline(never)]
pub fn owned(s: &str) -> String {
    s.to_string()
}

/// `value` in decimal.
pub fn push_decimal(out: &mut String, value: u64) {
    push_radix(out, value, 10, 1);
}

#[inline(never)]
fn push_radix(out: &mut String, mut value: u64, radix: u64, digits: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    while value != 0 || buf.len() - i < digits.min(buf.len()) {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(value % radix) as usize];
        value /= radix;
    }
    // Only ASCII digits were written.
    out.extend(buf[i..].iter().map(|&b| b as char));
}

/// Appends `Piece`s to a `String`: `put!(out, "Line ", n)`.
#[macro_export]
macro_rules! put {
    ($out:expr, $($piece:expr),* $(,)?) => {{
        let out: &mut String = $out;
        $( $crate::text::Piece::put(&$piece, out); )*
    }};
}

/// Concatenates `Piece`s into a new `String`: `cat!("Line ", n, ": ", name)`.
#[macro_export]
macro_rules! cat {
    ($($piece:expr),* $(,)?) => {{
        let mut out = String::new();
        $crate::put!(&mut out, $($piece),*);
        out
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_text_read_as_format_would_write_them() {
        for v in [0u64, 1, 9, 10, 255, 4096, u32::MAX as u64, u64::MAX] {
            assert_eq!(cat!(v), format!("{}", v));
            assert_eq!(cat!(Hex(v, 8)), format!("{:08x}", v));
            assert_eq!(cat!(Hex(v, 1)), format!("{:x}", v));
        }
        assert_eq!(cat!("a", 'b', String::from("c"), 7u8, " ", 65535u16, " ", usize::MAX), format!("abc7 65535 {}", usize::MAX));
        let mut s = String::from("x=");
        put!(&mut s, 1u8, ", ", Hex(255, 4));
        assert_eq!(s, "x=1, 00ff");
    }
}
