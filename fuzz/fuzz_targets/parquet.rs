//! `cargo +nightly fuzz run parquet`: see `dann::data::fuzz::parquet`.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| dann::data::fuzz::parquet(bytes));
