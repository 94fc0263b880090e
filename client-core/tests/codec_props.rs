//! Properties of the codecs: encode → decode is the identity, every decoder is total (random
//! input gives `Ok` or a typed error, never a panic), nesting is bounded, and no allocation is
//! sized from a count found in the input.
//!
//! The JSON oracle is the encoded `JSON.parse` grammar of `common/json_rules.rs` (itself checked
//! against Node's verdicts in json_verdicts.rs), never a library with other semantics. Seeds:
//! fixed when `CI=true`, random locally; failures are kept in codec_props.proptest-regressions
//! and replayed by every run.

mod common;

use bytes::Bytes;
use proptest::prelude::*;
use sio_core::engineio::{self, Data, Frame, Handshake};
use sio_core::json;
use sio_core::socketio::{self, Decoder, DecoderLimits, PacketType, RESERVED_EVENTS};
use sio_core::value::{EventName, Number, Payload, Value};

use common::json_rules::{self, Verdict};

// ----- strategies ---------------------------------------------------------------------------

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<u64>().prop_map(Number::from_u64),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        (-1e6f64..1e6).prop_filter_map("finite", Number::from_f64),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z \"\\\\/\n\t\u{0}-\u{1f}\u{2028}é😀]{0,12}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        text().prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(|b| Value::Bytes(Bytes::from(b))),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((text(), inner), 0..6).prop_map(|fields| {
                // Repeated keys collapse when parsed (JSON.parse semantics); keep them unique.
                let mut seen = std::collections::HashSet::new();
                Value::Object(
                    fields
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .collect(),
                )
            }),
        ]
    })
}

fn nsp() -> impl Strategy<Value = String> {
    prop_oneof![Just("/".to_owned()), "/[a-zA-Z0-9_é😀-]{1,12}"]
}

fn event_name() -> impl Strategy<Value = String> {
    text().prop_filter("reserved", |n| !RESERVED_EVENTS.contains(&n.as_str()))
}

/// Count of byte values at most 10 (a placeholder can only refer to 10 attachments).
fn count_bytes(v: &Value) -> usize {
    match v {
        Value::Bytes(_) => 1,
        Value::Array(a) => a.iter().map(count_bytes).sum(),
        Value::Object(o) => o.iter().map(|(_, v)| count_bytes(v)).sum(),
        _ => 0,
    }
}

fn decode_all(d: &mut Decoder, text: String, atts: &[Bytes]) -> socketio::Packet {
    let mut out = d.decode_text(&text).expect("header decodes");
    for a in atts {
        assert!(out.is_none(), "packet completed before its attachments");
        out = d.decode_binary(a.clone()).expect("attachment decodes");
    }
    out.expect("packet complete")
}

fn engine_packet() -> impl Strategy<Value = engineio::Packet> {
    let no_sep = "[^\u{1e}]{0,20}";
    prop_oneof![
        (
            "[A-Za-z0-9_-]{1,20}",
            proptest::collection::vec("[a-z]{1,10}", 0..3),
            any::<u32>(),
            any::<u32>(),
            any::<u64>()
        )
            .prop_map(
                |(sid, upgrades, i, t, m)| engineio::Packet::Open(Handshake {
                    sid,
                    upgrades,
                    ping_interval: std::time::Duration::from_millis(u64::from(i)),
                    ping_timeout: std::time::Duration::from_millis(u64::from(t)),
                    max_payload: m,
                })
            ),
        Just(engineio::Packet::Close),
        proptest::option::of("[^\u{1e}]{1,10}").prop_map(engineio::Packet::Ping),
        proptest::option::of("[^\u{1e}]{1,10}").prop_map(engineio::Packet::Pong),
        no_sep.prop_map(|s| engineio::Packet::Message(Data::Text(s))),
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| engineio::Packet::Message(Data::Binary(Bytes::from(b)))),
        Just(engineio::Packet::Upgrade),
        Just(engineio::Packet::Noop),
    ]
}

/// Strings built from the characters that matter to the parsers, so random input reaches deep.
fn structured() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("0"),
            Just("1"),
            Just("2"),
            Just("3"),
            Just("4"),
            Just("5"),
            Just("6"),
            Just("7"),
            Just("9"),
            Just("-"),
            Just("/"),
            Just(","),
            Just("["),
            Just("]"),
            Just("{"),
            Just("}"),
            Just(":"),
            Just("\""),
            Just("\\"),
            Just(" "),
            Just("\t"),
            Just("\u{a0}"),
            Just("a"),
            Just("e"),
            Just("."),
            Just("x"),
            Just("null"),
            Just("true"),
            Just("\"_placeholder\":true"),
            Just("\"num\":"),
            Just("\"connect\""),
            Just("\\u0065"),
            Just("b"),
            Just("\u{1e}"),
            Just("😀"),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

// ----- identity -----------------------------------------------------------------------------

proptest! {
    #![proptest_config(common::proptest_config(512))]

    #[test]
    fn event_round_trip(
        nsp in nsp(),
        name in event_name(),
        args in proptest::collection::vec(value(), 0..5),
        id in proptest::option::of(any::<u64>()),
    ) {
        prop_assume!(args.iter().map(count_bytes).sum::<usize>() <= 10);
        let payload = Payload::event(&name, &args);
        let packet = socketio::Packet::event_payload(&nsp, payload.clone(), id);
        let enc = socketio::encode(&packet);
        let back = decode_all(&mut Decoder::new(10), enc.text, &enc.attachments);
        prop_assert_eq!(back.wire_type(), packet.wire_type());
        prop_assert_eq!(&back.nsp, &nsp);
        prop_assert_eq!(back.id, id);
        prop_assert_eq!(back.data.as_deref(), Some(payload.json.as_str()));
        prop_assert_eq!(&back.attachments, &payload.attachments);
        let (got_name, got_args) = back.split_event().expect("event");
        prop_assert_eq!(got_name, EventName::Str(name.clone()));
        prop_assert_eq!(got_args.to_values().expect("values"), args.clone());
        // The name can be put back in front of the arguments.
        prop_assert_eq!(got_args.with_event_name(&name).expect("array").to_values(), payload.to_values());
    }

    #[test]
    fn ack_and_connect_round_trip(
        nsp in nsp(),
        args in proptest::collection::vec(value(), 0..4),
        id in any::<u64>(),
        auth in proptest::collection::vec((text(), value()), 0..4),
    ) {
        prop_assume!(args.iter().map(count_bytes).sum::<usize>() <= 10);
        let p = Payload::from_values(&args);
        let ack = socketio::Packet::ack(&nsp, p.json.clone(), p.attachments.clone(), id);
        let enc = socketio::encode(&ack);
        let back = decode_all(&mut Decoder::new(10), enc.text, &enc.attachments);
        prop_assert!(back.kind.is_ack());
        prop_assert_eq!(back.id, Some(id));
        prop_assert_eq!(back.payload().expect("data").to_values().expect("values"), args);

        let mut auth = Value::Object(auth.into_iter().map(|(k, v)| (k, strip_bytes(v))).collect());
        if let Value::Object(f) = &mut auth {
            let mut seen = std::collections::HashSet::new();
            f.retain(|(k, _)| seen.insert(k.clone()));
        }
        let json = auth.to_payload().json;
        let connect = socketio::Packet::connect(&nsp, Some(json.clone()));
        let back = Decoder::new(10).decode_text(&socketio::encode(&connect).text).expect("ok").expect("packet");
        prop_assert_eq!(back, connect);
        let back = Decoder::new(10).decode_text(&socketio::encode(&socketio::Packet::disconnect(&nsp)).text);
        prop_assert_eq!(back, Ok(Some(socketio::Packet::disconnect(&nsp))));
    }

    #[test]
    fn values_round_trip_through_json(v in value()) {
        let p = v.to_payload();
        prop_assert_eq!(json::check_placeholders(&p.json, p.attachments.len()), Ok(p.attachments.len()));
        prop_assert_eq!(p.to_value().expect("parses"), v);
        // What we write is JSON for `JSON.parse`.
        prop_assert_eq!(json_rules::verdict(&p.json, json::MAX_NESTING), Verdict::Accept);
        prop_assert!(json::validate(&p.json).is_ok());
    }

    #[test]
    fn engine_round_trip(packets in proptest::collection::vec(engine_packet(), 1..6)) {
        for p in &packets {
            prop_assert_eq!(engineio::Packet::from_frame(p.to_frame()), Ok(p.clone()));
        }
        let payload = engineio::encode_payload(&packets);
        prop_assert_eq!(engineio::decode_payload(&payload), Ok(packets));
    }

    #[test]
    fn split_batch_rule(packets in proptest::collection::vec(engine_packet(), 0..8), max in 0u64..200) {
        let n = engineio::split_batch(&packets, max);
        prop_assert!(n <= packets.len());
        if packets.is_empty() { prop_assert_eq!(n, 0); return Ok(()); }
        prop_assert!(n >= 1);
        let counted = |k: usize| 1 + packets[..k].iter().map(|p| p.counted_data_len() + 2).sum::<u64>() - 2;
        if max > 0 && packets.len() > 1 {
            if n > 1 { prop_assert!(counted(n) <= max); }
            if n < packets.len() { prop_assert!(counted(n + 1) > max); }
        } else {
            prop_assert_eq!(n, packets.len());
        }
    }

    // ----- totality ------------------------------------------------------------------------

    #[test]
    fn decoders_are_total_on_random_text(s in prop_oneof![any::<String>(), structured()]) {
        let _ = engineio::Packet::from_frame(Frame::Text(s.clone()));
        let _ = engineio::decode_payload(&s);
        let _ = engineio::Handshake::from_json(&s);
        let mut d = Decoder::new(10);
        if let Ok(None) = d.decode_text(&s) {
            for _ in 0..11 { let _ = d.decode_binary(Bytes::new()); }
        }
        let _ = socketio::decode_str(&s, usize::MAX);
        let _ = json::validate(&s);
        let _ = json::parse(&s);
        let _ = json::check_placeholders(&s, 3);
        let _ = json::array_head(&s);
        let _ = json::unescape(&s);
        let _ = json::js_string_to_number(&s);
        let p = Payload { json: s.clone(), attachments: vec![Bytes::new(); 2] };
        let _ = p.to_values();
        let _ = p.split_event();
        let _ = p.with_event_name("x");
    }

    #[test]
    fn validator_agrees_with_the_json_parse_rules(s in structured()) {
        // (escaped lone surrogates and numbers beyond f64 included: JSON.parse accepts them)
        let ours = json::validate(&s);
        let rules = json_rules::verdict(&s, json::MAX_NESTING);
        prop_assert_eq!(ours.is_ok(), rules == Verdict::Accept, "{:?}", s);
        prop_assert_eq!(json::parse(&s).is_ok(), ours.is_ok());
    }

    #[test]
    fn decoder_is_total_on_random_frame_sequences(
        frames in proptest::collection::vec(
            prop_oneof![
                structured().prop_map(Frame::Text),
                proptest::collection::vec(any::<u8>(), 0..8).prop_map(|b| Frame::Binary(Bytes::from(b))),
            ],
            0..12,
        )
    ) {
        let mut d = Decoder::new(3);
        for f in frames {
            let r = match f {
                Frame::Text(t) => d.decode_text(&t),
                Frame::Binary(b) => d.decode_binary(b),
            };
            if let Ok(Some(p)) = r {
                // Whatever decodes re-encodes to something that decodes to the same packet.
                let enc = socketio::encode(&p);
                let again = decode_all(&mut Decoder::new(3), enc.text, &enc.attachments);
                prop_assert_eq!(again.wire_type(), p.wire_type());
                prop_assert_eq!(again.attachments.len(), p.attachments.len());
                if let Some(payload) = p.payload() {
                    let _ = payload.to_values();
                }
            }
        }
    }

    #[test]
    fn engine_is_total_on_random_bytes(b in proptest::collection::vec(any::<u8>(), 0..64)) {
        let s = String::from_utf8_lossy(&b).into_owned();
        let _ = engineio::Packet::from_frame(Frame::Binary(Bytes::from(b)));
        let _ = engineio::Packet::decode_text(&format!("b{s}"));
        let _ = engineio::Packet::decode_text(&format!("0{s}"));
    }
}

fn strip_bytes(v: Value) -> Value {
    match v {
        Value::Bytes(_) => Value::Null,
        Value::Array(a) => Value::Array(a.into_iter().map(strip_bytes).collect()),
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, v)| (k, strip_bytes(v))).collect())
        }
        other => other,
    }
}

// ----- bounds -------------------------------------------------------------------------------

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    let closed = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let objects = "{\"a\":".repeat(100_000);
    for text in [&deep, &closed, &objects] {
        assert_eq!(
            json::validate(text).map_err(|e| e.kind),
            Err(json::JsonErrorKind::TooDeep)
        );
        assert_eq!(
            json::parse(text).map_err(|e| e.kind),
            Err(json::JsonErrorKind::TooDeep)
        );
        assert!(json::check_placeholders(text, 1).is_err());
        for t in ["2", "3", "0", "4", "51-", "61-"] {
            let r = Decoder::new(10).decode_text(&format!("{t}{text}"));
            assert_eq!(r, Err(socketio::DecodeError::TooDeep), "{t}");
        }
        let p = Payload {
            json: text.clone(),
            attachments: vec![Bytes::new()],
        };
        assert!(p.to_values().is_err());
        assert!(engineio::Packet::decode_text(&format!("0{text}")).is_err());
    }
}

/// The decoder never sizes an allocation from the announced count: a header claiming 10^9
/// attachments (with the limit lifted) is accepted at once, and if it pre-allocated room for them
/// (32 GB) this test would abort.
#[test]
fn huge_attachment_counts_allocate_nothing() {
    let mut d = Decoder::with_limits(DecoderLimits {
        max_attachments: usize::MAX,
        ..DecoderLimits::default()
    });
    assert_eq!(d.decode_text("51000000000-[\"a\"]"), Ok(None));
    for _ in 0..1000 {
        assert_eq!(d.decode_binary(Bytes::from_static(b"x")), Ok(None));
    }
    assert!(d.is_reconstructing());
    assert_eq!(
        socketio::decode_str("51e18-", usize::MAX).map(|r| r.1),
        Ok(1_000_000_000_000_000_000)
    );
    // With the default limit the count is rejected outright.
    assert!(matches!(
        Decoder::new(10).decode_text("51000000000-[\"a\"]"),
        Err(socketio::DecodeError::TooManyAttachments { .. })
    ));
}

#[test]
fn size_limits() {
    assert!(matches!(
        engineio::Packet::from_frame_limited(Frame::Binary(Bytes::from(vec![0; 10])), 9),
        Err(engineio::DecodeError::TooLarge { len: 10, max: 9 })
    ));
    assert!(matches!(
        engineio::decode_payload_limited("4abc", 3),
        Err(engineio::DecodeError::TooLarge { .. })
    ));
    let mut d = Decoder::with_limits(DecoderLimits {
        max_text_len: 5,
        ..DecoderLimits::default()
    });
    assert!(matches!(
        d.decode_text("2[\"ab\"]"),
        Err(socketio::DecodeError::TooLarge { .. })
    ));
    assert!(d.decode_text("2[1]").is_ok());
}

#[test]
fn chat_event_bytes() {
    let v = Value::Object(vec![
        ("user".into(), "alice".into()),
        ("text".into(), "hello world".into()),
        ("ts".into(), 1234567890i64.into()),
        ("tags".into(), Value::Array(vec!["a".into(), "b".into()])),
    ]);
    let p = socketio::Packet::event_payload("/", Payload::event("message", &[v]), None);
    assert_eq!(
        socketio::encode(&p).text,
        r#"2["message",{"user":"alice","text":"hello world","ts":1234567890,"tags":["a","b"]}]"#
    );
    assert_eq!(p.kind, PacketType::Event);
}
