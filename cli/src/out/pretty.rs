//! Readable lines for people: the same records as the JSON lines, as
//! `12:03:04.120  /admin  ← chat  "hi", {"a":1}`, with colours for state changes.

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use super::Context;

/// Arguments longer than this (as compact JSON) are printed indented below the line.
const INLINE_ARGS: usize = 72;

/// Width of the namespace column.
const NS_WIDTH: usize = 7;

const TIME: Style = Style::new().dimmed();
const NS: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));
const EVENT: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
const GOOD: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const WARN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const BAD: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const ACK: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));

/// Applies styles, or not.
struct Paint(bool);

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

/// The readable form of one contract line (see docs/cli.md, "Pretty output").
pub(crate) fn render(line: &Value, context: &Context, color: bool) -> String {
    let p = Paint(color);
    let str_of = |key: &str| line.get(key).and_then(Value::as_str).unwrap_or("");
    let kind = str_of("type");
    let ns = line
        .get("ns")
        .and_then(Value::as_str)
        .or(context.ns.as_deref());
    let (mark, body, args) = match kind {
        "connect" => {
            let recovered = if line["recovered"] == Value::Bool(true) {
                " (session recovered)"
            } else {
                ""
            };
            let body = format!("connected as {}{recovered}", str_of("id"));
            (p.paint(GOOD, "●"), p.paint(GOOD, &body), None)
        }
        "connect_error" => {
            let mut body = format!("cannot connect: {}", str_of("message"));
            if !line["data"].is_null() {
                body.push_str(&format!(" {}", line["data"]));
            }
            (p.paint(BAD, "✗"), p.paint(BAD, &body), None)
        }
        "disconnect" => {
            let body = format!("disconnected: {}", str_of("reason"));
            (p.paint(WARN, "○"), p.paint(WARN, &body), None)
        }
        "reconnect_attempt" => {
            let body = format!("reconnecting, attempt {}", line["attempt"]);
            (p.paint(WARN, "↻"), p.paint(WARN, &body), None)
        }
        "reconnect" => {
            let body = format!("reconnected at attempt {}", line["attempt"]);
            (p.paint(GOOD, "●"), p.paint(GOOD, &body), None)
        }
        "reconnect_error" => {
            let body = format!("attempt failed: {}", str_of("message"));
            (p.paint(BAD, "✗"), p.paint(BAD, &body), None)
        }
        "reconnect_failed" => (
            p.paint(BAD, "✗"),
            p.paint(BAD, "gave up reconnecting"),
            None,
        ),
        "event" => {
            let mut body = p.paint(EVENT, str_of("event"));
            if let Some(id) = line.get("ack_id").and_then(Value::as_u64) {
                body.push_str(&p.paint(ACK, &format!("  [wants an ack: reply #{id} ...]")));
            }
            ("←".to_string(), body, line.get("args"))
        }
        "ack" | "ack_error" => ack(&p, line, context),
        "joined" => (
            p.paint(GOOD, "✓"),
            format!("joined room {}", p.paint(EVENT, str_of("room"))),
            None,
        ),
        "error" => (
            p.paint(BAD, "!"),
            p.paint(BAD, &format!("error: {}", str_of("message"))),
            None,
        ),
        _ => ("?".to_string(), line.to_string(), None),
    };
    let time = jiff::Zoned::now().strftime("%H:%M:%S%.3f").to_string();
    let ns = format!("{:<NS_WIDTH$}", ns.unwrap_or(""));
    let mut out = format!(
        "{} {} {mark} {body}",
        p.paint(TIME, &time),
        p.paint(NS, &ns)
    );
    if let Some(Value::Array(args)) = args {
        push_args(&mut out, args);
    }
    out
}

/// `⇠ ack #1 echo (3 ms)  "hi"` or `✗ ack #2 nobody (200 ms): operation has timed out`.
fn ack<'a>(p: &Paint, line: &'a Value, context: &Context) -> (String, String, Option<&'a Value>) {
    let reference = match &line["ref"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut label = format!("ack #{reference}");
    if let Some(event) = &context.emitted {
        label.push_str(&format!(" of {event}"));
    }
    if let Some(elapsed) = context.elapsed {
        label.push_str(&format!(" ({} ms)", elapsed.as_millis()));
    }
    if line["type"] == "ack" {
        (p.paint(ACK, "⇠"), p.paint(ACK, &label), line.get("args"))
    } else {
        let message = line["message"].as_str().unwrap_or("");
        let body = format!("{label}: {message}");
        (p.paint(BAD, "✗"), p.paint(BAD, &body), None)
    }
}

/// Arguments inline when short (`"hi", {"a":1}`), else each pretty-printed and indented.
fn push_args(out: &mut String, args: &[Value]) {
    if args.is_empty() {
        return;
    }
    let inline: Vec<String> = args.iter().map(Value::to_string).collect();
    let width: usize = inline.iter().map(|a| a.len() + 2).sum();
    if width <= INLINE_ARGS && !inline.iter().any(|a| a.contains('\n')) {
        out.push_str("  ");
        out.push_str(&inline.join(", "));
        return;
    }
    for arg in args {
        let text = serde_json::to_string_pretty(arg).unwrap_or_else(|_| arg.to_string());
        for l in text.lines() {
            out.push_str("\n    ");
            out.push_str(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn plain(line: Value, context: &Context) -> String {
        let text = render(&line, context, false);
        // drop the time column
        text.split_once(' ')
            .map(|(_, rest)| rest.to_string())
            .unwrap_or(text)
    }

    #[test]
    fn every_line_type_reads_well() {
        let none = Context::default();
        assert_eq!(
            plain(
                json!({"type":"connect","ns":"/","id":"abc","recovered":false}),
                &none
            ),
            "/       ● connected as abc"
        );
        assert_eq!(
            plain(
                json!({"type":"event","ns":"/admin","event":"chat","args":["hi",{"a":1}]}),
                &none
            ),
            "/admin  ← chat  \"hi\", {\"a\":1}"
        );
        assert_eq!(
            plain(
                json!({"type":"event","ns":"/","event":"q","args":[1],"ack_id":3}),
                &none
            ),
            "/       ← q  [wants an ack: reply #3 ...]  1"
        );
        let ctx = Context {
            ns: None,
            emitted: Some("echo".into()),
            elapsed: Some(Duration::from_millis(4)),
        };
        assert_eq!(
            plain(json!({"type":"ack","ref":1,"args":["hi"]}), &ctx),
            "        ⇠ ack #1 of echo (4 ms)  \"hi\""
        );
        assert_eq!(
            plain(
                json!({"type":"ack_error","ref":"r2","message":"operation has timed out"}),
                &ctx
            ),
            "        ✗ ack #r2 of echo (4 ms): operation has timed out"
        );
        assert_eq!(
            plain(json!({"type":"reconnect_attempt","attempt":2}), &none),
            "        ↻ reconnecting, attempt 2"
        );
        assert_eq!(
            plain(
                json!({"type":"connect_error","ns":"/g","message":"unauthorized","data":{"reason":"bad token"}}),
                &none
            ),
            "/g      ✗ cannot connect: unauthorized {\"reason\":\"bad token\"}"
        );
    }

    #[test]
    fn long_arguments_are_indented_below() {
        let big =
            json!({"user": "someone with a long name", "text": "a message that is long enough"});
        let text = plain(
            json!({"type":"event","ns":"/","event":"chat","args":[big]}),
            &Context::default(),
        );
        assert_eq!(
            text,
            "/       ← chat\n    {\n      \"user\": \"someone with a long name\",\n      \"text\": \"a message that is long enough\"\n    }"
        );
    }

    #[test]
    fn colours_only_when_asked() {
        let line = json!({"type":"disconnect","ns":"/","reason":"transport close"});
        assert!(!render(&line, &Context::default(), false).contains('\u{1b}'));
        assert!(render(&line, &Context::default(), true).contains('\u{1b}'));
    }
}
