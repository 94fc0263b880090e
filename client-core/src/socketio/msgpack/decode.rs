//! One binary Engine.IO message → one Socket.IO [`Packet`] (socket.io-msgpack-parser 3.x
//! `Decoder.add` + `checkPacket`); see the parent module for the rules.

use bytes::Bytes;

use super::transcode::{read_key, read_scalar, transcode_value, Num, Reader, Scalar, Sink};
use crate::json::{self, Kind};
use crate::socketio::decode::{check_event, DecodeError, DecoderLimits};
use crate::socketio::packet::{Packet, PacketType};

/// The packet map's fields; a repeated key keeps its last value, as in JavaScript.
struct Fields {
    kind: Scalar,
    nsp: Scalar,
    id: Scalar,
    /// Nothing, or the transcoded JSON text (placeholders numbered from 0).
    data: Option<Sink>,
}

/// Decodes one msgpack-encoded packet. `limits.max_binary_len` bounds the message and
/// `limits.max_attachments` the binary values in its data.
pub(crate) fn decode_packet(bytes: &Bytes, limits: &DecoderLimits) -> Result<Packet, DecodeError> {
    if bytes.len() > limits.max_binary_len {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: limits.max_binary_len,
        });
    }
    let fields = read_fields(bytes, limits.max_attachments)?;
    let kind = packet_type(&fields.kind)?;
    let Scalar::Str(nsp) = fields.nsp else {
        return Err(DecodeError::InvalidNamespace);
    };
    let data = fields.data;
    check_data(kind, data.as_ref().map(|d| d.json.as_str()))?;
    let id = ack_id(&fields.id)?;
    let (data, attachments) = match data {
        Some(sink) => (Some(sink.json), sink.attachments),
        None => (None, Vec::new()),
    };
    let kind = match kind {
        PacketType::Event if !attachments.is_empty() => PacketType::BinaryEvent,
        PacketType::Ack if !attachments.is_empty() => PacketType::BinaryAck,
        other => other,
    };
    Ok(Packet {
        kind,
        nsp,
        id,
        data,
        attachments,
    })
}

fn read_fields(bytes: &Bytes, max_attachments: usize) -> Result<Fields, DecodeError> {
    let mut r = Reader::new(bytes);
    let Some(count) = r.map_header()? else {
        // Not a map, so no `type` (`invalid packet type`); malformed input is reported first.
        transcode_value(&mut r, &mut Sink::new(max_attachments))?;
        return Err(DecodeError::InvalidPacketType);
    };
    let mut fields = Fields {
        kind: Scalar::Absent,
        nsp: Scalar::Absent,
        id: Scalar::Absent,
        data: None,
    };
    for _ in 0..count {
        let key = read_key(&mut r)?;
        match key.as_ref() {
            "type" => fields.kind = read_scalar(&mut r)?,
            "nsp" => fields.nsp = read_scalar(&mut r)?,
            "id" => fields.id = read_scalar(&mut r)?,
            _ => {
                let data = key == "data";
                let room = if data {
                    r.remaining().min(1 << 16) + 16
                } else {
                    0
                };
                let mut sink = Sink::with_capacity(max_attachments, room);
                let defined = transcode_value(&mut r, &mut sink)?;
                if data {
                    // `undefined` and `nil` both mean "no data" (python-socketio writes
                    // `data: nil`).
                    fields.data = (defined && sink.json != "null").then_some(sink);
                }
            }
        }
    }
    if r.remaining() > 0 {
        return Err(DecodeError::InvalidMessagePack {
            offset: r.position(),
            reason: "trailing bytes",
        });
    }
    Ok(fields)
}

/// A non-negative whole number (a whole double counts, like `Number.isInteger`) as a `u64`.
fn whole(n: Num) -> Option<u64> {
    match n {
        Num::Unsigned(u) => Some(u),
        Num::Signed(i) => u64::try_from(i).ok(),
        // 2^64 as a double; every double below it that is whole fits.
        Num::Float(x) if x.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&x) => {
            Some(x as u64)
        }
        Num::Float(_) => None,
    }
}

/// `type`: an integer from 0 to 4.
fn packet_type(field: &Scalar) -> Result<PacketType, DecodeError> {
    match field {
        Scalar::Num(n) => whole(*n)
            .filter(|&t| t <= 4)
            .and_then(|t| PacketType::from_digit(t as u8))
            .ok_or(DecodeError::InvalidPacketType),
        _ => Err(DecodeError::InvalidPacketType),
    }
}

/// `id`: absent, or an integer that fits a `u64`.
fn ack_id(field: &Scalar) -> Result<Option<u64>, DecodeError> {
    match field {
        Scalar::Absent => Ok(None),
        Scalar::Num(n) => whole(*n).map(Some).ok_or(DecodeError::InvalidAckId),
        _ => Err(DecodeError::InvalidAckId),
    }
}

/// socket.io-msgpack-parser `isDataValid`, plus the event-name rules of the JSON parser.
fn check_data(kind: PacketType, data: Option<&str>) -> Result<(), DecodeError> {
    let found = data.map(json::kind_at_start);
    let ok = match kind {
        PacketType::Connect => matches!(found, None | Some(Kind::Object)),
        PacketType::Disconnect => found.is_none(),
        PacketType::ConnectError => matches!(found, Some(Kind::String | Kind::Object)),
        PacketType::Event | PacketType::BinaryEvent => {
            return match (found, data) {
                (Some(found), Some(body)) => check_event(kind, body, found),
                _ => Err(DecodeError::InvalidPayload { kind }),
            };
        }
        PacketType::Ack | PacketType::BinaryAck => found == Some(Kind::Array),
    };
    if ok {
        Ok(())
    } else {
        Err(DecodeError::InvalidPayload { kind })
    }
}
