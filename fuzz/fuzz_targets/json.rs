#![no_main]
//! `cargo +nightly fuzz run json`: see sio_fuzz_targets::json.

libfuzzer_sys::fuzz_target!(|data: &[u8]| sio_fuzz_targets::json(data));
