//! `cargo +nightly fuzz run image`: see `dann::data::fuzz::image`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| dann::data::fuzz::image(bytes));
