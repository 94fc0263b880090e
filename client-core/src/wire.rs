//! Small pieces of Socket.IO payload handling the state machine needs: building event data,
//! splitting it, and reading the CONNECT / CONNECT_ERROR objects. Built on [`crate::json`].

use crate::json::{self, Kind};
use crate::value::{EventName, Payload, Value};

/// Whether `text` is a valid JSON array.
pub(crate) fn is_array(text: &str) -> bool {
    matches!(json::validate(text), Ok(Kind::Array))
}

/// Whether `text` is a valid JSON object.
pub(crate) fn is_object(text: &str) -> bool {
    matches!(json::validate(text), Ok(Kind::Object))
}

/// `["event", ...args]` from an event name and an argument array text.
pub(crate) fn event_data(event: &str, args_json: &str) -> String {
    let mut name = String::with_capacity(event.len() + 2);
    json::write_string(&mut name, event);
    json::prepend_to_array(&name, args_json).unwrap_or_else(|| {
        name.insert(0, '[');
        name.push(']');
        name
    })
}

/// `["room"]`.
pub(crate) fn string_array(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    out.push('[');
    json::write_string(&mut out, s);
    out.push(']');
    out
}

/// Splits validated event data into the name (numbers as their text) and the argument array.
pub(crate) fn split_event(data: &str) -> Option<(String, String)> {
    let payload = Payload {
        json: data.to_string(),
        attachments: Vec::new(),
    };
    let (name, args) = payload.split_event()?;
    let name = match name {
        EventName::Str(s) => s,
        EventName::Number(n) => {
            let mut s = String::new();
            n.write_json(&mut s);
            s
        }
    };
    Some((name, args.json))
}

/// The last element of an argument array, if it is a string (the recovery offset candidate).
pub(crate) fn last_string(args_json: &str) -> Option<String> {
    let text = args_json.trim_end();
    let inner = text.strip_suffix(']')?.trim_end();
    if !inner.ends_with('"') {
        return None;
    }
    // Cheap pre-check passed: parse properly (only the last element matters, but offsets are
    // small and this runs only when recovery is on).
    match Payload::from_json(args_json).ok()?.to_value().ok()? {
        Value::Array(items) => match items.last()? {
            Value::String(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn object(text: Option<&str>) -> Option<Vec<(String, Value)>> {
    match Payload::from_json(text?).ok()?.to_value().ok()? {
        Value::Object(fields) => Some(fields),
        _ => None,
    }
}

fn field<'a>(fields: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// `{"sid":S,"pid":P}` → `(S, P)`; `None` when there is no string sid (a v2 server).
pub(crate) fn connect_reply(data: Option<&str>) -> Option<(String, Option<String>)> {
    let fields = object(data)?;
    let sid = field(&fields, "sid")?.as_str()?.to_string();
    let pid = field(&fields, "pid")
        .and_then(Value::as_str)
        .map(str::to_string);
    Some((sid, pid))
}

/// `{"message":M,"data":D}` → `(M, D as JSON text)`. A bare string is taken as the message.
pub(crate) fn connect_error(data: Option<&str>) -> (String, Option<String>) {
    let Some(text) = data else {
        return (String::new(), None);
    };
    if let Some(fields) = object(Some(text)) {
        let message = field(&fields, "message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let data = field(&fields, "data").map(|v| {
            let mut out = String::new();
            let mut attachments = Vec::new();
            v.write_json(&mut out, &mut attachments);
            out
        });
        return (message, data);
    }
    match Payload::from_json(text)
        .ok()
        .and_then(|p| p.to_value().ok())
    {
        Some(Value::String(s)) => (s, None),
        _ => (String::new(), None),
    }
}

/// The CONNECT payload: the auth object, with `pid`/`offset` in front when recovering
/// (socket.io-client `_sendConnectPacket`: `Object.assign({pid, offset}, auth)`).
pub(crate) fn connect_payload(
    auth: Option<&str>,
    pid: Option<&str>,
    offset: Option<&str>,
) -> Option<String> {
    let Some(pid) = pid else {
        return auth.map(str::to_string);
    };
    let mut head = String::from("{\"pid\":");
    json::write_string(&mut head, pid);
    if let Some(offset) = offset {
        head.push_str(",\"offset\":");
        json::write_string(&mut head, offset);
    }
    let rest = auth
        .and_then(|a| a.trim().strip_prefix('{'))
        .map(str::trim_start)
        .unwrap_or("}");
    if rest.starts_with('}') {
        head.push_str(rest);
    } else {
        head.push(',');
        head.push_str(rest);
    }
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_data_and_split_round_trip() {
        assert_eq!(event_data("hi", "[1,\"x\"]"), "[\"hi\",1,\"x\"]");
        assert_eq!(event_data("hi", "[]"), "[\"hi\"]");
        assert_eq!(
            split_event("[\"a\\\"b\",1,{\"k\":[2]}]"),
            Some(("a\"b".into(), "[1,{\"k\":[2]}]".into()))
        );
        assert_eq!(split_event("[42]"), Some(("42".into(), "[]".into())));
        assert_eq!(split_event("[{}]"), None);
    }

    #[test]
    fn offsets_are_the_last_string() {
        assert_eq!(last_string("[1,\"off-1\"]").as_deref(), Some("off-1"));
        assert_eq!(last_string("[\"a\",2]"), None);
        assert_eq!(last_string("[]"), None);
    }

    #[test]
    fn connect_objects() {
        assert_eq!(
            connect_reply(Some("{\"sid\":\"s\",\"pid\":\"p\"}")),
            Some(("s".into(), Some("p".into())))
        );
        assert_eq!(connect_reply(Some("{}")), None);
        assert_eq!(connect_reply(None), None);
        assert_eq!(
            connect_error(Some("{\"message\":\"no\",\"data\":{\"a\":[1]}}")),
            ("no".into(), Some("{\"a\":[1]}".into()))
        );
        assert_eq!(connect_error(Some("\"plain\"")), ("plain".into(), None));
    }

    #[test]
    fn connect_payload_merges_recovery_fields_first() {
        assert_eq!(connect_payload(None, None, None), None);
        assert_eq!(
            connect_payload(Some("{\"t\":1}"), None, None).as_deref(),
            Some("{\"t\":1}")
        );
        assert_eq!(
            connect_payload(None, Some("p"), None).as_deref(),
            Some("{\"pid\":\"p\"}")
        );
        assert_eq!(
            connect_payload(Some("{ \"t\":1}"), Some("p"), Some("o")).as_deref(),
            Some("{\"pid\":\"p\",\"offset\":\"o\",\"t\":1}")
        );
        assert_eq!(
            connect_payload(Some("{}"), Some("p"), Some("o")).as_deref(),
            Some("{\"pid\":\"p\",\"offset\":\"o\"}")
        );
    }
}
