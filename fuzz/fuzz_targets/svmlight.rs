//! `cargo +nightly fuzz run svmlight`: see `dann::data::fuzz::svmlight`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| dann::data::fuzz::svmlight(bytes));
