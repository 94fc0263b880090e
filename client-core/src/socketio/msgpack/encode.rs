//! One Socket.IO [`Packet`] → one MessagePack message (socket.io-msgpack-parser 3.x
//! `Encoder.encode`, i.e. notepack.io's `encode(packet)`); see the parent module for the rules.

use bytes::Bytes;
use rmp::encode as mp;

use crate::json::{self, placeholder_index};
use crate::socketio::packet::{Packet, PacketType};
use crate::value::{Number, Value};

/// Results of writes into a `Vec<u8>`, which cannot fail (short of running out of memory).
fn wrote<T, E>(_: Result<T, E>) {}

/// Encodes `packet` as the map `{type, data?, id?, nsp}` (the key order of socket.io-client's
/// packets). Binary attachments are written in place of their placeholders as `bin`; a
/// placeholder-shaped object with no matching attachment stays an object. Data that is not
/// JSON (never the case for the core's validated payloads) is written as `nil`.
pub fn encode_packet(packet: &Packet) -> Bytes {
    let data_len = packet.data.as_ref().map_or(0, String::len);
    let attached: usize = packet.attachments.iter().map(Bytes::len).sum();
    let mut out = Vec::with_capacity(24 + packet.nsp.len() + data_len + attached);
    let kind = match packet.kind {
        PacketType::BinaryEvent => PacketType::Event,
        PacketType::BinaryAck => PacketType::Ack,
        other => other,
    };
    let fields = 2 + u32::from(packet.data.is_some()) + u32::from(packet.id.is_some());
    wrote(mp::write_map_len(&mut out, fields));
    wrote(mp::write_str(&mut out, "type"));
    wrote(mp::write_uint(&mut out, kind as u64));
    if let Some(data) = &packet.data {
        wrote(mp::write_str(&mut out, "data"));
        match json::parse(data) {
            Ok(value) => write_value(&mut out, &value, &packet.attachments, 0),
            Err(_) => wrote(mp::write_nil(&mut out)),
        }
    }
    if let Some(id) = packet.id {
        wrote(mp::write_str(&mut out, "id"));
        wrote(mp::write_uint(&mut out, id));
    }
    wrote(mp::write_str(&mut out, "nsp"));
    wrote(mp::write_str(&mut out, &packet.nsp));
    Bytes::from(out)
}

/// Writes a value parsed from validated JSON, so at most [`json::MAX_DEPTH`] levels deep: the
/// recursion is bounded (`depth` guards against anything deeper all the same).
fn write_value(out: &mut Vec<u8>, v: &Value, atts: &[Bytes], depth: usize) {
    match v {
        Value::Null => wrote(mp::write_nil(out)),
        Value::Bool(b) => wrote(mp::write_bool(out, *b)),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => wrote(mp::write_str(out, s)),
        Value::Bytes(b) => wrote(mp::write_bin(out, b)),
        _ if depth > json::MAX_DEPTH => wrote(mp::write_nil(out)),
        Value::Array(items) => {
            wrote(mp::write_array_len(out, len32(items.len())));
            for item in items.iter().take(u32::MAX as usize) {
                write_value(out, item, atts, depth + 1);
            }
        }
        Value::Object(fields) => {
            let attachment = if atts.is_empty() {
                None
            } else {
                placeholder_index(fields)
                    .flatten()
                    .and_then(|i| atts.get(i))
            };
            if let Some(bytes) = attachment {
                wrote(mp::write_bin(out, bytes));
                return;
            }
            wrote(mp::write_map_len(out, len32(fields.len())));
            for (key, value) in fields.iter().take(u32::MAX as usize) {
                wrote(mp::write_str(out, key));
                write_value(out, value, atts, depth + 1);
            }
        }
    }
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Integers (including whole doubles such as `1.0`, `1e3` and `-0`) in the smallest integer
/// format, as notepack does; other numbers as float 64. Integers beyond 64 bits stay doubles.
fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(i) = n.as_i64() {
        if i >= 0 {
            wrote(mp::write_uint(out, i as u64));
        } else {
            wrote(mp::write_sint(out, i));
        }
    } else if let Some(u) = n.as_u64() {
        wrote(mp::write_uint(out, u));
    } else {
        wrote(mp::write_f64(out, n.as_f64()));
    }
}
