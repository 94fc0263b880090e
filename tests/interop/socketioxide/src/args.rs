//! Event arguments of any number and shape, binary values included: socketioxide hands a
//! handler all the arguments only for a tuple-like type, so these (de)serialize as tuples.

use std::fmt;

use base64::Engine as _;
use rmpv::Value;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use socketioxide::handler::FromMessageParts;
use socketioxide::socket::Socket;
use std::sync::Arc;

/// Every argument of an event or an ack, as dynamic values (`rmpv` keeps binary as binary,
/// with both parsers).
#[derive(Debug, Clone, Default)]
pub struct Args(pub Vec<Value>);

impl Serialize for Args {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(self.0.len())?;
        for v in &self.0 {
            t.serialize_element(v)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct All;
        impl<'de> Visitor<'de> for All {
            type Value = Args;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("event arguments")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Args, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Value>()? {
                    out.push(v);
                }
                Ok(Args(out))
            }
        }
        d.deserialize_tuple(usize::MAX, All)
    }
}

/// Whether the client asked for an ack (socketioxide's `AckSender` keeps that to itself).
pub struct WantsAck(pub bool);

impl<A: socketioxide::adapter::Adapter> FromMessageParts<A> for WantsAck {
    type Error = std::convert::Infallible;
    fn from_message_parts(
        _: &Arc<Socket<A>>,
        _: &mut socketioxide::handler::Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Self::Error> {
        Ok(WantsAck(ack_id.is_some()))
    }
}

/// A member of a map value.
pub fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// A string member of a map value.
pub fn get_str(v: &Value, key: &str) -> Option<String> {
    get(v, key).and_then(Value::as_str).map(str::to_owned)
}

/// A map value from string keys.
pub fn map(fields: Vec<(&str, Value)>) -> Value {
    Value::Map(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// JSON (stdin commands) → value; `{"$binary": "<base64>"}` becomes binary.
pub fn from_json(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Boolean(*b),
        J::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Value::from(u),
            (_, Some(i), _) => Value::from(i),
            (_, _, Some(f)) => Value::F64(f),
            _ => Value::Nil,
        },
        J::String(s) => Value::from(s.as_str()),
        J::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        J::Object(o) => match (o.len(), o.get("$binary").and_then(J::as_str)) {
            (1, Some(b64)) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map(Value::Binary)
                .unwrap_or(Value::Nil),
            _ => Value::Map(
                o.iter()
                    .map(|(k, v)| (Value::from(k.as_str()), from_json(v)))
                    .collect(),
            ),
        },
    }
}
