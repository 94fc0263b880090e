//! The MessagePack parser's decoder (`socketio::msgpack`, socket.io-msgpack-parser's format).

use bytes::Bytes;
use sio_core::socketio::{msgpack, DecoderLimits};

/// One binary message through `msgpack::decode` with small, input-chosen limits (the first
/// byte): never a panic, the limits honoured, and a decoded packet encodes to a message that
/// decodes to the same packet.
pub fn msgpack(data: &[u8]) {
    let Some((&choice, message)) = data.split_first() else {
        return;
    };
    let max_attachments = usize::from(choice & 0x07);
    let max_binary_len = [64, 4096, usize::MAX][usize::from((choice >> 3) % 3)];
    let limits = DecoderLimits {
        max_attachments,
        max_binary_len,
        ..DecoderLimits::default()
    };
    let Ok(packet) = msgpack::decode(&Bytes::copy_from_slice(message), &limits) else {
        return;
    };
    assert!(
        message.len() <= max_binary_len,
        "{} bytes accepted",
        message.len()
    );
    assert!(packet.attachments.len() <= max_attachments);
    if let Some(payload) = packet.payload() {
        // the arguments the core hands out are valid JSON text
        let _ = payload.to_values();
    }
    let again = msgpack::decode(&msgpack::encode(&packet), &DecoderLimits::default())
        .unwrap_or_else(|e| panic!("our own encoding of {packet:?} does not decode: {e}"));
    assert_eq!(again, packet, "decode ∘ encode is not the identity");
}
