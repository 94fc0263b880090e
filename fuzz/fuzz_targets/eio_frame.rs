#![no_main]
//! `cargo +nightly fuzz run eio_frame`: see sio_fuzz_targets::eio_frame.

libfuzzer_sys::fuzz_target!(|data: &[u8]| sio_fuzz_targets::eio_frame(data));
