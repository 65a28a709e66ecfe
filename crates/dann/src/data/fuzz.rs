//! Entry points for the fuzzers: the cargo-fuzz targets in `fuzz/` (nightly, libFuzzer) and
//! the proptest runs in `tests/fuzz_parsers.rs` (stable, part of the test suite) call these
//! with arbitrary bytes. Each parses the bytes with one parser, under every option that
//! changes the parse, and panics (which the fuzzer reports) when a parser breaks its
//! contract: it must return a data set whose rows, labels and values are consistent and
//! finite, or an error that names the input; never panic, abort or allocate what the
//! input only claims.

use std::io::Cursor;

use crate::data::dataset::Dataset;
use crate::data::formats::csv::{CsvHeader, CsvOptions, LabelColumn};
use crate::data::formats::folder::read_image;
use crate::data::formats::idx::read_idx_dataset;
use crate::data::formats::npy::read_npy_dataset;
use crate::data::formats::svmlight::{IndexBase, SvmLightOptions, read_svmlight};
use crate::data::options::LoadOptions;
use crate::data::table::{ColumnRef, Missing};
use crate::data::tabular::{read_csv, read_parquet};
use crate::error::Result;

/// What the fuzzed input is called in errors.
pub const NAME: &str = "fuzz-input";

/// Checks a parse result (see the module docs).
fn check(result: Result<Dataset>) {
    match result {
        Ok(data) => {
            let n = data.len();
            assert_eq!(data.features().n_rows(), n);
            if let Some(labels) = data.labels() {
                assert_eq!(labels.len(), n);
                assert!(labels.iter().all(|&l| l < data.class_names().len()));
            }
            let width = data.n_features();
            assert_eq!(data.sample_shape().iter().product::<usize>(), width);
            assert!(width <= crate::data::formats::MAX_FEATURES);
            let mut row = vec![0f32; if n > 0 { width } else { 0 }];
            for i in 0..n.min(64) {
                data.features().write_row(i, &mut row);
                assert!(row.iter().all(|v| v.is_finite()), "row {i}: {row:?}");
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains(NAME),
                "the error does not name the input: {message}"
            );
        }
    }
}

/// SVMlight text (or gzip), under each index base and with a fixed width.
pub fn svmlight(bytes: &[u8]) {
    for index_base in [IndexBase::Auto, IndexBase::Zero, IndexBase::One] {
        for n_features in [None, Some(4)] {
            let options = SvmLightOptions {
                n_features,
                index_base,
            };
            check(read_svmlight(Cursor::new(bytes), NAME, &options));
        }
    }
}

/// CSV text (or gzip): with a header and the `label` column, without a header and a label
/// column by position, and tab-separated.
pub fn csv(bytes: &[u8]) {
    let options = [
        CsvOptions::default(),
        CsvOptions {
            header: CsvHeader::No,
            label_column: Some(LabelColumn::Index(1)),
            ..CsvOptions::default()
        },
        CsvOptions {
            delimiter: '\t',
            label_column: Some(LabelColumn::Name("y".into())),
            ..CsvOptions::default()
        },
    ];
    for o in &options {
        check(read_csv(Cursor::new(bytes), NAME, o));
    }
}

/// IDX bytes: the first half as images, and the whole as images with the second half as
/// labels.
pub fn idx(bytes: &[u8]) {
    check(read_idx_dataset(Cursor::new(bytes), None::<&[u8]>, NAME));
    let (images, labels) = bytes.split_at(bytes.len() / 2);
    check(read_idx_dataset(Cursor::new(images), Some(labels), NAME));
}

/// Parquet bytes: every column read (nulls refused, then imputed), and with the label column
/// named.
pub fn parquet(bytes: &[u8]) {
    let options = [
        LoadOptions::default(),
        LoadOptions {
            missing: Missing::Impute,
            label_column: Some(ColumnRef::Name("y".into())),
            ..LoadOptions::default()
        },
    ];
    for o in &options {
        check(read_parquet(bytes.to_vec(), NAME, o));
    }
}

/// NPY bytes.
pub fn npy(bytes: &[u8]) {
    check(read_npy_dataset(Cursor::new(bytes), NAME));
}

/// One image file's bytes (PNG or JPEG): decoded or refused, never a panic.
pub fn image(bytes: &[u8]) {
    if let Err(e) = read_image(Cursor::new(bytes), NAME) {
        let message = e.to_string();
        assert!(message.contains(NAME), "{message}");
    }
}
