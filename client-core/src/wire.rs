//! Small pieces of Socket.IO payload handling the state machine needs: building event data,
//! splitting it, and reading the CONNECT / CONNECT_ERROR objects. Built on [`crate::json`].

use crate::json::{self, Kind};

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
    // one allocation: `[`, the name, then the arguments' elements as they are
    let mut out = String::with_capacity(event.len() + args_json.len() + 4);
    out.push('[');
    json::write_string(&mut out, event);
    match json::array_elements_text(args_json) {
        Some(elements) => {
            if !elements.starts_with(']') {
                out.push(',');
            }
            out.push_str(elements);
        }
        None => out.push(']'),
    }
    out
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
    let head = json::array_head(data)?;
    let name = match head.kind {
        Kind::String => json::as_string(head.raw)?,
        // As written: a JSON number's text is already what `Number::write_json` gives back.
        Kind::Number => head.raw.to_string(),
        _ => return None,
    };
    let mut args = String::with_capacity(head.rest.len() + 1);
    args.push('[');
    args.push_str(head.rest.trim_end_matches([' ', '\t', '\n', '\r']));
    Some((name, args))
}

/// The last element of an argument array, if it is a string (the recovery offset candidate).
pub(crate) fn last_string(args_json: &str) -> Option<String> {
    let text = args_json.trim_end();
    let inner = text.strip_suffix(']')?.trim_end();
    if !inner.ends_with('"') {
        return None;
    }
    if json::validate(args_json) != Ok(Kind::Array) {
        return None;
    }
    json::as_string(json::elements(args_json).last()?)
}

/// `text` if it is a valid JSON object.
fn object(text: Option<&str>) -> Option<&str> {
    text.filter(|t| is_object(t))
}

/// `{"sid":S,"pid":P}` → `(S, P)`; `None` when there is no string sid (a v2 server).
pub(crate) fn connect_reply(data: Option<&str>) -> Option<(String, Option<String>)> {
    let fields = object(data)?;
    let sid = json::as_string(json::member(fields, "sid")?)?;
    let pid = json::member(fields, "pid").and_then(json::as_string);
    Some((sid, pid))
}

/// `{"message":M,"data":D}` → `(M, D as JSON text)`. A bare string is taken as the message.
pub(crate) fn connect_error(data: Option<&str>) -> (String, Option<String>) {
    let Some(text) = data else {
        return (String::new(), None);
    };
    if let Some(fields) = object(Some(text)) {
        let message = json::member(fields, "message")
            .and_then(json::as_string)
            .unwrap_or_default();
        let data = json::member(fields, "data").map(|v| {
            let mut out = String::new();
            json::write_normalized(&mut out, v);
            out
        });
        return (message, data);
    }
    match json::validate(text) {
        Ok(Kind::String) => (json::as_string(text.trim()).unwrap_or_default(), None),
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
pub(crate) mod tests {
    use super::*;
    use crate::value::{EventName, Payload, Value};
    use proptest::prelude::*;

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

    /// JSON texts shaped like what these functions read: objects with the interesting keys
    /// (some escaped, some repeated), odd numbers, escapes, nesting and white space.
    pub(crate) fn json_text() -> impl Strategy<Value = String> {
        let ws = prop_oneof![Just(""), Just(""), Just(" "), Just("\n\t ")];
        let scalar = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            prop_oneof![
                Just("0"),
                Just("-0"),
                Just("25000"),
                Just("2.5e4"),
                Just("25000.0"),
                Just("1e400"),
                Just("-5"),
                Just("1.5"),
                Just("-0.0"),
                Just("1e-400"),
                Just("18446744073709551615"),
                Just("18446744073709551616"),
                Just("9007199254740993"),
                Just("0.99999999999999999999e3"),
                Just("12")
            ]
            .prop_map(str::to_string),
            prop_oneof![
                Just("\"websocket\""),
                Just("\"polling\""),
                Just("\"\""),
                Just("\"a\\\"b\\\\c\""),
                Just("\"\\u00e9t\\u00E9\""),
                Just("\"\\ud800x\""),
                Just("\"\\ud83d\\ude00\""),
                Just("\"line\\nbreak\\t\\/\""),
                Just("\"\\u0001\\u001f\u{7f}é\u{2028}\""),
                Just("\"s\\u0069d\""),
                Just("\"off-1\"")
            ]
            .prop_map(str::to_string),
        ];
        let key = prop_oneof![
            Just("sid"),
            Just("pid"),
            Just("message"),
            Just("data"),
            Just("upgrades"),
            Just("pingInterval"),
            Just("pingTimeout"),
            Just("maxPayload"),
            Just("s\\u0069d"),
            Just("x"),
            Just("_placeholder"),
            Just("num")
        ];
        scalar.prop_recursive(4, 40, 6, move |inner| {
            let ws = ws.clone();
            prop_oneof![
                (
                    proptest::collection::vec((inner.clone(), ws.clone()), 0..5),
                    ws.clone()
                )
                    .prop_map(|(items, w)| {
                        let items: Vec<String> = items
                            .into_iter()
                            .map(|(v, w2)| format!("{w}{v}{w2}"))
                            .collect();
                        format!("[{}]", items.join(","))
                    }),
                (
                    proptest::collection::vec((key.clone(), inner, ws.clone()), 0..6),
                    ws.clone()
                )
                    .prop_map(|(members, w)| {
                        let members: Vec<String> = members
                            .into_iter()
                            .map(|(k, v, w2)| format!("{w}\"{k}\"{w2}:{w}{v}"))
                            .collect();
                        format!("{{{}}}", members.join(","))
                    }),
            ]
        })
    }

    // The tree-based implementations these functions replaced, as oracles.

    fn old_object(text: Option<&str>) -> Option<Vec<(String, Value)>> {
        match Payload::from_json(text?).ok()?.to_value().ok()? {
            Value::Object(fields) => Some(fields),
            _ => None,
        }
    }

    fn old_field<'a>(fields: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
        fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn old_connect_reply(data: Option<&str>) -> Option<(String, Option<String>)> {
        let fields = old_object(data)?;
        let sid = old_field(&fields, "sid")?.as_str()?.to_string();
        let pid = old_field(&fields, "pid")
            .and_then(Value::as_str)
            .map(str::to_string);
        Some((sid, pid))
    }

    fn old_connect_error(data: Option<&str>) -> (String, Option<String>) {
        let Some(text) = data else {
            return (String::new(), None);
        };
        if let Some(fields) = old_object(Some(text)) {
            let message = old_field(&fields, "message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let data = old_field(&fields, "data").map(|v| {
                let mut out = String::new();
                v.write_json(&mut out, &mut Vec::new());
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

    fn old_last_string(args_json: &str) -> Option<String> {
        match Payload::from_json(args_json).ok()?.to_value().ok()? {
            Value::Array(items) => match items.last()? {
                Value::String(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn old_split_event(data: &str) -> Option<(String, String)> {
        let payload = Payload {
            json: data.to_string(),
            attachments: Vec::new(),
        };
        let (name, args) = payload.split_event()?;
        let name = match name {
            EventName::Str(s) => s,
            EventName::Number(n) => n.to_string(),
        };
        Some((name, args.json))
    }

    proptest! {
        #![proptest_config(crate::tests::proptest_config(2000))]
        #[test]
        fn readers_agree_with_the_tree_parser(text in json_text(), junk in "[ \\]x]?") {
            let text = format!("{text}{junk}");
            prop_assert_eq!(connect_reply(Some(&text)), old_connect_reply(Some(&text)));
            prop_assert_eq!(connect_error(Some(&text)), old_connect_error(Some(&text)));
            let array = format!("[{text}]");
            let old_last = if array.trim_end().strip_suffix(']').is_some_and(|i| i.trim_end().ends_with('"')) {
                old_last_string(&array)
            } else {
                None
            };
            prop_assert_eq!(last_string(&array), old_last);
            prop_assert_eq!(last_string(&text), if text.trim_end().strip_suffix(']').is_some_and(|i| i.trim_end().ends_with('"')) { old_last_string(&text) } else { None });
            if crate::json::validate(&text).is_ok() {
                prop_assert_eq!(split_event(&text), old_split_event(&text));
                let named = format!("[\"ev\",{text}]");
                prop_assert_eq!(split_event(&named), old_split_event(&named));
            }
        }
    }
}
