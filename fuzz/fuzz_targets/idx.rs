//! `cargo +nightly fuzz run idx`: see `dann::data::fuzz::idx`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| dann::data::fuzz::idx(bytes));
