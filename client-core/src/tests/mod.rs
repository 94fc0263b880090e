//! Simulated-time scenario tests of the whole core against a scripted server.
//!
//! Each test names the docs/protocol.md §5.3 behaviour it checks (see `client-core/README.md` for
//! the table). No test sleeps; every schedule is exact for the fixed seed.

mod peer;
mod sim;

mod ack_tests;
mod engine_tests;
mod failed_session_tests;
mod limits_tests;
#[cfg(feature = "msgpack")]
mod msgpack_tests;
mod namespace_tests;
mod reconnect_tests;
mod recovery_room_tests;
mod shared_config_tests;

use crate::value::Payload;

/// The configuration of every property test in the crate: `cases` random cases, failures
/// persisted (and replayed) from the checked-in `proptest-regressions/` files, and in CI
/// (`CI=true`) a fixed seed, so that a run never fails on a seed CI happens to draw. Locally the
/// seed is random, which keeps exploring.
pub(crate) fn proptest_config(cases: u32) -> proptest::prelude::ProptestConfig {
    let mut config = proptest::prelude::ProptestConfig::with_cases(cases);
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x0051_0c13);
    }
    config
}

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
