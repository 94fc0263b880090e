#![no_main]
//! `cargo +nightly fuzz run sio_packets`: see sio_fuzz_targets::sio_packets.

libfuzzer_sys::fuzz_target!(|data: &[u8]| sio_fuzz_targets::sio_packets(data));
