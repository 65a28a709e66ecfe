//! `cargo +nightly fuzz run npy`: see `dann::data::fuzz::npy`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| dann::data::fuzz::npy(bytes));
