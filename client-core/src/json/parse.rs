//! JSON text → [`Value`] tree (for the edges: tests, the scripted peer, shells without serde).
//!
//! Never recurses: nesting is bounded by [`MAX_NESTING`](super::MAX_NESTING) through the validator,
//! and the tree is built with an explicit stack. Placeholders are replaced following the rules
//! of the `placeholder` module (socket.io-parser `reconstructPacket`), on the parsed tree.

use std::collections::HashMap;

use bytes::Bytes;

use super::placeholder::scan_scalar;
use super::{
    check_placeholders, scan_number, scan_string, skip_ws, unescape, JsonError, JsonErrorKind,
    PlaceholderError,
};
use crate::value::{Number, Value};

/// Parses a JSON text into a [`Value`] (numbers keep their text, strings are unescaped, a key
/// repeated in one object keeps its first position and its last value, like `JSON.parse`;
/// unlike a JavaScript object, integer-like keys are not moved to the front). Placeholder objects
/// stay plain objects. Validates first (the error is the validator's), then builds the tree with
/// an explicit stack: no recursion.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    super::validate(text)?;
    build(text).ok_or(JsonError::new(JsonErrorKind::UnexpectedCharacter, 0))
}

/// Parses a JSON text and replaces its binary placeholders by the matching `attachments`
/// (see the `placeholder` module). With no attachments, nothing is replaced: a packet without
/// attachments is not a binary packet, and the reference leaves its placeholders alone.
pub fn parse_with_attachments(
    text: &str,
    attachments: &[Bytes],
) -> Result<Value, PlaceholderError> {
    let mut v = parse(text)?;
    if attachments.is_empty() {
        return Ok(v);
    }
    check_placeholders(text, attachments.len())?;
    // Top-down, like `_reconstructPacket`: a placeholder's members are never visited.
    let mut todo: Vec<&mut Value> = vec![&mut v];
    while let Some(v) = todo.pop() {
        let index = match &*v {
            Value::Object(fields) => placeholder_index(fields),
            _ => None,
        };
        if let Some(index) = index {
            match index.and_then(|n| attachments.get(n)) {
                Some(bytes) => *v = Value::Bytes(bytes.clone()),
                None => return Err(PlaceholderError::InvalidIndex { offset: 0 }),
            }
            continue;
        }
        match v {
            Value::Array(items) => todo.extend(items.iter_mut()),
            Value::Object(fields) => todo.extend(fields.iter_mut().map(|(_, x)| x)),
            _ => {}
        }
    }
    Ok(v)
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

/// A container being built.
enum Open {
    Array(Vec<Value>),
    /// The members so far and the key of the member being read.
    Object(Vec<(String, Value)>, String),
}

/// At `i` expects `"key"` `:`; returns the key and the index of the value.
fn key_at(s: &str, i: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let end = scan_string::<()>(b, i + 1).ok()?;
    let key = unescape(s.get(i + 1..end - 1)?)?;
    let colon = skip_ws(b, end);
    (b.get(colon) == Some(&b':')).then(|| (key, skip_ws(b, colon + 1)))
}

/// Builds the tree of a validated text; `None` if it turns out not to be valid.
fn build(s: &str) -> Option<Value> {
    let b = s.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut i = skip_ws(b, 0);
    'value: loop {
        let start = i;
        let mut v = match b.get(i)? {
            b'[' | b'{' => {
                i = skip_ws(b, i + 1);
                match (b[start], b.get(i)) {
                    (b'[', Some(b']')) => {
                        i += 1;
                        Value::Array(Vec::new())
                    }
                    (b'{', Some(b'}')) => {
                        i += 1;
                        Value::Object(Vec::new())
                    }
                    (b'[', _) => {
                        stack.push(Open::Array(Vec::new()));
                        continue 'value;
                    }
                    _ => {
                        let (key, next) = key_at(s, i)?;
                        i = next;
                        stack.push(Open::Object(Vec::new(), key));
                        continue 'value;
                    }
                }
            }
            b'"' => {
                i = scan_string::<()>(b, i + 1).ok()?;
                Value::String(unescape(s.get(start + 1..i - 1)?)?)
            }
            b'-' | b'0'..=b'9' => {
                i = scan_number::<()>(b, i).ok()?;
                Value::Number(Number::from_validated(s.get(start..i)?))
            }
            c => {
                i = scan_scalar::<()>(b, i).ok()?;
                match c {
                    b't' => Value::Bool(true),
                    b'f' => Value::Bool(false),
                    _ => Value::Null,
                }
            }
        };
        // The value ended: add it to its container, closing containers until one goes on.
        loop {
            match stack.last_mut() {
                None => return Some(v),
                Some(Open::Array(items)) => items.push(v),
                Some(Open::Object(fields, key)) => fields.push((std::mem::take(key), v)),
            }
            i = skip_ws(b, i);
            match b.get(i)? {
                b',' => {
                    i = skip_ws(b, i + 1);
                    if let Some(Open::Object(_, key)) = stack.last_mut() {
                        let (k, next) = key_at(s, i)?;
                        *key = k;
                        i = next;
                    }
                    continue 'value;
                }
                b']' | b'}' => {
                    i += 1;
                    v = match stack.pop()? {
                        Open::Array(items) => Value::Array(items),
                        Open::Object(fields, _) => Value::Object(dedup_keys(fields)),
                    };
                }
                _ => return None,
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
    fn placeholders_are_replaced_on_the_tree() {
        let ph = |n: &str| format!(r#"{{"_placeholder":true,"num":{n}}}"#);
        let nested = r#"[{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":7}}]"#;
        let atts = [Bytes::from_static(b"\x01")];
        let v = parse_with_attachments(nested, &atts).unwrap();
        assert_eq!(v, Value::Array(vec![Value::Bytes(atts[0].clone())]));
        assert!(parse_with_attachments(r#"[{"y":{"_placeholder":true,"num":7}}]"#, &atts).is_err());
        // The last of a repeated key wins before placeholders are looked at.
        let dup = r#"[{"e":{"_placeholder":true},"e":0}]"#;
        assert_eq!(
            parse_with_attachments(dup, &atts).unwrap(),
            Value::Array(vec![Value::Object(vec![("e".into(), Value::from(0i64))])])
        );
        // Without attachments placeholders are plain objects.
        assert!(matches!(
            parse_with_attachments(&ph("0"), &[]),
            Ok(Value::Object(_))
        ));
    }
}
