//! Argument lists ⇄ `serde_json::Value` with binary kept recognisable, for tools that hold
//! JSON rather than Rust types (the `sio` command's JSON lines): each attachment is written
//! as `{"$binary": "<base64>"}` and such objects become attachments on the way out.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Map, Value};
use sio_core::Payload;

use super::PayloadError;

/// The key of a binary value in the JSON view.
const BINARY_KEY: &str = "$binary";

/// The arguments as a JSON array, attachments as `{"$binary": "<base64>"}`.
pub fn to_json_with_binary(payload: &Payload) -> Result<Value, PayloadError> {
    let mut value: Value = serde_json::from_str(&payload.json)
        .map_err(|e| PayloadError::Deserialize(e.to_string()))?;
    if !payload.attachments.is_empty() {
        replace_placeholders(&mut value, &payload.attachments);
    }
    Ok(value)
}

/// The payload for the arguments `args`, `{"$binary": "<base64>"}` objects (with valid
/// base64) sent as attachments.
pub fn from_json_with_binary(args: &[Value]) -> Payload {
    let mut attachments = Vec::new();
    let converted: Vec<Value> = args
        .iter()
        .map(|v| extract_binary(v, &mut attachments))
        .collect();
    Payload {
        json: super::value_text(&Value::Array(converted)),
        attachments,
    }
}

/// Placeholder objects → `{"$binary": ...}`, iteratively (no recursion per nesting level).
fn replace_placeholders(root: &mut Value, attachments: &[Bytes]) {
    let mut stack = vec![root];
    while let Some(value) = stack.pop() {
        if let Some(bytes) = placeholder(value, attachments) {
            *value = binary_object(bytes);
            continue;
        }
        match value {
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => stack.extend(map.values_mut()),
            _ => {}
        }
    }
}

/// The attachment `value` stands for, if it is a placeholder (`_placeholder: true`, `num` an
/// index of `attachments`).
fn placeholder<'a>(value: &Value, attachments: &'a [Bytes]) -> Option<&'a Bytes> {
    let map = value.as_object()?;
    if map.get("_placeholder")? != &Value::Bool(true) {
        return None;
    }
    let num = usize::try_from(map.get("num")?.as_u64()?).ok()?;
    attachments.get(num)
}

fn binary_object(bytes: &[u8]) -> Value {
    let mut map = Map::new();
    map.insert(BINARY_KEY.into(), Value::String(STANDARD.encode(bytes)));
    Value::Object(map)
}

/// A copy of `value` with `{"$binary": "<base64>"}` objects replaced by placeholders.
fn extract_binary(value: &Value, attachments: &mut Vec<Bytes>) -> Value {
    if let Some(bytes) = binary_of(value) {
        let num = attachments.len();
        attachments.push(Bytes::from(bytes));
        return serde_json::json!({"_placeholder": true, "num": num});
    }
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| extract_binary(v, attachments))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), extract_binary(v, attachments)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The bytes of a `{"$binary": "<base64>"}` object (exactly that one key, valid base64).
fn binary_of(value: &Value) -> Option<Vec<u8>> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    STANDARD.decode(map.get(BINARY_KEY)?.as_str()?).ok()
}
