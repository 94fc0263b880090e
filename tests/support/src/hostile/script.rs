//! What a [`HostileServer`](super::HostileServer) says: the handshake and the scripted
//! behaviour after it, as Engine.IO packets (the same bytes over WebSocket and polling).

use std::time::Duration;

/// Record separator between the packets of a long-polling payload.
pub(super) const SEPARATOR: u8 = 0x1e;

/// Size of each chunk a huge or endless body is produced in (nothing bigger is ever held).
pub(super) const CHUNK: usize = 64 * 1024;

/// Messages per long-polling response of a flood (about 20 KB).
pub(super) const FLOOD_BATCH: u64 = 1000;

/// What the server does once a session is open and its `/` namespace connected.
///
/// Every session starts with the handshake (an Engine.IO OPEN packet whose JSON is the
/// server's [`handshake`](super::HostileServerBuilder::handshake)), then the Socket.IO
/// CONNECT reply for `/` (`40{"sid":…}`, sent without waiting for the client's CONNECT),
/// then this. The server never pings: a client learns that the server is gone from its
/// heartbeat deadline (`pingInterval + pingTimeout` of the handshake).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Behaviour {
    /// Small events `42["tick",n]`, n = 0, 1, 2, …, as fast as the transport takes them,
    /// forever (over polling: 1,000 per response). With `ack`, every event asks
    /// for an acknowledgement (`42n["tick",n]`, ack id n) that the server never looks at.
    Flood {
        /// Ask for an ack with every event.
        ack: bool,
    },
    /// One event `42["big","xxx…"]` of `bytes` bytes in one WebSocket frame or one polling
    /// response (produced in chunks, never held whole), then `42["after",1]`, then silence.
    HugeMessage {
        /// Size of the whole Engine.IO packet, in bytes.
        bytes: usize,
    },
    /// Like [`HugeMessage`](Behaviour::HugeMessage), but over WebSocket the message comes
    /// as two frames: all of it but its last two bytes, then a continuation frame with them
    /// (polling sends one response, as for `HugeMessage`).
    HugeFragmented {
        /// Size of the whole Engine.IO packet, in bytes.
        bytes: usize,
    },
    /// A binary event `45<count>-["bin",{placeholder 0},…]` with `count` attachments of
    /// `each` bytes (WebSocket binary frames, produced in chunks), then `42["after",1]`, then
    /// silence. Over polling the attachments are base64 packets of one response.
    Attachments {
        /// How many attachments.
        count: usize,
        /// Size of each, in bytes.
        each: usize,
    },
    /// These Engine.IO packets (raw bytes, which need not be UTF-8), one text frame each or
    /// one polling response together, then silence. See [`Behaviour::many_attachments`],
    /// [`Behaviour::deep_nesting`], [`Behaviour::invalid_utf8`].
    Packets(Vec<Vec<u8>>),
    /// A message that never ends: the text `42["endless","` followed by `x`s forever (a
    /// chunked polling response, or continuation frames of a WebSocket message). With
    /// `trickle`, one byte per interval; otherwise as fast as the client reads.
    Endless {
        /// Pause between single bytes; `None` sends 64 KiB chunks back to back.
        trickle: Option<Duration>,
    },
    /// Nothing after the namespace CONNECT: an open, silent session.
    Idle,
    /// Accepts TCP connections and reads from them, but never writes a byte (no HTTP
    /// answer, no WebSocket upgrade).
    Silent,
}

impl Behaviour {
    /// A binary event that announces `count` attachments and sends none:
    /// `45<count>-["bin",{"_placeholder":true,"num":0}]`.
    pub fn many_attachments(count: usize) -> Behaviour {
        let packet = format!("45{count}-[\"bin\",{{\"_placeholder\":true,\"num\":0}}]");
        Behaviour::Packets(vec![packet.into_bytes()])
    }

    /// `42["deep",[[[…]]]]` with the argument nested `depth` arrays deep, then
    /// `42["after",1]`.
    pub fn deep_nesting(depth: usize) -> Behaviour {
        let mut packet = String::with_capacity(2 * depth + 16);
        packet.push_str("42[\"deep\",");
        packet.extend(std::iter::repeat_n('[', depth));
        packet.extend(std::iter::repeat_n(']', depth));
        packet.push(']');
        Behaviour::Packets(vec![packet.into_bytes(), after()])
    }

    /// `42["bad","\xff\xfe"]`: a text frame, or a polling body, that is not UTF-8.
    pub fn invalid_utf8() -> Behaviour {
        let mut packet = b"42[\"bad\",\"".to_vec();
        packet.extend_from_slice(&[0xff, 0xfe]);
        packet.extend_from_slice(b"\"]");
        Behaviour::Packets(vec![packet])
    }
}

/// The text header of [`Behaviour::Attachments`].
pub(super) fn attachments_header(count: usize) -> Vec<u8> {
    let placeholders: Vec<String> = (0..count)
        .map(|i| format!("{{\"_placeholder\":true,\"num\":{i}}}"))
        .collect();
    format!("45{count}-[\"bin\",{}]", placeholders.join(",")).into_bytes()
}

/// `42["after",1]`: sent after a hostile packet, to show whether the client carried on.
pub(super) fn after() -> Vec<u8> {
    b"42[\"after\",1]".to_vec()
}

/// The flood's `n`th message.
pub(super) fn tick(n: u64, ack: bool, out: &mut Vec<u8>) {
    use std::io::Write;
    if ack {
        let _ = write!(out, "42{n}[\"tick\",{n}]");
    } else {
        let _ = write!(out, "42[\"tick\",{n}]");
    }
}

/// The namespace CONNECT reply for `/`.
pub(super) fn connect_reply() -> Vec<u8> {
    br#"40{"sid":"hostile-socket"}"#.to_vec()
}

/// A well-formed handshake with these heartbeat values, no upgrades and a 1 MB
/// `maxPayload`.
pub fn handshake(ping_interval_ms: u64, ping_timeout_ms: u64) -> String {
    format!(
        r#"{{"sid":"hostile","upgrades":[],"pingInterval":{ping_interval_ms},"pingTimeout":{ping_timeout_ms},"maxPayload":1000000}}"#
    )
}

/// Produces a huge message in chunks: the head, `x`s, then the tail, `bytes` in all.
pub(super) struct HugeText {
    len: usize,
    at: usize,
}

const HUGE_HEAD: &[u8] = b"42[\"big\",\"";
const HUGE_TAIL: &[u8] = b"\"]";

impl HugeText {
    pub(super) fn new(bytes: usize) -> HugeText {
        HugeText {
            len: Self::len(bytes),
            at: 0,
        }
    }

    /// The whole size (`bytes`, or the smallest well-formed packet).
    pub(super) fn len(bytes: usize) -> usize {
        bytes.max(HUGE_HEAD.len() + HUGE_TAIL.len())
    }

    /// The next chunk (at most [`CHUNK`] bytes), `None` at the end.
    pub(super) fn next_chunk(&mut self) -> Option<Vec<u8>> {
        if self.at == self.len {
            return None;
        }
        let end = (self.at + CHUNK).min(self.len);
        let tail_from = self.len - HUGE_TAIL.len();
        let chunk = (self.at..end)
            .map(|i| match i {
                i if i < HUGE_HEAD.len() => HUGE_HEAD[i],
                i if i >= tail_from => HUGE_TAIL[i - tail_from],
                _ => b'x',
            })
            .collect();
        self.at = end;
        Some(chunk)
    }
}

/// The start of an endless message.
pub(super) const ENDLESS_HEAD: &[u8] = b"42[\"endless\",\"";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_text_is_one_well_formed_packet_of_the_asked_size() {
        for bytes in [0, 5, 12, 13, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let mut text = HugeText::new(bytes);
            let mut all = Vec::new();
            while let Some(chunk) = text.next_chunk() {
                assert!(chunk.len() <= CHUNK && !chunk.is_empty());
                all.extend(chunk);
            }
            assert_eq!(all.len(), HugeText::len(bytes), "{bytes}");
            assert!(
                all.starts_with(HUGE_HEAD) && all.ends_with(HUGE_TAIL),
                "{bytes}"
            );
            let value: serde_json::Value = serde_json::from_slice(&all[2..]).unwrap();
            assert_eq!(value[0], "big");
        }
    }

    #[test]
    fn deep_nesting_balances_its_brackets() {
        let Behaviour::Packets(packets) = Behaviour::deep_nesting(3) else {
            unreachable!()
        };
        assert_eq!(packets[0], b"42[\"deep\",[[[]]]]");
    }
}
