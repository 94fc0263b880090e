//! JSON values as a tree ([`Value`]), for tests and tools: the clients never need one (they
//! hand JSON text to serde_json or `JSON.parse`), so it is behind the `tree` feature.
//!
//! [`Value`] converts to and from [`Payload`] with socket.io-parser's placeholder rules: every
//! [`Value::Bytes`] becomes `{"_placeholder":true,"num":N}` with N counted depth-first
//! (`deconstructPacket` order), and the bytes become the payload's attachments.

use std::fmt;

use bytes::Bytes;

use super::{Number, Payload};
use crate::json::{self, PlaceholderError};

/// A JSON value that may also hold binary data.
///
/// Objects keep their members in insertion order, like JavaScript objects with non-numeric keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, see [`Number`].
    Number(Number),
    /// A string.
    String(String),
    /// Binary data; sent as an attachment with a placeholder in the JSON.
    Bytes(Bytes),
    /// An array.
    Array(Vec<Value>),
    /// An object, members in order. Lookups with [`Value::get`] see the last of repeated keys.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// A number value from a double; NaN and the infinities become `null`, as in `JSON.stringify`.
    pub fn from_f64(x: f64) -> Value {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }

    /// The member `key` of an object (the last one if repeated, like `JSON.parse`).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Serialises this value as one JSON text with placeholders (see [`Payload`]).
    pub fn to_payload(&self) -> Payload {
        let mut p = Payload {
            json: String::new(),
            attachments: Vec::new(),
        };
        write_value(self, &mut p.json, &mut p.attachments);
        p
    }

    /// Appends this value as JSON, writing each [`Value::Bytes`] as the placeholder for the next
    /// index of `attachments` and pushing the bytes there.
    pub fn write_json(&self, out: &mut String, attachments: &mut Vec<Bytes>) {
        write_value(self, out, attachments);
    }
}

fn write_placeholder(out: &mut String, num: usize) {
    out.push_str("{\"_placeholder\":true,\"num\":");
    json::write_u64(out, num as u64);
    out.push('}');
}

/// Nesting below which the recursive writer is used; deeper values go to the iterative one.
const RECURSION_LIMIT: usize = 64;

fn write_value(v: &Value, out: &mut String, atts: &mut Vec<Bytes>) {
    let (out_len, atts_len) = (out.len(), atts.len());
    if write_rec(v, out, atts, 0).is_err() {
        out.truncate(out_len);
        atts.truncate(atts_len);
        write_iter(v, out, atts);
    }
}

fn write_scalar(v: &Value, out: &mut String, atts: &mut Vec<Bytes>) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => n.write_json(out),
        Value::String(s) => json::write_string(out, s),
        Value::Bytes(b) => {
            write_placeholder(out, atts.len());
            atts.push(b.clone());
        }
        Value::Array(_) | Value::Object(_) => {}
    }
}

fn write_rec(v: &Value, out: &mut String, atts: &mut Vec<Bytes>, depth: usize) -> Result<(), ()> {
    if depth > RECURSION_LIMIT {
        return Err(());
    }
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_rec(x, out, atts, depth + 1)?;
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (i, (k, x)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_string(out, k);
                out.push(':');
                write_rec(x, out, atts, depth + 1)?;
            }
            out.push('}');
        }
        _ => write_scalar(v, out, atts),
    }
    Ok(())
}

enum Level<'a> {
    Arr(std::slice::Iter<'a, Value>, bool),
    Obj(std::slice::Iter<'a, (String, Value)>, bool),
}

/// Writer with an explicit stack: any nesting depth, no recursion.
fn write_iter(v: &Value, out: &mut String, atts: &mut Vec<Bytes>) {
    let mut stack: Vec<Level<'_>> = Vec::new();
    let mut next = Some(v);
    loop {
        if let Some(v) = next.take() {
            match v {
                Value::Array(items) => {
                    out.push('[');
                    stack.push(Level::Arr(items.iter(), true));
                }
                Value::Object(fields) => {
                    out.push('{');
                    stack.push(Level::Obj(fields.iter(), true));
                }
                _ => write_scalar(v, out, atts),
            }
        }
        match stack.last_mut() {
            None => return,
            Some(Level::Arr(it, first)) => match it.next() {
                Some(x) => {
                    if !std::mem::replace(first, false) {
                        out.push(',');
                    }
                    next = Some(x);
                }
                None => {
                    out.push(']');
                    stack.pop();
                }
            },
            Some(Level::Obj(it, first)) => match it.next() {
                Some((k, x)) => {
                    if !std::mem::replace(first, false) {
                        out.push(',');
                    }
                    json::write_string(out, k);
                    out.push(':');
                    next = Some(x);
                }
                None => {
                    out.push('}');
                    stack.pop();
                }
            },
        }
    }
}

macro_rules! from_int {
    ($($t:ty => $f:ident),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Number(Number::$f(n.into()))
            }
        }
    )*};
}
from_int!(i64 => from_i64, i32 => from_i64, u64 => from_u64, u32 => from_u64);

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::from_f64(x)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<Bytes> for Value {
    fn from(b: Bytes) -> Value {
        Value::Bytes(b)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::Array(v)
    }
}
impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

/// Why a [`Payload`] could not be turned into values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadError {
    /// The JSON is invalid, or a placeholder does not match an attachment.
    Invalid(PlaceholderError),
    /// [`Payload::to_values`] needs a JSON array.
    NotAnArray,
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadError::Invalid(e) => e.fmt(f),
            PayloadError::NotAnArray => f.write_str("payload is not a JSON array"),
        }
    }
}

impl std::error::Error for PayloadError {}

impl Payload {
    /// An argument list `[a, b, ...]`, binary values replaced by numbered placeholders.
    pub fn from_values(values: &[Value]) -> Payload {
        Payload::write_list(None, values)
    }

    /// The data of an event packet: `[name, a, b, ...]`.
    pub fn event(name: &str, args: &[Value]) -> Payload {
        Payload::write_list(Some(name), args)
    }

    fn write_list(name: Option<&str>, values: &[Value]) -> Payload {
        let mut json = String::with_capacity(128);
        let mut attachments = Vec::new();
        json.push('[');
        if let Some(name) = name {
            json::write_string(&mut json, name);
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 || name.is_some() {
                json.push(',');
            }
            write_value(v, &mut json, &mut attachments);
        }
        json.push(']');
        Payload { json, attachments }
    }
    /// The JSON as one value, placeholders replaced by their attachments (when there are any).
    pub fn to_value(&self) -> Result<Value, PayloadError> {
        json::parse_with_attachments(&self.json, &self.attachments).map_err(PayloadError::Invalid)
    }

    /// The JSON array as a list of values, placeholders replaced by their attachments.
    pub fn to_values(&self) -> Result<Vec<Value>, PayloadError> {
        match self.to_value()? {
            Value::Array(items) => Ok(items),
            _ => Err(PayloadError::NotAnArray),
        }
    }
}
