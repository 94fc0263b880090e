//! The contract's JSON lines (docs/cli.md): one object per line, each with a `"type"`.

use std::io::Write;

use serde_json::{json, Map, Value};
use sio_client::{ClientEvent, ConnectError, SocketEvent};

/// Writes one JSON object as a line to stdout and flushes (for the one-shot commands;
/// `listen` prints through [`Output`](super::Output)).
pub(crate) fn line(value: &Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (reader went away) is not worth crashing over.
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// `{"type": kind, ...fields}`.
pub(crate) fn typed(kind: &str, fields: Value) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), Value::String(kind.into()));
    if let Value::Object(f) = fields {
        map.extend(f);
    }
    Value::Object(map)
}

/// The contract's line for a namespace event.
pub(crate) fn socket_event(ns: &str, event: &SocketEvent) -> Value {
    match event {
        SocketEvent::Connect(c) => typed(
            "connect",
            json!({"ns": ns, "id": c.id, "recovered": c.recovered}),
        ),
        SocketEvent::ConnectError(e) => connect_error(ns, e),
        SocketEvent::Disconnect(reason) => {
            typed("disconnect", json!({"ns": ns, "reason": reason.as_str()}))
        }
        SocketEvent::Message(m) => {
            let args = m
                .json()
                .unwrap_or_else(|e| json!([format!("<undecodable: {e}>")]));
            let mut v = json!({"ns": ns, "event": m.event(), "args": args});
            if let Some(ack) = m.ack_responder() {
                v["ack_id"] = json!(ack.id());
            }
            typed("event", v)
        }
        SocketEvent::Joined(room) => typed("joined", json!({"ns": ns, "room": room})),
        SocketEvent::ListenerError(e) => error(e),
        other => error(format!("{other:?}")),
    }
}

/// The contract's `connect_error` line (`data` parsed back to JSON when possible).
pub(crate) fn connect_error(ns: &str, error: &ConnectError) -> Value {
    let data = match error {
        ConnectError::Rejected { data: Some(d), .. } => d.clone(),
        _ => Value::Null,
    };
    typed(
        "connect_error",
        json!({"ns": ns, "message": error.to_string(), "data": data}),
    )
}

/// The contract's line for a connection-level event, if it has one.
pub(crate) fn client_event(event: &ClientEvent) -> Option<Value> {
    Some(match event {
        ClientEvent::ReconnectAttempt(n) => typed("reconnect_attempt", json!({"attempt": n})),
        ClientEvent::Reconnect(n) => typed("reconnect", json!({"attempt": n})),
        ClientEvent::ReconnectError(e) => {
            typed("reconnect_error", json!({"message": e.to_string()}))
        }
        ClientEvent::ReconnectFailed => typed("reconnect_failed", json!({})),
        _ => return None,
    })
}

/// `{"type":"error","message":...}`.
pub(crate) fn error(message: impl std::fmt::Display) -> Value {
    typed("error", json!({"message": message.to_string()}))
}
