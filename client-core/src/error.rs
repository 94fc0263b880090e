//! Errors returned to the caller of a command (misuse), as opposed to connection problems,
//! which arrive as [`Event`](crate::Event)s.

use std::fmt;

/// Why an emit or ack reply was refused. Nothing was queued when this is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    /// The event name is reserved by Socket.IO (`connect`, `connect_error`, `disconnect`,
    /// `disconnecting`, `newListener`, `removeListener`).
    ReservedName(String),
    /// The arguments are not a JSON array text.
    InvalidArgs,
    /// The ack id is unknown, or was already answered (an ack is sent at most once).
    UnknownAck(u64),
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::ReservedName(n) => write!(f, "\"{n}\" is a reserved event name"),
            EmitError::InvalidArgs => f.write_str("event arguments must be a JSON array"),
            EmitError::UnknownAck(id) => {
                write!(f, "ack {id} is unknown or was already answered")
            }
        }
    }
}

impl std::error::Error for EmitError {}

/// The event names a client may not emit (socket.io-client `RESERVED_EVENTS`).
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// `text` in double quotes, escaped exactly like Rust's `{:?}` for every character below U+0300
/// (`\"`, `\\`, `\t`, `\r`, `\n`, `\0`, other control characters as `\u{..}`); characters
/// from U+0300 up are written as they are (`{:?}` would escape the non-printable ones and
/// combining marks, but its Unicode tables would weigh on the browser bundle). For error
/// messages that quote their input.
pub fn quoted(text: &str) -> String {
    quote(text, '"')
}

/// `c` in single quotes, escaped like [`quoted`] (with `\'` rather than `\"`).
pub fn quoted_char(c: char) -> String {
    let mut buf = [0; 4];
    quote(c.encode_utf8(&mut buf), '\'')
}

fn quote(text: &str, delimiter: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(delimiter);
    for c in text.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\\' => out.push_str("\\\\"),
            c if c == delimiter => {
                out.push('\\');
                out.push(c);
            }
            '\x00'..='\x1f' | '\x7f'..='\u{a0}' | '\u{ad}' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let n = c as usize;
                out.push_str("\\u{");
                if n >= 16 {
                    out.push(char::from(HEX[n >> 4]));
                }
                out.push(char::from(HEX[n & 15]));
                out.push('}');
            }
            c => out.push(c),
        }
    }
    out.push(delimiter);
    out
}

/// Whether `name` is one of [`RESERVED_EVENTS`].
pub fn is_reserved(name: &str) -> bool {
    RESERVED_EVENTS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_is_debug_formatting_for_ascii_and_printable_text() {
        for s in [
            "",
            "ftp",
            "a b",
            "q\"uote's",
            "back\\slash",
            "\0\t\r\n\x01\x1f\x7f\u{80}\u{9f}",
            "é€😀中",
            "x\u{a0}\u{ad}\u{ff}\u{2ff}y",
        ] {
            assert_eq!(quoted(s), format!("{s:?}"), "{s:?}");
        }
        for c in (0..0x300).filter_map(char::from_u32).chain(['😀', '中']) {
            assert_eq!(
                quoted(&c.to_string()),
                format!("{:?}", c.to_string()),
                "{c:?}"
            );
            assert_eq!(quoted_char(c), format!("{c:?}"), "{c:?}");
        }
        // The documented difference: non-printable characters beyond Latin-1 are kept.
        assert_eq!(quoted("\u{200b}"), "\"\u{200b}\"");
    }
}
