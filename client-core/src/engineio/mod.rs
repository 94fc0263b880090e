//! Engine.IO protocol 4: the packet codec (this module's [`packet`]) and the session state
//! machine built on it.

mod base64;
pub mod packet;

pub use packet::{
    decode_payload, decode_payload_limited, encode_payload, encode_payload_into, payload_packets,
    split_batch, Data, DecodeError, Frame, Handshake, Packet, PayloadPackets, SEPARATOR,
};
