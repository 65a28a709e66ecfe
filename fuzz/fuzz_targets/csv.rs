//! `cargo +nightly fuzz run csv`: see `dann::data::fuzz::csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| dann::data::fuzz::csv(bytes));
