//! Engine.IO protocol 4 packets: the WebSocket frame form, the long-polling payload form, and
//! the polling batch-size rule.
//!
//! Mirrors engine.io-parser 5.2 (`encodePacket`, `decodePacket`, `encodePayload`,
//! `decodePayload`) and engine.io-client 6.6 `_getWritablePackets`:
//! - a packet is its type digit followed by its data; a binary message travels as a raw binary
//!   WebSocket frame, or as `b` + standard base64 inside a polling payload;
//! - polling payloads join packets with the record separator `\x1e`;
//! - any text whose first character is not `0`–`6` or `b` (including the empty text) is a
//!   decoding error; the reference turns it into its `{type:"error"}` packet.
//!
//! Differences, deliberate: the reference's base64 decoders skip invalid characters silently,
//! we reject them ([`DecodeError::InvalidBase64`]; padding may be present or not); the handshake
//! JSON of an `open` packet is checked here ([`DecodeError::InvalidHandshake`]) where the
//! reference would throw from `JSON.parse` or run with `undefined` timers; data after `close`,
//! `upgrade` and `noop` is ignored, as the reference ignores it.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::json;

/// Separates packets in a long-polling payload (ASCII record separator).
pub const SEPARATOR: char = '\x1e';

/// One WebSocket message, as the driver sends or receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Bytes),
}

/// The data of a `message` packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// Text (for Socket.IO: an encoded Socket.IO packet).
    Text(String),
    /// Binary (for Socket.IO: an attachment).
    Binary(Bytes),
}

/// The content of the server's `open` packet.
///
/// Serialised in the field order of the engine.io server:
/// `{"sid":…,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// The session id, sent back as the `sid` query parameter.
    pub sid: String,
    /// Transports the session may upgrade to (e.g. `["websocket"]`).
    pub upgrades: Vec<String>,
    /// How often the server pings.
    pub ping_interval: Duration,
    /// How long the server waits for a pong (the client allows `interval + timeout` per ping).
    pub ping_timeout: Duration,
    /// Largest polling POST body the server accepts, in bytes; 0 when the server sent none.
    pub max_payload: u64,
}

/// An Engine.IO packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    /// `0`: the handshake, sent by the server.
    Open(Handshake),
    /// `1`: close the session.
    Close,
    /// `2`: heartbeat request (`2probe` during an upgrade).
    Ping(Option<String>),
    /// `3`: heartbeat answer (`3probe` during an upgrade).
    Pong(Option<String>),
    /// `4`: application data.
    Message(Data),
    /// `5`: the client switches to the probed transport.
    Upgrade,
    /// `6`: no-op, used to end a pending poll during an upgrade.
    Noop,
}

/// Why a frame or payload is not a valid Engine.IO packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The packet text is empty.
    Empty,
    /// The first character is not a packet type (`0`–`6`) nor `b`.
    UnknownType(char),
    /// The base64 after `b` is malformed.
    InvalidBase64,
    /// The `open` packet's JSON is not a valid handshake; the text says what is wrong.
    InvalidHandshake(&'static str),
    /// The packet (or payload) is larger than the configured limit.
    TooLarge {
        /// Size of the input in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Empty => f.write_str("parser error: empty packet"),
            DecodeError::UnknownType(c) => write!(
                f,
                "parser error: unknown packet type {}",
                crate::error::quoted_char(*c)
            ),
            DecodeError::InvalidBase64 => f.write_str("parser error: invalid base64 data"),
            DecodeError::InvalidHandshake(why) => write!(f, "invalid handshake: {why}"),
            DecodeError::TooLarge { len, max } => {
                write!(f, "packet of {len} bytes exceeds the limit of {max}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

impl Handshake {
    /// Parses the JSON of an `open` packet. `sid` (string), `upgrades` (array of strings),
    /// `pingInterval` and `pingTimeout` (non-negative integers, ms) are required; `maxPayload`
    /// is optional (0 when absent); other members are ignored.
    pub fn from_json(text: &str) -> Result<Handshake, DecodeError> {
        match json::validate(text) {
            Ok(json::Kind::Object) => {}
            Ok(_) => return Err(DecodeError::InvalidHandshake("not an object")),
            Err(_) => return Err(DecodeError::InvalidHandshake("not JSON")),
        }
        let sid = json::member(text, "sid")
            .and_then(json::as_string)
            .ok_or(DecodeError::InvalidHandshake("missing sid"))?;
        let upgrades = json::member(text, "upgrades")
            .filter(|u| u.starts_with('['))
            .ok_or(DecodeError::InvalidHandshake("missing upgrades"))?;
        let upgrades = json::elements(upgrades)
            .map(json::as_string)
            .collect::<Option<Vec<_>>>()
            .ok_or(DecodeError::InvalidHandshake("upgrades must be strings"))?;
        let ms = |key: &str, why: &'static str| {
            json::member(text, key)
                .and_then(json_u64)
                .ok_or(DecodeError::InvalidHandshake(why))
        };
        let ping_interval = ms("pingInterval", "bad pingInterval")?;
        let ping_timeout = ms("pingTimeout", "bad pingTimeout")?;
        let max_payload = match json::member(text, "maxPayload") {
            None => 0,
            Some(_) => ms("maxPayload", "bad maxPayload")?,
        };
        Ok(Handshake {
            sid,
            upgrades,
            ping_interval: Duration::from_millis(ping_interval),
            ping_timeout: Duration::from_millis(ping_timeout),
            max_payload,
        })
    }

    /// Appends the handshake JSON, as the engine.io server writes it.
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"sid\":");
        json::write_string(out, &self.sid);
        out.push_str(",\"upgrades\":[");
        for (i, u) in self.upgrades.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::write_string(out, u);
        }
        out.push_str("],\"pingInterval\":");
        json::write_u64(out, duration_ms(self.ping_interval));
        out.push_str(",\"pingTimeout\":");
        json::write_u64(out, duration_ms(self.ping_timeout));
        out.push_str(",\"maxPayload\":");
        json::write_u64(out, self.max_payload);
        out.push('}');
    }

    /// The handshake JSON as a string.
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        self.write_json(&mut s);
        s
    }
}

/// A raw JSON value as a `u64`, if it is a number whose value is one (like
/// [`Number::as_u64`](crate::value::Number::as_u64): integer text exactly, other number text
/// as the double `JSON.parse` reads).
fn json_u64(raw: &str) -> Option<u64> {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if digits.bytes().all(|c| c.is_ascii_digit()) {
        if digits.len() < raw.len() {
            // Negative: only -0 is a u64.
            return digits.bytes().all(|c| c == b'0').then_some(0);
        }
        return digits.bytes().try_fold(0u64, |v, c| {
            v.checked_mul(10)?.checked_add(u64::from(c - b'0'))
        });
    }
    json::number::round_decimal(raw)?.as_u64()
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Packet {
    /// The packet type digit (`'0'`–`'6'`).
    pub fn type_char(&self) -> char {
        match self {
            Packet::Open(_) => '0',
            Packet::Close => '1',
            Packet::Ping(_) => '2',
            Packet::Pong(_) => '3',
            Packet::Message(_) => '4',
            Packet::Upgrade => '5',
            Packet::Noop => '6',
        }
    }

    /// A text message packet.
    pub fn text(s: impl Into<String>) -> Packet {
        Packet::Message(Data::Text(s.into()))
    }

    /// A binary message packet.
    pub fn binary(b: impl Into<Bytes>) -> Packet {
        Packet::Message(Data::Binary(b.into()))
    }

    /// Appends the text form of the packet: type digit and data, with binary data as `b` +
    /// base64 (the polling form; also what a WebSocket carries for every non-binary packet).
    pub fn encode_text_into(&self, out: &mut String) {
        match self {
            Packet::Message(Data::Binary(b)) => {
                out.push('b');
                super::base64::encode_into(b, out);
                return;
            }
            _ => out.push(self.type_char()),
        }
        match self {
            Packet::Open(h) => h.write_json(out),
            Packet::Ping(Some(s)) | Packet::Pong(Some(s)) | Packet::Message(Data::Text(s)) => {
                out.push_str(s)
            }
            _ => {}
        }
    }

    /// The WebSocket frame for this packet: binary messages are sent raw.
    pub fn to_frame(&self) -> Frame {
        match self {
            Packet::Message(Data::Binary(b)) => Frame::Binary(b.clone()),
            _ => Frame::Text(self.text_form()),
        }
    }

    /// Like [`Packet::to_frame`], without copying binary data.
    pub fn into_frame(self) -> Frame {
        match self {
            Packet::Message(Data::Binary(b)) => Frame::Binary(b),
            other => Frame::Text(other.text_form()),
        }
    }

    fn text_form(&self) -> String {
        let mut s = String::with_capacity(1 + self.data_len_hint());
        self.encode_text_into(&mut s);
        s
    }

    fn data_len_hint(&self) -> usize {
        match self {
            Packet::Ping(Some(s)) | Packet::Pong(Some(s)) | Packet::Message(Data::Text(s)) => {
                s.len()
            }
            Packet::Message(Data::Binary(b)) => b.len().div_ceil(3) * 4,
            Packet::Open(_) => 128,
            _ => 0,
        }
    }

    /// Decodes one WebSocket message. A binary frame is always a binary `message`.
    pub fn from_frame(frame: Frame) -> Result<Packet, DecodeError> {
        Packet::from_frame_limited(frame, usize::MAX)
    }

    /// [`Packet::from_frame`] rejecting frames longer than `max_len` bytes.
    pub fn from_frame_limited(frame: Frame, max_len: usize) -> Result<Packet, DecodeError> {
        match frame {
            Frame::Binary(b) if b.len() > max_len => Err(DecodeError::TooLarge {
                len: b.len(),
                max: max_len,
            }),
            Frame::Binary(b) => Ok(Packet::Message(Data::Binary(b))),
            Frame::Text(s) => Packet::decode_owned(s, max_len),
        }
    }

    fn decode_owned(mut s: String, max_len: usize) -> Result<Packet, DecodeError> {
        if s.len() > max_len {
            return Err(DecodeError::TooLarge {
                len: s.len(),
                max: max_len,
            });
        }
        // Reuse the frame's allocation for text data: drop the type digit in place.
        if matches!(s.as_bytes().first(), Some(b'2' | b'3' | b'4')) && s.len() > 1 {
            let kind = s.remove(0);
            return Ok(match kind {
                '2' => Packet::Ping(Some(s)),
                '3' => Packet::Pong(Some(s)),
                _ => Packet::Message(Data::Text(s)),
            });
        }
        Packet::decode_text(&s)
    }

    /// Decodes the text form of one packet (a WebSocket text frame, or one element of a polling
    /// payload).
    pub fn decode_text(s: &str) -> Result<Packet, DecodeError> {
        let mut chars = s.chars();
        let kind = chars.next().ok_or(DecodeError::Empty)?;
        let data = chars.as_str();
        let opt = || (!data.is_empty()).then(|| data.to_owned());
        Ok(match kind {
            '0' => Packet::Open(Handshake::from_json(data)?),
            '1' => Packet::Close,
            '2' => Packet::Ping(opt()),
            '3' => Packet::Pong(opt()),
            '4' => Packet::Message(Data::Text(data.to_owned())),
            '5' => Packet::Upgrade,
            '6' => Packet::Noop,
            'b' => Packet::Message(Data::Binary(Bytes::from(
                super::base64::decode(data).ok_or(DecodeError::InvalidBase64)?,
            ))),
            other => return Err(DecodeError::UnknownType(other)),
        })
    }

    /// The size engine.io-client's `_getWritablePackets` counts for this packet's data: UTF-8
    /// bytes of text, `ceil(len × 1.33)` for binary (its base64 estimate), 0 without data.
    pub fn counted_data_len(&self) -> u64 {
        match self {
            Packet::Ping(Some(s)) | Packet::Pong(Some(s)) | Packet::Message(Data::Text(s)) => {
                s.len() as u64
            }
            // Same float arithmetic as `Math.ceil(byteLength * 1.33)`.
            Packet::Message(Data::Binary(b)) => (b.len() as f64 * 1.33).ceil() as u64,
            Packet::Open(h) => h.to_json().len() as u64,
            _ => 0,
        }
    }
}

/// Encodes packets as one long-polling payload (packets joined by `\x1e`, binary as base64).
pub fn encode_payload(packets: &[Packet]) -> String {
    let mut out = String::with_capacity(packets.iter().map(|p| p.data_len_hint() + 2).sum());
    encode_payload_into(packets, &mut out);
    out
}

/// [`encode_payload`] appending to `out`.
pub fn encode_payload_into(packets: &[Packet], out: &mut String) {
    for (i, p) in packets.iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        p.encode_text_into(out);
    }
}

/// Decodes a long-polling payload. Fails on the first invalid packet; use [`payload_packets`]
/// to get the packets before it (the reference delivers them, then reports the error).
pub fn decode_payload(payload: &str) -> Result<Vec<Packet>, DecodeError> {
    decode_payload_limited(payload, usize::MAX)
}

/// [`decode_payload`] rejecting payloads longer than `max_len` bytes.
pub fn decode_payload_limited(payload: &str, max_len: usize) -> Result<Vec<Packet>, DecodeError> {
    if payload.len() > max_len {
        return Err(DecodeError::TooLarge {
            len: payload.len(),
            max: max_len,
        });
    }
    payload_packets(payload).collect()
}

/// The packets of a long-polling payload one by one, stopping after the first error (which is
/// yielded), like engine.io-parser's `decodePayload`.
pub fn payload_packets(payload: &str) -> PayloadPackets<'_> {
    PayloadPackets {
        parts: payload.split(SEPARATOR),
        failed: false,
    }
}

/// Iterator returned by [`payload_packets`].
#[derive(Debug, Clone)]
pub struct PayloadPackets<'a> {
    parts: std::str::Split<'a, char>,
    failed: bool,
}

impl Iterator for PayloadPackets<'_> {
    type Item = Result<Packet, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = Packet::decode_text(self.parts.next()?);
        self.failed = r.is_err();
        Some(r)
    }
}

/// How many of the queued `packets` (at least one, if any) go into the next polling POST so
/// that it stays within the server's `max_payload` — engine.io-client's `_getWritablePackets`:
/// count 1 for the first type digit, each packet's [`Packet::counted_data_len`], and 2 (separator
/// plus type) between packets; stop before the packet that crosses the limit. A single packet
/// over the limit is still sent alone. `max_payload == 0` means no limit.
pub fn split_batch(packets: &[Packet], max_payload: u64) -> usize {
    if max_payload == 0 || packets.len() <= 1 {
        return packets.len();
    }
    let mut size: u64 = 1;
    for (i, p) in packets.iter().enumerate() {
        size = size.saturating_add(p.counted_data_len());
        if i > 0 && size > max_payload {
            return i;
        }
        size = size.saturating_add(2);
    }
    packets.len()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn hs() -> Handshake {
        Handshake {
            sid: "abc".into(),
            upgrades: vec!["websocket".into()],
            ping_interval: Duration::from_millis(25000),
            ping_timeout: Duration::from_millis(20000),
            max_payload: 1_000_000,
        }
    }

    #[test]
    fn frames_round_trip() {
        let open = Packet::Open(hs());
        let Frame::Text(t) = open.to_frame() else {
            panic!()
        };
        assert_eq!(
            t,
            r#"0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
        );
        for p in [
            open,
            Packet::Close,
            Packet::Ping(None),
            Packet::Ping(Some("probe".into())),
            Packet::Pong(Some("probe".into())),
            Packet::text("2[\"hi\"]"),
            Packet::text(""),
            Packet::binary(&b"\x00\x01"[..]),
            Packet::Upgrade,
            Packet::Noop,
        ] {
            assert_eq!(Packet::from_frame(p.to_frame()), Ok(p.clone()));
            let mut s = String::new();
            p.encode_text_into(&mut s);
            assert_eq!(Packet::decode_text(&s), Ok(p));
        }
    }

    #[test]
    fn decode_errors() {
        assert_eq!(Packet::decode_text(""), Err(DecodeError::Empty));
        assert_eq!(Packet::decode_text("7"), Err(DecodeError::UnknownType('7')));
        assert_eq!(Packet::decode_text("é"), Err(DecodeError::UnknownType('é')));
        assert_eq!(Packet::decode_text("b!!"), Err(DecodeError::InvalidBase64));
        assert!(matches!(
            Packet::decode_text("0"),
            Err(DecodeError::InvalidHandshake(_))
        ));
        assert!(matches!(
            Packet::decode_text("0{\"sid\":1}"),
            Err(DecodeError::InvalidHandshake(_))
        ));
        assert_eq!(
            Packet::decode_text("bAQI"),
            Ok(Packet::binary(&b"\x01\x02"[..]))
        );
        assert_eq!(Packet::decode_text("bAQ"), Ok(Packet::binary(&b"\x01"[..])));
        assert_eq!(Packet::decode_text("1junk"), Ok(Packet::Close));
        assert_eq!(
            Packet::from_frame_limited(Frame::Text("4abc".into()), 3),
            Err(DecodeError::TooLarge { len: 4, max: 3 })
        );
    }

    #[test]
    fn payloads() {
        let ps = vec![
            Packet::text("hello €"),
            Packet::binary(&b"\x01\x02\x03\x04"[..]),
            Packet::Ping(None),
        ];
        let s = encode_payload(&ps);
        assert_eq!(s, "4hello €\x1ebAQIDBA==\x1e2");
        assert_eq!(decode_payload(&s), Ok(ps));
        assert_eq!(decode_payload(""), Err(DecodeError::Empty));
        let partial: Vec<_> = payload_packets("4a\x1ex\x1e4b").collect();
        assert_eq!(
            partial,
            vec![Ok(Packet::text("a")), Err(DecodeError::UnknownType('x'))]
        );
    }

    #[test]
    fn batches_like_engine_io_client() {
        // 1 for the first type digit + 3 for "abc" = 4, then + 2 + 3 per packet: 9, 14, ...
        let ps: Vec<Packet> = (0..5).map(|_| Packet::text("abc")).collect();
        assert_eq!(split_batch(&ps, 0), 5);
        assert_eq!(split_batch(&ps, 9), 2);
        assert_eq!(split_batch(&ps, 8), 1);
        assert_eq!(split_batch(&ps, 14), 3);
        assert_eq!(split_batch(&ps[..1], 1), 1);
        assert_eq!(
            split_batch(&[Packet::text("é".repeat(10)), Packet::text("x")], 24),
            2
        );
        assert_eq!(
            split_batch(&[Packet::text("é".repeat(10)), Packet::text("x")], 23),
            1
        );
        // `Math.ceil(100 * 1.33)` is 133 and `Math.ceil(300 * 1.33)` 399 in JavaScript.
        assert_eq!(Packet::binary(vec![0u8; 100]).counted_data_len(), 133);
        assert_eq!(Packet::binary(vec![0u8; 300]).counted_data_len(), 399);
        assert_eq!(split_batch(&[Packet::Close, Packet::Close], 2), 1);
        assert_eq!(split_batch(&[Packet::Close, Packet::Close], 3), 2);
    }

    /// The tree-based implementation [`Handshake::from_json`] replaced, as an oracle.
    fn old_from_json(text: &str) -> Result<Handshake, DecodeError> {
        use crate::value::Value;
        let v = json::parse(text).map_err(|_| DecodeError::InvalidHandshake("not JSON"))?;
        if !matches!(v, Value::Object(_)) {
            return Err(DecodeError::InvalidHandshake("not an object"));
        }
        let sid = v
            .get("sid")
            .and_then(Value::as_str)
            .ok_or(DecodeError::InvalidHandshake("missing sid"))?;
        let upgrades = v
            .get("upgrades")
            .and_then(Value::as_array)
            .ok_or(DecodeError::InvalidHandshake("missing upgrades"))?
            .iter()
            .map(|u| u.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or(DecodeError::InvalidHandshake("upgrades must be strings"))?;
        let ms = |key: &str, why: &'static str| {
            v.get(key)
                .and_then(Value::as_number)
                .and_then(|n| n.as_u64())
                .ok_or(DecodeError::InvalidHandshake(why))
        };
        let ping_interval = ms("pingInterval", "bad pingInterval")?;
        let ping_timeout = ms("pingTimeout", "bad pingTimeout")?;
        let max_payload = match v.get("maxPayload") {
            None => 0,
            Some(_) => ms("maxPayload", "bad maxPayload")?,
        };
        Ok(Handshake {
            sid: sid.to_owned(),
            upgrades,
            ping_interval: Duration::from_millis(ping_interval),
            ping_timeout: Duration::from_millis(ping_timeout),
            max_payload,
        })
    }

    proptest::proptest! {
        #![proptest_config(crate::tests::proptest_config(3000))]
        #[test]
        fn handshake_reading_agrees_with_the_tree_parser(
            text in crate::wire::tests::json_text(),
            sid in proptest::option::of(proptest::prelude::Just("\"sid\":\"abc\",")),
            up in proptest::option::of(proptest::prelude::Just("\"upgrades\":[\"websocket\"],")),
            pi in proptest::option::of(proptest::prelude::Just("\"pingInterval\":25000,")),
        ) {
            // Often a plausible handshake with one odd member, sometimes anything.
            let prefix = format!("{}{}{}", sid.unwrap_or(""), up.unwrap_or(""), pi.unwrap_or(""));
            let text = match text.strip_prefix('{') {
                Some(rest) if !prefix.is_empty() => {
                    let rest = if rest.trim_start().starts_with('}') { format!("\"pingTimeout\":1{rest}") } else { rest.to_string() };
                    format!("{{{prefix}{rest}")
                }
                _ => text,
            };
            proptest::prop_assert_eq!(Handshake::from_json(&text), old_from_json(&text), "{}", text);
        }
    }
}
