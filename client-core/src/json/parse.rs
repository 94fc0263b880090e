//! JSON text → [`Value`] tree, and the socket.io-parser binary placeholder rules.
//!
//! Placeholders follow `reconstructPacket` in socket.io-parser `binary.ts`: the tree is walked
//! top-down; an object whose own `_placeholder` member is exactly `true` (the last one wins when
//! a key is repeated, as with `JSON.parse`) is replaced by attachment number `num`, which must be
//! a number with `0 <= num < attachments`, otherwise the packet is rejected. The members of a
//! placeholder object are never looked at, so an invalid placeholder nested inside a valid one is
//! harmless, exactly as in the reference.
//!
//! Deliberate difference: a `num` that is in range but not an integer (`0.5`) makes the reference
//! insert `undefined`; we reject it, because `undefined` has no JSON representation.

use std::collections::HashMap;
use std::fmt;

use bytes::Bytes;

use super::number::Rounded;
use super::{
    scan_number, scan_string, skip_ws, string_body_eq, unescape, Fail, JsonError, JsonErrorKind,
    MAX_DEPTH,
};
use crate::value::{Number, Value};

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

fn err<T>(kind: JsonErrorKind, offset: usize) -> Result<T, JsonError> {
    Err(JsonError::new(kind, offset))
}

/// Scans a string, number or literal at `i`; returns the index after it.
#[inline]
fn scan_scalar<E: Fail>(b: &[u8], i: usize) -> Result<usize, E> {
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
        _ if body.len() > 3 && body.as_bytes().contains(&b'\\') => {
            if string_body_eq(body, "_placeholder") {
                Key::Placeholder
            } else if string_body_eq(body, "num") {
                Key::Num
            } else {
                Key::Other
            }
        }
        _ => Key::Other,
    }
}

/// Checks every binary placeholder of a JSON text against `count` attachments, without
/// building a tree or allocating. Returns how many placeholders were found.
pub fn check_placeholders(text: &str, count: usize) -> Result<usize, PlaceholderError> {
    let b = text.as_bytes();
    let mut w = Walker {
        s: text,
        b,
        i: skip_ws(b, 0),
        count,
        found: 0,
        bad: None,
    };
    if w.value(0).is_ok() && skip_ws(b, w.i) == b.len() {
        return match w.bad {
            Some(offset) => Err(PlaceholderError::InvalidIndex { offset }),
            None => Ok(w.found),
        };
    }
    // Not JSON: let the validator say why.
    Err(PlaceholderError::Json(match super::validate(text) {
        Err(e) => e,
        Ok(_) => JsonError::new(JsonErrorKind::UnexpectedCharacter, w.i),
    }))
}

/// Walks a JSON text tracking placeholders. `found` and `bad` (the first invalid placeholder)
/// ignore whatever lies inside a valid placeholder, which the reference never looks at.
struct Walker<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    count: usize,
    found: usize,
    bad: Option<usize>,
}

impl Walker<'_> {
    fn value(&mut self, depth: usize) -> Result<(), ()> {
        match self.b.get(self.i) {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            _ => {
                self.i = scan_scalar::<()>(self.b, self.i)?;
                Ok(())
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), ()> {
        if depth > MAX_DEPTH {
            return Err(());
        }
        self.i = skip_ws(self.b, self.i + 1);
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value(depth)?;
            self.i = skip_ws(self.b, self.i);
            match self.b.get(self.i) {
                Some(b',') => self.i = skip_ws(self.b, self.i + 1),
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(()),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), ()> {
        let start = self.i;
        if depth > MAX_DEPTH {
            return Err(());
        }
        self.i = skip_ws(self.b, self.i + 1);
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(());
        }
        let (saved_found, saved_bad) = (self.found, self.bad);
        let mut is_placeholder = false;
        let mut num: Option<&str> = None;
        loop {
            if self.b.get(self.i) != Some(&b'"') {
                return Err(());
            }
            let key_start = self.i + 1;
            // (`scan_scalar` rather than an inlined `scan_string`: less code)
            self.i = scan_scalar::<()>(self.b, self.i)?;
            let key = classify_key(self.s.get(key_start..self.i - 1).unwrap_or_default());
            self.i = skip_ws(self.b, self.i);
            if self.b.get(self.i) != Some(&b':') {
                return Err(());
            }
            self.i = skip_ws(self.b, self.i + 1);
            let v_start = self.i;
            match self.b.get(self.i) {
                Some(b'{' | b'[') => {
                    self.value(depth)?;
                    match key {
                        Key::Placeholder => is_placeholder = false,
                        Key::Num => num = None,
                        Key::Other => {}
                    }
                }
                _ => {
                    self.i = scan_scalar::<()>(self.b, self.i)?;
                    let raw = self.s.get(v_start..self.i).unwrap_or_default();
                    match key {
                        Key::Placeholder => is_placeholder = raw == "true",
                        Key::Num => {
                            num = raw
                                .starts_with(|c: char| c == '-' || c.is_ascii_digit())
                                .then_some(raw)
                        }
                        Key::Other => {}
                    }
                }
            }
            self.i = skip_ws(self.b, self.i);
            match self.b.get(self.i) {
                Some(b',') => self.i = skip_ws(self.b, self.i + 1),
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(()),
            }
        }
        if is_placeholder {
            // Replaced wholesale: nothing inside it counts.
            self.found = saved_found;
            self.bad = saved_bad;
            if num.is_some_and(|n| index_ok(n, self.count)) {
                self.found += 1;
            } else if self.bad.is_none() {
                self.bad = Some(start);
            }
        }
        Ok(())
    }
}

/// Parses a JSON text into a [`Value`] (numbers keep their text, strings are unescaped, a key
/// repeated in one object keeps its first position and its last value, like `JSON.parse`;
/// unlike a JavaScript object, integer-like keys are not moved to the front). Placeholder objects
/// stay plain objects.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let b = text.as_bytes();
    let mut p = Parser {
        s: text,
        b,
        i: skip_ws(b, 0),
    };
    let v = p.value(0)?;
    let end = skip_ws(b, p.i);
    if end != b.len() {
        return err(JsonErrorKind::TrailingCharacters, end);
    }
    Ok(v)
}

/// Parses a JSON text and replaces its binary placeholders by the matching `attachments`
/// (see the module doc). With no attachments, nothing is replaced: a packet without
/// attachments is not a binary packet, and the reference leaves its placeholders alone.
pub fn parse_with_attachments(
    text: &str,
    attachments: &[Bytes],
) -> Result<Value, PlaceholderError> {
    let v = parse(text)?;
    if attachments.is_empty() {
        return Ok(v);
    }
    replace_placeholders(v, attachments, 0)
}

fn placeholder_index(fields: &[(String, Value)]) -> Option<Option<usize>> {
    let get = |k: &str| {
        fields
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v)
    };
    if !matches!(get("_placeholder"), Some(Value::Bool(true))) {
        return None;
    }
    Some(match get("num") {
        Some(Value::Number(n)) => Some(n.as_f64()).and_then(|f| {
            if f >= 0.0 && f.fract() == 0.0 && f < usize::MAX as f64 {
                Some(f as usize)
            } else {
                None
            }
        }),
        _ => None,
    })
}

fn replace_placeholders(v: Value, atts: &[Bytes], depth: usize) -> Result<Value, PlaceholderError> {
    if depth > MAX_DEPTH {
        return Err(JsonError::new(JsonErrorKind::TooDeep, 0).into());
    }
    Ok(match v {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|x| replace_placeholders(x, atts, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(fields) => match placeholder_index(&fields) {
            Some(idx) => match idx.and_then(|n| atts.get(n)) {
                Some(bytes) => Value::Bytes(bytes.clone()),
                None => return Err(PlaceholderError::InvalidIndex { offset: 0 }),
            },
            None => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, x)| Ok((k, replace_placeholders(x, atts, depth + 1)?)))
                    .collect::<Result<_, PlaceholderError>>()?,
            ),
        },
        other => other,
    })
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        let start = self.i;
        match self.b.get(start) {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => {
                self.i = scan_string::<JsonError>(self.b, start + 1)?;
                let body = self.s.get(start + 1..self.i - 1).unwrap_or_default();
                match unescape(body) {
                    Some(s) => Ok(Value::String(s)),
                    None => err(JsonErrorKind::InvalidEscape, start),
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                self.i = scan_number::<JsonError>(self.b, start)?;
                let raw = self.s.get(start..self.i).unwrap_or_default();
                Ok(Value::Number(Number::from_validated(raw)))
            }
            Some(_) => {
                self.i = scan_scalar::<JsonError>(self.b, start)?;
                Ok(match self.b.get(start) {
                    Some(b't') => Value::Bool(true),
                    Some(b'f') => Value::Bool(false),
                    _ => Value::Null,
                })
            }
            None => err(JsonErrorKind::UnexpectedEnd, start),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return err(JsonErrorKind::TooDeep, self.i);
        }
        self.i = skip_ws(self.b, self.i + 1);
        let mut items = Vec::new();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.i = skip_ws(self.b, self.i);
            match self.b.get(self.i) {
                Some(b',') => self.i = skip_ws(self.b, self.i + 1),
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                Some(_) => return err(JsonErrorKind::UnexpectedCharacter, self.i),
                None => return err(JsonErrorKind::UnexpectedEnd, self.i),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return err(JsonErrorKind::TooDeep, self.i);
        }
        self.i = skip_ws(self.b, self.i + 1);
        let mut fields = Vec::new();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Value::Object(fields));
        }
        loop {
            let key = match self.b.get(self.i) {
                Some(b'"') => match self.value(depth)? {
                    Value::String(s) => s,
                    _ => return err(JsonErrorKind::UnexpectedCharacter, self.i),
                },
                Some(_) => return err(JsonErrorKind::UnexpectedCharacter, self.i),
                None => return err(JsonErrorKind::UnexpectedEnd, self.i),
            };
            self.i = skip_ws(self.b, self.i);
            if self.b.get(self.i) != Some(&b':') {
                return err(JsonErrorKind::UnexpectedCharacter, self.i);
            }
            self.i = skip_ws(self.b, self.i + 1);
            let v = self.value(depth)?;
            fields.push((key, v));
            self.i = skip_ws(self.b, self.i);
            match self.b.get(self.i) {
                Some(b',') => self.i = skip_ws(self.b, self.i + 1),
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Object(dedup_keys(fields)));
                }
                Some(_) => return err(JsonErrorKind::UnexpectedCharacter, self.i),
                None => return err(JsonErrorKind::UnexpectedEnd, self.i),
            }
        }
    }
}

/// `JSON.parse` semantics for repeated keys: first position, last value.
fn dedup_keys(fields: Vec<(String, Value)>) -> Vec<(String, Value)> {
    let n = fields.len();
    let has_dup = if n < 2 {
        false
    } else if n <= 16 {
        (0..n).any(|i| (i + 1..n).any(|j| fields[i].0 == fields[j].0))
    } else {
        let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        keys.windows(2).any(|w| w[0] == w[1])
    };
    if !has_dup {
        return fields;
    }
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut pos: HashMap<String, usize> = HashMap::new();
    for (k, v) in fields {
        match pos.get(&k) {
            Some(&p) => {
                if let Some(slot) = out.get_mut(p) {
                    slot.1 = v;
                }
            }
            None => {
                pos.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_trees() {
        let v = parse(r#" {"a":[1,-2.5,"x\n",true,null],"b":{},"a":false} "#).unwrap();
        let Value::Object(f) = v else { panic!() };
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].0, "a");
        assert_eq!(f[0].1, Value::Bool(false));
        assert!(parse("[1,]").is_err());
        assert!(parse("[]x").is_err());
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep).unwrap_err().kind, JsonErrorKind::TooDeep);
    }

    #[test]
    fn placeholder_rules() {
        let ph = |n: &str| format!(r#"{{"_placeholder":true,"num":{n}}}"#);
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
        let atts = [Bytes::from_static(b"\x01")];
        let v = parse_with_attachments(nested, &atts).unwrap();
        assert_eq!(v, Value::Array(vec![Value::Bytes(atts[0].clone())]));
        assert!(parse_with_attachments(r#"[{"y":{"_placeholder":true,"num":7}}]"#, &atts).is_err());
        // Without attachments placeholders are plain objects.
        assert!(matches!(
            parse_with_attachments(&ph("0"), &[]),
            Ok(Value::Object(_))
        ));
    }

    // The single-pass placeholder walker that `check_placeholders` replaced (validation first,
    // then a simpler walk), kept as an oracle.

    fn old_index_ok(n: f64, count: usize) -> bool {
        n >= 0.0 && n.fract() == 0.0 && n < count as f64
    }

    fn old_number_value(raw: &str) -> Option<f64> {
        let b = raw.as_bytes();
        if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
            return Some(b.iter().fold(0u64, |v, &c| v * 10 + u64::from(c - b'0')) as f64);
        }
        match b.first() {
            Some(b'-' | b'0'..=b'9') => raw.parse().ok(),
            _ => None,
        }
    }

    /// Checks every binary placeholder of a JSON text against `count` attachments, without
    /// building a tree or allocating. Returns how many placeholders were found.
    fn old_check_placeholders(text: &str, count: usize) -> Result<usize, PlaceholderError> {
        let b = text.as_bytes();
        let mut w = OldWalker {
            s: text,
            b,
            i: skip_ws(b, 0),
            count,
            found: 0,
            bad: None,
        };
        if w.value(0).is_ok() && skip_ws(b, w.i) == b.len() {
            return match w.bad {
                Some(offset) => Err(PlaceholderError::InvalidIndex { offset }),
                None => Ok(w.found),
            };
        }
        // Not JSON: let the validator say why.
        Err(PlaceholderError::Json(match crate::json::validate(text) {
            Err(e) => e,
            Ok(_) => JsonError::new(JsonErrorKind::UnexpectedCharacter, w.i),
        }))
    }

    /// Walks a JSON text tracking placeholders. `found` and `bad` (the first invalid placeholder)
    /// ignore whatever lies inside a valid placeholder, which the reference never looks at.
    struct OldWalker<'a> {
        s: &'a str,
        b: &'a [u8],
        i: usize,
        count: usize,
        found: usize,
        bad: Option<usize>,
    }

    impl OldWalker<'_> {
        fn value(&mut self, depth: usize) -> Result<(), ()> {
            match self.b.get(self.i) {
                Some(b'{') => self.object(depth + 1),
                Some(b'[') => self.array(depth + 1),
                _ => {
                    self.i = scan_scalar::<()>(self.b, self.i)?;
                    Ok(())
                }
            }
        }

        fn array(&mut self, depth: usize) -> Result<(), ()> {
            if depth > MAX_DEPTH {
                return Err(());
            }
            self.i = skip_ws(self.b, self.i + 1);
            if self.b.get(self.i) == Some(&b']') {
                self.i += 1;
                return Ok(());
            }
            loop {
                self.value(depth)?;
                self.i = skip_ws(self.b, self.i);
                match self.b.get(self.i) {
                    Some(b',') => self.i = skip_ws(self.b, self.i + 1),
                    Some(b']') => {
                        self.i += 1;
                        return Ok(());
                    }
                    _ => return Err(()),
                }
            }
        }

        fn object(&mut self, depth: usize) -> Result<(), ()> {
            let start = self.i;
            if depth > MAX_DEPTH {
                return Err(());
            }
            self.i = skip_ws(self.b, self.i + 1);
            if self.b.get(self.i) == Some(&b'}') {
                self.i += 1;
                return Ok(());
            }
            let (saved_found, saved_bad) = (self.found, self.bad);
            let mut is_placeholder = false;
            let mut num: Option<f64> = None;
            loop {
                if self.b.get(self.i) != Some(&b'"') {
                    return Err(());
                }
                let key_start = self.i + 1;
                self.i = scan_string::<()>(self.b, key_start)?;
                let key = classify_key(self.s.get(key_start..self.i - 1).unwrap_or_default());
                self.i = skip_ws(self.b, self.i);
                if self.b.get(self.i) != Some(&b':') {
                    return Err(());
                }
                self.i = skip_ws(self.b, self.i + 1);
                let v_start = self.i;
                match self.b.get(self.i) {
                    Some(b'{' | b'[') => {
                        self.value(depth)?;
                        match key {
                            Key::Placeholder => is_placeholder = false,
                            Key::Num => num = None,
                            Key::Other => {}
                        }
                    }
                    _ => {
                        self.i = scan_scalar::<()>(self.b, self.i)?;
                        let raw = self.s.get(v_start..self.i).unwrap_or_default();
                        match key {
                            Key::Placeholder => is_placeholder = raw == "true",
                            Key::Num => num = old_number_value(raw),
                            Key::Other => {}
                        }
                    }
                }
                self.i = skip_ws(self.b, self.i);
                match self.b.get(self.i) {
                    Some(b',') => self.i = skip_ws(self.b, self.i + 1),
                    Some(b'}') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(()),
                }
            }
            if is_placeholder {
                // Replaced wholesale: nothing inside it counts.
                self.found = saved_found;
                self.bad = saved_bad;
                if num.is_some_and(|n| old_index_ok(n, self.count)) {
                    self.found += 1;
                } else if self.bad.is_none() {
                    self.bad = Some(start);
                }
            }
            Ok(())
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn placeholder_check_agrees_with_the_single_pass_walker(
            text in crate::wire::tests::json_text(),
            wrap in 0usize..4,
            num in 0usize..3,
            junk in "[ \\]}x,]?",
            count in 0usize..3,
        ) {
            let text = match wrap {
                0 => format!("{text}{junk}"),
                1 => format!("[{{\"_placeholder\":true,\"num\":{num}}},{text}]{junk}"),
                2 => format!("{{\"_placeholder\":true,\"num\":{num},\"x\":{text}}}{junk}"),
                _ => format!("[{{\"x\":[{text}],\"_placeholder\":true,\"num\":{num}}},{text}]{junk}"),
            };
            proptest::prop_assert_eq!(
                check_placeholders(&text, count),
                old_check_placeholders(&text, count),
                "{}", text
            );
        }
    }
}
