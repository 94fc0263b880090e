//! The bodies of sio's fuzz targets, one function per target, taking the raw fuzz input.
//!
//! `fuzz/` (a cargo-fuzz project, nightly) wraps each of them in a `fuzz_target!`; this crate's
//! `tests/replay.rs` runs them on every file of the checked-in corpus (`fuzz/corpus/<target>/`)
//! with plain `cargo test`, so that `make test` replays the corpus without nightly. Every target
//! is total (any input) and panics only when an invariant of the core is broken:
//!
//! | target        | entry points                                                | asserts |
//! |---------------|-------------------------------------------------------------|---------|
//! | `eio_frame`   | `engineio::Packet::from_frame[_limited]`, `decode_text`     | size limit honoured; decode ∘ encode = id |
//! | `eio_payload` | `engineio::decode_payload[_limited]`, `payload_packets`, `split_batch` | packets ≤ bytes; decode ∘ encode = id |
//! | `sio_packets` | `socketio::Decoder` (text + attachment reassembly)          | attachment and packet-size limits; decode ∘ encode = id |
//! | `json`        | `json::validate`, `parse`, `check_placeholders`, `elements`, `array_head`, `unescape` | the validator agrees with the encoded `JSON.parse` rules; parse and placeholders agree with it |
//! | `msgpack`     | `socketio::msgpack::decode` (the MessagePack parser)        | size and attachment limits; decode ∘ encode = id |
//! | `manager`     | the whole `Manager`: arbitrary transport inputs, commands, time | outputs bounded per step; every deadline after `now`; every ack handle resolved at most once, all of them after `close()` |

mod codecs;
mod json;
mod manager;
mod msgpack;

pub use codecs::{eio_frame, eio_payload, sio_packets};
pub use json::json;
pub use manager::manager;
pub use msgpack::msgpack;

/// A fuzz target: its name (the `fuzz/fuzz_targets/<name>.rs` binary and the
/// `fuzz/corpus/<name>/` directory) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, for the corpus replay and `make fuzz`.
pub const TARGETS: &[Target] = &[
    ("eio_frame", eio_frame),
    ("eio_payload", eio_payload),
    ("sio_packets", sio_packets),
    ("json", json),
    ("msgpack", msgpack),
    ("manager", manager),
];
