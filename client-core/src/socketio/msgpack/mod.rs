//! The MessagePack parser: socket.io-msgpack-parser 3.x on the wire, the core's
//! [`Payload`](crate::value::Payload) form (JSON text with binary placeholders plus
//! attachments) inside.
//!
//! # Wire format
//!
//! Every Socket.IO packet is ONE binary Engine.IO message: the whole packet as a msgpack map
//! `{"type": 0..4, "data": ..., "id": n, "nsp": "/..."}` (notepack.io's `encode(packet)`).
//! There are no BINARY_EVENT/BINARY_ACK types and no separate attachments: binary values are
//! msgpack `bin` values inside `data`. Text messages are an error.
//!
//! # Transcoding
//!
//! MessagePack is only a wire codec here; nothing above it changes. Decoding turns a
//! packet's `data` into JSON text, each binary value into the next placeholder
//! `{"_placeholder":true,"num":N}` (depth-first, the order socket.io-parser numbers them) with
//! the bytes as attachment N (zero-copy slices of the message). The result is what
//! `JSON.stringify` makes of the value notepack.io's decoder gives socket.io-client:
//!
//! | msgpack                                   | JSON                                            |
//! |-------------------------------------------|-------------------------------------------------|
//! | nil, bool, str                            | `null`, `true`/`false`, string (invalid UTF-8 becomes U+FFFD, like Node's `Buffer.toString`) |
//! | int (any width)                           | the exact integer (JavaScript rounds above 2^53) |
//! | float 32/64                               | the number as `JSON.stringify` writes it; NaN and ±Infinity become `null` |
//! | bin, ext 8/16/32 of type 0 (ArrayBuffer)  | a placeholder; the bytes an attachment          |
//! | fixext 1 of type 0 (notepack `undefined`) | `null` in an array, member left out in a map, field absent at the top |
//! | fixext 8 of type 0 (notepack `Date`)      | the `toISOString()` string, `null` for an invalid date |
//! | any other ext (type t, data)              | `[t, placeholder]` (notepack gives `[t, Buffer]`) |
//! | map with str keys                         | an object, members in wire order (repeated keys kept; JSON readers keep the last) |
//! | map keys that are int/float/nil/bool      | the JavaScript property name: `1`, `1.5`, `NaN`, `null`, `true`… |
//! | map keys that are bin/array/map/ext       | rejected ([`DecodeError::InvalidMessagePack`])  |
//!
//! Encoding is the reverse: placeholders (with a matching attachment) become `bin`, whole
//! numbers (`1`, `1.0`, `1e3`, `-0`) the smallest int format and other numbers float 64, as
//! notepack.io does, so encoded packets are byte-identical to socket.io-msgpack-parser's for
//! the same packet object (checked by the golden vectors, tests/vectors/msgpack.json).
//!
//! # Checks (socket.io-msgpack-parser `checkPacket`)
//!
//! `type` must be an integer from 0 to 4, `nsp` a string; CONNECT data absent or a map,
//! DISCONNECT without data, CONNECT_ERROR a string or a map, EVENT and ACK an array; `id`
//! absent or an integer. Deliberate differences:
//! - `nil` for `data` or `id` means absent (python-socketio writes `"data": nil` in packets
//!   without data, and socketioxide reads `"id": nil` as no id);
//! - an EVENT must start with a string or number name that is not reserved, as with the JSON
//!   parser (the reference lets `[]` through to socket.io-client, which then emits
//!   `undefined`);
//! - an `id` that is negative or not a `u64` is rejected ([`DecodeError::InvalidAckId`]);
//! - bounded like the JSON decoder: nesting deeper than [`json::MAX_DEPTH`] is
//!   [`DecodeError::TooDeep`], more binary values than `max_attachments` is
//!   [`DecodeError::TooManyAttachments`], a message over `max_binary_len` is
//!   [`DecodeError::TooLarge`]. Decoding never recurses and never allocates in proportion to a
//!   count read from the input; the JSON text is at most about six times the message.
//!
//! As with socket.io-parser, a map that looks exactly like a placeholder inside data that also
//! carries binary values is read as that binary value.
//!
//! [`DecodeError::InvalidMessagePack`]: crate::socketio::DecodeError::InvalidMessagePack
//! [`DecodeError::InvalidAckId`]: crate::socketio::DecodeError::InvalidAckId
//! [`DecodeError::TooDeep`]: crate::socketio::DecodeError::TooDeep
//! [`DecodeError::TooManyAttachments`]: crate::socketio::DecodeError::TooManyAttachments
//! [`DecodeError::TooLarge`]: crate::socketio::DecodeError::TooLarge
//! [`json::MAX_DEPTH`]: crate::json::MAX_DEPTH

mod date;
mod decode;
mod encode;
mod transcode;

#[cfg(test)]
mod tests;

use bytes::Bytes;

use super::decode::{DecodeError, DecoderLimits};
use super::packet::Packet;

pub use encode::encode_packet as encode;

/// Decodes one binary message into a packet, within `limits` (`max_binary_len` bounds the
/// message, `max_attachments` its binary values).
pub fn decode(message: &Bytes, limits: &DecoderLimits) -> Result<Packet, DecodeError> {
    decode::decode_packet(message, limits)
}
