//! The JSON scanner target: differential against the encoded `JSON.parse` rules.

use sio_core::json::{self, JsonErrorKind, Kind, PlaceholderError, MAX_NESTING};
use sio_core::value::Value;

#[path = "../../../client-core/tests/common/json_rules.rs"]
mod json_rules;

use json_rules::Verdict;

/// Any text through every JSON entry point of the core.
pub fn json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let ours = json::validate(text);
    let rules = json_rules::verdict(text, MAX_NESTING);
    match (&ours, rules) {
        (Ok(_), Verdict::Accept) | (Err(_), Verdict::Reject) => {}
        (Err(e), Verdict::TooDeep) if e.kind == JsonErrorKind::TooDeep => {}
        _ => panic!("validate gives {ours:?}, the JSON.parse rules {rules:?}: {text:?}"),
    }
    if let Err(e) = &ours {
        assert_eq!(
            e.kind == JsonErrorKind::TooDeep,
            rules == Verdict::TooDeep,
            "{e:?}"
        );
        assert!(e.offset <= text.len());
    }
    // The tree parser and the placeholder walker accept exactly what the validator accepts.
    let tree = json::parse(text);
    assert_eq!(tree.is_ok(), ours.is_ok(), "parse: {tree:?}");
    for count in [0, 1, 3] {
        match json::check_placeholders(text, count) {
            Err(PlaceholderError::Json(e)) => assert_eq!(Err(e), ours.map(|_| ())),
            Ok(found) => {
                assert!(ours.is_ok());
                assert!(found <= text.len());
            }
            Err(PlaceholderError::InvalidIndex { offset }) => {
                assert!(ours.is_ok());
                assert!(offset < text.len());
            }
        }
    }
    let Ok(kind) = ours else {
        return;
    };
    // The placeholder walker against the reference's algorithm on the parsed tree (JSON.parse
    // keeps the last of a repeated key, then `_reconstructPacket`). The tree's keys are Rust
    // strings, where distinct lone surrogates collapse into U+FFFD: those texts are skipped.
    if let (Ok(value), false) = (&tree, text.contains("\\u")) {
        for count in [0, 1, 3] {
            let walker = json::check_placeholders(text, count).map_err(|_| ());
            assert_eq!(walker, reconstruct(value, count), "count {count}: {text:?}");
        }
    }
    assert_eq!(json::kind_at_start(text), kind);
    if let Ok(value) = tree {
        // What the tree writes back is JSON that parses to the same tree.
        let payload = value.to_payload();
        assert!(json::validate(&payload.json).is_ok(), "{}", payload.json);
        assert_eq!(
            json::parse_with_attachments(&payload.json, &payload.attachments).as_ref(),
            Ok(&value)
        );
    }
    match kind {
        Kind::Array => {
            let n = json::elements(text).count();
            assert!(n <= text.len());
            assert_eq!(json::array_head(text).is_some(), n > 0);
            let _ = json::string_array(text);
            let _ = json::array_tail(text);
        }
        Kind::String => {
            assert!(json::as_string(text.trim_matches([' ', '\t', '\n', '\r'])).is_some())
        }
        _ => {}
    }
    let _ = json::js_string_to_number(text);
}

/// socket.io-parser's `_reconstructPacket` verdict on a parsed tree: the number of valid
/// placeholders, or an error for an invalid one (explicit stack: trees can be 1,000 deep).
fn reconstruct(root: &Value, count: usize) -> Result<usize, ()> {
    let mut found = 0usize;
    let mut todo = vec![root];
    while let Some(v) = todo.pop() {
        match v {
            Value::Array(items) => todo.extend(items),
            Value::Object(_) if v.get("_placeholder") == Some(&Value::Bool(true)) => {
                match v.get("num").and_then(Value::as_number).map(|n| n.as_f64()) {
                    Some(n) if n >= 0.0 && n.fract() == 0.0 && n < count as f64 => found += 1,
                    _ => return Err(()),
                }
            }
            Value::Object(fields) => todo.extend(fields.iter().map(|(_, x)| x)),
            _ => {}
        }
    }
    Ok(found)
}
