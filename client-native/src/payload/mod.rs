//! Event arguments ⇄ Rust values, on serde_json.
//!
//! # Argument lists
//!
//! A Socket.IO event carries any number of arguments; a Rust type stands for them like this
//! (the rule socketioxide uses too):
//!
//! | Rust type | arguments |
//! |---|---|
//! | `()` (or a unit struct) | none (`[]`); when receiving, whatever arrived is ignored |
//! | a tuple `(A, B, …)` | one argument per element (`[a, b, …]`) |
//! | anything else `T` | one argument (`[t]`); when receiving, the first one (missing → `null`) |
//!
//! So `emit("move", (x, y))` sends two arguments while `emit("path", vec![p1, p2])` sends one
//! array, as `socket.emit("path", [p1, p2])` does in JavaScript. serde writes fixed-size arrays
//! `[T; N]` as tuples: `[a, b]` is two arguments; wrap it as `([a, b],)` for one array.
//!
//! # Binary
//!
//! Bytes travel as Socket.IO binary attachments when serde sees them as bytes: [`bytes::Bytes`],
//! `serde_bytes::ByteBuf`/`Bytes`, or a `Vec<u8>` field marked `#[serde(with = "serde_bytes")]`.
//! They may sit anywhere in the arguments (nested in structs, maps, vectors). A plain `Vec<u8>`
//! is sent as an array of numbers, exactly as serde_json writes it, but **receives** an
//! attachment as well. A `serde_json::Value` receives an attachment as an array of numbers.
//!
//! # Limits of serde_json
//!
//! Values are parsed with serde_json, which stops at 128 levels of nesting, refuses numbers
//! beyond `f64` (`1e400`) and lone UTF-16 surrogates in strings. The wire accepts all three (as
//! JavaScript's `JSON.parse` does); a typed listener then gets a decode error
//! ([`SocketEvent::ListenerError`](crate::SocketEvent::ListenerError)) instead of the value.

mod binary;
mod json;
mod ser;
mod shape;

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use sio_core::Payload;

use self::binary::Binary;
pub(crate) use self::shape::{shape_of_type, Shape};

pub use self::json::{from_json_with_binary, to_json_with_binary};
pub(crate) use self::ser::value_text;
pub use self::ser::{to_json_value_text, to_payload};

/// Why arguments could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The value cannot be written as JSON (for example a map with non-string keys).
    #[error("cannot serialize the arguments: {0}")]
    Serialize(String),
    /// The arguments do not have the shape of the requested type (serde's message).
    #[error("{0}")]
    Deserialize(String),
}

/// The arguments of `payload` as `T`, with the rules of the [module docs](self).
pub fn from_payload<T: DeserializeOwned + 'static>(payload: &Payload) -> Result<T, PayloadError> {
    from_payload_shaped(payload, shape_of_type::<T>())
}

/// [`from_payload`] with the shape of `T` computed by the caller (once per listener).
pub(crate) fn from_payload_shaped<T: DeserializeOwned>(
    payload: &Payload,
    shape: Shape,
) -> Result<T, PayloadError> {
    if shape == Shape::Unit {
        // whatever arrived is ignored
        return T::deserialize(serde::de::value::UnitDeserializer::<serde_json::Error>::new())
            .map_err(|e| PayloadError::Deserialize(e.to_string()));
    }
    let mut de = serde_json::Deserializer::from_str(&payload.json);
    let result = match shape {
        // Without attachments a placeholder-shaped object is plain data (as in socket.io-parser):
        // serde_json alone, no wrapper.
        _ if payload.attachments.is_empty() => arguments(&mut de, shape),
        _ => arguments(
            Binary {
                inner: &mut de,
                attachments: &payload.attachments,
            },
            shape,
        ),
    }
    .and_then(|value| de.end().map(|()| value));
    result.map_err(|e| PayloadError::Deserialize(e.to_string()))
}

/// The whole list as `T` (tuples) or its first element.
fn arguments<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(
    de: D,
    shape: Shape,
) -> Result<T, D::Error> {
    match shape {
        Shape::Tuple => T::deserialize(de),
        _ => de.deserialize_seq(FirstArgument::<T>::new()),
    }
}

/// Visits an argument array and keeps only its first element (`null` when it is empty).
struct FirstArgument<T>(std::marker::PhantomData<T>);

impl<T> FirstArgument<T> {
    fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for FirstArgument<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an argument list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let first = match seq.next_element_seed(Seed::<T>::new())? {
            Some(value) => value,
            None => T::deserialize(serde_json::Value::Null).map_err(serde::de::Error::custom)?,
        };
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first)
    }
}

struct Seed<T>(std::marker::PhantomData<T>);

impl<T> Seed<T> {
    fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Seed<T> {
    type Value = T;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests;
