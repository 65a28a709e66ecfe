//! Fuzzing the parsers on stable Rust: proptest feeds each of `dann::data::fuzz`'s targets
//! (the same ones the cargo-fuzz targets in `fuzz/` run) with inputs built from the tokens
//! of its format, mutated valid files and raw bytes. The default 256 cases per target keep
//! this in the test suite's time; `PROPTEST_CASES=100000 cargo test --release --test
//! fuzz_parsers` is the long run (docs/data.md, "Fuzzing").

use std::io::Write;

use dann::data::fuzz;
use npyz::WriterBuilder;
use proptest::prelude::*;

/// Text made of `tokens`, as bytes.
fn text_of(tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(tokens), 0..60).prop_map(|t| t.concat().into_bytes())
}

const SVMLIGHT: &[&str] = &[
    "1",
    "-1",
    "+1",
    "0",
    "2.5",
    "cat",
    " ",
    " ",
    "\t",
    "\n",
    "\n",
    "\r\n",
    "#",
    "# c\n",
    "0:1",
    "1:0.5",
    "3:-2",
    "2:1e-3",
    "7:",
    ":",
    "1:nan",
    "4:inf",
    "5:1e40",
    "qid:3",
    "4294967296:1",
    "16777216:1",
    "16777215:1",
    "99999999999999999999:1",
    "2:1 1:1",
    "x:1",
    "1:x",
    "\u{0}",
    "\u{feff}",
    "é",
];

const CSV: &[&str] = &[
    "label", "y", "a", "b", ",", ",", "\t", "\n", "\n", "\r\n", "\"", "\"x,y\"", "1", "0", "-2.5",
    "1e3", "nan", "inf", "-inf", "1e40", " ", "cat", "", "\u{0}", "é", ",,",
];

/// A valid Parquet file (three row groups; numbers, text, dictionary, null and boolean
/// columns, nulls and a NaN), made by `tests/fixtures/tabular/make.py`; the strategy
/// mutates it.
const PARQUET: &[u8] = include_bytes!("fixtures/tabular/types.parquet");

/// A valid IDX file: u8 images `n x 2 x 2`, then `n` labels; the strategy mutates it.
fn idx_file(n: u8) -> Vec<u8> {
    let mut b = vec![0, 0, 0x08, 3, 0, 0, 0, n, 0, 0, 0, 2, 0, 0, 0, 2];
    b.extend((0..4 * n).map(|i| i.wrapping_mul(37)));
    b.extend([0, 0, 0x08, 1, 0, 0, 0, n]);
    b.extend((0..n).map(|i| i % 3));
    b
}

/// A valid NPY file of `f32` values `n x 2`.
fn npy_file(n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = npyz::WriteOptions::<f32>::new()
            .default_dtype()
            .shape(&[n, 2])
            .writer(&mut out)
            .begin_nd()
            .unwrap();
        w.extend((0..2 * n).map(|i| i as f32 * 0.5)).unwrap();
        w.finish().unwrap();
    }
    out
}

/// A small valid PNG.
fn png_file() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::GrayImage::from_fn(3, 2, |x, y| image::Luma([(x * 40 + y) as u8]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// `file` with up to 8 bytes overwritten, then cut at `cut` (a fraction) or kept whole.
fn mutated(file: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = file.len();
    (
        prop::collection::vec((0..len.max(1), any::<u8>()), 0..8),
        prop::option::of(0.0..1.0f64),
    )
        .prop_map(move |(edits, cut)| {
            let mut b = file.clone();
            for (i, v) in edits {
                if i < b.len() {
                    b[i] = v;
                }
            }
            if let Some(c) = cut {
                b.truncate((b.len() as f64 * c) as usize);
            }
            b
        })
}

proptest! {
    #[test]
    fn svmlight_text(bytes in text_of(SVMLIGHT)) {
        fuzz::svmlight(&bytes);
    }

    #[test]
    fn svmlight_gzip_cut_or_raw(bytes in text_of(SVMLIGHT), cut in 0.0..1.0f64, raw in prop::collection::vec(any::<u8>(), 0..200)) {
        let gz = gzip(&bytes);
        fuzz::svmlight(&gz[..(gz.len() as f64 * cut) as usize]);
        fuzz::svmlight(&raw);
    }

    #[test]
    fn csv_text(bytes in text_of(CSV), raw in prop::collection::vec(any::<u8>(), 0..200)) {
        fuzz::csv(&bytes);
        fuzz::csv(&raw);
    }

    #[test]
    fn idx_bytes(n in 0u8..6, file in (0u8..6).prop_flat_map(|n| mutated(idx_file(n))), raw in prop::collection::vec(any::<u8>(), 0..64)) {
        fuzz::idx(&idx_file(n));
        fuzz::idx(&file);
        fuzz::idx(&gzip(&file));
        fuzz::idx(&raw);
    }

    #[test]
    fn npy_bytes(file in (0u64..5).prop_flat_map(|n| mutated(npy_file(n))), raw in prop::collection::vec(any::<u8>(), 0..64)) {
        fuzz::npy(&file);
        fuzz::npy(&raw);
    }

    #[test]
    fn parquet_bytes(file in mutated(PARQUET.to_vec()), raw in prop::collection::vec(any::<u8>(), 0..64)) {
        fuzz::parquet(&file);
        fuzz::parquet(&raw);
    }

    #[test]
    fn image_bytes(file in mutated(png_file()), raw in prop::collection::vec(any::<u8>(), 0..64)) {
        fuzz::image(&file);
        fuzz::image(&raw);
    }
}

/// Every one-byte change to the Parquet footer (the metadata: schema, row groups, column
/// chunk offsets and sizes) is read or refused, never a panic. Proptest once found a footer
/// whose column chunk had a negative offset, on which the parquet crate panics.
#[test]
fn parquet_footer_byte_changes() {
    let n = PARQUET.len();
    let footer_len = u32::from_le_bytes(PARQUET[n - 8..n - 4].try_into().unwrap()) as usize;
    for at in n - 8 - footer_len..n - 8 {
        let was = PARQUET[at];
        for now in [0, 0xff, was ^ 0x01, was ^ 0x80, was.wrapping_add(1)] {
            if now == was {
                continue;
            }
            let mut file = PARQUET.to_vec();
            file[at] = now;
            fuzz::parquet(&file);
        }
    }
}

/// Inputs the fuzzers found that once broke a parser.
#[test]
fn inputs_that_once_broke_a_parser() {
    // NPY version 3 claiming a 3.4 GB header: npyz allocated it (libFuzzer, out of memory).
    let npy_header: &[u8] = &[
        147, 78, 85, 77, 80, 89, 3, 0, 60, 163, 0, 207, 39, 100, 101, 115, 99, 114, 126, 58, 32,
        39, 60, 102, 52, 39, 44, 32, 39, 102, 111, 114, 116, 114, 97, 110, 95, 111, 142, 159, 101,
        114, 101, 97, 115, 104, 58, 101, 112, 0, 0, 64, 0, 0, 64, 64, 97, 39, 36, 40, 51, 44, 32,
        50, 41, 44, 32, 125, 252, 64, 127, 10, 63, 0, 123, 39, 100, 101, 115, 64, 64, 0, 0, 128,
        64,
    ];
    fuzz::npy(npy_header);
    // NPY header of nested braces: npyz's parser took minutes (libFuzzer, timeout).
    let npy_nested: &[u8] = &[
        147, 78, 85, 77, 80, 89, 1, 0, 60, 0, 123, 39, 100, 101, 115, 99, 114, 39, 58, 32, 39, 60,
        102, 111, 114, 100, 92, 39, 32, 58, 114, 64, 70, 52, 52, 32, 40, 99, 114, 0, 0, 0, 0, 0,
        39, 44, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123,
        123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123,
        123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123,
        123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123,
        123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123,
        123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 123, 32, 39,
        102, 111, 114, 116, 114, 97, 110, 86, 0, 0, 0, 101, 114, 39, 58, 0, 0, 0, 115, 0, 0, 64,
        64, 64, 64,
    ];
    fuzz::npy(npy_nested);
    // IDX of zero images of 2^16 x 2^16 x 2^8: a data set of 2^40 features, refused.
    fuzz::idx(&[0, 0, 8, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
}
