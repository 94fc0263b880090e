//! Decoding Socket.IO messages ([`Decoder`]).
//!
//! Reproduces socket.io-parser 4.2 `Decoder.decodeString` / `isPayloadValid` /
//! `reconstructPacket` decision for decision, including its odd corners (found by reading and
//! running the reference):
//! - the empty text and a text starting with JavaScript white space decode as CONNECT to `/`
//!   (`Number("")` and `Number(" ")` are 0);
//! - the attachment count is read with `Number()`: `51.0-`, `5 1-` and `50x1-` all mean one;
//! - a namespace without its terminating comma runs to the end of the text (`0/admin` is a
//!   CONNECT to `/admin`; `2/a["x"]` is an EVENT to the namespace `/a["x"]` without data);
//! - white space counts as an ack-id digit (`2 ["a"]` is an EVENT with id 0);
//! - EVENT, ACK and CONNECT without data are accepted; with data, the JSON must be an object
//!   (CONNECT), a string or object (CONNECT_ERROR), an array (ACK), an array whose first element
//!   is a number or a non-reserved string (EVENT); DISCONNECT must have no data;
//! - placeholders are only resolved in binary packets, and a bad one is reported when the last
//!   attachment arrives.
//!
//! Deliberate differences: an ack id that is not a `u64` (`21 2[..]` gives `NaN` in JavaScript,
//! `2` + 20 digits a rounded double) is rejected with [`DecodeError::InvalidAckId`]; JSON nested
//! deeper than [`json::MAX_NESTING`] is rejected ([`DecodeError::TooDeep`]); a placeholder whose
//! `num` is in range but not an integer is rejected (the reference inserts `undefined`); texts,
//! attachments and whole packets (text plus attachments, 100 MB by default) are size-limited
//! ([`DecoderLimits`]).
//!
//! Nothing here recurses: the JSON checks use explicit stacks, bounded by [`json::MAX_NESTING`].

use std::fmt;

use bytes::Bytes;

use super::packet::{Packet, PacketType, RESERVED_EVENTS};
use super::Parser;
use crate::json::number::{js_string_to_rounded, Rounded};
use crate::json::{self, is_js_whitespace, JsonError, JsonErrorKind, Kind};

/// Why a Socket.IO message was rejected. Each variant mirrors one `throw` of socket.io-parser
/// (its message is in the `Display` text) or one of our documented limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The first character is not a packet type (`unknown packet type`).
    UnknownType(char),
    /// The attachment count of a binary packet is missing, not an integer or below 1
    /// (`Illegal attachments`).
    IllegalAttachments,
    /// More attachments than allowed (`too many attachments`).
    TooManyAttachments {
        /// The count announced by the packet (saturated).
        count: u64,
        /// The limit.
        max: usize,
    },
    /// The ack id is not a `u64` (the reference would produce `NaN` or a rounded double).
    InvalidAckId,
    /// The data is not JSON (`invalid payload`).
    InvalidJson(JsonError),
    /// The data is JSON of the wrong shape for this packet type (`invalid payload`).
    InvalidPayload {
        /// The packet type.
        kind: PacketType,
    },
    /// An event whose name is reserved, e.g. `2["connect"]` (`invalid payload`).
    ReservedEventName(String),
    /// The data nests deeper than [`json::MAX_NESTING`].
    TooDeep,
    /// A placeholder refers to no attachment (`illegal attachments`).
    PlaceholderOutOfRange,
    /// A binary message while no binary packet awaits attachments.
    UnexpectedBinary,
    /// A text message while a binary packet still awaits attachments.
    UnexpectedText,
    /// A message over the configured size limit.
    TooLarge {
        /// Its size in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// MessagePack parser: the message is not well-formed MessagePack (truncated, the reserved
    /// marker, trailing bytes, an unsupported map key type...).
    InvalidMessagePack {
        /// Byte offset of the problem in the message.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// MessagePack parser: the packet map has no integer `type` from 0 to 4
    /// (`invalid packet type`).
    InvalidPacketType,
    /// MessagePack parser: the packet map has no string `nsp` (`invalid namespace`).
    InvalidNamespace,
    /// MessagePack parser: a text message (every packet is one binary message).
    TextWithMessagePack,
    /// A packet whose text and attachments together exceed
    /// [`DecoderLimits::max_packet_len`] (reported at the message that crosses the limit).
    PacketTooLarge {
        /// The bytes received for the packet so far, including the message that crossed the
        /// limit (saturated).
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::UnknownType(c) => {
                write!(f, "unknown packet type {}", crate::error::quoted_char(*c))
            }
            DecodeError::IllegalAttachments => f.write_str("Illegal attachments"),
            DecodeError::TooManyAttachments { count, max } => {
                write!(f, "too many attachments ({count} > {max})")
            }
            DecodeError::InvalidAckId => f.write_str("invalid ack id"),
            DecodeError::InvalidJson(e) => write!(f, "invalid payload: {e}"),
            DecodeError::InvalidPayload { kind } => {
                write!(f, "invalid payload for packet type {}", *kind as u8)
            }
            DecodeError::ReservedEventName(n) => {
                write!(
                    f,
                    "invalid payload: {} is a reserved event name",
                    crate::error::quoted(n)
                )
            }
            DecodeError::TooDeep => f.write_str("invalid payload: JSON nested too deeply"),
            DecodeError::PlaceholderOutOfRange => f.write_str("illegal attachments"),
            DecodeError::UnexpectedBinary => {
                f.write_str("got binary data when not reconstructing a packet")
            }
            DecodeError::UnexpectedText => {
                f.write_str("got plaintext data when reconstructing a packet")
            }
            DecodeError::TooLarge { len, max } => {
                write!(f, "message of {len} bytes exceeds the limit of {max}")
            }
            DecodeError::InvalidMessagePack { offset, reason } => {
                write!(f, "invalid MessagePack at byte {offset}: {reason}")
            }
            DecodeError::InvalidPacketType => f.write_str("invalid packet type"),
            DecodeError::InvalidNamespace => f.write_str("invalid namespace"),
            DecodeError::TextWithMessagePack => {
                f.write_str("got a text message, but the msgpack parser reads binary messages")
            }
            DecodeError::PacketTooLarge { len, max } => {
                write!(
                    f,
                    "packet of {len} bytes or more exceeds the limit of {max}"
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Bounds applied by the [`Decoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderLimits {
    /// Most attachments one packet may announce (socket.io-parser `maxAttachments`, default 10).
    pub max_attachments: usize,
    /// Longest text message accepted, in bytes (default: unlimited).
    pub max_text_len: usize,
    /// Longest attachment accepted, in bytes (default: unlimited).
    pub max_binary_len: usize,
    /// Most bytes one packet may carry, its text and all its attachments together (default
    /// [`DEFAULT_MAX_PACKET_LEN`]): without it, ten attachments of the largest message size
    /// would be accepted as one packet.
    pub max_packet_len: usize,
}

/// The default of [`DecoderLimits::max_packet_len`] (and of `Config::max_packet_bytes`):
/// 100 MB, the largest single message the default configuration accepts.
pub const DEFAULT_MAX_PACKET_LEN: usize = 100_000_000;

impl Default for DecoderLimits {
    fn default() -> Self {
        DecoderLimits {
            max_attachments: 10,
            max_text_len: usize::MAX,
            max_binary_len: usize::MAX,
            max_packet_len: DEFAULT_MAX_PACKET_LEN,
        }
    }
}

/// Incremental decoder. With the JSON parser, text messages give packets, except a binary
/// packet's header, which waits for its attachments (the following binary messages). With the
/// MessagePack parser ([`Decoder::with_parser`]), every binary message is one whole packet.
///
/// After an error the decoder is back to its initial state (a pending binary packet is
/// dropped); the reference closes the connection on any error anyway.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    #[cfg_attr(not(feature = "msgpack"), allow(dead_code))]
    parser: Parser,
    limits: DecoderLimits,
    pending: Option<Pending>,
}

#[derive(Debug, Clone)]
struct Pending {
    packet: Packet,
    expected: usize,
    /// Bytes received for this packet so far (text and attachments).
    received: usize,
    /// The placeholder verdict, found at header time and reported with the last attachment.
    placeholders_ok: bool,
}

impl Decoder {
    /// A decoder accepting at most `max_attachments` attachments per packet.
    pub fn new(max_attachments: usize) -> Decoder {
        Decoder::with_limits(DecoderLimits {
            max_attachments,
            ..DecoderLimits::default()
        })
    }

    /// A JSON-parser decoder with the given limits.
    pub fn with_limits(limits: DecoderLimits) -> Decoder {
        Decoder::with_parser(Parser::Json, limits)
    }

    /// A decoder for `parser` with the given limits.
    pub fn with_parser(parser: Parser, limits: DecoderLimits) -> Decoder {
        Decoder {
            parser,
            limits,
            pending: None,
        }
    }

    /// Whether a binary packet is waiting for attachments.
    pub fn is_reconstructing(&self) -> bool {
        self.pending.is_some()
    }

    /// Drops a partially received binary packet.
    pub fn reset(&mut self) {
        self.pending = None;
    }

    /// Feeds a text message. `Ok(None)`: a binary packet header, now waiting for attachments.
    pub fn decode_text(&mut self, text: &str) -> Result<Option<Packet>, DecodeError> {
        #[cfg(feature = "msgpack")]
        if self.parser == Parser::MessagePack {
            return Err(DecodeError::TextWithMessagePack);
        }
        if self.pending.take().is_some() {
            return Err(DecodeError::UnexpectedText);
        }
        if text.len() > self.limits.max_text_len {
            return Err(DecodeError::TooLarge {
                len: text.len(),
                max: self.limits.max_text_len,
            });
        }
        if text.len() > self.limits.max_packet_len {
            return Err(DecodeError::PacketTooLarge {
                len: text.len(),
                max: self.limits.max_packet_len,
            });
        }
        let (packet, expected, placeholders_ok) = decode_header(text, self.limits.max_attachments)?;
        if expected == 0 {
            return Ok(Some(packet));
        }
        self.pending = Some(Pending {
            packet,
            expected,
            received: text.len(),
            placeholders_ok,
        });
        Ok(None)
    }

    /// Feeds a binary message: an attachment (`Ok(Some)` when it was the last one), or with the
    /// MessagePack parser a whole packet.
    pub fn decode_binary(&mut self, bytes: Bytes) -> Result<Option<Packet>, DecodeError> {
        #[cfg(feature = "msgpack")]
        if self.parser == Parser::MessagePack {
            return super::msgpack::decode(&bytes, &self.limits).map(Some);
        }
        let Some(pending) = self.pending.as_mut() else {
            return Err(DecodeError::UnexpectedBinary);
        };
        if bytes.len() > self.limits.max_binary_len {
            self.pending = None;
            return Err(DecodeError::TooLarge {
                len: bytes.len(),
                max: self.limits.max_binary_len,
            });
        }
        pending.received = pending.received.saturating_add(bytes.len());
        if pending.received > self.limits.max_packet_len {
            let len = pending.received;
            self.pending = None;
            return Err(DecodeError::PacketTooLarge {
                len,
                max: self.limits.max_packet_len,
            });
        }
        pending.packet.attachments.push(bytes);
        if pending.packet.attachments.len() < pending.expected {
            return Ok(None);
        }
        match self.pending.take() {
            Some(p) if p.placeholders_ok => Ok(Some(p.packet)),
            Some(_) => Err(DecodeError::PlaceholderOutOfRange),
            None => Ok(None),
        }
    }
}

fn json_error(e: JsonError) -> DecodeError {
    if e.kind == JsonErrorKind::TooDeep {
        DecodeError::TooDeep
    } else {
        DecodeError::InvalidJson(e)
    }
}

/// Decodes one text message into a packet and the number of attachments it announces
/// (socket.io-parser `decodeString`; see the module doc). Binary packets are returned without
/// their attachments; their placeholders are checked by the [`Decoder`] once the attachments
/// have arrived.
pub fn decode_str(s: &str, max_attachments: usize) -> Result<(Packet, usize), DecodeError> {
    decode_header(s, max_attachments).map(|(p, n, _)| (p, n))
}

/// [`decode_str`], plus whether the placeholders of a binary packet match its attachments.
fn decode_header(s: &str, max_attachments: usize) -> Result<(Packet, usize, bool), DecodeError> {
    // Packet type: `Number(str.charAt(0))`.
    let first = s.chars().next();
    let kind = match first {
        None => PacketType::Connect,
        Some(c @ '0'..='6') => {
            PacketType::from_digit(c as u8 - b'0').ok_or(DecodeError::UnknownType(c))?
        }
        Some(c) if is_js_whitespace(c) => PacketType::Connect,
        Some(c) => return Err(DecodeError::UnknownType(c)),
    };
    // `next` is the byte index of the character after the one just consumed.
    let mut next = first.map_or(0, char::len_utf8);
    let rest = |at: usize| s.get(at..).unwrap_or_default();

    let mut expected = 0;
    if kind.is_binary() {
        let (count, used) = attachment_count(rest(next), max_attachments)?;
        expected = count;
        next += used;
    }

    let nsp = if rest(next).starts_with('/') {
        match rest(next).find(',') {
            Some(comma) => {
                let nsp = rest(next).get(..comma).unwrap_or_default();
                next += comma + 1;
                nsp
            }
            None => {
                let nsp = rest(next);
                next = s.len();
                nsp
            }
        }
    } else {
        "/"
    };

    let mut id = None;
    let after = rest(next);
    if after.starts_with(|c: char| c.is_ascii_digit() || is_js_whitespace(c)) {
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || is_js_whitespace(c)))
            .unwrap_or(after.len());
        id = Some(parse_ack_id(after.get(..end).unwrap_or_default()));
        next += end;
    }

    let body = rest(next);
    let (data, placeholders_ok) = if body.is_empty() {
        (None, true)
    } else {
        let placeholders_ok = validate_payload(kind, body, expected)?;
        (Some(body.to_owned()), placeholders_ok)
    };
    // Reported after the payload check, so that input the reference rejects keeps its error.
    let id = id.transpose()?;
    let packet = Packet {
        kind,
        nsp: nsp.to_owned(),
        id,
        data,
        attachments: Vec::new(),
    };
    Ok((packet, expected, placeholders_ok))
}

/// The `<count>-` of a binary packet at the start of `rest`: the count and the bytes used.
fn attachment_count(rest: &str, max_attachments: usize) -> Result<(usize, usize), DecodeError> {
    let Some(dash) = rest.find('-') else {
        return Err(DecodeError::IllegalAttachments);
    };
    let count = rest.get(..dash).unwrap_or_default();
    let n = match count.as_bytes() {
        // The usual case, without the general `Number()` rules.
        [d @ b'1'..=b'9'] => u128::from(d - b'0'),
        _ => match js_string_to_rounded(count) {
            // `Number(count)` must be an integer >= 1 (a huge one is too many).
            Rounded::Int { neg: false, abs } if abs >= 1 => abs,
            Rounded::Huge { neg: false } => u128::MAX,
            _ => return Err(DecodeError::IllegalAttachments),
        },
    };
    // (compared as doubles, like the reference)
    if n as f64 > max_attachments as f64 {
        return Err(DecodeError::TooManyAttachments {
            count: u64::try_from(n).unwrap_or(u64::MAX),
            max: max_attachments,
        });
    }
    Ok((usize::try_from(n).unwrap_or(usize::MAX), dash + 1))
}

/// Validates a packet's JSON payload for its type; for a binary packet, whether its
/// placeholders match the `expected` attachments (checked in the same pass).
fn validate_payload(kind: PacketType, body: &str, expected: usize) -> Result<bool, DecodeError> {
    let mut placeholders_ok = true;
    let found = if kind.is_binary() {
        let first = json::check_placeholders(body, expected);
        placeholders_ok = first.is_ok();
        match first {
            Err(json::PlaceholderError::Json(e)) => return Err(json_error(e)),
            _ => json::kind_at_start(body),
        }
    } else {
        json::validate(body).map_err(json_error)?
    };
    check_payload(kind, body, found)?;
    Ok(placeholders_ok)
}

/// `Number(idText)` restricted to what fits a `u64`: digits with white space around them
/// (all white space means 0).
fn parse_ack_id(text: &str) -> Result<u64, DecodeError> {
    let t = text.trim_matches(is_js_whitespace);
    if !t.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DecodeError::InvalidAckId);
    }
    let mut v: u64 = 0;
    for c in t.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .ok_or(DecodeError::InvalidAckId)?;
    }
    Ok(v)
}

/// `Decoder.isPayloadValid` for valid JSON `body` whose top-level value is a `found`.
fn check_payload(kind: PacketType, body: &str, found: Kind) -> Result<(), DecodeError> {
    let ok = match kind {
        PacketType::Connect => found == Kind::Object,
        PacketType::Disconnect => false,
        PacketType::ConnectError => matches!(found, Kind::String | Kind::Object),
        PacketType::Ack | PacketType::BinaryAck => found == Kind::Array,
        PacketType::Event | PacketType::BinaryEvent => {
            return check_event(kind, body, found);
        }
    };
    if ok {
        Ok(())
    } else {
        Err(DecodeError::InvalidPayload { kind })
    }
}

/// An event's data: an array whose first element is a number or a non-reserved string.
pub(crate) fn check_event(kind: PacketType, body: &str, found: Kind) -> Result<(), DecodeError> {
    let invalid = DecodeError::InvalidPayload { kind };
    if found != Kind::Array {
        return Err(invalid);
    }
    let head = json::array_head(body).ok_or(invalid.clone())?;
    match head.kind {
        Kind::Number => Ok(()),
        Kind::String => {
            let body = head
                .raw
                .get(1..head.raw.len().saturating_sub(1))
                .unwrap_or_default();
            let name = if body.as_bytes().contains(&b'\\') {
                std::borrow::Cow::Owned(json::unescape(body).unwrap_or_default())
            } else {
                std::borrow::Cow::Borrowed(body)
            };
            if RESERVED_EVENTS.contains(&name.as_ref()) {
                Err(DecodeError::ReservedEventName(name.into_owned()))
            } else {
                Ok(())
            }
        }
        _ => Err(invalid),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Result<(Packet, usize), DecodeError> {
        decode_str(s, 10)
    }

    fn pkt(kind: PacketType, nsp: &str, id: Option<u64>, data: Option<&str>) -> Packet {
        Packet::new(kind, nsp, id, data.map(str::to_owned))
    }

    #[test]
    fn reference_quirks() {
        use PacketType::*;
        assert_eq!(dec("").unwrap().0, pkt(Connect, "/", None, None));
        assert_eq!(dec(" {}").unwrap().0, pkt(Connect, "/", None, Some("{}")));
        assert_eq!(
            dec("0/admin").unwrap().0,
            pkt(Connect, "/admin", None, None)
        );
        assert_eq!(
            dec("2/a[\"x\"]").unwrap().0,
            pkt(Event, "/a[\"x\"]", None, None)
        );
        assert_eq!(dec("2").unwrap().0, pkt(Event, "/", None, None));
        assert_eq!(
            dec("2 [\"a\"]").unwrap().0,
            pkt(Event, "/", Some(0), Some("[\"a\"]"))
        );
        assert_eq!(
            dec("2/n, \t[\"a\"]").unwrap().0,
            pkt(Event, "/n", Some(0), Some("[\"a\"]"))
        );
        assert_eq!(
            dec("2\u{a0}[\"a\"]").unwrap().0,
            pkt(Event, "/", Some(0), Some("[\"a\"]"))
        );
        assert_eq!(
            dec("21 [\"a\"]").unwrap().0,
            pkt(Event, "/", Some(1), Some("[\"a\"]"))
        );
        assert_eq!(dec("2[1]").unwrap().0, pkt(Event, "/", None, Some("[1]")));
        assert_eq!(
            dec("2[\"a\"] ").unwrap().0,
            pkt(Event, "/", None, Some("[\"a\"] "))
        );
        assert_eq!(dec("3[]").unwrap().0, pkt(Ack, "/", None, Some("[]")));
        assert_eq!(
            dec("4\"x\"").unwrap().0,
            pkt(ConnectError, "/", None, Some("\"x\""))
        );
        assert_eq!(dec("209").unwrap().0, pkt(Event, "/", Some(9), None));
        for s in [
            "51-",
            "5 1 -[\"a\"]",
            "50x1-[\"a\"]",
            "51.0-[\"a\"]",
            "5+1-",
            "51e0-",
            "50b1-",
            "5\u{2028}1-",
        ] {
            assert_eq!(dec(s).map(|r| r.1), Ok(1), "{s:?}");
        }
        assert_eq!(dec("510-[\"a\"]").map(|r| r.1), Ok(10));
        assert_eq!(dec("50xA-[\"a\"]").map(|r| r.1), Ok(10));
    }

    #[test]
    fn reference_errors() {
        use DecodeError::*;
        let kind = |s: &str| dec(s).unwrap_err();
        assert_eq!(kind("7"), UnknownType('7'));
        assert_eq!(kind("a"), UnknownType('a'));
        assert_eq!(kind("😀"), UnknownType('😀'));
        for s in [
            "5",
            "5-",
            "50-",
            "5a-",
            "51",
            "5-1-",
            "51.5-",
            "5Infinity-",
            "5-1e400-",
            "5 1 1-",
        ] {
            assert_eq!(kind(s), IllegalAttachments, "{s:?}");
        }
        assert!(matches!(
            kind("511-[\"a\"]"),
            TooManyAttachments { count: 11, max: 10 }
        ));
        assert!(matches!(kind("51e9-"), TooManyAttachments { .. }));
        assert_eq!(kind("21 2[\"a\"]"), InvalidAckId);
        assert_eq!(kind("2999999999999999999999[\"a\"]"), InvalidAckId);
        assert!(matches!(kind("2[\"a\""), InvalidJson(_)));
        assert!(matches!(kind("21e1[\"a\"]"), InvalidJson(_)));
        assert!(matches!(kind("2[\"a\"]\u{2028}"), InvalidJson(_)));
        assert_eq!(
            kind("0[]"),
            InvalidPayload {
                kind: PacketType::Connect
            }
        );
        assert_eq!(
            kind("0null"),
            InvalidPayload {
                kind: PacketType::Connect
            }
        );
        assert_eq!(
            kind("1{}"),
            InvalidPayload {
                kind: PacketType::Disconnect
            }
        );
        assert_eq!(
            kind("4[]"),
            InvalidPayload {
                kind: PacketType::ConnectError
            }
        );
        assert_eq!(
            kind("3{}"),
            InvalidPayload {
                kind: PacketType::Ack
            }
        );
        assert_eq!(
            kind("2{}"),
            InvalidPayload {
                kind: PacketType::Event
            }
        );
        assert_eq!(
            kind("2[]"),
            InvalidPayload {
                kind: PacketType::Event
            }
        );
        assert_eq!(
            kind("2[null]"),
            InvalidPayload {
                kind: PacketType::Event
            }
        );
        assert_eq!(
            kind("2[[\"a\"]]"),
            InvalidPayload {
                kind: PacketType::Event
            }
        );
        assert_eq!(kind("2[\"connect\"]"), ReservedEventName("connect".into()));
        assert_eq!(
            kind("2[\"conn\\u0065ct\"]"),
            ReservedEventName("connect".into())
        );
        assert_eq!(
            kind("51-[\"removeListener\"]"),
            ReservedEventName("removeListener".into())
        );
        assert_eq!(
            kind(&format!("3{}", "[".repeat(json::MAX_NESTING + 1))),
            TooDeep
        );
    }

    #[test]
    fn decoder_sequencing() {
        let mut d = Decoder::new(2);
        assert_eq!(
            d.decode_binary(Bytes::new()),
            Err(DecodeError::UnexpectedBinary)
        );
        assert_eq!(d.decode_text("52-[\"a\"]"), Ok(None));
        assert!(d.is_reconstructing());
        assert_eq!(d.decode_binary(Bytes::from_static(b"1")), Ok(None));
        assert_eq!(d.decode_text("2[\"a\"]"), Err(DecodeError::UnexpectedText));
        assert!(!d.is_reconstructing());
        // Placeholders are checked when the last attachment arrives.
        assert_eq!(
            d.decode_text("61-[{\"_placeholder\":true,\"num\":1}]"),
            Ok(None)
        );
        assert_eq!(
            d.decode_binary(Bytes::new()),
            Err(DecodeError::PlaceholderOutOfRange)
        );
        // Plain events keep placeholder-shaped objects as data.
        let p = d
            .decode_text("2[\"a\",{\"_placeholder\":true,\"num\":5}]")
            .unwrap()
            .unwrap();
        assert_eq!(p.kind, PacketType::Event);
        let mut small = Decoder::with_limits(DecoderLimits {
            max_text_len: 3,
            max_binary_len: 1,
            ..DecoderLimits::default()
        });
        assert!(matches!(
            small.decode_text("2[1]"),
            Err(DecodeError::TooLarge { .. })
        ));
        assert_eq!(small.decode_text("51-"), Ok(None));
        assert!(matches!(
            small.decode_binary(Bytes::from_static(b"12")),
            Err(DecodeError::TooLarge { .. })
        ));
    }

    /// Issue 13: the per-message limit let one packet carry ten maximal attachments.
    #[test]
    fn text_and_attachments_count_against_one_packet_limit() {
        let limits = DecoderLimits {
            max_packet_len: 100,
            ..DecoderLimits::default()
        };
        let mut d = Decoder::with_limits(limits);
        let header =
            "52-[\"a\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
        assert_eq!(d.decode_text(header), Ok(None));
        let room = 100 - header.len();
        assert_eq!(d.decode_binary(Bytes::from(vec![0; room - 1])), Ok(None));
        assert_eq!(
            d.decode_binary(Bytes::from(vec![0; 2])),
            Err(DecodeError::PacketTooLarge { len: 101, max: 100 })
        );
        assert!(!d.is_reconstructing());
        // Exactly at the limit is fine.
        assert_eq!(d.decode_text(header), Ok(None));
        assert_eq!(d.decode_binary(Bytes::from(vec![0; room - 1])), Ok(None));
        assert!(matches!(
            d.decode_binary(Bytes::from(vec![0; 1])),
            Ok(Some(_))
        ));
        // A text alone over the limit.
        let long = format!("2[\"{}\"]", "x".repeat(100));
        assert!(matches!(
            d.decode_text(&long),
            Err(DecodeError::PacketTooLarge { max: 100, .. })
        ));
        assert_eq!(DecoderLimits::default().max_packet_len, 100_000_000);
    }
}
