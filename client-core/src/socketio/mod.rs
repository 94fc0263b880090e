//! Socket.IO protocol 5: packets and their encoding ([`packet`]), and the incremental decoder
//! ([`decode`]).

pub mod decode;
pub mod packet;

pub use crate::value::EventName;
pub use decode::{decode_str, DecodeError, Decoder, DecoderLimits, DEFAULT_MAX_PACKET_LEN};
pub use packet::{encode, encode_into, Encoded, Packet, PacketType, RESERVED_EVENTS};
