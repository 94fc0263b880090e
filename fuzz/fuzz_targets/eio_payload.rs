#![no_main]
//! `cargo +nightly fuzz run eio_payload`: see sio_fuzz_targets::eio_payload.

libfuzzer_sys::fuzz_target!(|data: &[u8]| sio_fuzz_targets::eio_payload(data));
