//! Socket.IO protocol 5: packets and their encoding ([`packet`]), the incremental decoder
//! ([`decode`]), and the MessagePack parser (`msgpack`, with the `msgpack` feature).

pub mod decode;
#[cfg(feature = "msgpack")]
pub mod msgpack;
pub mod packet;

pub use crate::value::EventName;
pub use decode::{decode_str, DecodeError, Decoder, DecoderLimits, DEFAULT_MAX_PACKET_LEN};
pub use packet::{encode, encode_into, Encoded, Packet, PacketType, RESERVED_EVENTS};

/// How Socket.IO packets are written on the wire (the server must use the same parser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Parser {
    /// socket.io-parser, the default: a text message with JSON data, then one binary message
    /// per attachment.
    #[default]
    Json,
    /// socket.io-msgpack-parser: each packet is one binary message holding a MessagePack map
    /// ([`msgpack`]; with the `msgpack` feature).
    #[cfg(feature = "msgpack")]
    MessagePack,
}

impl Parser {
    /// The parser named `name`: `json` or `msgpack` (as in `--parser`; `msgpack` only with
    /// the `msgpack` feature).
    pub fn from_name(name: &str) -> Option<Parser> {
        match name {
            "json" => Some(Parser::Json),
            #[cfg(feature = "msgpack")]
            "msgpack" => Some(Parser::MessagePack),
            _ => None,
        }
    }

    /// `json` or `msgpack`.
    pub fn name(self) -> &'static str {
        match self {
            Parser::Json => "json",
            #[cfg(feature = "msgpack")]
            Parser::MessagePack => "msgpack",
        }
    }
}
