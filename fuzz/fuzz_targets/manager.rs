#![no_main]
//! `cargo +nightly fuzz run manager`: see sio_fuzz_targets::manager.

libfuzzer_sys::fuzz_target!(|data: &[u8]| sio_fuzz_targets::manager(data));
