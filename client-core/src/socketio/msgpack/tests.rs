//! The MessagePack parser's rules, one by one, and properties over arbitrary input. The
//! byte-exact comparison with socket.io-msgpack-parser is client-core/tests/golden_msgpack.rs.

#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use proptest::prelude::*;

use super::{decode, encode};
use crate::json::MAX_DEPTH;
use crate::socketio::{DecodeError, Decoder, DecoderLimits, Packet, PacketType, Parser};

fn limits() -> DecoderLimits {
    DecoderLimits::default()
}

fn dec(bytes: &[u8]) -> Result<Packet, DecodeError> {
    decode(&Bytes::copy_from_slice(bytes), &limits())
}

/// `{"type": t, "nsp": "/", "data": <data>}` with raw msgpack `data`.
fn packet_with(t: u8, data: &[u8]) -> Vec<u8> {
    let mut v = vec![0x83, 0xa4];
    v.extend_from_slice(b"type");
    v.push(t);
    v.push(0xa3);
    v.extend_from_slice(b"nsp");
    v.extend_from_slice(&[0xa1, b'/', 0xa4]);
    v.extend_from_slice(b"data");
    v.extend_from_slice(data);
    v
}

/// The JSON an event's data becomes (`["e", <value>]` with `value` raw msgpack).
fn event_json(value: &[u8]) -> Result<(String, Vec<Bytes>), DecodeError> {
    let mut data = vec![0x92, 0xa1, b'e'];
    data.extend_from_slice(value);
    let p = dec(&packet_with(2, &data))?;
    Ok((p.data.unwrap(), p.attachments))
}

fn json_of(value: &[u8]) -> String {
    let (json, _) = event_json(value).unwrap();
    json.strip_prefix("[\"e\",")
        .and_then(|j| j.strip_suffix(']'))
        .unwrap()
        .to_string()
}

#[test]
fn scalars_become_what_json_stringify_writes() {
    assert_eq!(json_of(&[0xc0]), "null");
    assert_eq!(json_of(&[0xc3]), "true");
    assert_eq!(json_of(&[0x7f]), "127");
    assert_eq!(json_of(&[0xe0]), "-32");
    assert_eq!(json_of(&[0xd0, 0x80]), "-128");
    assert_eq!(json_of(&[0xcd, 0x01, 0x00]), "256");
    assert_eq!(
        json_of(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        "18446744073709551615",
        "exact, where JavaScript rounds"
    );
    assert_eq!(
        json_of(&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        "-9223372036854775808"
    );
    let f64_of = |x: f64| {
        let mut v = vec![0xcb];
        v.extend_from_slice(&x.to_be_bytes());
        json_of(&v)
    };
    assert_eq!(f64_of(1.5), "1.5");
    assert_eq!(f64_of(-0.0), "0");
    assert_eq!(f64_of(1e21), "1e+21");
    assert_eq!(f64_of(f64::NAN), "null");
    assert_eq!(f64_of(f64::INFINITY), "null");
    let mut f32 = vec![0xca];
    f32.extend_from_slice(&0.1f32.to_be_bytes());
    assert_eq!(json_of(&f32), "0.10000000149011612");
    assert_eq!(json_of(&[0xa3, b'a', b'"', b'\n']), "\"a\\\"\\n\"");
    assert_eq!(
        json_of(&[0xa2, 0xff, b'x']),
        "\"\u{fffd}x\"",
        "invalid UTF-8"
    );
}

#[test]
fn binary_values_become_placeholders_in_depth_first_order() {
    // {"a": bin[1], "b": [bin[2,3]]}, then ext8 type 0 (ArrayBuffer) [4]
    let mut v = vec![
        0x82, 0xa1, b'a', 0xc4, 1, 1, 0xa1, b'b', 0x91, 0xc4, 2, 2, 3,
    ];
    v.extend_from_slice(&[0xc7, 1, 0, 4]);
    let mut data = vec![0x93, 0xa1, b'e'];
    data.extend_from_slice(&v);
    let p = dec(&packet_with(2, &data)).unwrap();
    assert_eq!(p.kind, PacketType::BinaryEvent);
    assert_eq!(
        p.data.as_deref(),
        Some(
            "[\"e\",{\"a\":{\"_placeholder\":true,\"num\":0},\"b\":[{\"_placeholder\":true,\"num\":1}]},{\"_placeholder\":true,\"num\":2}]"
        )
    );
    assert_eq!(
        p.attachments,
        [&[1u8][..], &[2, 3], &[4]].map(Bytes::copy_from_slice)
    );
    // The payload resolves like any other.
    let values = p.payload().unwrap().to_values().unwrap();
    assert_eq!(values.len(), 3);
}

#[test]
fn notepack_extensions() {
    // undefined: null in an array, member left out of a map (first, middle, last).
    assert_eq!(json_of(&[0x92, 0xd4, 0, 0, 0x01]), "[null,1]");
    assert_eq!(
        json_of(&[0x83, 0xa1, b'a', 0xd4, 0, 0, 0xa1, b'b', 1, 0xa1, b'c', 0xd4, 0, 0]),
        "{\"b\":1}"
    );
    assert_eq!(
        json_of(&[0x82, 0xa1, b'a', 1, 0xa1, b'b', 0xd4, 0, 0]),
        "{\"a\":1}"
    );
    // Date (ms since the epoch, hi int32 + lo uint32).
    let mut date = vec![0xd7, 0];
    date.extend_from_slice(&1_704_164_645_006i64.to_be_bytes());
    assert_eq!(json_of(&date), "\"2024-01-02T03:04:05.006Z\"");
    // Other extensions: [type, bytes].
    let (json, atts) = event_json(&[0xd5, 0x05, 9, 8]).unwrap();
    assert_eq!(json, "[\"e\",[5,{\"_placeholder\":true,\"num\":0}]]");
    assert_eq!(atts, [Bytes::from_static(&[9, 8])]);
    let (json, _) = event_json(&[0xc7, 1, 0xff, 7]).unwrap();
    assert_eq!(json, "[\"e\",[-1,{\"_placeholder\":true,\"num\":0}]]");
}

#[test]
fn map_keys_become_javascript_property_names() {
    assert_eq!(json_of(&[0x81, 0x01, 0x02]), "{\"1\":2}");
    assert_eq!(json_of(&[0x81, 0xff, 0x02]), "{\"-1\":2}");
    assert_eq!(json_of(&[0x81, 0xc0, 0x02]), "{\"null\":2}");
    assert_eq!(json_of(&[0x81, 0xc2, 0x02]), "{\"false\":2}");
    let mut nan = vec![0x81, 0xcb];
    nan.extend_from_slice(&f64::NAN.to_be_bytes());
    nan.push(1);
    assert_eq!(json_of(&nan), "{\"NaN\":1}");
    let mut half = vec![0x81, 0xcb];
    half.extend_from_slice(&0.5f64.to_be_bytes());
    half.push(1);
    assert_eq!(json_of(&half), "{\"0.5\":1}");
    // Repeated keys are kept; JSON readers keep the last, as JavaScript does.
    assert_eq!(
        json_of(&[0x82, 0xa1, b'k', 1, 0xa1, b'k', 2]),
        "{\"k\":1,\"k\":2}"
    );
    for key in [&[0xc4, 0][..], &[0x90], &[0x80], &[0xd4, 1, 0]] {
        let mut m = vec![0x81];
        m.extend_from_slice(key);
        m.push(1);
        assert!(
            matches!(event_json(&m), Err(DecodeError::InvalidMessagePack { .. })),
            "{key:?}"
        );
    }
}

#[test]
fn packet_checks_follow_check_packet() {
    use DecodeError::*;
    // type
    let no_type = [0x81, 0xa3, b'n', b's', b'p', 0xa1, b'/'];
    assert_eq!(dec(&no_type), Err(InvalidPacketType));
    assert_eq!(
        dec(&packet_with(5, &[0x91, 0xa1, b'e'])),
        Err(InvalidPacketType)
    );
    assert_eq!(dec(&[0x91, 0x00]), Err(InvalidPacketType), "not a map");
    let mut float_type = packet_with(0, &[0x91, 0xa1, b'e']);
    float_type.splice(6..7, [0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0]); // 2.0
    assert_eq!(
        dec(&float_type).unwrap().kind,
        PacketType::Event,
        "a whole double is an integer"
    );
    // nsp
    let mut v = packet_with(0, &[0x80]);
    v[11] = 0x01; // nsp: 1 instead of "/", then the "/" byte is left over
    v.remove(12);
    assert_eq!(dec(&v), Err(InvalidNamespace));
    // data per type
    assert!(dec(&packet_with(0, &[0x80])).is_ok());
    assert!(dec(&packet_with(0, &[0xd4, 0, 0])).is_ok(), "undefined");
    assert!(
        dec(&packet_with(0, &[0xc0])).is_ok(),
        "nil (python-socketio)"
    );
    assert_eq!(
        dec(&packet_with(0, &[0x90])),
        Err(InvalidPayload {
            kind: PacketType::Connect
        })
    );
    assert!(dec(&packet_with(1, &[0xc0])).is_ok());
    assert!(dec(&packet_with(1, &[0x80])).is_err());
    assert!(dec(&packet_with(4, &[0xa1, b'x'])).is_ok());
    assert!(dec(&packet_with(4, &[0xc0])).is_err());
    assert!(dec(&packet_with(3, &[0x90])).is_ok());
    assert!(dec(&packet_with(3, &[0x80])).is_err());
    assert!(
        dec(&packet_with(2, &[0x90])).is_err(),
        "an event needs a name"
    );
    assert_eq!(
        dec(&packet_with(
            2,
            &[0x91, 0xa7, b'c', b'o', b'n', b'n', b'e', b'c', b't']
        )),
        Err(ReservedEventName("connect".into()))
    );
    assert!(dec(&packet_with(2, &[0x91, 0x2a])).is_ok(), "numeric name");
    // id
    let with_id = |id: &[u8]| {
        let mut v = packet_with(3, &[0x90]);
        v[0] = 0x84;
        v.extend_from_slice(&[0xa2, b'i', b'd']);
        v.extend_from_slice(id);
        dec(&v)
    };
    assert_eq!(with_id(&[0x07]).unwrap().id, Some(7));
    assert_eq!(with_id(&[0xc0]).unwrap().id, None, "nil id (socketioxide)");
    assert_eq!(with_id(&[0xff]), Err(InvalidAckId));
    assert_eq!(with_id(&[0xa1, b'1']), Err(InvalidAckId));
    let mut half = vec![0xcb];
    half.extend_from_slice(&0.5f64.to_be_bytes());
    assert_eq!(with_id(&half), Err(InvalidAckId));
    // Unknown keys are read and ignored; the last of repeated keys wins.
    let mut extra = packet_with(3, &[0x90]);
    extra[0] = 0x85;
    extra.extend_from_slice(&[0xa1, b'x', 0x91, 0xc4, 0, 0xa4]);
    extra.extend_from_slice(b"data");
    extra.extend_from_slice(&[0x91, 0x05]);
    let p = dec(&extra).unwrap();
    assert_eq!(p.data.as_deref(), Some("[5]"));
    assert!(p.attachments.is_empty());
}

#[test]
fn malformed_and_hostile_input_is_rejected_early() {
    use DecodeError::*;
    assert!(matches!(dec(&[]), Err(InvalidMessagePack { .. })));
    assert!(matches!(dec(&[0xc1]), Err(InvalidMessagePack { .. })));
    let mut trailing = packet_with(0, &[0x80]);
    trailing.push(0);
    assert!(matches!(
        dec(&trailing),
        Err(InvalidMessagePack {
            reason: "trailing bytes",
            ..
        })
    ));
    // Truncated anywhere.
    let full = packet_with(2, &[0x92, 0xa1, b'e', 0xc4, 3, 1, 2, 3]);
    for n in 0..full.len() {
        assert!(dec(&full[..n]).is_err(), "{n}");
    }
    // Counts larger than the message fail before any work.
    assert!(matches!(
        dec(&[0xdf, 0xff, 0xff, 0xff, 0xff]),
        Err(InvalidMessagePack { .. })
    ));
    assert!(matches!(
        event_json(&[0xdd, 0xff, 0xff, 0xff, 0xff]),
        Err(InvalidMessagePack { .. })
    ));
    assert!(matches!(
        event_json(&[0xc6, 0xff, 0xff, 0xff, 0xff]),
        Err(InvalidMessagePack { .. })
    ));
    // Depth: the event array is level 1; MAX_DEPTH levels in all are fine, one more is not.
    let nested = |levels: usize| {
        let mut v = vec![0x91; levels - 1];
        v.push(0x90);
        let mut data = vec![0x92, 0xa1, b'e'];
        data.extend_from_slice(&v);
        dec(&packet_with(2, &data))
    };
    assert!(nested(MAX_DEPTH - 1).is_ok());
    assert_eq!(nested(MAX_DEPTH).unwrap_err(), TooDeep);
    let mut deep = vec![0x91; 1_000_000];
    deep.push(0x90);
    assert_eq!(dec(&packet_with(2, &deep)), Err(TooDeep));
    // Attachments and size.
    let mut many = vec![0x9c, 0xa1, b'e'];
    for _ in 0..11 {
        many.extend_from_slice(&[0xc4, 0]);
    }
    assert!(matches!(
        dec(&packet_with(2, &many)),
        Err(TooManyAttachments { max: 10, .. })
    ));
    let small = DecoderLimits {
        max_binary_len: 8,
        ..limits()
    };
    assert!(matches!(
        decode(&Bytes::from(packet_with(0, &[0x80])), &small),
        Err(TooLarge { max: 8, .. })
    ));
}

#[test]
fn the_decoder_refuses_text_with_the_msgpack_parser() {
    let mut d = Decoder::with_parser(Parser::MessagePack, limits());
    assert_eq!(
        d.decode_text("2[\"a\"]"),
        Err(DecodeError::TextWithMessagePack)
    );
    let p = d
        .decode_binary(Bytes::from(packet_with(0, &[0x80])))
        .unwrap()
        .unwrap();
    assert_eq!(p.kind, PacketType::Connect);
}

#[test]
fn encoding_is_socket_io_msgpack_parser_s() {
    // {type, data, id, nsp}; numbers as notepack writes them; placeholders as bin.
    let p = Packet::event(
        "/",
        "[\"e\",1.0,-0,1e3,0.5,-33,300,{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"
            .into(),
        vec![Bytes::from_static(b"ab")],
        Some(1),
    );
    let bytes = encode(&p);
    let mut want = vec![0x84, 0xa4];
    want.extend_from_slice(b"type");
    want.push(2);
    want.push(0xa4);
    want.extend_from_slice(b"data");
    want.extend_from_slice(&[0x99, 0xa1, b'e', 1, 0, 0xcd, 0x03, 0xe8, 0xcb]);
    want.extend_from_slice(&0.5f64.to_be_bytes());
    want.extend_from_slice(&[0xd0, 0xdf, 0xcd, 0x01, 0x2c, 0xc4, 2, b'a', b'b']);
    // num 1 has no attachment: stays an object
    want.extend_from_slice(&[0x82, 0xac]);
    want.extend_from_slice(b"_placeholder");
    want.extend_from_slice(&[0xc3, 0xa3]);
    want.extend_from_slice(b"num");
    want.push(1);
    want.extend_from_slice(&[0xa2, b'i', b'd', 1, 0xa3]);
    want.extend_from_slice(b"nsp");
    want.extend_from_slice(&[0xa1, b'/']);
    assert_eq!(&bytes[..], &want[..]);
    // Without data there is no data key.
    let c = encode(&Packet::connect("/admin", None));
    assert_eq!(c[0], 0x82);
}

/// A value as it comes back through msgpack: 64-bit integers exact, other numbers as doubles
/// (infinities as `null`).
fn as_javascript(v: crate::value::Value) -> crate::value::Value {
    use crate::value::{Number, Value};
    match v {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Number(Number::from_i64(i)),
            (_, Some(u)) => Value::Number(Number::from_u64(u)),
            _ => Value::from_f64(n.as_f64()),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(as_javascript).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, as_javascript(v)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn placeholders_follow_reconstruct_packets_rules() {
    let atts = vec![Bytes::from_static(b"A"), Bytes::from_static(b"B")];
    let enc = |json: &str| {
        let p = Packet::event("/", json.into(), atts.clone(), None);
        decode(&encode(&p), &limits()).unwrap()
    };
    // Escaped key, extra members, repeated keys (the last wins), a placeholder nested in a
    // placeholder (never looked at), an out-of-range one (stays an object).
    let p = enc(concat!(
        "[\"e\",{\"_placehold\\u0065r\":true,\"num\":1,\"x\":[1]},",
        "{\"num\":5,\"_placeholder\":true,\"num\":0},",
        "{\"_placeholder\":true,\"num\":1,\"in\":{\"_placeholder\":true,\"num\":0}},",
        "{\"_placeholder\":true,\"num\":7},{\"_placeholder\":false,\"num\":0}]"
    ));
    // On the wire: bin, bin, bin, then the two maps (renumbered placeholders after decoding).
    let ph = |n: u8| format!("{{\"_placeholder\":true,\"num\":{n}}}");
    assert_eq!(
        p.data.as_deref().unwrap(),
        format!(
            "[\"e\",{},{},{},{{\"_placeholder\":true,\"num\":7}},{{\"_placeholder\":false,\"num\":0}}]",
            ph(0),
            ph(1),
            ph(2)
        )
    );
    assert_eq!(
        p.attachments,
        [atts[1].clone(), atts[0].clone(), atts[1].clone()]
    );
    // Without attachments nothing is a placeholder.
    let plain = Packet::event(
        "/",
        "[\"e\",{\"_placeholder\":true,\"num\":0}]".into(),
        vec![],
        None,
    );
    let back = decode(&encode(&plain), &limits()).unwrap();
    assert_eq!(back.data, plain.data);
    assert!(back.attachments.is_empty());
}

/// Values with binary leaves, for the round trip through msgpack.
fn value_strategy() -> impl Strategy<Value = crate::value::Value> {
    use crate::value::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from_f64),
        any::<f64>().prop_map(Value::from_f64),
        ".{0,40}".prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|b| Value::Bytes(Bytes::from(b))),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(("[a-z_]{0,12}", inner), 0..6).prop_map(Value::Object),
        ]
    })
}

/// Arbitrary msgpack-ish bytes: mostly valid markers, so that decoding gets deep.
fn bytes_strategy() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            any::<u8>(),
            Just(0x91u8),
            Just(0x81),
            Just(0xa1),
            Just(0xc4),
            Just(0xd4),
            Just(0xd7),
            Just(0x00)
        ],
        0..64,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn never_panics_and_what_it_accepts_is_valid(body in bytes_strategy()) {
        let limits = limits();
        for bytes in [body.clone(), packet_with(2, &body), packet_with(0, &body)] {
            if let Ok(p) = decode(&Bytes::from(bytes), &limits) {
                if let Some(data) = &p.data {
                    prop_assert!(crate::json::validate(data).is_ok(), "{data}");
                    prop_assert_eq!(
                        crate::json::check_placeholders(data, p.attachments.len()),
                        Ok(p.attachments.len())
                    );
                }
                // Whatever decodes, re-encodes and decodes to the same packet.
                let again = decode(&encode(&p), &limits);
                prop_assert_eq!(again, Ok(p));
            }
        }
    }

    #[test]
    fn values_with_binary_round_trip(args in proptest::collection::vec(value_strategy(), 0..4)) {
        let payload = crate::value::Payload::event("ev", &args);
        let p = Packet::event_payload("/", payload.clone(), Some(9));
        let limits = DecoderLimits { max_attachments: usize::MAX, ..limits() };
        let back = decode(&encode(&p), &limits).unwrap();
        let want = as_javascript(payload.to_value().unwrap());
        let got = as_javascript(back.payload().unwrap().to_value().unwrap());
        prop_assert_eq!(got, want);
    }

    #[test]
    fn json_payloads_round_trip(text in crate::wire::tests::json_text()) {
        let data = format!("[\"ev\",{text}]");
        prop_assume!(crate::json::validate(&data).is_ok());
        let p = Packet::event("/n", data.clone(), Vec::new(), Some(3));
        let back = decode(&encode(&p), &limits()).unwrap();
        prop_assert_eq!(back.id, Some(3));
        prop_assert_eq!(back.nsp.as_str(), "/n");
        let want = as_javascript(p.payload().unwrap().to_value().unwrap());
        let got = as_javascript(back.payload().unwrap().to_value().unwrap());
        prop_assert_eq!(got, want);
    }
}
