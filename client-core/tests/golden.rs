//! Byte-exactness against the reference codecs: tests/vectors/golden.json is produced by the
//! pinned socket.io-parser / engine.io-parser (tests/server/gen-vectors.js). Every vector is
//! encoded and decoded by our codecs and compared; every error vector must be rejected, by the
//! error variant that corresponds to the reference's message, at the same frame.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Map, Value as Json};
use sio_core::engineio::{self, Data, Frame, Handshake};
use sio_core::socketio::{self, DecodeError, Decoder, PacketType};
use sio_core::value::{Number, Payload, Value};

fn golden() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/golden.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("golden.json is JSON")
}

fn list<'a>(v: &'a Json, path: &[&str]) -> &'a Vec<Json> {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_array()
        .unwrap_or_else(|| panic!("{path:?} is not an array"))
}

fn name(v: &Json) -> &str {
    v["name"].as_str().unwrap_or("?")
}

fn b64(s: &Json) -> Bytes {
    Bytes::from(
        B64.decode(s.as_str().expect("base64 string"))
            .expect("valid base64"),
    )
}

/// JSON with `{"$binary": b64}` leaves → [`Value`].
fn to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(if let Some(u) = n.as_u64() {
            Number::from_u64(u)
        } else if let Some(i) = n.as_i64() {
            Number::from_i64(i)
        } else {
            Number::from_f64(n.as_f64().expect("finite")).expect("finite")
        }),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(a) => Value::Array(a.iter().map(to_value).collect()),
        Json::Object(o) => match o.get("$binary") {
            Some(b) if o.len() == 1 => Value::Bytes(b64(b)),
            _ => Value::Object(o.iter().map(|(k, v)| (k.clone(), to_value(v))).collect()),
        },
    }
}

/// [`Value`] → JSON with `{"$binary": b64}` leaves (numbers re-read from their JSON text, so
/// they compare like the golden file's).
fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => serde_json::from_str(&n.to_string()).expect("number text"),
        Value::String(s) => Json::String(s.clone()),
        Value::Bytes(b) => json!({ "$binary": B64.encode(b) }),
        Value::Array(a) => Json::Array(a.iter().map(to_json).collect()),
        Value::Object(o) => Json::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

fn frame_of(f: &Json) -> Frame {
    if let Some(t) = f.get("text") {
        Frame::Text(t.as_str().expect("text").to_owned())
    } else {
        Frame::Binary(b64(&f["binary"]))
    }
}

// ----- Engine.IO ---------------------------------------------------------------------------

/// Golden packets we deliberately cannot represent: an `open` packet without handshake JSON is
/// rejected (`InvalidHandshake`), where the reference client would throw from `JSON.parse`.
const EIO_UNREPRESENTABLE: &[&str] = &["open/no-data"];

fn eio_packet(p: &Json) -> engineio::Packet {
    let data = p.get("data");
    let text = || data.and_then(Json::as_str).map(str::to_owned);
    match p["type"].as_str().expect("type") {
        "open" => engineio::Packet::Open(
            Handshake::from_json(data.and_then(Json::as_str).expect("handshake"))
                .expect("handshake"),
        ),
        "close" => engineio::Packet::Close,
        "ping" => engineio::Packet::Ping(text()),
        "pong" => engineio::Packet::Pong(text()),
        "message" => match data {
            Some(Json::String(s)) => engineio::Packet::Message(Data::Text(s.clone())),
            Some(b) => engineio::Packet::Message(Data::Binary(b64(&b["$binary"]))),
            None => engineio::Packet::Message(Data::Text(String::new())),
        },
        "upgrade" => engineio::Packet::Upgrade,
        "noop" => engineio::Packet::Noop,
        other => panic!("unknown engine packet type {other}"),
    }
}

fn polling_text(p: &engineio::Packet) -> String {
    let mut s = String::new();
    p.encode_text_into(&mut s);
    s
}

#[test]
fn engineio_packets() {
    let g = golden();
    let vectors = list(&g, &["engineio", "packets"]);
    assert!(!vectors.is_empty());
    for v in vectors {
        let n = name(v);
        let ws = frame_of(&v["ws"]);
        let polling = v["polling"].as_str().expect("polling");
        if EIO_UNREPRESENTABLE.contains(&n) {
            assert!(matches!(
                engineio::Packet::from_frame(ws),
                Err(engineio::DecodeError::InvalidHandshake(_))
            ));
            eprintln!("engineio {n}: deliberately rejected (open without handshake)");
            continue;
        }
        let packet = eio_packet(&v["packet"]);
        assert_eq!(packet.to_frame(), ws, "{n}: ws encoding");
        assert_eq!(polling_text(&packet), polling, "{n}: polling encoding");
        assert_eq!(
            engineio::Packet::from_frame(ws),
            Ok(packet.clone()),
            "{n}: ws decoding"
        );
        assert_eq!(
            engineio::Packet::decode_text(polling),
            Ok(packet),
            "{n}: polling decoding"
        );
    }
}

#[test]
fn engineio_payloads() {
    let g = golden();
    let vectors = list(&g, &["engineio", "payloads"]);
    assert!(!vectors.is_empty());
    for v in vectors {
        let n = name(v);
        let packets: Vec<_> = list(v, &["packets"]).iter().map(eio_packet).collect();
        let encoded = v["encoded"].as_str().expect("encoded");
        assert_eq!(engineio::encode_payload(&packets), encoded, "{n}: encoding");
        assert_eq!(
            engineio::decode_payload(encoded),
            Ok(packets),
            "{n}: decoding"
        );
    }
}

#[test]
fn engineio_decode_errors() {
    let g = golden();
    for v in list(&g, &["engineio", "decode_errors"]) {
        let r = engineio::Packet::from_frame(frame_of(&v["ws"]));
        eprintln!("engineio frame {}: {r:?}", name(v));
        assert!(r.is_err(), "{}: accepted", name(v));
    }
    for v in list(&g, &["engineio", "payload_decode_errors"]) {
        let r = engineio::decode_payload(v["encoded"].as_str().expect("encoded"));
        eprintln!("engineio payload {}: {r:?}", name(v));
        assert!(r.is_err(), "{}: accepted", name(v));
    }
}

// ----- Socket.IO ---------------------------------------------------------------------------

fn sio_packet(p: &Json) -> socketio::Packet {
    let kind = match p["type"].as_u64().expect("type") {
        0 => PacketType::Connect,
        1 => PacketType::Disconnect,
        2 => PacketType::Event,
        3 => PacketType::Ack,
        4 => PacketType::ConnectError,
        5 => PacketType::BinaryEvent,
        6 => PacketType::BinaryAck,
        t => panic!("type {t}"),
    };
    let payload = p.get("data").map(|d| to_value(d).to_payload());
    let (data, attachments) = match payload {
        Some(Payload { json, attachments }) => (Some(json), attachments),
        None => (None, Vec::new()),
    };
    socketio::Packet {
        kind,
        nsp: p["nsp"].as_str().expect("nsp").to_owned(),
        id: p.get("id").map(|i| i.as_u64().expect("id")),
        data,
        attachments,
    }
}

/// Our decoded packet in the golden file's shape.
fn sio_json(p: &socketio::Packet) -> Json {
    let mut o = Map::new();
    o.insert("type".into(), json!(p.wire_type() as u8));
    o.insert("nsp".into(), json!(p.nsp));
    if let Some(id) = p.id {
        o.insert("id".into(), json!(id));
    }
    if let Some(payload) = p.payload() {
        let v = payload.to_value().expect("decoded data resolves");
        o.insert("data".into(), to_json(&v));
    }
    if !p.attachments.is_empty() {
        o.insert("attachments".into(), json!(p.attachments.len()));
    }
    Json::Object(o)
}

#[test]
fn socketio_packets() {
    let g = golden();
    let vectors = list(&g, &["socketio", "packets"]);
    assert!(!vectors.is_empty());
    for v in vectors {
        let n = name(v);
        let frames: Vec<Frame> = list(v, &["frames"]).iter().map(frame_of).collect();
        let packet = sio_packet(&v["packet"]);
        if let Some(count) = v["packet"].get("attachments") {
            assert_eq!(
                Some(packet.attachments.len() as u64),
                count.as_u64(),
                "{n}: attachments"
            );
        }

        // Encode.
        let enc = socketio::encode(&packet);
        let mut ours = vec![Frame::Text(enc.text)];
        ours.extend(enc.attachments.into_iter().map(Frame::Binary));
        assert_eq!(ours, frames, "{n}: encoding");

        // Decode.
        let mut d = Decoder::new(10);
        let mut out = None;
        for (i, f) in frames.iter().enumerate() {
            let r = match f.clone() {
                Frame::Text(t) => d.decode_text(&t),
                Frame::Binary(b) => d.decode_binary(b),
            };
            let r = r.unwrap_or_else(|e| panic!("{n}: frame {i} rejected: {e:?}"));
            assert_eq!(
                r.is_some(),
                i + 1 == frames.len(),
                "{n}: packet completes on the last frame"
            );
            out = r;
        }
        let decoded = out.expect("a packet");
        assert_eq!(sio_json(&decoded), v["packet"], "{n}: decoding");
    }
}

/// Inputs no encoder writes but the reference decoder accepts (repeated keys, placeholder
/// corners): we accept them too, and decode the same packet.
#[test]
fn socketio_decodes() {
    let g = golden();
    let vectors = list(&g, &["socketio", "decodes"]);
    assert!(vectors.len() >= 10);
    for v in vectors {
        let n = name(v);
        let frames: Vec<Frame> = list(v, &["frames"]).iter().map(frame_of).collect();
        let mut d = Decoder::new(10);
        let mut out = None;
        for (i, f) in frames.iter().enumerate() {
            let r = match f.clone() {
                Frame::Text(t) => d.decode_text(&t),
                Frame::Binary(b) => d.decode_binary(b),
            };
            let r = r.unwrap_or_else(|e| panic!("{n}: frame {i} rejected: {e}"));
            assert_eq!(r.is_some(), i + 1 == frames.len(), "{n}: completes last");
            out = r;
        }
        let decoded = out.expect("a packet");
        assert_eq!(sio_json(&decoded), v["packet"], "{n}: decoding");
    }
}

/// Which of our variants stand for each reference error message.
fn matches_reference(e: &DecodeError, message: &str) -> bool {
    use DecodeError::*;
    match e {
        UnknownType(_) => message.starts_with("unknown packet type"),
        IllegalAttachments => message == "Illegal attachments",
        TooManyAttachments { .. } => message == "too many attachments",
        InvalidJson(_) | InvalidPayload { .. } | ReservedEventName(_) | TooDeep => {
            message == "invalid payload"
        }
        PlaceholderOutOfRange => message == "illegal attachments",
        UnexpectedText => message == "got plaintext data when reconstructing a packet",
        UnexpectedBinary => message == "got binary data when not reconstructing a packet",
        InvalidAckId | TooLarge { .. } | PacketTooLarge { .. } => false,
    }
}

#[test]
fn socketio_decode_errors() {
    let g = golden();
    let vectors = list(&g, &["socketio", "decode_errors"]);
    assert!(!vectors.is_empty());
    for v in vectors {
        let n = name(v);
        let message = v["error"].as_str().unwrap_or("");
        let frames = list(v, &["frames"]);
        let mut d = Decoder::new(10);
        let mut failed = None;
        for (i, f) in frames.iter().enumerate() {
            let r = match frame_of(f) {
                Frame::Text(t) => d.decode_text(&t),
                Frame::Binary(b) => d.decode_binary(b),
            };
            if let Err(e) = r {
                failed = Some((i, e));
                break;
            }
        }
        let (at, e) = failed.unwrap_or_else(|| panic!("{n}: accepted"));
        eprintln!("socketio {n}: {e:?} (reference: {message})");
        assert_eq!(
            at + 1,
            frames.len(),
            "{n}: rejected at frame {at}, reference at the last"
        );
        assert!(
            matches_reference(&e, message),
            "{n}: {e:?} vs reference {message:?}"
        );
    }
}
