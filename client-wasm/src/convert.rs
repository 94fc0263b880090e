//! JavaScript values ⇄ the core's [`Payload`] (JSON text with binary placeholders plus
//! attachments), using the browser's own `JSON` — no JSON library in the bundle.
//!
//! Outgoing: `ArrayBuffer`s and views (typed arrays, `DataView`) anywhere in the arguments
//! become `{"_placeholder":true,"num":N}` (N depth-first, socket.io-parser's order) and their
//! bytes become attachments; the user's objects are never modified (only the containers on
//! the path to a binary value are copied). Objects with a `toJSON` method (such as `Date`) are
//! left to `JSON.stringify`. `Blob`s are refused with a [`ConvertError::Blob`]: reading one is
//! asynchronous, so the caller converts it first (`await blob.arrayBuffer()`).
//!
//! Incoming: `JSON.parse`, then every placeholder is replaced by an `ArrayBuffer` with its
//! attachment's bytes (what socket.io-client gives in browsers).

use std::fmt;

use bytes::Bytes;
use js_sys::{Array, ArrayBuffer, JsString, Object, Reflect, Uint8Array, JSON};
use sio_core::Payload;
use wasm_bindgen::{JsCast, JsValue};

/// Deeper nesting than this is refused (it is also the core's JSON depth limit); it stops
/// cyclic structures too.
pub const MAX_DEPTH: usize = sio_core::json::MAX_DEPTH;

/// Why JavaScript arguments could not be turned into a payload, or a payload into values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvertError {
    /// Nested deeper than [`MAX_DEPTH`], or cyclic.
    TooDeep,
    /// A `Blob` (or `File`): convert it with `await blob.arrayBuffer()` first.
    Blob,
    /// `JSON.stringify` threw (a `BigInt`, a throwing `toJSON` …): its message.
    Stringify(String),
    /// The received JSON did not parse (the core validated it, so this means a bug).
    Parse(String),
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvertError::TooDeep => write!(
                f,
                "arguments are nested deeper than {MAX_DEPTH} levels, or cyclic"
            ),
            ConvertError::Blob => f.write_str(
                "Blob arguments are not supported: pass `await blob.arrayBuffer()` instead",
            ),
            ConvertError::Stringify(m) => write!(f, "arguments cannot be serialised: {m}"),
            ConvertError::Parse(m) => write!(f, "received arguments do not parse: {m}"),
        }
    }
}

impl std::error::Error for ConvertError {}

fn message_of(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string()
        .unwrap_or_else(|| "unknown JavaScript error".into())
}

/// The bytes of an `ArrayBuffer` or of an `ArrayBuffer` view, if `value` is one.
fn binary_bytes(value: &JsValue) -> Option<Bytes> {
    if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        return Some(Uint8Array::new(buffer).to_vec().into());
    }
    if ArrayBuffer::is_view(value) {
        let buffer = Reflect::get(value, &JsValue::from_str("buffer")).ok()?;
        let offset = Reflect::get(value, &JsValue::from_str("byteOffset"))
            .ok()?
            .as_f64()?;
        let length = Reflect::get(value, &JsValue::from_str("byteLength"))
            .ok()?
            .as_f64()?;
        let view =
            Uint8Array::new_with_byte_offset_and_length(&buffer, offset as u32, length as u32);
        return Some(view.to_vec().into());
    }
    None
}

fn placeholder(num: usize) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &JsValue::from_str("_placeholder"), &JsValue::TRUE);
    let _ = Reflect::set(
        &object,
        &JsValue::from_str("num"),
        &JsValue::from(num as u32),
    );
    object.into()
}

/// Returns a copy of `value` with its binary leaves replaced by placeholders, or `None` when
/// it contains no binary (and can be serialised as it is).
fn deconstruct(
    value: &JsValue,
    attachments: &mut Vec<Bytes>,
    depth: usize,
) -> Result<Option<JsValue>, ConvertError> {
    if !value.is_object() {
        return Ok(None);
    }
    if depth > MAX_DEPTH {
        return Err(ConvertError::TooDeep);
    }
    if let Some(bytes) = binary_bytes(value) {
        attachments.push(bytes);
        return Ok(Some(placeholder(attachments.len() - 1)));
    }
    if value.is_instance_of::<web_sys::Blob>() {
        return Err(ConvertError::Blob);
    }
    if let Some(array) = value.dyn_ref::<Array>() {
        let mut copy: Option<Array> = None;
        for i in 0..array.length() {
            let item = array.get(i);
            if let Some(replaced) = deconstruct(&item, attachments, depth + 1)? {
                let copy = copy.get_or_insert_with(|| array.slice(0, array.length()));
                copy.set(i, replaced);
            }
        }
        return Ok(copy.map(Into::into));
    }
    let to_json = Reflect::get(value, &JsValue::from_str("toJSON")).unwrap_or(JsValue::UNDEFINED);
    if to_json.is_function() {
        return Ok(None);
    }
    let object: &Object = value.unchecked_ref();
    let keys = Object::keys(object);
    let mut copy: Option<Object> = None;
    for key in keys.iter() {
        let item = Reflect::get(object, &key).unwrap_or(JsValue::UNDEFINED);
        if let Some(replaced) = deconstruct(&item, attachments, depth + 1)? {
            let copy = copy.get_or_insert_with(|| Object::assign(&Object::new(), object));
            let _ = Reflect::set(copy, &key, &replaced);
        }
    }
    Ok(copy.map(Into::into))
}

/// Serialises an argument list (a JavaScript array) into a payload.
pub fn to_payload(args: &Array) -> Result<Payload, ConvertError> {
    let mut attachments = Vec::new();
    let value = deconstruct(args.as_ref(), &mut attachments, 0)?.unwrap_or_else(|| args.into());
    let json: JsString =
        JSON::stringify(&value).map_err(|e| ConvertError::Stringify(message_of(&e)))?;
    Ok(Payload {
        json: json.into(),
        attachments,
    })
}

/// Serialises one value (an auth object) into JSON text.
pub fn to_json(value: &JsValue) -> Result<String, ConvertError> {
    let json: JsString =
        JSON::stringify(value).map_err(|e| ConvertError::Stringify(message_of(&e)))?;
    Ok(json.into())
}

/// Parses JSON text (no attachments).
pub fn parse_json(json: &str) -> Result<JsValue, ConvertError> {
    JSON::parse(json).map_err(|e| ConvertError::Parse(message_of(&e)))
}

/// Replaces placeholders in a freshly parsed value, in place where possible.
fn reconstruct(value: JsValue, buffers: &[JsValue], depth: usize) -> JsValue {
    if !value.is_object() || depth > MAX_DEPTH {
        return value;
    }
    if let Some(array) = value.dyn_ref::<Array>() {
        for i in 0..array.length() {
            array.set(i, reconstruct(array.get(i), buffers, depth + 1));
        }
        return value;
    }
    let is_placeholder = Reflect::get(&value, &JsValue::from_str("_placeholder"))
        .map(|v| v == JsValue::TRUE)
        .unwrap_or(false);
    if is_placeholder {
        let num = Reflect::get(&value, &JsValue::from_str("num"))
            .ok()
            .and_then(|n| n.as_f64());
        if let Some(num) = num {
            if num >= 0.0 && num.fract() == 0.0 && (num as usize) < buffers.len() {
                return buffers[num as usize].clone();
            }
        }
        return value;
    }
    let object: &Object = value.unchecked_ref();
    for key in Object::keys(object).iter() {
        let item = Reflect::get(object, &key).unwrap_or(JsValue::UNDEFINED);
        let _ = Reflect::set(object, &key, &reconstruct(item, buffers, depth + 1));
    }
    value
}

/// A payload as JavaScript: `JSON.parse` of its text, placeholders replaced by
/// `ArrayBuffer`s. An argument list gives an `Array`.
pub fn from_payload(payload: &Payload) -> Result<JsValue, ConvertError> {
    let value = parse_json(&payload.json)?;
    if payload.attachments.is_empty() {
        return Ok(value);
    }
    let buffers: Vec<JsValue> = payload
        .attachments
        .iter()
        .map(|b| Uint8Array::from(&b[..]).buffer().into())
        .collect();
    Ok(reconstruct(value, &buffers, 0))
}

/// A payload that must be an argument list, as a JavaScript `Array` (anything else, which the
/// core never produces, becomes a one-element list).
pub fn args_array(payload: &Payload) -> Result<Array, ConvertError> {
    let value = from_payload(payload)?;
    Ok(match value.dyn_into::<Array>() {
        Ok(array) => array,
        Err(other) => Array::of1(&other),
    })
}
