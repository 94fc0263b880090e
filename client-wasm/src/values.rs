//! JavaScript values across the boundary: event arguments ⇄ [`Payload`] (JSON text plus
//! attachments), errors, and reporting exceptions from user code.
//!
//! Arguments cross as JSON text (`JSON.stringify` / `JSON.parse`, the browser's own fast
//! codecs) plus the bytes of their binary values: walking a value tree across the boundary
//! one node at a time (serde-wasm-bindgen) is slower for event arguments. Binary values are
//! found by a walk that only looks at objects, and only containers on the way to a binary
//! value are copied.

use bytes::Bytes;
use js_sys::{Array, ArrayBuffer, Function, Object, Reflect, Uint8Array, JSON};
use sio_core::Payload;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast as _, JsValue};

/// Deeper nesting is refused (it also stops cycles): the core's JSON limit.
const MAX_DEPTH: usize = 128;

#[wasm_bindgen]
extern "C" {
    /// `reportError(error)` (browsers, Node ≥ 22, workers), if there is one.
    #[wasm_bindgen(js_name = reportError, catch)]
    fn report_error(error: &JsValue) -> Result<(), JsValue>;

    /// `console.error(error)`.
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(error: &JsValue);
}

/// Reports an exception thrown by user code without interrupting the caller (the other
/// listeners still run).
pub(crate) fn report(error: &JsValue) {
    if report_error(error).is_err() {
        console_error(error);
    }
}

/// A JavaScript `Error` with `message`.
pub(crate) fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// A JavaScript `TypeError` with `message`.
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// The message of a JavaScript exception (what `String(e)` would not say for an `Error`).
pub(crate) fn message_of(value: &JsValue) -> String {
    sio_browser::js_error_message(value, "unknown JavaScript error")
}

/// An argument list as JSON text and attachments: `ArrayBuffer`s and views anywhere become
/// `{"_placeholder":true,"num":N}` (N in depth-first order, socket.io-parser's), without
/// modifying the caller's objects; objects with a `toJSON` method are left to
/// `JSON.stringify`. A `TypeError` for `Blob`s, nesting deeper than 128 levels (or cycles),
/// and what `JSON.stringify` refuses (`BigInt`).
pub(crate) fn to_payload(args: &Array) -> Result<Payload, JsValue> {
    let mut attachments = Vec::new();
    let replaced = deconstruct(args, &mut attachments, 0)?;
    let value = replaced.as_ref().unwrap_or(args);
    let json = JSON::stringify(value).map_err(|e| {
        type_error(&format!(
            "arguments cannot be serialised: {}",
            message_of(&e)
        ))
    })?;
    Ok(Payload {
        json: json.into(),
        attachments,
    })
}

/// A copy of `value` with its binary values replaced by placeholders, or `None` if it holds
/// none (then `value` is used as is).
fn deconstruct(
    value: &JsValue,
    attachments: &mut Vec<Bytes>,
    depth: usize,
) -> Result<Option<JsValue>, JsValue> {
    if !value.is_object() {
        return Ok(None);
    }
    if depth > MAX_DEPTH {
        return Err(type_error(
            "arguments are nested deeper than 128 levels, or cyclic",
        ));
    }
    // arrays first: the argument list itself is one, and they are the common container
    if let Some(array) = value.dyn_ref::<Array>() {
        let mut copy: Option<Array> = None;
        for i in 0..array.length() {
            if let Some(replaced) = deconstruct(&array.get(i), attachments, depth + 1)? {
                copy.get_or_insert_with(|| array.slice(0, array.length()))
                    .set(i, replaced);
            }
        }
        return Ok(copy.map(JsValue::from));
    }
    if let Some(bytes) = binary(value) {
        attachments.push(bytes);
        return Ok(Some(placeholder(attachments.len() - 1)));
    }
    if value.has_type::<web_sys::Blob>() {
        return Err(type_error(
            "Blob arguments are not supported: pass `await blob.arrayBuffer()` instead",
        ));
    }
    let object: &Object = value.unchecked_ref();
    if get(object, "toJSON").is_function() {
        return Ok(None);
    }
    let mut copy: Option<Object> = None;
    for key in Object::keys(object).iter() {
        let item = Reflect::get(object, &key).unwrap_or(JsValue::UNDEFINED);
        if let Some(replaced) = deconstruct(&item, attachments, depth + 1)? {
            let target = copy.get_or_insert_with(|| Object::assign(&Object::new(), object));
            let _ = Reflect::set(target, &key, &replaced);
        }
    }
    Ok(copy.map(JsValue::from))
}

/// The bytes of an `ArrayBuffer` or of a view on one (typed array, `DataView`).
pub(crate) fn binary(value: &JsValue) -> Option<Bytes> {
    let view = if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        Uint8Array::new(buffer)
    } else if ArrayBuffer::is_view(value) {
        // every view has `buffer`, `byteOffset` and `byteLength`
        let view: &Uint8Array = value.unchecked_ref();
        Uint8Array::new_with_byte_offset_and_length(
            &view.buffer(),
            view.byte_offset(),
            view.byte_length(),
        )
    } else {
        return None;
    };
    Some(Bytes::from(view.to_vec()))
}

fn placeholder(num: usize) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"_placeholder".into(), &JsValue::TRUE);
    let _ = Reflect::set(&object, &"num".into(), &JsValue::from(num as u32));
    object.into()
}

/// A structured JavaScript value (the auth payload, a `query` object) as a
/// `serde_json::Value`: `JSON.stringify` (which honours `toJSON`), then serde_json.
///
/// Measured: serde-wasm-bindgen's `Deserializer` in this direction costs the bundle about
/// 12 KB gzip (its type errors pull in serde's `Unexpected` formatting, and with it core's
/// float formatting), so it serves the other direction only ([`to_js`]).
pub(crate) fn json_of(value: &JsValue) -> Result<serde_json::Value, String> {
    let text = JSON::stringify(value).map_err(|e| message_of(&e))?;
    let text = text.as_string().unwrap_or_default();
    // (`JSON.stringify` wrote it: serde_json refuses only what JSON cannot hold, like 1e400)
    serde_json::from_str(&text).map_err(|_| "it is not representable as JSON".to_string())
}

/// A `serde_json::Value` as a plain JavaScript value (objects, not `Map`s), with
/// serde-wasm-bindgen.
pub(crate) fn to_js(value: &serde_json::Value) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    serde::Serialize::serialize(value, &serializer).unwrap_or(JsValue::UNDEFINED)
}

/// `object[key]`, `undefined` if reading it throws.
pub(crate) fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A received argument list as a JavaScript array (`JSON.parse`), placeholders replaced by
/// `ArrayBuffer`s.
pub(crate) fn from_payload(payload: &Payload) -> Array {
    let value = JSON::parse(&payload.json).unwrap_or_else(|e| {
        // (cannot happen: the core validated the JSON)
        report(&e);
        Array::new().into()
    });
    if !payload.attachments.is_empty() {
        let buffers: Vec<JsValue> = payload
            .attachments
            .iter()
            .map(|bytes| Uint8Array::from(&bytes[..]).buffer().into())
            .collect();
        return match reconstruct(value, &buffers, 0).dyn_into::<Array>() {
            Ok(array) => array,
            Err(other) => Array::of1(&other),
        };
    }
    match value.dyn_into::<Array>() {
        Ok(array) => array,
        Err(other) => Array::of1(&other),
    }
}

/// Replaces placeholders in a freshly parsed value, in place.
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
    if get(&value, "_placeholder") == JsValue::TRUE {
        let num = get(&value, "num").as_f64().unwrap_or(-1.0);
        if num >= 0.0 && num.fract() == 0.0 && (num as usize) < buffers.len() {
            return buffers[num as usize].clone();
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

/// Calls `f` with `this` and `args`; an exception is reported, not propagated.
pub(crate) fn call(f: &Function, this: &JsValue, args: &Array) {
    if let Err(e) = f.apply(this, args) {
        report(&e);
    }
}
