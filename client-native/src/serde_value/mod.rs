//! serde support for [`sio_core::Value`], and the conversions the driver uses for event
//! arguments.
//!
//! [`to_value`] serialises any `T: Serialize` into a [`Value`]; [`from_value`] /
//! [`from_value_ref`] deserialise a `T: Deserialize` out of one. The mapping is serde_json's
//! JSON representation, with one addition: binary data.
//!
//! # Data model
//!
//! | serde                                   | [`Value`]                                        |
//! |-----------------------------------------|--------------------------------------------------|
//! | `bool`                                  | `Bool`                                           |
//! | integers (`i8`..`i128`, `u8`..`u128`)   | `Number` (exact; `i128`/`u128` beyond 64 bits are kept as exact JSON integer text) |
//! | `f32`, `f64`                            | `Number`; NaN and ±infinity become `Null` (`JSON.stringify`) |
//! | `char`, `str`                           | `String`                                         |
//! | bytes (`serialize_bytes`)               | `Bytes` — a binary attachment on the wire        |
//! | `None`, `()`, unit struct               | `Null`                                           |
//! | `Some(x)`, newtype struct `S(x)`        | `x`                                              |
//! | seq, tuple, tuple struct                | `Array`                                          |
//! | map, struct                             | `Object`, fields in declaration / insertion order |
//! | unit variant `E::A`                     | `"A"`                                            |
//! | newtype variant `E::B(x)`               | `{"B": x}`                                       |
//! | tuple variant `E::C(x, y)`              | `{"C": [x, y]}`                                  |
//! | struct variant `E::D { f }`             | `{"D": {"f": ...}}`                              |
//!
//! Map keys must serialise to strings: strings, chars, integers and bools are written in their
//! string form (`1` → `"1"`, `true` → `"true"`), finite floats the way JavaScript's `String(x)`
//! writes them, unit variants as their name, and newtype structs as their content; anything else
//! (bytes, options, sequences, maps, NaN...) is an error. On the way back, object keys are parsed
//! into whatever key type is asked for.
//!
//! Deserialising is as lenient as serde_json's: a number with an integral value is visited as an
//! integer (`1.0` and `1` are the same JavaScript number), so an `f64` target accepts either and
//! a `serde_json::Value` target sees `1.0` as `1` (and `-0.0` as `0`; an `f64` target keeps
//! `-0.0`); structs accept an object or an array of their fields in order; a unit variant
//! accepts `"A"` and `{"A": null}`; when keys repeat in an object, the last value wins at the
//! position of the first key, as with `JSON.parse`. Values nested deeper than
//! [`sio_core::json::MAX_DEPTH`] arrays/objects are rejected, like the core rejects them on the
//! wire, so a hostile value cannot overflow the stack.
//!
//! # Binary data
//!
//! Binary is anything that calls `serialize_bytes`: [`serde_bytes::ByteBuf`] /
//! [`serde_bytes::Bytes`], a `Vec<u8>` field marked `#[serde(with = "serde_bytes")]`, or
//! [`bytes::Bytes`] with the bytes crate's `serde` feature. It becomes [`Value::Bytes`] and then a
//! Socket.IO binary attachment (a `{"_placeholder":true,"num":N}` in the JSON). A plain
//! `Vec<u8>` or `[u8; N]` serialises as an array of numbers, exactly as in serde_json.
//!
//! Reading binary back works for all of those: [`Value::Bytes`] is visited as bytes when a byte
//! buffer is asked for (`deserialize_bytes` / `deserialize_byte_buf`) and as a sequence of `u8`
//! when a sequence is asked for, so a plain `Vec<u8>` field receives the attachment as well. Through
//! `deserialize_any` (self-describing targets such as `serde_json::Value`, untagged or internally
//! tagged enums, `#[serde(flatten)]`) binary is visited as a sequence of `u8` too: a
//! `serde_json::Value` cannot hold bytes, so it sees an array of numbers, while byte-buffer types
//! inside untagged enums still get their bytes back. A string asked for as bytes gives its UTF-8
//! bytes. For a JSON view that keeps binary recognisable use [`payload_to_json`].
//!
//! # Event arguments
//!
//! [`args_to_payload`] and [`payload_to_args`] map a Rust value to and from the argument list of
//! an event; [`payload_to_json`] and [`json_to_payload`] convert an argument list to and from
//! `serde_json` values with binary written as `{"$binary": "<base64>"}` (the `sio` CLI's
//! JSON-lines convention).
//!
//! [`serde_bytes::ByteBuf`]: https://docs.rs/serde_bytes/latest/serde_bytes/struct.ByteBuf.html
//! [`serde_bytes::Bytes`]: https://docs.rs/serde_bytes/latest/serde_bytes/struct.Bytes.html

use std::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sio_core::value::Number;
use sio_core::{Payload, Value};

mod de;
mod ser;

pub use de::{from_value, from_value_ref};
pub use ser::to_value;

/// Why a value could not be serialised or deserialised.
///
/// Carries a human-readable message (serde's `custom` errors, type mismatches such as
/// `invalid type: string "x", expected u32`, or what is wrong with event arguments).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{msg}")]
pub struct SerdeError {
    msg: String,
}

impl SerdeError {
    pub(crate) fn new(msg: impl Into<String>) -> SerdeError {
        SerdeError { msg: msg.into() }
    }

    /// The error message (the same text as `Display`).
    pub fn message(&self) -> &str {
        &self.msg
    }
}

impl serde::ser::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> SerdeError {
        SerdeError::new(msg.to_string())
    }
}

impl serde::de::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> SerdeError {
        SerdeError::new(msg.to_string())
    }
}

/// Serialises the arguments of an emit into a [`Payload`] (an argument list).
///
/// The rule: if `args` serialises to an array — a tuple, a `Vec`, a slice, an array, a tuple
/// struct — its elements are the arguments; `()` (or a unit struct) means no arguments; anything
/// else — a struct, a map, a string, a number, `None`, an enum — is one single argument. So
/// `("alice", 3)` emits two arguments, `ChatMessage { .. }` one, `()` none. To emit a single
/// argument that is itself an array, wrap it in a one-element tuple: `(vec![1, 2],)`.
///
/// Binary values (see the [module documentation](self)) become attachments.
pub fn args_to_payload<T: Serialize + ?Sized>(args: &T) -> Result<Payload, SerdeError> {
    let args = ser::to_args(args)?;
    Ok(Payload::from_values(&args))
}

/// Deserialises the arguments of an incoming event (or of an ack) into a `T`.
///
/// With exactly one argument, `T` is first read from that argument (so a listener takes
/// `ChatMessage`, `String`, `u64` or `serde_json::Value` directly), then from the list `[arg]`
/// (so `(String,)` or `Vec<String>` work too).
///
/// With several arguments, `T` is first read from the whole list, as if it were one JSON array:
/// a tuple `(String, u32)` takes the first two arguments (extra arguments are ignored, like a
/// JavaScript function with fewer parameters), a `Vec<T>` or a `serde_json::Value` takes them
/// all, a struct takes them in field order; then from the first argument alone (a listener that
/// wants only the first argument, e.g. when the server appended a recovery offset). `()`
/// accepts only an empty list and `Option<T>` reads an empty list as `None`. The error describes
/// the arguments' shape and both attempts.
pub fn payload_to_args<T: DeserializeOwned>(payload: &Payload) -> Result<T, SerdeError> {
    let args = payload
        .to_values()
        .map_err(|e| SerdeError::new(format!("invalid event arguments: {e}")))?;
    de::from_args(&args)
}

/// The argument list of `payload` as `serde_json` values, binary attachments written as
/// `{"$binary": "<base64, standard alphabet, padded>"}`.
///
/// Numbers with an integral value become JSON integers; a number too large for a double (only
/// possible in hand-written JSON) becomes `null`. Fails if the payload is not a valid argument
/// array.
pub fn payload_to_json(payload: &Payload) -> Result<serde_json::Value, SerdeError> {
    let args = payload
        .to_values()
        .map_err(|e| SerdeError::new(format!("invalid event arguments: {e}")))?;
    Ok(serde_json::Value::Array(
        args.iter().map(value_to_json).collect(),
    ))
}

/// An argument list from `serde_json` values, turning every object that has exactly one key,
/// `"$binary"`, whose value is a base64 string (standard alphabet, padding optional) into binary
/// data (an attachment). Objects that merely look similar (more keys, invalid base64) are left as
/// they are.
pub fn json_to_payload(args: &[serde_json::Value]) -> Payload {
    let values: Vec<Value> = args.iter().map(json_to_value).collect();
    Payload::from_values(&values)
}

/// The key of the `$binary` convention.
const BINARY_KEY: &str = "$binary";

/// Standard alphabet; writes padding, accepts it or its absence.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn value_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => number_to_json(n),
        Value::String(s) => J::String(s.clone()),
        Value::Bytes(b) => {
            let mut map = serde_json::Map::new();
            map.insert(BINARY_KEY.to_owned(), J::String(BASE64.encode(b)));
            J::Object(map)
        }
        Value::Array(items) => J::Array(items.iter().map(value_to_json).collect()),
        // `insert` on a repeated key keeps the first position and the last value: `JSON.parse`.
        Value::Object(fields) => J::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), value_to_json(v)))
                .collect(),
        ),
    }
}

fn number_to_json(n: &Number) -> serde_json::Value {
    if let Some(u) = n.as_u64() {
        serde_json::Value::from(u)
    } else if let Some(i) = n.as_i64() {
        serde_json::Value::from(i)
    } else {
        serde_json::Number::from_f64(n.as_f64()).map_or(serde_json::Value::Null, Into::into)
    }
}

fn json_to_value(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::Number(Number::from_u64(u))
            } else if let Some(i) = n.as_i64() {
                Value::Number(Number::from_i64(i))
            } else {
                Value::from_f64(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::Array(items.iter().map(json_to_value).collect()),
        J::Object(map) => {
            if let Some(bytes) = binary_object(map) {
                return Value::Bytes(bytes);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), json_to_value(v)))
                    .collect(),
            )
        }
    }
}

/// The bytes of `{"$binary": "<base64>"}`, if `map` is exactly that.
fn binary_object(map: &serde_json::Map<String, serde_json::Value>) -> Option<Bytes> {
    if map.len() != 1 {
        return None;
    }
    let text = map.get(BINARY_KEY)?.as_str()?;
    BASE64.decode(text).ok().map(Bytes::from)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct ChatMessage {
        user: String,
        text: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Upload {
        name: String,
        meta: Meta,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Meta {
        size: u32,
        data: serde_bytes::ByteBuf,
        thumbs: Vec<serde_bytes::ByteBuf>,
    }

    fn msg() -> ChatMessage {
        ChatMessage {
            user: "alice".into(),
            text: "hi".into(),
        }
    }

    #[test]
    fn tuple_is_n_args() {
        let p = args_to_payload(&("alice", 3, true)).unwrap();
        assert_eq!(p.json, r#"["alice",3,true]"#);
        let back: (String, u32, bool) = payload_to_args(&p).unwrap();
        assert_eq!(back, ("alice".to_owned(), 3, true));
        let p = args_to_payload(&vec![1, 2]).unwrap();
        assert_eq!(p.json, "[1,2]");
        let p = args_to_payload(&[msg(), msg()][..]).unwrap();
        assert_eq!(p.to_values().unwrap().len(), 2);
    }

    #[test]
    fn non_array_is_one_arg() {
        let p = args_to_payload(&msg()).unwrap();
        assert_eq!(p.json, r#"[{"user":"alice","text":"hi"}]"#);
        assert_eq!(args_to_payload("x").unwrap().json, r#"["x"]"#);
        assert_eq!(args_to_payload(&5u8).unwrap().json, "[5]");
        assert_eq!(args_to_payload(&None::<u8>).unwrap().json, "[null]");
        let mut m = std::collections::BTreeMap::new();
        m.insert("k", 1);
        assert_eq!(args_to_payload(&m).unwrap().json, r#"[{"k":1}]"#);
        // An array as a single argument: a one-element tuple.
        assert_eq!(args_to_payload(&(vec![1, 2],)).unwrap().json, "[[1,2]]");
    }

    #[test]
    fn unit_is_no_args() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct NoArgs;
        #[derive(Serialize)]
        struct Wrapped(());
        assert_eq!(args_to_payload(&()).unwrap(), Payload::empty());
        assert_eq!(args_to_payload(&NoArgs).unwrap(), Payload::empty());
        assert_eq!(args_to_payload(&Wrapped(())).unwrap(), Payload::empty());
        assert_eq!(
            args_to_payload(&Vec::<u8>::new()).unwrap(),
            Payload::empty()
        );
        let () = payload_to_args(&Payload::empty()).unwrap();
        assert_eq!(
            payload_to_args::<NoArgs>(&Payload::empty()).unwrap(),
            NoArgs
        );
        let p = Payload::from_json("[1]").unwrap();
        assert!(payload_to_args::<()>(&p).is_err());
        // `[null]` falls back to its single argument.
        let () = payload_to_args(&Payload::from_json("[null]").unwrap()).unwrap();
    }

    #[test]
    fn single_arg_fallback() {
        let p = args_to_payload(&msg()).unwrap();
        let m: ChatMessage = payload_to_args(&p).unwrap();
        assert_eq!(m, msg());
        let s: String = payload_to_args(&args_to_payload("hello").unwrap()).unwrap();
        assert_eq!(s, "hello");
        let n: u64 = payload_to_args(&Payload::from_json("[42]").unwrap()).unwrap();
        assert_eq!(n, 42);
        // A one-element tuple takes the argument itself.
        let (m2,): (ChatMessage,) = payload_to_args(&p).unwrap();
        assert_eq!(m2, msg());
        // The whole list wins when it fits.
        let v: Vec<String> = payload_to_args(&Payload::from_json(r#"["a"]"#).unwrap()).unwrap();
        assert_eq!(v, ["a"]);
        let v: Vec<String> =
            payload_to_args(&Payload::from_json(r#"[["a","b"]]"#).unwrap()).unwrap();
        assert_eq!(v, ["a", "b"]);
        // A JSON value takes the single argument itself (like a JS listener's first parameter).
        let j: serde_json::Value = payload_to_args(&p).unwrap();
        assert_eq!(j, json!({"user": "alice", "text": "hi"}));
        // Several arguments: the whole list, or the first one when the list does not fit.
        let p2 = Payload::from_json(r#"[{"user":"alice","text":"hi"},"offset-1"]"#).unwrap();
        let j: serde_json::Value = payload_to_args(&p2).unwrap();
        assert_eq!(j, json!([{"user": "alice", "text": "hi"}, "offset-1"]));
        let m3: ChatMessage = payload_to_args(&p2).unwrap();
        assert_eq!(m3, msg());
    }

    #[test]
    fn struct_args() {
        // Positional: the fields in order.
        let p = Payload::from_json(r#"["alice","hi"]"#).unwrap();
        assert_eq!(payload_to_args::<ChatMessage>(&p).unwrap(), msg());
        // Positional with an object field first.
        #[derive(Deserialize, Debug, PartialEq)]
        struct Opts {
            opts: serde_json::Value,
            n: u8,
        }
        let p = Payload::from_json(r#"[{"a":1},7]"#).unwrap();
        assert_eq!(
            payload_to_args::<Opts>(&p).unwrap(),
            Opts {
                opts: json!({"a": 1}),
                n: 7
            }
        );
        // Extra arguments after the fields are ignored.
        let p = Payload::from_json(r#"["alice","hi",{"x":1}]"#).unwrap();
        assert_eq!(payload_to_args::<ChatMessage>(&p).unwrap(), msg());
        // A struct whose first field would accept the object still reads the object.
        #[derive(Deserialize, Debug, PartialEq)]
        struct Loose {
            #[serde(default)]
            extra: Option<serde_json::Value>,
        }
        let p = Payload::from_json(r#"[{"extra":1}]"#).unwrap();
        assert_eq!(
            payload_to_args::<Loose>(&p).unwrap(),
            Loose {
                extra: Some(json!(1))
            }
        );
    }

    #[test]
    fn option_and_extra_args() {
        let none: Option<ChatMessage> = payload_to_args(&Payload::empty()).unwrap();
        assert_eq!(none, None);
        let p = args_to_payload(&msg()).unwrap();
        let some: Option<ChatMessage> = payload_to_args(&p).unwrap();
        assert_eq!(some, Some(msg()));
        let null: Option<ChatMessage> =
            payload_to_args(&Payload::from_json("[null]").unwrap()).unwrap();
        assert_eq!(null, None);
        let p = Payload::from_json(r#"["a",1,true,null]"#).unwrap();
        let (a, b): (String, u8) = payload_to_args(&p).unwrap();
        assert_eq!((a.as_str(), b), ("a", 1));
    }

    #[test]
    fn args_errors() {
        let p = Payload::from_json(r#"["a",{"x":1}]"#).unwrap();
        let e = payload_to_args::<(u32, u32)>(&p).unwrap_err();
        assert!(e.to_string().contains("[string, object]"), "{e}");
        let p = Payload::from_json(r#"["a"]"#).unwrap();
        let e = payload_to_args::<ChatMessage>(&p).unwrap_err();
        assert!(e.to_string().contains("[string]"), "{e}");
        let p = Payload::from_json(r#"{"a":1}"#).unwrap();
        assert!(payload_to_args::<serde_json::Value>(&p).is_err());
        let bad = Payload {
            json: r#"[{"_placeholder":true,"num":3}]"#.into(),
            attachments: vec![Bytes::from_static(b"x")],
        };
        assert!(payload_to_args::<serde_json::Value>(&bad).is_err());
        assert!(payload_to_json(&bad).is_err());
        assert!(payload_to_json(&p).is_err());
    }

    fn upload() -> Upload {
        Upload {
            name: "cat.png".into(),
            meta: Meta {
                size: 3,
                data: serde_bytes::ByteBuf::from(vec![0u8, 1, 255]),
                thumbs: vec![
                    serde_bytes::ByteBuf::from(b"a".to_vec()),
                    serde_bytes::ByteBuf::from(Vec::new()),
                ],
            },
        }
    }

    #[test]
    fn binary_through_payload() {
        let p = args_to_payload(&(upload(), serde_bytes::Bytes::new(b"tail"))).unwrap();
        assert_eq!(
            p.json,
            r#"[{"name":"cat.png","meta":{"size":3,"data":{"_placeholder":true,"num":0},"thumbs":[{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]}},{"_placeholder":true,"num":3}]"#
        );
        assert_eq!(
            p.attachments,
            vec![
                Bytes::from_static(&[0, 1, 255]),
                Bytes::from_static(b"a"),
                Bytes::new(),
                Bytes::from_static(b"tail"),
            ]
        );
        let (u, tail): (Upload, serde_bytes::ByteBuf) = payload_to_args(&p).unwrap();
        assert_eq!(u, upload());
        assert_eq!(tail.as_slice(), b"tail");
        // Single-argument fallback with binary.
        let p = args_to_payload(&upload()).unwrap();
        assert_eq!(p.attachments.len(), 3);
        assert_eq!(payload_to_args::<Upload>(&p).unwrap(), upload());
    }

    #[test]
    fn binary_json_convention() {
        let p = args_to_payload(&(upload(), "x")).unwrap();
        let j = payload_to_json(&p).unwrap();
        assert_eq!(
            j,
            json!([
                {"name": "cat.png", "meta": {
                    "size": 3,
                    "data": {"$binary": "AAH/"},
                    "thumbs": [{"$binary": "YQ=="}, {"$binary": ""}],
                }},
                "x",
            ])
        );
        let back = json_to_payload(j.as_array().unwrap());
        assert_eq!(back, p);
        // Unpadded base64 is accepted; look-alikes stay objects.
        let p = json_to_payload(&[
            json!({"$binary": "YQ"}),
            json!({"$binary": "not base64!"}),
            json!({"$binary": "YQ==", "other": 1}),
            json!({"$binary": 5}),
        ]);
        assert_eq!(p.attachments, vec![Bytes::from_static(b"a")]);
        assert_eq!(
            p.json,
            r#"[{"_placeholder":true,"num":0},{"$binary":"not base64!"},{"$binary":"YQ==","other":1},{"$binary":5}]"#
        );
    }

    #[test]
    fn json_conversion_numbers_and_order() {
        let j = json!([u64::MAX, i64::MIN, 1.5, -0.0, {"b": 1, "a": [null, true]}]);
        let p = json_to_payload(j.as_array().unwrap());
        assert_eq!(
            p.json,
            r#"[18446744073709551615,-9223372036854775808,1.5,0,{"b":1,"a":[null,true]}]"#
        );
        let back = payload_to_json(&p).unwrap();
        assert_eq!(
            back,
            json!([u64::MAX, i64::MIN, 1.5, 0, {"b": 1, "a": [null, true]}])
        );
        // Repeated keys: last value, first position (JSON.parse).
        let p = Payload::from_json(r#"[{"a":1,"b":2,"a":3}]"#).unwrap();
        assert_eq!(
            serde_json::to_string(&payload_to_json(&p).unwrap()).unwrap(),
            r#"[{"a":3,"b":2}]"#
        );
        // Too large for a double.
        let p = Payload::from_json("[1e400]").unwrap();
        assert_eq!(payload_to_json(&p).unwrap(), json!([null]));
    }

    #[test]
    fn error_traits() {
        fn assert_error<
            E: std::error::Error + serde::ser::Error + serde::de::Error + Send + Sync + 'static,
        >() {
        }
        assert_error::<SerdeError>();
        let e = <SerdeError as serde::de::Error>::custom("boom");
        assert_eq!(e.to_string(), "boom");
        assert_eq!(e.message(), "boom");
    }
}
