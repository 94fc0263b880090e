//! The socket.io-parser binary placeholder rules, checked on JSON text without building a tree.
//!
//! socket.io-parser reads a binary packet with `JSON.parse`, then `reconstructPacket`
//! (`binary.ts`) walks the parsed value top-down: an object whose `_placeholder` member is
//! exactly `true` is replaced by attachment number `num`, which must be a number with
//! `0 <= num < attachments`, otherwise the packet is rejected ("illegal attachments"). What this
//! means on the text, and what [`check_placeholders`] therefore does:
//! - a key repeated in one object keeps its **last** value (`JSON.parse`), so only the last
//!   occurrence counts, for `_placeholder` and `num` as for any member holding a placeholder:
//!   `{"e":{"_placeholder":true},"e":0}` has no placeholder at all and is accepted. Keys are
//!   compared as JavaScript strings (escapes decoded, `"\u0065"` is `"e"`, lone surrogates kept
//!   distinct);
//! - the members of a placeholder object are never looked at, so an invalid placeholder nested
//!   inside a valid one is harmless;
//! - arrays and other values are walked through.
//!
//! Deliberate difference: a `num` that is in range but not an integer (`0.5`) makes the reference
//! insert `undefined`; we reject it, because `undefined` has no JSON representation.
//!
//! The walk never recurses (an explicit stack, bounded by [`MAX_NESTING`]) and allocates only for
//! the nesting stack and, in objects whose members hold placeholders, the list of their keys.

use std::borrow::Cow;
use std::collections::BinaryHeap;
use std::fmt;

use super::number::Rounded;
use super::{scan_number, scan_string, skip_ws, Fail, JsonError, JsonErrorKind, MAX_NESTING};

/// Why a text with binary placeholders could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceholderError {
    /// The text is not valid JSON.
    Json(JsonError),
    /// A placeholder object (`{"_placeholder":true,...}`) whose `num` is missing, not a number,
    /// not an integer, negative or not below the number of attachments. `offset` is where the
    /// object starts in the text.
    InvalidIndex {
        /// Byte offset of the placeholder object.
        offset: usize,
    },
}

impl fmt::Display for PlaceholderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlaceholderError::Json(e) => e.fmt(f),
            PlaceholderError::InvalidIndex { offset } => {
                write!(f, "illegal attachments (placeholder at position {offset})")
            }
        }
    }
}

impl std::error::Error for PlaceholderError {}

impl From<JsonError> for PlaceholderError {
    fn from(e: JsonError) -> Self {
        PlaceholderError::Json(e)
    }
}

/// Scans a string, number or literal at `i`; returns the index after it.
#[inline]
pub(super) fn scan_scalar<E: Fail>(b: &[u8], i: usize) -> Result<usize, E> {
    let lit = |lit: &[u8]| match b.get(i..i + lit.len()) {
        Some(s) if s == lit => Ok(i + lit.len()),
        _ => Err(E::at(JsonErrorKind::UnexpectedCharacter, i)),
    };
    match b.get(i) {
        Some(b'"') => scan_string(b, i + 1),
        Some(b'-' | b'0'..=b'9') => scan_number(b, i),
        Some(b't') => lit(b"true"),
        Some(b'f') => lit(b"false"),
        Some(b'n') => lit(b"null"),
        Some(_) => Err(E::at(JsonErrorKind::UnexpectedCharacter, i)),
        None => Err(E::at(JsonErrorKind::UnexpectedEnd, i)),
    }
}

/// Is the JSON number `raw` a valid attachment index for `count` attachments (see the module
/// doc)? Read as `JSON.parse` reads it, compared as doubles like the reference.
fn index_ok(raw: &str, count: usize) -> bool {
    let b = raw.as_bytes();
    let n = if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        // Short integers, exactly.
        b.iter().fold(0u64, |v, &c| v * 10 + u64::from(c - b'0')) as f64
    } else {
        match super::number::round_decimal(raw) {
            // -0 is a valid index 0; other negative numbers are not.
            Some(Rounded::Int { neg, abs }) if !neg || abs == 0 => abs as f64,
            _ => return false,
        }
    };
    n < count as f64
}

/// Which member of a would-be placeholder object a key names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Placeholder,
    Num,
    Other,
}

fn classify_key(body: &str) -> Key {
    match body {
        "_placeholder" => Key::Placeholder,
        "num" => Key::Num,
        // An escaped spelling is longer than the plain one.
        _ if body.len() > 3 && body.as_bytes().contains(&b'\\') => match &*js_key(body) {
            b"_placeholder" => Key::Placeholder,
            b"num" => Key::Num,
            _ => Key::Other,
        },
        _ => Key::Other,
    }
}

/// The string a key body (escapes included, already scanned) denotes, as JavaScript compares
/// strings: escapes decoded, encoded as WTF-8 — UTF-8 in which a lone surrogate is written as
/// the 3-byte sequence of its code unit — so that two keys are equal exactly when their UTF-16
/// forms are (`"\ud800"` and `"\udc00"` stay distinct; `"\ud83d\ude00"` equals `"😀"`).
pub(super) fn js_key(body: &str) -> Cow<'_, [u8]> {
    if !body.as_bytes().contains(&b'\\') {
        return Cow::Borrowed(body.as_bytes());
    }
    let b = body.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let simple = match b.get(i + 1) {
            Some(b'u') => None,
            Some(b'b') => Some(0x08),
            Some(b'f') => Some(0x0c),
            Some(b'n') => Some(b'\n'),
            Some(b'r') => Some(b'\r'),
            Some(b't') => Some(b'\t'),
            Some(&other) => Some(other), // `"`, `\` and `/` stand for themselves
            None => break,
        };
        if let Some(c) = simple {
            out.push(c);
            i += 2;
            continue;
        }
        let Some(mut unit) = hex4(b, i + 2) else {
            break;
        };
        i += 6;
        if (0xd800..0xdc00).contains(&unit)
            && b.get(i) == Some(&b'\\')
            && b.get(i + 1) == Some(&b'u')
        {
            if let Some(low) = hex4(b, i + 2).filter(|l| (0xdc00..0xe000).contains(l)) {
                unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                i += 6;
            }
        }
        push_wtf8(&mut out, unit);
    }
    Cow::Owned(out)
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let digits = b.get(at..at + 4)?;
    digits
        .iter()
        .try_fold(0u32, |v, &c| Some(v * 16 + char::from(c).to_digit(16)?))
}

/// UTF-8 encoding generalised to surrogate code points (WTF-8).
fn push_wtf8(out: &mut Vec<u8>, cp: u32) {
    // (the `as u8` casts keep the low bits on purpose)
    if cp < 0x80 {
        out.push(cp as u8);
    } else if cp < 0x800 {
        out.extend([0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]);
    } else if cp < 0x10000 {
        out.extend([
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    } else {
        out.extend([
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    }
}

/// What a value holds, as far as `reconstructPacket` is concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    /// Valid placeholders.
    found: usize,
    /// Offset of the first invalid placeholder.
    bad: Option<usize>,
}

impl Tally {
    fn is_empty(self) -> bool {
        self.found == 0 && self.bad.is_none()
    }

    fn add(&mut self, other: Tally) {
        self.found = self.found.saturating_add(other.found);
        self.bad = match (self.bad, other.bad) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// An object being walked.
struct Object<'a> {
    start: usize,
    /// The raw body of the current member's key.
    key: &'a str,
    kind: Key,
    is_placeholder: bool,
    num: Option<&'a str>,
    /// The members from the first one that holds a placeholder on (earlier ones can neither
    /// hold one nor override a later one), in order: their keys and what they hold.
    members: Vec<(Cow<'a, [u8]>, Tally)>,
}

impl<'a> Object<'a> {
    /// The current member's value ended: `raw` is its text if it was a scalar.
    fn member_done(&mut self, tally: Tally, raw: Option<&'a str>) {
        match self.kind {
            Key::Placeholder => self.is_placeholder = raw == Some("true"),
            Key::Num => {
                self.num = raw.filter(|r| r.starts_with(|c: char| c == '-' || c.is_ascii_digit()))
            }
            Key::Other => {}
        }
        if !tally.is_empty() || !self.members.is_empty() {
            self.members.push((js_key(self.key), tally));
        }
    }

    /// What the whole object holds.
    fn close(self, count: usize) -> Tally {
        if self.is_placeholder {
            // Replaced wholesale: nothing inside it counts.
            return if self.num.is_some_and(|n| index_ok(n, count)) {
                Tally {
                    found: 1,
                    bad: None,
                }
            } else {
                Tally {
                    found: 0,
                    bad: Some(self.start),
                }
            };
        }
        let mut total = Tally::default();
        if self.members.len() <= 8 {
            // The last member of each key counts (a few members: compare them pairwise).
            for (i, (key, tally)) in self.members.iter().enumerate() {
                if !self.members[i + 1..].iter().any(|(k, _)| k == key) {
                    total.add(*tally);
                }
            }
            return total;
        }
        // Many: ordered by (key, position), the last of each key comes out of the heap first.
        // (A heap rather than a sort or a map: the least code in the browser bundle.)
        let mut tallies = Vec::with_capacity(self.members.len());
        let mut order = BinaryHeap::with_capacity(self.members.len());
        for (position, (key, tally)) in self.members.into_iter().enumerate() {
            tallies.push(tally);
            order.push((key, position));
        }
        let mut previous: Option<Cow<'_, [u8]>> = None;
        while let Some((key, position)) = order.pop() {
            if previous.as_ref() != Some(&key) {
                total.add(tallies[position]);
                previous = Some(key);
            }
        }
        total
    }
}

enum Frame<'a> {
    Array(Tally),
    Object(Object<'a>),
}

/// Checks every binary placeholder of a JSON text against `count` attachments (see the module
/// doc), without building a tree. Returns how many valid placeholders the parsed value holds.
pub fn check_placeholders(text: &str, count: usize) -> Result<usize, PlaceholderError> {
    match walk(text, count) {
        Some(Tally {
            bad: Some(offset), ..
        }) => Err(PlaceholderError::InvalidIndex { offset }),
        Some(Tally { found, .. }) => Ok(found),
        // Not JSON: let the validator say why.
        None => Err(PlaceholderError::Json(match super::validate(text) {
            Err(e) => e,
            Ok(_) => JsonError::new(JsonErrorKind::UnexpectedCharacter, 0),
        })),
    }
}

/// At `i` (white space skipped) expects `"key"` `:`; records the key in `object` and returns the
/// index of the member's value.
fn member_key<'a>(s: &'a str, i: usize, object: &mut Object<'a>) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let end = scan_string::<()>(b, i + 1).ok()?;
    object.key = s.get(i + 1..end - 1)?;
    object.kind = classify_key(object.key);
    let colon = skip_ws(b, end);
    (b.get(colon) == Some(&b':')).then(|| skip_ws(b, colon + 1))
}

/// The tally of the whole text, or `None` if it is not JSON (or nests deeper than
/// [`MAX_NESTING`]).
fn walk(s: &str, count: usize) -> Option<Tally> {
    let b = s.as_bytes();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut i = skip_ws(b, 0);
    'value: loop {
        // A value starts at `i`; `done` is what it holds and `raw` its text if it is a scalar.
        let (mut done, mut raw) = (Tally::default(), None);
        match b.get(i)? {
            open @ (b'[' | b'{') => {
                if stack.len() >= MAX_NESTING {
                    return None;
                }
                let start = i;
                i = skip_ws(b, i + 1);
                let close = if *open == b'[' { b']' } else { b'}' };
                if b.get(i) == Some(&close) {
                    i += 1;
                } else if *open == b'[' {
                    stack.push(Frame::Array(Tally::default()));
                    continue 'value;
                } else {
                    let mut object = Object {
                        start,
                        key: "",
                        kind: Key::Other,
                        is_placeholder: false,
                        num: None,
                        members: Vec::new(),
                    };
                    i = member_key(s, i, &mut object)?;
                    stack.push(Frame::Object(object));
                    continue 'value;
                }
            }
            _ => {
                let start = i;
                i = scan_scalar::<()>(b, i).ok()?;
                raw = s.get(start..i);
            }
        }
        // The value ended: hand it to its container, then close containers until one goes on.
        loop {
            match stack.last_mut() {
                None => return (skip_ws(b, i) == b.len()).then_some(done),
                Some(Frame::Array(tally)) => tally.add(done),
                Some(Frame::Object(object)) => object.member_done(done, raw),
            }
            i = skip_ws(b, i);
            let next = b.get(i)?;
            match (stack.last_mut()?, next) {
                (_, b',') => {
                    i = skip_ws(b, i + 1);
                    if let Some(Frame::Object(object)) = stack.last_mut() {
                        i = member_key(s, i, object)?;
                    }
                    continue 'value;
                }
                (Frame::Array(_), b']') | (Frame::Object(_), b'}') => {
                    i += 1;
                    done = match stack.pop()? {
                        Frame::Array(tally) => tally,
                        Frame::Object(object) => object.close(count),
                    };
                    raw = None;
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn ph(n: &str) -> String {
        format!(r#"{{"_placeholder":true,"num":{n}}}"#)
    }

    #[test]
    fn placeholder_rules() {
        assert_eq!(
            check_placeholders(&format!("[\"a\",{}]", ph("0")), 1),
            Ok(1)
        );
        assert_eq!(
            check_placeholders(&format!("[{},{}]", ph("1"), ph("-0")), 2),
            Ok(2)
        );
        assert_eq!(check_placeholders(&format!("[{}]", ph("1e0")), 2), Ok(1));
        for bad in ["1", "-1", "0.5", "\"0\"", "null", "[0]", "1e400"] {
            assert!(
                check_placeholders(&format!("[{}]", ph(bad)), 1).is_err(),
                "{bad}"
            );
        }
        // No num at all.
        assert!(check_placeholders(r#"[{"_placeholder":true}]"#, 1).is_err());
        // `_placeholder` must be exactly true; the last repeated key wins.
        assert_eq!(
            check_placeholders(r#"[{"_placeholder":1,"num":9}]"#, 1),
            Ok(0)
        );
        assert_eq!(
            check_placeholders(r#"[{"_placeholder":true,"_placeholder":false,"num":9}]"#, 1),
            Ok(0)
        );
        assert!(check_placeholders(
            r#"[{"_placeholder":false,"_pl\u0061ceholder":true,"num":9}]"#,
            1
        )
        .is_err());
        assert_eq!(
            check_placeholders(r#"[{"num":9,"_placeholder":true,"num":0}]"#, 1),
            Ok(1)
        );
        // Nested invalid placeholder inside a valid one is never looked at.
        let nested = r#"[{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":7}}]"#;
        assert_eq!(check_placeholders(nested, 1), Ok(1));
        let nested_valid = r#"[{"_placeholder":true,"num":0,"x":[{"_placeholder":true,"num":0}]}]"#;
        assert_eq!(check_placeholders(nested_valid, 1), Ok(1));
        // ... but inside a plain object it is.
        assert!(check_placeholders(r#"[{"y":{"_placeholder":true,"num":7}}]"#, 1).is_err());
        assert_eq!(
            check_placeholders(r#"[1,{"y":{"_placeholder":true,"num":7}}]"#, 1),
            Err(PlaceholderError::InvalidIndex { offset: 8 })
        );
    }

    /// Issue 13: socket.io-parser parses first (the last duplicate wins), then reconstructs.
    #[test]
    fn a_repeated_key_keeps_only_its_last_value() {
        let cases = [
            (r#"["e",{"e":{"_placeholder":true},"e":0}]"#, Ok(0)),
            (r#"["e",{"e":{"_placeholder":true,"num":0},"e":0}]"#, Ok(0)),
            (r#"["e",{"e":0,"e":{"_placeholder":true}}]"#, Err(())),
            (r#"["e",{"e":{"_placeholder":true},"\u0065":1}]"#, Ok(0)),
            (r#"["e",{"e":[{"_placeholder":true}],"e":[]}]"#, Ok(0)),
            (
                r#"["e",{"a":{"_placeholder":true,"num":0},"b":{"_placeholder":true,"num":0},"a":1}]"#,
                Ok(1),
            ),
            (
                r#"["e",{"a":{"x":{"_placeholder":true}},"a":{"_placeholder":true,"num":0}}]"#,
                Ok(1),
            ),
            // Distinct lone surrogates are distinct keys.
            (
                r#"["e",{"\ud800":{"_placeholder":true},"\udc00":1}]"#,
                Err(()),
            ),
            (
                r#"["e",{"\ud83d\ude00":{"_placeholder":true},"😀":1}]"#,
                Ok(0),
            ),
        ];
        for (text, want) in cases {
            let got = check_placeholders(text, 1).map_err(|_| ());
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn many_members_are_deduplicated_in_one_pass() {
        // More than 8 members after the first placeholder: the heap-ordered path.
        let mut obj = String::from("[\"e\",{");
        for k in 0..50 {
            obj.push_str(&format!("\"k{k}\":{{\"_placeholder\":true}},"));
        }
        for k in 0..50 {
            obj.push_str(&format!("\"k{k}\":{{\"_placeholder\":true,\"num\":0}},"));
        }
        obj.push_str("\"k7\":1}]");
        assert_eq!(check_placeholders(&obj, 1), Ok(49));
        let bad_last = obj.replace("\"k7\":1}", "\"k7\":{\"_placeholder\":true}}");
        assert!(check_placeholders(&bad_last, 1).is_err());
        // 100,000 members, all overridden by the same key: no quadratic work.
        let mut many = String::from("{");
        for _ in 0..100_000 {
            many.push_str("\"a\":{\"_placeholder\":true},");
        }
        many.push_str("\"a\":0}");
        assert_eq!(check_placeholders(&many, 1), Ok(0));
    }

    #[test]
    fn keys_compare_as_javascript_strings() {
        assert_eq!(&*js_key("abc"), b"abc");
        assert_eq!(&*js_key(r#"a\"\\\/\b\f\n\r\t"#), b"a\"\\/\x08\x0c\n\r\t");
        assert_eq!(&*js_key(r"\u00e9"), "é".as_bytes());
        assert_eq!(&*js_key(r"\ud83d\ude00"), "😀".as_bytes());
        assert_eq!(&*js_key(r"\ud800"), b"\xed\xa0\x80");
        assert_eq!(&*js_key(r"\udc00"), b"\xed\xb0\x80");
        assert_eq!(&*js_key(r"\ud800\u0041"), b"\xed\xa0\x80A");
    }

    #[test]
    fn depth_is_bounded_without_recursion() {
        let ok = format!(
            "[{}{}]",
            "[".repeat(MAX_NESTING - 1),
            "]".repeat(MAX_NESTING - 1)
        );
        assert_eq!(check_placeholders(&ok, 0), Ok(0));
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        assert!(matches!(
            check_placeholders(&deep, 0),
            Err(PlaceholderError::Json(JsonError {
                kind: JsonErrorKind::TooDeep,
                ..
            }))
        ));
        let hostile = "{\"a\":".repeat(1_000_000);
        assert!(check_placeholders(&hostile, 1).is_err());
    }

    /// The reference's algorithm on a tree: `JSON.parse` (our tree parser keeps the last value
    /// of a repeated key), then `_reconstructPacket`.
    fn tree_verdict(text: &str, count: usize) -> Option<Result<usize, ()>> {
        fn walk(v: &Value, count: usize, found: &mut usize) -> Result<(), ()> {
            match v {
                Value::Array(items) => items.iter().try_for_each(|x| walk(x, count, found)),
                Value::Object(_) if v.get("_placeholder") == Some(&Value::Bool(true)) => {
                    match v.get("num").and_then(Value::as_number).map(|n| n.as_f64()) {
                        Some(n) if n >= 0.0 && n.fract() == 0.0 && n < count as f64 => {
                            *found += 1;
                            Ok(())
                        }
                        _ => Err(()),
                    }
                }
                Value::Object(fields) => fields.iter().try_for_each(|(_, x)| walk(x, count, found)),
                _ => Ok(()),
            }
        }
        let v = crate::json::parse(text).ok()?;
        let mut found = 0;
        Some(walk(&v, count, &mut found).map(|()| found))
    }

    proptest::proptest! {
        #![proptest_config(crate::tests::proptest_config(3000))]
        #[test]
        fn placeholder_check_agrees_with_parse_then_reconstruct(
            text in crate::wire::tests::json_text(),
            wrap in 0usize..5,
            num in 0usize..3,
            junk in "[ \\]}x,]?",
            count in 0usize..3,
        ) {
            let text = match wrap {
                0 => format!("{text}{junk}"),
                1 => format!("[{{\"_placeholder\":true,\"num\":{num}}},{text}]{junk}"),
                2 => format!("{{\"_placeholder\":true,\"num\":{num},\"x\":{text}}}{junk}"),
                3 => format!("{{\"x\":{{\"_placeholder\":true}},\"x\":{text}}}{junk}"),
                _ => format!("[{{\"x\":[{text}],\"_placeholder\":true,\"num\":{num}}},{text}]{junk}"),
            };
            let ours = check_placeholders(&text, count);
            match tree_verdict(&text, count) {
                None => proptest::prop_assert!(matches!(ours, Err(PlaceholderError::Json(_))), "{}", text),
                Some(want) => proptest::prop_assert_eq!(ours.map_err(|_| ()), want, "{}", text),
            }
        }
    }
}
