//! Codec throughput, side by side with socket.io-parser on Node (tests/bench/compare-codec.js
//! runs both and prints the table). Benchmark ids match tests/server/bench-parser.js:
//!
//! - `chat_encode`: EVENT `["message",{"user":"alice","text":"hello world","ts":1234567890,
//!   "tags":["a","b"]}]` on `/`, from a prebuilt packet (the core's normal path: arguments are
//!   already JSON text);
//! - `chat_encode_value`: the same from a [`Value`] tree (placeholder pass + JSON writing);
//! - `chat_decode`: its text through a long-lived [`Decoder`];
//! - `binary_encode`: `["file",{"name":"a.bin","data":<1024 B>},{"thumb":<256 B>}]`, from a
//!   prebuilt packet; `binary_encode_value` from a [`Value`] tree, like the reference's input;
//! - `binary_decode`: its header and 2 attachments through the decoder;
//! - `msgpack_*` (with the `msgpack` feature): the same four with the MessagePack parser, next to
//!   socket.io-msgpack-parser: encoding the prebuilt packets (JSON text → msgpack) and
//!   decoding their one binary message each (msgpack → JSON text + attachments).

use std::hint::black_box;

use bytes::Bytes;
use criterion::Criterion;
use sio_core::socketio::{encode, Decoder, Packet};
use sio_core::value::{Payload, Value};

fn chat_args() -> Vec<Value> {
    vec![Value::Object(vec![
        ("user".into(), "alice".into()),
        ("text".into(), "hello world".into()),
        ("ts".into(), 1234567890i64.into()),
        ("tags".into(), Value::Array(vec!["a".into(), "b".into()])),
    ])]
}

fn binary_args() -> Vec<Value> {
    vec![
        Value::Object(vec![
            ("name".into(), "a.bin".into()),
            ("data".into(), Value::Bytes(Bytes::from(vec![0xab; 1024]))),
        ]),
        Value::Object(vec![(
            "thumb".into(),
            Value::Bytes(Bytes::from(vec![0xcd; 256])),
        )]),
    ]
}

fn bench(c: &mut Criterion) {
    let chat = chat_args();
    let chat_packet = Packet::event_payload("/", Payload::event("message", &chat), None);
    let chat_text = encode(&chat_packet).text;
    assert_eq!(
        chat_text,
        r#"2["message",{"user":"alice","text":"hello world","ts":1234567890,"tags":["a","b"]}]"#
    );

    c.bench_function("chat_encode", |b| {
        b.iter(|| encode(black_box(&chat_packet)))
    });
    c.bench_function("chat_encode_value", |b| {
        b.iter(|| {
            let payload = Payload::event("message", black_box(&chat));
            encode(&Packet::event_payload("/", payload, None))
        })
    });
    let mut decoder = Decoder::new(10);
    c.bench_function("chat_decode", |b| {
        b.iter(|| match decoder.decode_text(black_box(&chat_text)) {
            Ok(Some(p)) => p,
            other => panic!("chat did not decode: {other:?}"),
        })
    });

    let bin = binary_args();
    let bin_packet = Packet::event_payload("/", Payload::event("file", &bin), None);
    let bin_encoded = encode(&bin_packet);
    assert_eq!(bin_encoded.attachments.len(), 2);
    c.bench_function("binary_encode", |b| {
        b.iter(|| encode(black_box(&bin_packet)))
    });
    c.bench_function("binary_encode_value", |b| {
        b.iter(|| {
            let payload = Payload::event("file", black_box(&bin));
            encode(&Packet::event_payload("/", payload, None))
        })
    });
    let (header, a0, a1) = (
        bin_encoded.text.clone(),
        bin_encoded.attachments[0].clone(),
        bin_encoded.attachments[1].clone(),
    );
    c.bench_function("binary_decode", |b| {
        b.iter(|| {
            let waiting = decoder.decode_text(black_box(&header));
            let first = decoder.decode_binary(a0.clone());
            match (waiting, first, decoder.decode_binary(a1.clone())) {
                (Ok(None), Ok(None), Ok(Some(p))) => p,
                other => panic!("binary did not decode: {other:?}"),
            }
        })
    });
}

#[cfg(feature = "msgpack")]
fn bench_msgpack(c: &mut Criterion) {
    use sio_core::socketio::{msgpack, DecoderLimits, Parser};

    let chat = Packet::event_payload("/", Payload::event("message", &chat_args()), None);
    let bin = Packet::event_payload("/", Payload::event("file", &binary_args()), None);
    c.bench_function("msgpack_chat_encode", |b| {
        b.iter(|| msgpack::encode(black_box(&chat)))
    });
    c.bench_function("msgpack_binary_encode", |b| {
        b.iter(|| msgpack::encode(black_box(&bin)))
    });
    let mut decoder = Decoder::with_parser(Parser::MessagePack, DecoderLimits::default());
    for (id, packet) in [
        ("msgpack_chat_decode", &chat),
        ("msgpack_binary_decode", &bin),
    ] {
        let message = msgpack::encode(packet);
        c.bench_function(id, |b| {
            b.iter(|| match decoder.decode_binary(black_box(message.clone())) {
                Ok(Some(p)) => p,
                other => panic!("{id}: did not decode: {other:?}"),
            })
        });
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    #[cfg(feature = "msgpack")]
    bench_msgpack(&mut c);
    c.final_summary();
}
