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

/// Why a cell is not a usable value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadValue {
    /// Not a number at all.
    NotNumber,
    /// NaN or infinite, as written.
    NotFinite,
    /// A finite number beyond `f32` (about 3.4e38), which would become infinite.
    TooLarge,
}

impl BadValue {
    /// What is wrong with `text`.
    pub(crate) fn describe(self, text: &str) -> String {
        match self {
            BadValue::NotNumber => format!("expected a finite number, found `{text}`"),
            BadValue::NotFinite => {
                format!("expected a finite number, found `{text}` (NaN or infinite)")
            }
            BadValue::TooLarge => format!(
                "`{text}` is too large for 32-bit floats (the largest is about 3.4e38), which                  the features are read as"
            ),
        }
    }

    /// What to do about it, when there is more to say.
    pub(crate) fn fix(self) -> Option<&'static str> {
        match self {
            BadValue::NotNumber => None,
            BadValue::NotFinite => Some("replace or drop it"),
            BadValue::TooLarge => Some("rescale the column (e.g. take its logarithm)"),
        }
    }
}

/// A feature value as an `f32`: a finite number that fits.
///
/// The text is read as a 64-bit number first, then rounded to 32 bits, as a Parquet file's
/// doubles are: the same numbers written in either format give the same features.
pub(crate) fn parse_value(text: &str) -> std::result::Result<f32, BadValue> {
    let wide: f64 = text.parse().map_err(|_| BadValue::NotNumber)?;
    let v = wide as f32;
    if v.is_finite() {
        Ok(v)
    } else if wide.is_nan() || text.to_ascii_lowercase().contains("inf") {
        Err(BadValue::NotFinite)
    } else {
        Err(BadValue::TooLarge)
    }
}

pub(crate) mod csv;
pub(crate) mod folder;
pub(crate) mod gzip;
pub(crate) mod idx;
pub(crate) mod limits;
pub(crate) mod npy;
pub(crate) mod parquet;
pub(crate) mod svmlight;

pub use self::csv::{CsvHeader, CsvOptions, LabelColumn};
pub use folder::{load_image_folder, read_image};
pub use gzip::{maybe_gz, open_maybe_gz};
pub use idx::{
    IdxArray, IdxType, idx_labels_path, load_idx, read_idx, read_idx_dataset, read_idx_from,
    write_idx_u8,
};
pub use limits::ReadLimits;
pub use npy::{load_npy, read_npy_dataset};
pub use svmlight::{IndexBase, SvmLightOptions, load_svmlight, read_svmlight};
