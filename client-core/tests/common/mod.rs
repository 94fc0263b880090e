//! Shared by the integration tests.

#![allow(dead_code)]

pub mod json_rules;

/// Property-test configuration: `cases` random cases, failures persisted to (and replayed from)
/// the checked-in `*.proptest-regressions` file next to the test, and a fixed seed when `CI=true`
/// so that CI never fails on a seed it happens to draw; random locally.
pub fn proptest_config(cases: u32) -> proptest::prelude::ProptestConfig {
    let mut config = proptest::prelude::ProptestConfig::with_cases(cases);
    config.failure_persistence = Some(Box::new(
        proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
    ));
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x0051_0c13);
    }
    config
}
