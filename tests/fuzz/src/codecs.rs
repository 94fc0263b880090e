//! The Engine.IO and Socket.IO decoder targets.

use arbitrary::{Arbitrary, Unstructured};
use bytes::Bytes;
use sio_core::engineio::{self, Frame};
use sio_core::socketio::{self, Decoder, DecoderLimits};

/// One WebSocket message: the first input byte picks text or binary and the size limit.
pub fn eio_frame(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let frame = if mode & 1 == 0 {
        Frame::Text(String::from_utf8_lossy(rest).into_owned())
    } else {
        Frame::Binary(Bytes::copy_from_slice(rest))
    };
    let len = match &frame {
        Frame::Text(t) => t.len(),
        Frame::Binary(b) => b.len(),
    };
    let limit = if mode & 2 == 0 { usize::MAX } else { 32 };
    let packet = match engineio::Packet::from_frame_limited(frame, limit) {
        Ok(p) => p,
        Err(engineio::DecodeError::TooLarge { len: l, max }) => {
            assert!(l == len && l > max, "TooLarge({l}, {max}) for {len} bytes");
            return;
        }
        Err(_) => return,
    };
    assert!(
        len <= limit,
        "a {len}-byte frame passed the {limit}-byte limit"
    );
    // Whatever decodes is written back to a frame (and a polling text) that decodes to it.
    let again = engineio::Packet::from_frame(packet.to_frame());
    assert_eq!(again.as_ref(), Ok(&packet), "frame round trip");
    let mut text = String::new();
    packet.encode_text_into(&mut text);
    assert_eq!(
        engineio::Packet::decode_text(&text),
        Ok(packet),
        "text round trip"
    );
}

/// One long-polling response body.
pub fn eio_payload(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(rest);
    // The incremental form stops at the first error and yields at most one packet per byte.
    let mut yielded = 0usize;
    for item in engineio::payload_packets(&body) {
        yielded += 1;
        assert!(yielded <= body.len() + 1, "more packets than bytes");
        if item.is_err() {
            break;
        }
    }
    let limit = if mode & 1 == 0 { usize::MAX } else { 64 };
    let Ok(packets) = engineio::decode_payload_limited(&body, limit) else {
        return;
    };
    assert!(body.len() <= limit);
    assert!(!packets.is_empty(), "an empty payload decoded");
    let encoded = engineio::encode_payload(&packets);
    assert_eq!(
        engineio::decode_payload(&encoded).as_ref(),
        Ok(&packets),
        "payload round trip"
    );
    let max = u64::from(mode >> 1);
    let n = engineio::split_batch(&packets, max);
    assert!((1..=packets.len()).contains(&n), "split_batch gave {n}");
}

#[derive(Debug, Arbitrary)]
enum Message {
    Text(String),
    Binary(Vec<u8>),
}

/// A sequence of Socket.IO messages (headers and attachments) through one [`Decoder`] with
/// small, input-chosen limits.
pub fn sio_packets(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let (Ok(max_attachments), Ok(size)) = (u.int_in_range(0..=4usize), u.int_in_range(0..=2u8))
    else {
        return;
    };
    let max_packet_len = [48, 1024, socketio::DEFAULT_MAX_PACKET_LEN][usize::from(size)];
    let limits = DecoderLimits {
        max_attachments,
        max_packet_len,
        ..DecoderLimits::default()
    };
    let mut decoder = Decoder::with_limits(limits);
    // Bytes fed since the current packet's header.
    let mut fed = 0usize;
    for _ in 0..32 {
        let Ok(message) = Message::arbitrary(&mut u) else {
            break;
        };
        let (len, result) = match message {
            Message::Text(t) => {
                fed = 0;
                (t.len(), decoder.decode_text(&t))
            }
            Message::Binary(b) => (b.len(), decoder.decode_binary(Bytes::from(b))),
        };
        fed += len;
        match result {
            Ok(Some(packet)) => {
                assert!(packet.attachments.len() <= max_attachments);
                assert!(fed <= max_packet_len, "{fed} bytes > {max_packet_len}");
                check_round_trip(&packet, max_attachments);
                fed = 0;
            }
            Ok(None) => assert!(decoder.is_reconstructing()),
            Err(_) => {
                assert!(
                    !decoder.is_reconstructing(),
                    "an error left a packet pending"
                );
                fed = 0;
            }
        }
    }
}

/// A decoded packet is encoded to messages that decode to the same packet.
fn check_round_trip(packet: &socketio::Packet, max_attachments: usize) {
    if let Some(payload) = packet.payload() {
        let _ = payload.to_values();
    }
    let encoded = socketio::encode(packet);
    let mut d = Decoder::new(max_attachments);
    let mut out = d.decode_text(&encoded.text);
    for a in encoded.attachments {
        assert_eq!(out, Ok(None), "completed before its attachments");
        out = d.decode_binary(a);
    }
    assert_eq!(out.as_ref(), Ok(&Some(packet.clone())), "{:?}", packet);
}
