//! File formats: CSV and SVMlight text, IDX and NPY arrays (each optionally gzipped) and
//! image folders. Every parser reads from any `impl Read` (`read_*`), so it can be fed
//! bytes (tests, fuzzing, stdin); the `load_*` functions open a path and call it.

use crate::error::{Error, Result};

/// The widest data accepted, in every format: 2^24 features (a hashed vocabulary's usual
/// size; 16 million pixels); a network's first layer on more would not fit in memory.
pub const MAX_FEATURES: usize = 1 << 24;

/// The number of features of samples of `shape`, or an error naming `path` when it exceeds
/// [`MAX_FEATURES`] or is 0.
pub(crate) fn sample_width(shape: &[usize], path: &std::path::Path) -> Result<usize> {
    let width = shape.iter().try_fold(1usize, |a, &s| a.checked_mul(s));
    match width {
        Some(0) => Err(Error::data_file(
            path,
            format!("samples of shape {shape:?} have no values"),
        )),
        Some(w) if w <= MAX_FEATURES => Ok(w),
        _ => Err(Error::data_file(
            path,
            format!(
                "samples of shape {shape:?} are wider than the {MAX_FEATURES} features supported",
            ),
        )),
    }
}

pub(crate) mod csv;
pub(crate) mod folder;
pub(crate) mod gzip;
pub(crate) mod idx;
pub(crate) mod npy;
pub(crate) mod svmlight;

pub use self::csv::{CsvOptions, LabelColumn, load_csv, read_csv};
pub use folder::{load_image_folder, read_image};
pub use gzip::{maybe_gz, open_maybe_gz};
pub use idx::{
    IdxArray, IdxType, idx_labels_path, load_idx, read_idx, read_idx_dataset, read_idx_from,
    write_idx_u8,
};
pub use npy::{load_npy, read_npy_dataset};
pub use svmlight::{IndexBase, SvmLightOptions, load_svmlight, read_svmlight};
