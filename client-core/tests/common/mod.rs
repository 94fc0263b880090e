//! Shared by the integration tests: reading the golden-vector files and converting between
//! their JSON (binary as `{"$binary": base64}`) and the core's values and packets, the
//! JSON rules oracle, and the property-test configuration.

#![allow(dead_code)]

pub mod json_rules;

/// Property-test configuration: `cases` random cases, failures persisted to (and replayed from)
/// the checked-in `*.proptest-regressions` file next to the test, and a fixed seed when `CI=true`
/// so that CI never fails on a seed it happens to draw; random locally.
pub fn proptest_config(cases: u32) -> proptest::prelude::ProptestConfig {
    let mut config = proptest::prelude::ProptestConfig::with_cases(cases);
    config.failure_persistence = Some(Box::new(
        proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
    ));
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x0051_0c13);
    }
    config
}

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Map, Value as Json};
use sio_core::socketio::{self, PacketType};
use sio_core::value::{Number, Payload, Value};

/// The vector file `tests/vectors/<file>`.
pub fn load(file: &str) -> Json {
    let path = format!("{}/../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("the vector file is JSON")
}

pub fn list<'a>(v: &'a Json, path: &[&str]) -> &'a Vec<Json> {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_array()
        .unwrap_or_else(|| panic!("{path:?} is not an array"))
}

pub fn name(v: &Json) -> &str {
    v["name"].as_str().unwrap_or("?")
}

pub fn b64(s: &Json) -> Bytes {
    Bytes::from(
        B64.decode(s.as_str().expect("base64 string"))
            .expect("valid base64"),
    )
}

/// JSON with `{"$binary": b64}` leaves → [`Value`].
pub fn to_value(j: &Json) -> Value {
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
pub fn to_json(v: &Value) -> Json {
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

/// A golden packet (`type`, `nsp`, `id`, `data` with `{"$binary"}` leaves) as a core packet,
/// binary values as numbered placeholders plus attachments.
pub fn sio_packet(p: &Json) -> socketio::Packet {
    let t = p["type"].as_u64().expect("type");
    let kind = u8::try_from(t)
        .ok()
        .and_then(PacketType::from_digit)
        .unwrap_or_else(|| panic!("type {t}"));
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
