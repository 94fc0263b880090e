//! Simulated-time scenario tests of the whole core against a scripted server.
//!
//! Each test names the docs/protocol.md §5.3 behaviour it checks (see `client-core/README.md` for
//! the table). No test sleeps; every schedule is exact for the fixed seed.

mod peer;
mod sim;

mod ack_tests;
mod engine_tests;
mod failed_session_tests;
#[cfg(feature = "msgpack")]
mod msgpack_tests;
mod namespace_tests;
mod reconnect_tests;
mod recovery_room_tests;

use crate::value::Payload;

/// A payload from JSON text (test input, known valid).
pub(crate) fn args(json: &str) -> Payload {
    Payload::from_json(json).expect("valid test JSON")
}

/// Whether `events` contains `pred` strictly before `later`.
pub(crate) fn position(
    events: &[crate::Event],
    pred: impl Fn(&crate::Event) -> bool,
) -> Option<usize> {
    events.iter().position(pred)
}
