//! Byte-exactness against socket.io-msgpack-parser: tests/vectors/msgpack.json is produced by
//! the pinned package (tests/server/gen-msgpack-vectors.js). Packets must encode to the
//! reference's bytes and decode back; bytes from other encoders must decode to what the
//! reference decoder gives (as JSON.stringify writes it); bytes the reference rejects must be
//! rejected.

#![cfg(feature = "msgpack")]

mod common;

use common::{b64, list, load, name, sio_packet, to_json};
use serde_json::{json, Map, Value as Json};
use sio_core::socketio::{self, msgpack, DecoderLimits, PacketType};

/// Our decoded packet in the vector file's shape (binary types as the msgpack parser's 2/3).
fn packet_json(p: &socketio::Packet) -> Json {
    let kind = match p.kind {
        PacketType::BinaryEvent => PacketType::Event,
        PacketType::BinaryAck => PacketType::Ack,
        other => other,
    };
    let mut o = Map::new();
    o.insert("type".into(), json!(kind as u8));
    o.insert("nsp".into(), json!(p.nsp));
    if let Some(id) = p.id {
        o.insert("id".into(), json!(id));
    }
    if let Some(payload) = p.payload() {
        let v = payload.to_value().expect("decoded data resolves");
        o.insert("data".into(), to_json(&v));
    }
    Json::Object(o)
}

/// The reference decoder accepts any number of binary values; so do we, given the room.
fn limits() -> DecoderLimits {
    DecoderLimits {
        max_attachments: 100,
        ..DecoderLimits::default()
    }
}

#[test]
fn packets_encode_to_the_reference_bytes_and_back() {
    let g = load("msgpack.json");
    let vectors = list(&g, &["packets"]);
    assert!(vectors.len() >= 30);
    for v in vectors {
        let n = name(v);
        let packet = sio_packet(&v["packet"]);
        let bytes = msgpack::encode(&packet);
        assert_eq!(bytes, b64(&v["binary"]), "{n}: encoding");
        let back = msgpack::decode(&bytes, &limits()).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(packet_json(&back), v["packet"], "{n}: decoding");
    }
}

#[test]
fn other_encoders_shapes_decode_like_the_reference() {
    let g = load("msgpack.json");
    let vectors = list(&g, &["decode"]);
    assert!(vectors.len() >= 15);
    for v in vectors {
        let n = name(v);
        let back =
            msgpack::decode(&b64(&v["binary"]), &limits()).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(packet_json(&back), v["packet"], "{n}");
    }
}

#[test]
fn what_the_reference_rejects_is_rejected() {
    let g = load("msgpack.json");
    let vectors = list(&g, &["decode_errors"]);
    assert!(vectors.len() >= 30);
    for v in vectors {
        let n = name(v);
        let result = msgpack::decode(&b64(&v["binary"]), &limits());
        assert!(result.is_err(), "{n}: accepted {result:?} ({})", v["error"]);
    }
}
