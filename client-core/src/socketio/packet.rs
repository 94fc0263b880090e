//! Socket.IO protocol 5 packets and their encoding:
//! `<type>[<attachments>-][<nsp>,][<id>][<json>]`, with binary values sent as separate
//! Engine.IO messages after the text header (socket.io-parser 4.2 `Encoder`). Decoding is in
//! [`super::decode`].

use bytes::Bytes;

use crate::json::{self, Kind};
use crate::value::{split_event_parts, EventName, Payload};

/// Event names socket.io-parser refuses to decode (and socket.io-client refuses to emit).
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// The Socket.IO packet types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// `0`: join a namespace (client), or the server's acceptance `{"sid":…}`.
    Connect = 0,
    /// `1`: leave a namespace.
    Disconnect = 1,
    /// `2`: an event `[name, ...args]`.
    Event = 2,
    /// `3`: the reply to an event that asked for an ack.
    Ack = 3,
    /// `4`: the server refused the namespace connection.
    ConnectError = 4,
    /// `5`: an event with binary attachments.
    BinaryEvent = 5,
    /// `6`: an ack with binary attachments.
    BinaryAck = 6,
}

impl PacketType {
    /// The type for a wire digit `0`–`6`.
    pub fn from_digit(d: u8) -> Option<PacketType> {
        Some(match d {
            0 => PacketType::Connect,
            1 => PacketType::Disconnect,
            2 => PacketType::Event,
            3 => PacketType::Ack,
            4 => PacketType::ConnectError,
            5 => PacketType::BinaryEvent,
            6 => PacketType::BinaryAck,
            _ => return None,
        })
    }

    /// Event or binary event.
    pub fn is_event(self) -> bool {
        matches!(self, PacketType::Event | PacketType::BinaryEvent)
    }

    /// Ack or binary ack.
    pub fn is_ack(self) -> bool {
        matches!(self, PacketType::Ack | PacketType::BinaryAck)
    }

    pub(crate) fn is_binary(self) -> bool {
        matches!(self, PacketType::BinaryEvent | PacketType::BinaryAck)
    }
}

/// A Socket.IO packet.
///
/// `kind` is the type as found on the wire when decoding. When encoding, an event or ack with
/// attachments is sent as BINARY_EVENT / BINARY_ACK and one without as EVENT / ACK, whichever of
/// the two `kind` says ([`Packet::wire_type`]), exactly like socket.io-parser's `hasBinary` switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The packet type.
    pub kind: PacketType,
    /// The namespace, `/` by default.
    pub nsp: String,
    /// The ack id, for events that want an ack and for acks.
    pub id: Option<u64>,
    /// The JSON data as text, placeholders included; `None` when the packet has none.
    pub data: Option<String>,
    /// The binary attachments, in placeholder order.
    pub attachments: Vec<Bytes>,
}

impl Packet {
    pub(crate) fn new(
        kind: PacketType,
        nsp: &str,
        id: Option<u64>,
        data: Option<String>,
    ) -> Packet {
        Packet {
            kind,
            nsp: nsp.to_owned(),
            id,
            data,
            attachments: Vec::new(),
        }
    }

    /// CONNECT to `nsp`, with the auth object's JSON text if any.
    pub fn connect(nsp: &str, auth: Option<String>) -> Packet {
        Packet::new(PacketType::Connect, nsp, None, auth)
    }

    /// DISCONNECT from `nsp`.
    pub fn disconnect(nsp: &str) -> Packet {
        Packet::new(PacketType::Disconnect, nsp, None, None)
    }

    /// EVENT with `data` = the JSON array text `[name, ...args]`; binary if `attachments` is
    /// not empty.
    pub fn event(nsp: &str, data: String, attachments: Vec<Bytes>, id: Option<u64>) -> Packet {
        Packet {
            attachments,
            ..Packet::new(PacketType::Event, nsp, id, Some(data))
        }
    }

    /// EVENT from a [`Payload`] holding `[name, ...args]`.
    pub fn event_payload(nsp: &str, payload: Payload, id: Option<u64>) -> Packet {
        Packet::event(nsp, payload.json, payload.attachments, id)
    }

    /// ACK number `id` with `data` = the JSON array text of the reply arguments.
    pub fn ack(nsp: &str, data: String, attachments: Vec<Bytes>, id: u64) -> Packet {
        Packet {
            attachments,
            ..Packet::new(PacketType::Ack, nsp, Some(id), Some(data))
        }
    }

    /// CONNECT_ERROR with `data` = JSON text (`{"message":…,"data":…}`); for scripted servers.
    pub fn connect_error(nsp: &str, data: String) -> Packet {
        Packet::new(PacketType::ConnectError, nsp, None, Some(data))
    }

    /// The type this packet is encoded as (see the type's doc).
    pub fn wire_type(&self) -> PacketType {
        let binary = !self.attachments.is_empty();
        match self.kind {
            PacketType::Event | PacketType::BinaryEvent if binary => PacketType::BinaryEvent,
            PacketType::Event | PacketType::BinaryEvent => PacketType::Event,
            PacketType::Ack | PacketType::BinaryAck if binary => PacketType::BinaryAck,
            PacketType::Ack | PacketType::BinaryAck => PacketType::Ack,
            other => other,
        }
    }

    /// The data and attachments as a [`Payload`], if the packet has data.
    pub fn payload(&self) -> Option<Payload> {
        Some(Payload {
            json: self.data.clone()?,
            attachments: self.attachments.clone(),
        })
    }

    /// The event name of an event packet (`None` for other packets or without data).
    pub fn event_name(&self) -> Option<EventName> {
        if !self.kind.is_event() {
            return None;
        }
        let head = json::array_head(self.data.as_deref()?)?;
        match head.kind {
            Kind::String => {
                let body = head.raw.get(1..head.raw.len().checked_sub(1)?)?;
                json::unescape(body).map(EventName::Str)
            }
            Kind::Number => crate::value::Number::from_json(head.raw).map(EventName::Number),
            _ => None,
        }
    }

    /// Splits an event packet's `[name, a, b]` into the name and the arguments `[a, b]` with the
    /// attachments (placeholder numbers unchanged).
    pub fn split_event(&self) -> Option<(EventName, Payload)> {
        if !self.kind.is_event() {
            return None;
        }
        let (name, json) = split_event_parts(self.data.as_deref()?)?;
        Some((
            name,
            Payload {
                json,
                attachments: self.attachments.clone(),
            },
        ))
    }
}

/// An encoded packet: the text message, then one binary message per attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The first (text) Engine.IO message.
    pub text: String,
    /// The binary Engine.IO messages that follow it.
    pub attachments: Vec<Bytes>,
}

/// Encodes a packet like socket.io-parser's `Encoder.encode`.
pub fn encode(packet: &Packet) -> Encoded {
    let mut text =
        String::with_capacity(24 + packet.nsp.len() + packet.data.as_ref().map_or(0, String::len));
    encode_into(packet, &mut text);
    Encoded {
        text,
        attachments: packet.attachments.clone(),
    }
}

/// Appends the text part of the encoded packet to `out`.
pub fn encode_into(packet: &Packet, out: &mut String) {
    let kind = packet.wire_type();
    out.push(char::from(b'0' + kind as u8));
    if kind.is_binary() {
        json::write_u64(out, packet.attachments.len() as u64);
        out.push('-');
    }
    if !packet.nsp.is_empty() && packet.nsp != "/" {
        out.push_str(&packet.nsp);
        out.push(',');
    }
    if let Some(id) = packet.id {
        json::write_u64(out, id);
    }
    if let Some(data) = &packet.data {
        out.push_str(data);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::socketio::decode::{decode_str, DecodeError, Decoder};

    fn dec(s: &str) -> Result<(Packet, usize), DecodeError> {
        decode_str(s, 10)
    }

    #[test]
    fn encodes_like_socket_io_parser() {
        let cases = [
            (Packet::connect("/", None), "0"),
            (
                Packet::connect("/admin", Some("{\"token\":\"abcd\"}".into())),
                "0/admin,{\"token\":\"abcd\"}",
            ),
            (Packet::disconnect("/foo"), "1/foo,"),
            (
                Packet::event("/", "[\"hi\",1]".into(), vec![], None),
                "2[\"hi\",1]",
            ),
            (
                Packet::event("/", "[\"foo\"]".into(), vec![], Some(12)),
                "212[\"foo\"]",
            ),
            (
                Packet::ack("/admin", "[\"bar\"]".into(), vec![], 13),
                "3/admin,13[\"bar\"]",
            ),
            (
                Packet::connect_error("/random", "{\"message\":\"Invalid namespace\"}".into()),
                "4/random,{\"message\":\"Invalid namespace\"}",
            ),
        ];
        for (p, text) in cases {
            assert_eq!(encode(&p).text, text);
            let (back, n) = dec(text).unwrap();
            assert_eq!(n, 0);
            assert_eq!(back, p);
        }
        let bin = Packet::event(
            "/",
            "[\"buffa\",{\"_placeholder\":true,\"num\":0}]".into(),
            vec![Bytes::from_static(b"x")],
            Some(789),
        );
        let e = encode(&bin);
        assert_eq!(
            e.text,
            "51-789[\"buffa\",{\"_placeholder\":true,\"num\":0}]"
        );
        let mut d = Decoder::new(10);
        assert_eq!(d.decode_text(&e.text), Ok(None));
        let back = d.decode_binary(e.attachments[0].clone()).unwrap().unwrap();
        assert_eq!(back.kind, PacketType::BinaryEvent);
        assert_eq!(back.wire_type(), PacketType::BinaryEvent);
        assert_eq!(
            (back.id, back.data, back.attachments),
            (bin.id, bin.data, bin.attachments)
        );
    }

    #[test]
    fn event_helpers() {
        let p = Packet::event("/", "[\"m\\u0041\",1,{\"a\":2}]".into(), vec![], None);
        assert_eq!(p.event_name(), Some(EventName::Str("mA".into())));
        let (name, args) = p.split_event().unwrap();
        assert_eq!(name, EventName::Str("mA".into()));
        assert_eq!(args.json, "[1,{\"a\":2}]");
        let n = Packet::event("/", "[42]".into(), vec![], None);
        assert!(matches!(n.event_name(), Some(EventName::Number(_))));
        assert_eq!(n.split_event().unwrap().1.json, "[]");
        assert_eq!(Packet::disconnect("/").event_name(), None);
    }
}
