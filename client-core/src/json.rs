//! Hand-written JSON scanning for the codecs.
//!
//! The core keeps event arguments as validated raw JSON text (docs/architecture.md, "The sans-IO core"), so it needs
//! a validator that accepts exactly what `JSON.parse` accepts (RFC 8259 plus surrounding
//! whitespace: numbers of any magnitude such as `1e310`, escaped lone surrogates such as
//! `"\ud800"`, repeated keys), string escaping that matches `JSON.stringify`, and a few cheap
//! structural queries (the head of an event array, binary placeholders). Everything here is
//! total: malformed input gives a [`JsonError`], nesting deeper than [`MAX_NESTING`] gives
//! [`JsonErrorKind::TooDeep`], nothing recurses, and nothing allocates in proportion to a count
//! read from the input.
//!
//! The tree parser (into `Value`, feature `tree`: tests and tools only) lives in the `parse`
//! submodule, the socket.io-parser placeholder rules in `placeholder`, the JavaScript number rules
//! (formatting like `Number.prototype.toString`, `Number(string)`) in `number`.

use std::fmt;

pub(crate) mod number;
#[cfg(any(test, feature = "tree"))]
mod parse;
mod placeholder;
mod query;

pub use number::{is_js_whitespace, js_string_to_number, write_f64, write_i64, write_u64};
#[cfg(any(test, feature = "tree"))]
pub use parse::{parse, parse_with_attachments};
pub use placeholder::{check_placeholders, PlaceholderError};
pub(crate) use query::{array_elements_text, member, write_normalized};
pub use query::{
    array_head, array_tail, as_string, elements, prepend_to_array, string_array, string_body_eq,
    unescape, write_string, ArrayHead, Elements,
};

/// Deepest nesting of arrays and objects accepted by every function in this module: 1,000.
///
/// `JSON.parse` in V8 has no limit (it parses a million levels), but a Node.js server cannot
/// send much more than about 4,000 (`JSON.stringify` recurses and throws a `RangeError`), and no
/// real payload comes near 1,000. The bound exists so that recursive consumers (the tree
/// parser, the drivers' deserialisers) can never overflow the stack on hostile input; the
/// scanners of this module never recurse, and reject a deeper text in time linear in the
/// offset of the offending bracket, with no allocation.
pub const MAX_NESTING: usize = 1000;

/// Deepest nesting that the drivers' *recursive* tree deserialisers accept: 128, the default
/// recursion limit of serde_json. Not a limit of the core, which accepts [`MAX_NESTING`] levels
/// on the wire; a driver that recurses per level bounds itself with this constant so that its
/// stack cannot overflow, and reports deeper values as its own typed error.
pub const MAX_DEPTH: usize = 128;

/// The type of a JSON value, as found at the top level of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// Why a text is not JSON, and where (byte offset into the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    /// What is wrong.
    pub kind: JsonErrorKind,
    /// Byte offset of the problem in the scanned text.
    pub offset: usize,
}

/// The cause of a [`JsonError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// The text ended in the middle of a value (or was empty).
    UnexpectedEnd,
    /// A byte that cannot start or continue the value at this position.
    UnexpectedCharacter,
    /// A malformed number (leading zero, missing digits, ...).
    InvalidNumber,
    /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
    InvalidEscape,
    /// An unescaped control character (below U+0020) inside a string.
    ControlCharacter,
    /// Something other than whitespace after the complete value.
    TrailingCharacters,
    /// Arrays and objects nested deeper than [`MAX_NESTING`].
    TooDeep,
}

impl JsonError {
    pub(crate) fn new(kind: JsonErrorKind, offset: usize) -> Self {
        JsonError { kind, offset }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            JsonErrorKind::UnexpectedEnd => "unexpected end of JSON input",
            JsonErrorKind::UnexpectedCharacter => "unexpected character in JSON",
            JsonErrorKind::InvalidNumber => "invalid number in JSON",
            JsonErrorKind::InvalidEscape => "invalid escape in JSON string",
            JsonErrorKind::ControlCharacter => "bad control character in JSON string",
            JsonErrorKind::TrailingCharacters => "unexpected non-whitespace after JSON",
            JsonErrorKind::TooDeep => "JSON nested too deeply",
        };
        write!(f, "{what} at position {}", self.offset)
    }
}

impl std::error::Error for JsonError {}

/// Error type of the scanners: [`JsonError`] when the caller wants to know what is wrong, `()`
/// where only validity matters (a zero-sized error keeps `Result<usize, ()>` in registers). The
/// whole-value validator is only ever instantiated with [`JsonError`], so that the binary holds
/// one copy of it.
pub(crate) trait Fail: Sized {
    fn at(kind: JsonErrorKind, offset: usize) -> Self;
}

impl Fail for () {
    #[inline(always)]
    fn at(_: JsonErrorKind, _: usize) {}
}

impl Fail for JsonError {
    #[inline]
    fn at(kind: JsonErrorKind, offset: usize) -> Self {
        JsonError::new(kind, offset)
    }
}

/// `true` for the bytes a string scan must stop at: `"`, `\` and control characters.
static STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

#[inline(always)]
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// Scans a string body starting just after the opening quote; returns the index after the
/// closing quote.
#[inline(always)]
pub(crate) fn scan_string<E: Fail>(b: &[u8], mut i: usize) -> Result<usize, E> {
    loop {
        // Find the next byte that needs attention, eight bytes at a time.
        let c = loop {
            if let Some(chunk) = b.get(i..i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                let mask = string_stop_mask(u64::from_le_bytes(w));
                if mask == 0 {
                    i += 8;
                    continue;
                }
                // The lowest flagged byte is exact (borrows only propagate upwards).
                i += (mask.trailing_zeros() / 8) as usize;
                match b.get(i) {
                    Some(&c) => break c,
                    None => return Err(E::at(JsonErrorKind::UnexpectedEnd, i)),
                }
            }
            match b.get(i) {
                None => return Err(E::at(JsonErrorKind::UnexpectedEnd, i)),
                Some(&c) if STRING_STOP[c as usize] => break c,
                Some(_) => i += 1,
            }
        };
        match c {
            b'"' => return Ok(i + 1),
            b'\\' => i = scan_escape(b, i)?,
            _ => return Err(E::at(JsonErrorKind::ControlCharacter, i)),
        }
    }
}

/// SWAR: the high bit of each byte of the result is set where `x` has `"`, `\` or a byte below
/// 0x20 (possibly also above such a byte; the lowest set bit is always exact).
#[inline(always)]
fn string_stop_mask(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let quote = has_zero(x ^ (ONES * b'"' as u64));
    let backslash = has_zero(x ^ (ONES * b'\\' as u64));
    // A byte is < 0x20 iff it has no high bit and (byte - 0x20) borrows into the high bit.
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    quote | backslash | control
}

/// `b[i]` is a backslash; returns the index after the escape.
#[inline(always)]
fn scan_escape<E: Fail>(b: &[u8], i: usize) -> Result<usize, E> {
    match b.get(i + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 2),
        Some(b'u') => {
            for k in 0..4 {
                match b.get(i + 2 + k) {
                    Some(c) if c.is_ascii_hexdigit() => {}
                    Some(_) => return Err(E::at(JsonErrorKind::InvalidEscape, i)),
                    None => return Err(E::at(JsonErrorKind::UnexpectedEnd, b.len())),
                }
            }
            Ok(i + 6)
        }
        Some(_) => Err(E::at(JsonErrorKind::InvalidEscape, i)),
        None => Err(E::at(JsonErrorKind::UnexpectedEnd, b.len())),
    }
}

#[inline(always)]
fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        i += 1;
    }
    i
}

/// Scans a number starting at `i` (a `-` or a digit); returns the index after it.
#[inline(always)]
pub(crate) fn scan_number<E: Fail>(b: &[u8], mut i: usize) -> Result<usize, E> {
    let start = i;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = skip_digits(b, i + 1),
        _ => return Err(E::at(JsonErrorKind::InvalidNumber, start)),
    }
    if b.get(i) == Some(&b'.') {
        let j = skip_digits(b, i + 1);
        if j == i + 1 {
            return Err(E::at(JsonErrorKind::InvalidNumber, start));
        }
        i = j;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let j = skip_digits(b, i);
        if j == i {
            return Err(E::at(JsonErrorKind::InvalidNumber, start));
        }
        i = j;
    }
    Ok(i)
}

#[inline(always)]
fn scan_literal<E: Fail>(b: &[u8], i: usize, lit: &[u8]) -> Result<usize, E> {
    match b.get(i..i + lit.len()) {
        Some(s) if s == lit => Ok(i + lit.len()),
        _ => Err(E::at(JsonErrorKind::UnexpectedCharacter, i)),
    }
}

/// At `i` (whitespace already skipped) expects `"key"` `:`; returns the index of the value.
#[inline(always)]
fn scan_key<E: Fail>(b: &[u8], i: usize) -> Result<usize, E> {
    match b.get(i) {
        Some(b'"') => {}
        Some(_) => return Err(E::at(JsonErrorKind::UnexpectedCharacter, i)),
        None => return Err(E::at(JsonErrorKind::UnexpectedEnd, i)),
    }
    let i = skip_ws(b, scan_string(b, i + 1)?);
    match b.get(i) {
        Some(b':') => Ok(skip_ws(b, i + 1)),
        Some(_) => Err(E::at(JsonErrorKind::UnexpectedCharacter, i)),
        None => Err(E::at(JsonErrorKind::UnexpectedEnd, i)),
    }
}

fn kind_of(c: u8) -> Option<Kind> {
    Some(match c {
        b'{' => Kind::Object,
        b'[' => Kind::Array,
        b'"' => Kind::String,
        b'-' | b'0'..=b'9' => Kind::Number,
        b't' | b'f' => Kind::Bool,
        b'n' => Kind::Null,
        _ => return None,
    })
}

/// Validates `text` as one JSON value with optional surrounding whitespace, exactly as
/// `JSON.parse` would accept it (except that nesting is limited to [`MAX_NESTING`]), and returns
/// the kind of the top-level value.
///
/// Iterative: a bit stack records whether each open level is an array or an object.
pub fn validate(text: &str) -> Result<Kind, JsonError> {
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    let end = skip_ws(b, validate_value_at::<JsonError>(b, start)?);
    match b.get(start).copied().and_then(kind_of) {
        Some(k) if end == b.len() => Ok(k),
        _ => Err(JsonError::new(JsonErrorKind::TrailingCharacters, end)),
    }
}

/// The kind of the first value in `text` (after whitespace), judged by its first byte only;
/// meaningful for a text already known to be valid. An empty text counts as `null`.
pub fn kind_at_start(text: &str) -> Kind {
    let b = text.as_bytes();
    b.get(skip_ws(b, 0))
        .copied()
        .and_then(kind_of)
        .unwrap_or(Kind::Null)
}

/// The kind (array or object) of every open nesting level, one bit each, on the stack.
struct Levels {
    /// Bit `d` is set when level `d` is an object.
    bits: [u64; MAX_NESTING.div_ceil(64)],
    depth: usize,
}

impl Levels {
    #[inline(always)]
    fn new() -> Self {
        Levels {
            bits: [0; MAX_NESTING.div_ceil(64)],
            depth: 0,
        }
    }

    /// Opens a level; `false` when that would exceed [`MAX_NESTING`].
    #[inline(always)]
    fn push(&mut self, is_obj: bool) -> bool {
        let d = self.depth;
        let Some(word) = self.bits.get_mut(d / 64) else {
            return false;
        };
        if d >= MAX_NESTING {
            return false;
        }
        let bit = 1u64 << (d % 64);
        if is_obj {
            *word |= bit;
        } else {
            *word &= !bit;
        }
        self.depth = d + 1;
        true
    }

    /// Whether the innermost open level is an object (`false` at depth 0).
    #[inline(always)]
    fn top_is_obj(&self) -> bool {
        let Some(d) = self.depth.checked_sub(1) else {
            return false;
        };
        self.bits
            .get(d / 64)
            .is_some_and(|w| (w >> (d % 64)) & 1 == 1)
    }
}

/// Validates one value starting exactly at `i`; returns the index just after it.
pub(crate) fn validate_value_at<E: Fail>(b: &[u8], mut i: usize) -> Result<usize, E> {
    let mut levels = Levels::new();
    'value: loop {
        let c = match b.get(i) {
            Some(&c) => c,
            None => return Err(E::at(JsonErrorKind::UnexpectedEnd, i)),
        };
        match c {
            b'{' | b'[' => {
                let is_obj = c == b'{';
                if !levels.push(is_obj) {
                    return Err(E::at(JsonErrorKind::TooDeep, i));
                }
                i = skip_ws(b, i + 1);
                let close = if is_obj { b'}' } else { b']' };
                if b.get(i) == Some(&close) {
                    levels.depth -= 1;
                    i += 1;
                } else {
                    if is_obj {
                        i = scan_key(b, i)?;
                    }
                    continue 'value;
                }
            }
            b'"' => i = scan_string(b, i + 1)?,
            b'-' | b'0'..=b'9' => i = scan_number(b, i)?,
            b't' => i = scan_literal(b, i, b"true")?,
            b'f' => i = scan_literal(b, i, b"false")?,
            b'n' => i = scan_literal(b, i, b"null")?,
            _ => return Err(E::at(JsonErrorKind::UnexpectedCharacter, i)),
        }
        // A value just ended: close containers until one continues with a comma.
        loop {
            if levels.depth == 0 {
                return Ok(i);
            }
            i = skip_ws(b, i);
            let is_obj = levels.top_is_obj();
            match b.get(i) {
                Some(b',') => {
                    i = skip_ws(b, i + 1);
                    if is_obj {
                        i = scan_key(b, i)?;
                    }
                    continue 'value;
                }
                Some(b']') if !is_obj => {
                    levels.depth -= 1;
                    i += 1;
                }
                Some(b'}') if is_obj => {
                    levels.depth -= 1;
                    i += 1;
                }
                Some(_) => return Err(E::at(JsonErrorKind::UnexpectedCharacter, i)),
                None => return Err(E::at(JsonErrorKind::UnexpectedEnd, i)),
            }
        }
    }
}

/// Skips one value of an already validated text starting at `i`; returns the index after it,
/// or `None` if the text turns out to be malformed. Never recurses.
pub(crate) fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    // The same instantiation as `validate`'s: one copy of the validator in the binary.
    validate_value_at::<JsonError>(b, i).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Kind {
        match validate(s) {
            Ok(k) => k,
            Err(e) => panic!("{s:?} rejected: {e}"),
        }
    }
    fn bad(s: &str) -> JsonErrorKind {
        match validate(s) {
            Ok(k) => panic!("{s:?} accepted as {k:?}"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn accepts_what_json_parse_accepts() {
        assert_eq!(
            ok("  {\"a\" : [1, -2.5e+3, true, false, null, \"x\\u00e9\\n\"]} \r\n"),
            Kind::Object
        );
        assert_eq!(ok("[]"), Kind::Array);
        assert_eq!(ok("[[],{}]"), Kind::Array);
        assert_eq!(ok("\"\\ud800\""), Kind::String);
        assert_eq!(ok("0"), Kind::Number);
        assert_eq!(ok("-0.0e0"), Kind::Number);
        assert_eq!(ok("null"), Kind::Null);
        assert_eq!(ok("\"\u{2028}é😀\""), Kind::String);
        assert_eq!(ok("\"0123456789abcdef\\\"0123456789\""), Kind::String);
    }

    #[test]
    fn rejects_what_json_parse_rejects() {
        assert_eq!(bad(""), JsonErrorKind::UnexpectedEnd);
        assert_eq!(bad("  "), JsonErrorKind::UnexpectedEnd);
        assert_eq!(bad("[1,]"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("{\"a\":1,}"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("01"), JsonErrorKind::TrailingCharacters);
        assert_eq!(bad("1."), JsonErrorKind::InvalidNumber);
        assert_eq!(bad("-"), JsonErrorKind::InvalidNumber);
        assert_eq!(bad(".5"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("1e"), JsonErrorKind::InvalidNumber);
        assert_eq!(bad("+1"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("\"a\tb\""), JsonErrorKind::ControlCharacter);
        assert_eq!(bad("\"\\x\""), JsonErrorKind::InvalidEscape);
        assert_eq!(bad("\"\\u12g4\""), JsonErrorKind::InvalidEscape);
        assert_eq!(bad("\"abc"), JsonErrorKind::UnexpectedEnd);
        assert_eq!(bad("[1 2]"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("{1:2}"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("{\"a\" 2}"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("tru"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("[1]]"), JsonErrorKind::TrailingCharacters);
        assert_eq!(bad("[1}"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("\u{feff}1"), JsonErrorKind::UnexpectedCharacter);
        assert_eq!(bad("1\u{a0}"), JsonErrorKind::TrailingCharacters);
        assert_eq!(bad("NaN"), JsonErrorKind::UnexpectedCharacter);
    }

    #[test]
    fn string_scan_finds_every_stop_byte_at_every_position() {
        for len in 1..20 {
            for pos in 0..len {
                for filler in [b'a', b' ', b'!', 0x7f, b'#', b'\x5b'] {
                    for stop in [b'"', b'\\', 0, 0x1f, b'\n'] {
                        let mut v = vec![filler; len];
                        v[pos] = stop;
                        let escape_ok = stop == b'\\' && pos + 1 < len;
                        if escape_ok {
                            v[pos + 1] = b'n';
                        }
                        v.push(b'"');
                        let expected = match stop {
                            b'"' => Ok(pos + 1),
                            b'\\' if escape_ok => Ok(len + 1),
                            b'\\' => Err(()),
                            _ => Err(()),
                        };
                        // A lone backslash before the closing quote escapes it: unterminated.
                        assert_eq!(scan_string::<()>(&v, 0), expected, "{v:?}");
                    }
                }
            }
        }
        // Non-ASCII bytes never stop the scan.
        let s = "é€😀é€😀é€😀\"".as_bytes();
        assert_eq!(scan_string::<()>(s, 0), Ok(s.len()));
    }

    #[test]
    fn depth_limit() {
        let ok_deep = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert_eq!(ok(&ok_deep), Kind::Array);
        let too_deep = format!(
            "{}{}",
            "[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        assert_eq!(bad(&too_deep), JsonErrorKind::TooDeep);
        assert_eq!(bad(&"[{\"a\":".repeat(100_000)), JsonErrorKind::TooDeep);
    }
}
