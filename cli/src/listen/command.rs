//! The commands of `sio listen`: JSON lines on stdin (the contract of docs/cli.md) and the
//! words of the interactive prompt, parsed into one [`Command`] type.

use std::time::Duration;

use serde_json::Value;

use crate::words::{split_words, word_values};

/// One thing to do. `ns: None` means the default namespace (the first one given, or the
/// prompt's current one).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    Emit(EmitCommand),
    /// Answers the server's ack request `id` (the newest one of the namespace when `None`).
    Reply {
        ns: Option<String>,
        id: Option<u64>,
        args: Vec<Value>,
    },
    Join {
        ns: Option<String>,
        room: String,
    },
    Leave {
        ns: Option<String>,
        room: String,
    },
    Connect(String),
    /// Disconnects a namespace (the default one when `None`).
    Disconnect(Option<String>),
    /// Stops listening (exit 0).
    Close,
    /// Prompt only: makes `ns` the current namespace (connecting it if needed).
    UseNamespace(String),
    /// Prompt only: lists the namespaces and their state.
    Namespaces,
    /// Prompt only: the command reference.
    Help,
}

/// `emit`: an event, its arguments, and how to wait for its ack.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EmitCommand {
    pub(crate) ns: Option<String>,
    pub(crate) event: String,
    pub(crate) args: Vec<Value>,
    pub(crate) ack: Option<AckRef>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) volatile: bool,
}

/// How an acked emit's answer is labelled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AckRef {
    /// The `"ack"` value of a JSON command, echoed as `ref`.
    Given(Value),
    /// The prompt's `emit --ack`: the listener numbers it.
    Numbered,
}

fn str_field<'a>(cmd: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    match cmd.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("\"{key}\" must be a string, got {other}")),
    }
}

fn args_of(cmd: &Value) -> Vec<Value> {
    match cmd.get("args") {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}

/// A JSON command line (`{"emit": ...}`, `{"reply": ...}`, ...).
pub(crate) fn from_json(cmd: &Value) -> Result<Command, String> {
    if !cmd.is_object() {
        return Err(format!("a command is a JSON object, got {cmd}"));
    }
    let ns = str_field(cmd, "ns")?.map(str::to_string);
    if cmd.get("close").and_then(Value::as_bool) == Some(true) {
        return Ok(Command::Close);
    }
    if let Some(event) = str_field(cmd, "emit")? {
        let timeout = match cmd.get("timeout_ms") {
            None | Some(Value::Null) => None,
            Some(v) => Some(Duration::from_millis(v.as_u64().ok_or_else(|| {
                format!("\"timeout_ms\" must be a number of milliseconds, got {v}")
            })?)),
        };
        return Ok(Command::Emit(EmitCommand {
            ns,
            event: event.to_string(),
            args: args_of(cmd),
            ack: cmd
                .get("ack")
                .filter(|a| !a.is_null())
                .cloned()
                .map(AckRef::Given),
            timeout,
            volatile: cmd.get("volatile").and_then(Value::as_bool) == Some(true),
        }));
    }
    if let Some(id) = cmd.get("reply") {
        let id = id
            .as_u64()
            .ok_or_else(|| format!("\"reply\" must be the event's ack_id, got {id}"))?;
        return Ok(Command::Reply {
            ns,
            id: Some(id),
            args: args_of(cmd),
        });
    }
    if let Some(room) = str_field(cmd, "join")? {
        let room = room.to_string();
        return Ok(Command::Join { ns, room });
    }
    if let Some(room) = str_field(cmd, "leave")? {
        let room = room.to_string();
        return Ok(Command::Leave { ns, room });
    }
    if let Some(target) = str_field(cmd, "connect")? {
        return Ok(Command::Connect(target.to_string()));
    }
    if let Some(target) = str_field(cmd, "disconnect")? {
        return Ok(Command::Disconnect(Some(target.to_string())));
    }
    Err(format!("unknown command {cmd}"))
}

/// A line typed at the prompt: words (see [`crate::words`]), or a JSON command.
pub(crate) fn from_prompt(line: &str) -> Result<Option<Command>, String> {
    let line = line.trim();
    if line.starts_with('{') {
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("not a JSON command: {e}"))?;
        return from_json(&value).map(Some);
    }
    let words = split_words(line)?;
    let Some((name, rest)) = words.split_first() else {
        return Ok(None);
    };
    let one = |what: &str| match rest {
        [w] => Ok(w.clone()),
        _ => Err(format!("usage: {name} {what}")),
    };
    let command = match name.as_str() {
        "emit" => Command::Emit(prompt_emit(rest)?),
        "reply" => prompt_reply(rest)?,
        "join" => Command::Join {
            ns: None,
            room: one("ROOM")?,
        },
        "leave" => Command::Leave {
            ns: None,
            room: one("ROOM")?,
        },
        "ns" if rest.is_empty() => Command::Namespaces,
        "ns" => Command::UseNamespace(one("[NAMESPACE]")?),
        "connect" => Command::Connect(one("NAMESPACE")?),
        "disconnect" if rest.is_empty() => Command::Disconnect(None),
        "disconnect" => Command::Disconnect(Some(one("[NAMESPACE]")?)),
        "help" | "?" => Command::Help,
        "quit" | "exit" | "close" => Command::Close,
        other => return Err(format!("unknown command {other:?} (try `help`)")),
    };
    Ok(Some(command))
}

/// `emit [--ack] [--timeout MS] [--volatile] EVENT [ARG]...`
fn prompt_emit(words: &[String]) -> Result<EmitCommand, String> {
    const USAGE: &str = "usage: emit [--ack] [--timeout MS] [--volatile] EVENT [ARG]...";
    let mut cmd = EmitCommand {
        ns: None,
        event: String::new(),
        args: Vec::new(),
        ack: None,
        timeout: None,
        volatile: false,
    };
    let mut rest = words;
    while let Some((flag, tail)) = rest.split_first() {
        match flag.as_str() {
            "--ack" => cmd.ack = Some(AckRef::Numbered),
            "--volatile" => cmd.volatile = true,
            "--timeout" => {
                let (ms, tail) = tail.split_first().ok_or(USAGE)?;
                let ms: u64 = ms
                    .parse()
                    .map_err(|_| format!("--timeout {ms:?}: expected milliseconds"))?;
                cmd.timeout = Some(Duration::from_millis(ms));
                // --timeout implies waiting for the ack
                cmd.ack.get_or_insert(AckRef::Numbered);
                rest = tail;
                continue;
            }
            f if f.starts_with("--") => return Err(format!("unknown option {f}; {USAGE}")),
            _ => break,
        }
        rest = tail;
    }
    let (event, args) = rest.split_first().ok_or(USAGE)?;
    cmd.event = crate::words::word_value(event)?
        .as_str()
        .ok_or_else(|| format!("the event name must be a string, got {event}"))?
        .to_string();
    cmd.args = word_values(args)?;
    Ok(cmd)
}

/// `reply [#ID] [ARG]...`
fn prompt_reply(words: &[String]) -> Result<Command, String> {
    let (id, args) = match words.split_first() {
        Some((first, rest)) if first.starts_with('#') => {
            let id = first[1..]
                .parse()
                .map_err(|_| format!("{first:?}: expected #ACK_ID, like #3"))?;
            (Some(id), rest)
        }
        _ => (None, words),
    };
    Ok(Command::Reply {
        ns: None,
        id,
        args: word_values(args)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn json_commands_of_the_contract() {
        let c = from_json(&json!({"emit": "e", "args": [1], "ack": "r", "timeout_ms": 5, "volatile": true, "ns": "/a"})).unwrap();
        assert_eq!(
            c,
            Command::Emit(EmitCommand {
                ns: Some("/a".into()),
                event: "e".into(),
                args: vec![json!(1)],
                ack: Some(AckRef::Given(json!("r"))),
                timeout: Some(Duration::from_millis(5)),
                volatile: true,
            })
        );
        // a lone non-array "args" is one argument
        let Command::Emit(e) = from_json(&json!({"emit": "e", "args": {"a": 1}})).unwrap() else {
            panic!()
        };
        assert_eq!(e.args, [json!({"a": 1})]);
        assert_eq!(e.ns, None);
        assert_eq!(
            from_json(&json!({"reply": 3, "args": ["y"]})).unwrap(),
            Command::Reply {
                ns: None,
                id: Some(3),
                args: vec![json!("y")]
            }
        );
        assert_eq!(from_json(&json!({"close": true})).unwrap(), Command::Close);
        assert_eq!(
            from_json(&json!({"disconnect": "/a"})).unwrap(),
            Command::Disconnect(Some("/a".into()))
        );
        for bad in [
            json!({"frobnicate": 1}),
            json!({"emit": 5}),
            json!({"reply": "x"}),
            json!({"emit": "e", "timeout_ms": "soon"}),
            json!([1]),
        ] {
            assert!(from_json(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prompt_words() {
        let Some(Command::Emit(e)) = from_prompt(r#"emit chat "hi" {"a":1} 2 hey"#).unwrap() else {
            panic!()
        };
        assert_eq!(e.event, "chat");
        assert_eq!(
            e.args,
            [json!("hi"), json!({"a": 1}), json!(2), json!("hey")]
        );
        assert_eq!(e.ack, None);
        let Some(Command::Emit(e)) = from_prompt("emit --ack --timeout 50 echo hi").unwrap() else {
            panic!()
        };
        assert_eq!(e.ack, Some(AckRef::Numbered));
        assert_eq!(e.timeout, Some(Duration::from_millis(50)));
        assert_eq!(e.args, [json!("hi")]);
        assert_eq!(
            from_prompt("reply #4 yes").unwrap(),
            Some(Command::Reply {
                ns: None,
                id: Some(4),
                args: vec![json!("yes")]
            })
        );
        assert_eq!(
            from_prompt("reply 4").unwrap(),
            Some(Command::Reply {
                ns: None,
                id: None,
                args: vec![json!(4)]
            })
        );
        assert_eq!(
            from_prompt("ns /admin").unwrap(),
            Some(Command::UseNamespace("/admin".into()))
        );
        assert_eq!(from_prompt("ns").unwrap(), Some(Command::Namespaces));
        assert_eq!(from_prompt("   ").unwrap(), None);
        assert_eq!(
            from_prompt(r#"{"join": "r"}"#).unwrap(),
            Some(Command::Join {
                ns: None,
                room: "r".into()
            })
        );
        for bad in [
            "emit",
            "emit --ack",
            "join",
            "leave a b",
            "frob",
            "emit --nope e",
            "reply #x",
        ] {
            assert!(from_prompt(bad).is_err(), "{bad}");
        }
    }
}
