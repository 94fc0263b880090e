//! Rust values → event arguments: serde_json with one change, binary.
//!
//! serde_json hands every `serialize_bytes` call to its [`Formatter`]'s `write_byte_array`.
//! [`AttachmentFormatter`] writes a Socket.IO placeholder `{"_placeholder":true,"num":N}` there
//! instead of an array of numbers and keeps the bytes as attachment `N`; everything else is
//! serde_json's own output.

use std::io;

use bytes::Bytes;
use serde::Serialize;
use serde_json::ser::Formatter;
use sio_core::Payload;

use super::shape::{shape_of_value, Shape};
use super::PayloadError;

/// serde_json's compact output, except that byte arrays become numbered placeholders whose
/// bytes are collected in `attachments`.
struct AttachmentFormatter<'a> {
    attachments: &'a mut Vec<Bytes>,
}

impl Formatter for AttachmentFormatter<'_> {
    fn write_byte_array<W>(&mut self, writer: &mut W, value: &[u8]) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        let num = self.attachments.len();
        self.attachments.push(Bytes::copy_from_slice(value));
        write!(writer, "{{\"_placeholder\":true,\"num\":{num}}}")
    }
}

/// Appends the JSON of `value` to `out`, binary values as placeholders.
fn write_json<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
    attachments: &mut Vec<Bytes>,
) -> Result<(), PayloadError> {
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut *out, AttachmentFormatter { attachments });
    value
        .serialize(&mut serializer)
        .map_err(|e| PayloadError::Serialize(e.to_string()))
}

/// The argument list for `args`: a tuple is the list (`(a, b)` → `[a, b]`), `()` is no
/// argument (`[]`), any other value is the one argument (`x` → `[x]`, so a `Vec` is one array
/// argument, as `socket.emit("e", [1, 2])` is in JavaScript).
pub fn to_payload<T: Serialize + ?Sized>(args: &T) -> Result<Payload, PayloadError> {
    let mut json = Vec::with_capacity(64);
    let mut attachments = Vec::new();
    match shape_of_value(args) {
        Shape::Unit => json.extend_from_slice(b"[]"),
        Shape::Tuple => write_json(args, &mut json, &mut attachments)?,
        Shape::Single => {
            json.push(b'[');
            write_json(args, &mut json, &mut attachments)?;
            json.push(b']');
        }
    }
    // serde_json writes UTF-8 only.
    let json = String::from_utf8(json).map_err(|e| PayloadError::Serialize(e.to_string()))?;
    Ok(Payload { json, attachments })
}

/// The JSON text of one value (binary as placeholders) and its attachments: for payloads that
/// are not argument lists, such as an `auth` object.
pub fn to_json_value_text<T: Serialize + ?Sized>(
    value: &T,
) -> Result<(String, Vec<Bytes>), PayloadError> {
    let mut json = Vec::with_capacity(64);
    let mut attachments = Vec::new();
    write_json(value, &mut json, &mut attachments)?;
    let json = String::from_utf8(json).map_err(|e| PayloadError::Serialize(e.to_string()))?;
    Ok((json, attachments))
}

/// The compact JSON text of `value`, as `value.to_string()` writes it, but through serde_json's
/// writer into a `Vec` rather than its `Display` adapter, whose `io::Error` plumbing brings
/// core's `{:?}` string escaping and its Unicode tables into the browser module (10 KB raw).
pub(crate) fn value_text(value: &serde_json::Value) -> String {
    // cannot fail: a `Value`'s map keys are strings and writing into a `Vec` never fails
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn text(p: &Payload) -> &str {
        &p.json
    }

    #[test]
    fn value_text_is_the_display_text() {
        let value =
            json!({"z": [1, 2.5, -0.0, 1e300, null], "a": {"s": "\"\u{1}\u{e9}"}, "t": true});
        assert_eq!(value_text(&value), value.to_string());
        assert_eq!(value_text(&json!("x")), r#""x""#);
    }

    #[test]
    fn tuples_are_argument_lists_and_other_values_one_argument() {
        assert_eq!(text(&to_payload(&()).unwrap()), "[]");
        assert_eq!(text(&to_payload("hi").unwrap()), r#"["hi"]"#);
        assert_eq!(text(&to_payload(&("a", 1)).unwrap()), r#"["a",1]"#);
        assert_eq!(text(&to_payload(&vec![1, 2]).unwrap()), "[[1,2]]");
        assert_eq!(text(&to_payload(&json!({"a": 1})).unwrap()), r#"[{"a":1}]"#);
        assert_eq!(text(&to_payload(&(json!(null),)).unwrap()), "[null]");
        // a reference serialises like its target
        let pair = ("x", 2);
        assert_eq!(text(&to_payload(&&pair).unwrap()), r#"["x",2]"#);
    }

    #[test]
    fn bytes_become_numbered_placeholders_in_order() {
        #[derive(Serialize)]
        struct File<'a> {
            name: &'a str,
            #[serde(with = "serde_bytes")]
            data: Vec<u8>,
            chunks: Vec<Bytes>,
        }
        let file = File {
            name: "f",
            data: vec![1, 2],
            chunks: vec![Bytes::from_static(b"x"), Bytes::from_static(b"yz")],
        };
        let p = to_payload(&(1, &file)).unwrap();
        assert_eq!(
            p.json,
            r#"[1,{"name":"f","data":{"_placeholder":true,"num":0},"chunks":[{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]}]"#
        );
        assert_eq!(p.attachments, [&[1u8, 2][..], b"x", b"yz"]);
        // a plain Vec<u8> is an array of numbers, as in serde_json
        assert_eq!(to_payload(&vec![7u8]).unwrap().json, "[[7]]");
    }

    #[test]
    fn non_finite_floats_are_null_as_json_stringify_writes_them() {
        assert_eq!(
            to_payload(&(f64::NAN, f64::INFINITY)).unwrap().json,
            "[null,null]"
        );
    }

    #[test]
    fn unserialisable_values_are_errors_not_panics() {
        use std::collections::HashMap;
        let mut bad = HashMap::new();
        bad.insert(vec![1u8], 1);
        assert!(matches!(to_payload(&bad), Err(PayloadError::Serialize(_))));
    }
}
