//! [`Payload`]: the raw-JSON-plus-attachments form in which the core carries event arguments
//! (docs/architecture.md, "The sans-IO core"), the [`EventName`], and [`Number`].
//!
//! The core never needs a tree: it validates and forwards JSON text. A tree of values exists
//! for tests and tools behind the `tree` feature (`Value`, in [`tree`](self)).

use std::fmt;

use bytes::Bytes;

use crate::json::{self, JsonError};

#[cfg(any(test, feature = "tree"))]
mod tree;
#[cfg(any(test, feature = "tree"))]
pub use tree::{PayloadError, Value};

/// A JSON number: an integer, a finite double, or validated JSON number text kept verbatim.
///
/// Doubles are written the way `JSON.stringify` writes them (`1e+21`, `0.1`, `-0` as `0`), so
/// an encoded packet is byte-identical to socket.io-parser's. Equality compares numeric values:
/// two integers exactly, anything involving a double or a fraction as `f64` (JavaScript's view),
/// so `1`, `1.0` and `1e0` are equal.
#[derive(Debug, Clone)]
pub struct Number(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Int(i64),
    /// Only for values above `i64::MAX`.
    UInt(u64),
    /// Always finite.
    Float(f64),
    /// Validated JSON number text that is not a plain 64-bit integer.
    Raw(Box<str>),
}

impl Number {
    /// The integer `n`.
    pub fn from_i64(n: i64) -> Number {
        Number(Repr::Int(n))
    }

    /// The integer `n`.
    pub fn from_u64(n: u64) -> Number {
        match i64::try_from(n) {
            Ok(i) => Number(Repr::Int(i)),
            Err(_) => Number(Repr::UInt(n)),
        }
    }

    /// The double `x`, or `None` for NaN and the infinities (which JSON cannot represent).
    pub fn from_f64(x: f64) -> Option<Number> {
        x.is_finite().then_some(Number(Repr::Float(x)))
    }

    /// Number text exactly as it appears in JSON (no surrounding whitespace); `None` if `text`
    /// is not a JSON number. Kept verbatim when written back.
    pub fn from_json(text: &str) -> Option<Number> {
        let b = text.as_bytes();
        match json::scan_number::<()>(b, 0) {
            Ok(end) if end == b.len() => Some(Number::from_validated(text)),
            _ => None,
        }
    }

    /// `raw` has been checked against the JSON number grammar.
    pub(crate) fn from_validated(raw: &str) -> Number {
        if !raw.contains(['.', 'e', 'E']) {
            if let Ok(i) = raw.parse::<i64>() {
                if i != 0 || !raw.starts_with('-') {
                    return Number(Repr::Int(i));
                }
            } else if let Ok(u) = raw.parse::<u64>() {
                return Number(Repr::UInt(u));
            }
        }
        Number(Repr::Raw(raw.into()))
    }

    /// The value as a double (rounded like `JSON.parse`; very large raw text gives infinity).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::Int(i) => *i as f64,
            Repr::UInt(u) => *u as f64,
            Repr::Float(x) => *x,
            Repr::Raw(s) => s.parse().unwrap_or(f64::NAN),
        }
    }

    /// The value as an `i64` if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The value as a `u64` if it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i128().and_then(|v| u64::try_from(v).ok())
    }

    fn as_i128(&self) -> Option<i128> {
        match &self.0 {
            Repr::Int(i) => Some(i128::from(*i)),
            Repr::UInt(u) => Some(i128::from(*u)),
            Repr::Raw(s) if !s.contains(['.', 'e', 'E']) => s.parse().ok(),
            _ => {
                let x = self.as_f64();
                (x.fract() == 0.0 && x.abs() < 1e38).then_some(x as i128)
            }
        }
    }

    /// The value if it is held as an exact integer (not as a double).
    fn exact_int(&self) -> Option<i128> {
        match &self.0 {
            Repr::Int(i) => Some(i128::from(*i)),
            Repr::UInt(u) => Some(i128::from(*u)),
            Repr::Raw(s) if !s.contains(['.', 'e', 'E']) => s.parse().ok(),
            _ => None,
        }
    }

    /// Appends the JSON text of this number.
    pub fn write_json(&self, out: &mut String) {
        match &self.0 {
            Repr::Int(i) => json::write_i64(out, *i),
            Repr::UInt(u) => json::write_u64(out, *u),
            Repr::Float(x) => json::write_f64(out, *x),
            Repr::Raw(s) => out.push_str(s),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (self.exact_int(), other.exact_int()) {
            (Some(a), Some(b)) => a == b,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_json(&mut s);
        f.write_str(&s)
    }
}

/// Event arguments (or any data) as the core carries them: JSON text in which binary values are
/// placeholders `{"_placeholder":true,"num":N}`, plus the binary attachments in `num` order.
///
/// Built from validated text by the codec (or, with the `tree` feature, from `Value`s by
/// `Payload::from_values`, and back with `Payload::to_values`). A payload without attachments is plain JSON: its
/// placeholder-shaped objects are left alone, exactly like socket.io-parser does for non-binary
/// packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The JSON text, with placeholders for the attachments.
    pub json: String,
    /// The binary attachments, `num` 0 first.
    pub attachments: Vec<Bytes>,
}

/// The name of an event: the first element of an event array, which socket.io-parser allows to
/// be a string or a number.
#[derive(Debug, Clone, PartialEq)]
pub enum EventName {
    /// A string name (unescaped).
    Str(String),
    /// A numeric name.
    Number(Number),
}

impl Payload {
    /// The empty argument list `[]`.
    pub fn empty() -> Payload {
        Payload {
            json: "[]".to_owned(),
            attachments: Vec::new(),
        }
    }

    /// Plain JSON text without attachments, validated (like `JSON.parse`, depth ≤
    /// [`json::MAX_NESTING`]).
    pub fn from_json(json: impl Into<String>) -> Result<Payload, JsonError> {
        let json = json.into();
        json::validate(&json)?;
        Ok(Payload {
            json,
            attachments: Vec::new(),
        })
    }

    /// Puts an event name in front of an argument list: `[a, b]` → `["name", a, b]`. `None` if
    /// this payload is not an array.
    pub fn with_event_name(&self, name: &str) -> Option<Payload> {
        let mut first = String::with_capacity(name.len() + 2);
        json::write_string(&mut first, name);
        Some(Payload {
            json: json::prepend_to_array(&first, &self.json)?,
            attachments: self.attachments.clone(),
        })
    }

    /// Splits event data `[name, a, b]` into the name and the argument list `[a, b]` (with the
    /// same attachments; placeholder numbers are unchanged). `None` unless this is a validated
    /// array whose first element is a string or a number.
    pub fn split_event(&self) -> Option<(EventName, Payload)> {
        let (name, json) = split_event_parts(&self.json)?;
        Some((
            name,
            Payload {
                json,
                attachments: self.attachments.clone(),
            },
        ))
    }
}

/// `[name, a, b]` → (name, `[a, b]`) for a validated array text.
pub(crate) fn split_event_parts(json: &str) -> Option<(EventName, String)> {
    let head = json::array_head(json)?;
    let name = match head.kind {
        json::Kind::String => {
            let body = head.raw.get(1..head.raw.len().checked_sub(1)?)?;
            EventName::Str(json::unescape(body)?)
        }
        json::Kind::Number => EventName::Number(Number::from_validated(head.raw)),
        _ => return None,
    };
    let mut args = String::with_capacity(head.rest.len() + 1);
    args.push('[');
    args.push_str(head.rest.trim_end_matches([' ', '\t', '\n', '\r']));
    Some((name, args))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn obj(fields: &[(&str, Value)]) -> Value {
        Value::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn chat_payload() {
        let p = Payload::event(
            "message",
            &[obj(&[
                ("user", "alice".into()),
                ("text", "hello world".into()),
                ("ts", 1234567890i64.into()),
                ("tags", Value::Array(vec!["a".into(), "b".into()])),
            ])],
        );
        assert_eq!(
            p.json,
            r#"["message",{"user":"alice","text":"hello world","ts":1234567890,"tags":["a","b"]}]"#
        );
        assert!(p.attachments.is_empty());
    }

    #[test]
    fn placeholders_depth_first() {
        let b0 = Bytes::from_static(b"zero");
        let b1 = Bytes::from_static(b"one");
        let b2 = Bytes::from_static(b"two");
        let v = [
            obj(&[
                ("x", Value::Array(vec![b0.clone().into()])),
                ("y", b1.clone().into()),
            ]),
            b2.clone().into(),
        ];
        let p = Payload::event("file", &v);
        assert_eq!(
            p.json,
            r#"["file",{"x":[{"_placeholder":true,"num":0}],"y":{"_placeholder":true,"num":1}},{"_placeholder":true,"num":2}]"#
        );
        assert_eq!(p.attachments, vec![b0, b1, b2]);
        let back = p.to_values().unwrap();
        assert_eq!(&back[1..], &v[..]);
        let (name, args) = p.split_event().unwrap();
        assert_eq!(name, EventName::Str("file".into()));
        assert_eq!(args.to_values().unwrap(), v.to_vec());
        assert_eq!(args.with_event_name("file").unwrap(), p);
    }

    #[test]
    fn numbers() {
        assert_eq!(Value::from_f64(f64::NAN), Value::Null);
        let n = |s: &str| Number::from_json(s).unwrap();
        assert_eq!(n("1.0"), Number::from_i64(1));
        assert_eq!(n("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(n("-0").to_string(), "-0");
        assert_eq!(n("12").to_string(), "12");
        assert!(Number::from_json("01").is_none());
        assert!(Number::from_json(" 1").is_none());
        assert_eq!(Number::from_f64(1e21).unwrap().to_string(), "1e+21");
        assert_eq!(
            Number::from_u64(u64::MAX).to_string(),
            "18446744073709551615"
        );
    }

    #[test]
    fn deep_values_do_not_overflow() {
        let mut v = Value::Null;
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        let p = v.to_payload();
        assert_eq!(p.json.len(), 100_000 * 2 + 4);
        // Dismantle iteratively: the default drop of a 100k-deep value recurses.
        let mut cur = v;
        while let Value::Array(mut items) = cur {
            cur = items.pop().unwrap_or(Value::Null);
        }
    }
}
