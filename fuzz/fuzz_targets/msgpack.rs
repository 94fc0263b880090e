#![no_main]
//! `cargo +nightly fuzz run msgpack`: see sio_fuzz_targets::msgpack.

libfuzzer_sys::fuzz_target!(|data: &[u8]| sio_fuzz_targets::msgpack(data));
