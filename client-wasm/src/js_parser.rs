//! The `parser` option of `io(url, opts)` / `new Manager(url, opts)`: which of the core's
//! packet codecs the server speaks.
//!
//! socket.io-client takes a parser *module* (`import parser from "socket.io-msgpack-parser";
//! io(url, { parser })`) and runs its `Encoder` and `Decoder` classes. sio-client's protocol
//! runs in Rust, so it cannot run a JavaScript parser: it recognises the two parsers the
//! Socket.IO project ships and uses the core's own implementation of their wire format.
//! Accepted:
//! - a name: `"json"` (socket.io-parser, the default) or `"msgpack"` (socket.io-msgpack-parser);
//! - socket.io-msgpack-parser's module object, or socket.io-parser's (also as a namespace
//!   object whose `default` is the module, as some bundlers give a CommonJS module).
//!
//! A module is recognised in two steps, without importing either package:
//! 1. its shape picks the candidate: `protocol: 5`, `Encoder` and `Decoder` classes, and a
//!    `PacketType` table, which has `BINARY_EVENT: 5` in socket.io-parser and stops at
//!    `CONNECT_ERROR: 4` in socket.io-msgpack-parser (MessagePack carries binary inline);
//! 2. its `Encoder` encodes a probe EVENT, and the result must be what the core's codec reads
//!    back as that same packet: the text `27["sio-parser-probe",1]` for socket.io-parser, one
//!    binary message that the core's MessagePack decoder reads as the probe for
//!    socket.io-msgpack-parser. The shape alone is not enough: socket.io-json-parser and its
//!    forks export exactly socket.io-msgpack-parser's shape and write JSON text.
//!
//! Anything else (a custom parser, a wrapper that changes the wire format) is a `TypeError`
//! saying so. Only the wire format is taken from a recognised module: its `Decoder` is not run
//! (a decoder patched to revive dates, say, has no effect).

use js_sys::{Array, Function, Reflect, JSON};
use sio_core::error::quoted;
use sio_core::socketio::{msgpack, DecoderLimits, PacketType};
use sio_core::Parser;
use wasm_bindgen::{JsCast as _, JsValue};

use crate::values::{binary, get, message_of, type_error};

/// The probe EVENT (ack id 7, namespace `/`) as the packet object socket.io-client hands its
/// parser's Encoder.
const PROBE_PACKET: &str = r#"{"type":2,"nsp":"/","data":["sio-parser-probe",1],"id":7}"#;
/// socket.io-parser's encoding of the probe.
const PROBE_JSON_TEXT: &str = r#"27["sio-parser-probe",1]"#;
/// The probe's data as the core holds it (JSON text).
const PROBE_DATA: &str = r#"["sio-parser-probe",1]"#;

/// What the options accept, for error messages.
const EXPECTED: &str = "option `parser` must be \"json\", \"msgpack\", socket.io-parser or \
     socket.io-msgpack-parser (a JavaScript parser cannot run in sio-client's Rust core)";

/// The `TypeError` refusing the option, `why` appended.
fn refuse(why: &[&str]) -> JsValue {
    let mut message = String::from(EXPECTED);
    for part in why {
        message.push_str(part);
    }
    type_error(&message)
}

/// Option `parser` of `options`: `None` when absent (`undefined` or `null`), the codec the
/// name or module stands for, or a `TypeError`.
pub(crate) fn read_parser(options: &JsValue) -> Result<Option<Parser>, JsValue> {
    let value = get(options, "parser");
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(name) = value.as_string() {
        return match name.as_str() {
            "json" => Ok(Some(Parser::Json)),
            "msgpack" => Ok(Some(Parser::MessagePack)),
            other => Err(refuse(&["; got ", &quoted(other)])),
        };
    }
    if !value.is_object() {
        return Err(refuse(&[]));
    }
    recognise(&module_of(value)).map(Some)
}

/// The parser module itself: `value`, or its `default` when only that has the classes.
fn module_of(value: JsValue) -> JsValue {
    if get(&value, "Encoder").is_function() {
        return value;
    }
    let default = get(&value, "default");
    if get(&default, "Encoder").is_function() {
        default
    } else {
        value
    }
}

/// Step 1 (the shape) and step 2 (the probe) of the module doc.
fn recognise(module: &JsValue) -> Result<Parser, JsValue> {
    let encoder = get(module, "Encoder").dyn_into::<Function>().ok();
    let shaped =
        get(module, "Decoder").is_function() && get(module, "protocol").as_f64() == Some(5.0);
    let Some(encoder) = encoder.filter(|_| shaped) else {
        return Err(refuse(&[
            "; this object has no `protocol: 5` with `Encoder` and `Decoder` classes",
        ]));
    };
    let packet_types = get(module, "PacketType");
    let event = get(&packet_types, "EVENT").as_f64();
    let binary_event = get(&packet_types, "BINARY_EVENT").as_f64();
    let (candidate, name) =
        match (event, binary_event) {
            (Some(2.0), Some(5.0)) => (Parser::Json, "socket.io-parser"),
            (Some(2.0), None) => (Parser::MessagePack, "socket.io-msgpack-parser"),
            _ => return Err(refuse(&[
                "; its `PacketType` is neither socket.io-parser's nor socket.io-msgpack-parser's",
            ])),
        };
    let encoded = probe(&encoder)
        .map_err(|why| refuse(&["; its Encoder failed on a probe packet: ", &why]))?;
    if writes(candidate, &encoded) {
        Ok(candidate)
    } else {
        Err(refuse(&[
            "; it looks like ",
            name,
            " but its Encoder writes another wire format",
        ]))
    }
}

/// `new Encoder().encode(probe)`: the encoded messages.
fn probe(encoder_class: &Function) -> Result<Array, String> {
    let encoder = Reflect::construct(encoder_class, &Array::new()).map_err(|e| message_of(&e))?;
    let encode = get(&encoder, "encode")
        .dyn_into::<Function>()
        .map_err(|_| "it has no `encode` method".to_string())?;
    let packet = JSON::parse(PROBE_PACKET).map_err(|e| message_of(&e))?;
    encode
        .call1(&encoder, &packet)
        .map_err(|e| message_of(&e))?
        .dyn_into::<Array>()
        .map_err(|_| "`encode` did not return an array".to_string())
}

/// Whether `encoded` is the probe as `parser` writes it.
fn writes(parser: Parser, encoded: &Array) -> bool {
    if encoded.length() != 1 {
        return false;
    }
    let message = encoded.get(0);
    match parser {
        Parser::Json => message.as_string().as_deref() == Some(PROBE_JSON_TEXT),
        Parser::MessagePack => {
            // (notepack.io gives an `ArrayBuffer` in browsers, a `Buffer` in Node)
            let Some(bytes) = binary(&message) else {
                return false;
            };
            msgpack::decode(&bytes, &DecoderLimits::default()).is_ok_and(|packet| {
                packet.kind == PacketType::Event
                    && packet.nsp == "/"
                    && packet.id == Some(7)
                    && packet.data.as_deref() == Some(PROBE_DATA)
                    && packet.attachments.is_empty()
            })
        }
    }
}
