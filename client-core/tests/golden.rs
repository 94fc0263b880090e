//! Byte-exactness against the reference codecs: tests/vectors/golden.json is produced by the
//! pinned socket.io-parser / engine.io-parser (tests/server/gen-vectors.js). Every vector is
//! encoded and decoded by our codecs and compared; every error vector must be rejected, by the
//! error variant that corresponds to the reference's message, at the same frame.

mod common;

use common::{b64, list, name, sio_packet, to_json};
use serde_json::{json, Map, Value as Json};
use sio_core::engineio::{self, Data, Frame, Handshake};
use sio_core::socketio::{self, DecodeError, Decoder};

fn golden() -> Json {
    common::load("golden.json")
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
        // Not produced by the JSON parser.
        InvalidAckId
        | TooLarge { .. }
        | PacketTooLarge { .. }
        | InvalidMessagePack { .. }
        | InvalidPacketType
        | InvalidNamespace
        | TextWithMessagePack => false,
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
