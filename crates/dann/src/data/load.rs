//! Reading a data file in the format its options (or its name) say.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Dataset;
use super::formats::{
    CsvOptions, SvmLightOptions, load_csv, load_idx, load_image_folder, load_npy, load_svmlight,
    open_maybe_gz,
};
use crate::error::Result;

/// File formats understood by [`load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Guess: a folder is an image folder, `.csv`/`.tsv` (optionally `.gz`) is CSV, `.npy`
    /// is NPY, a file
    /// starting with an IDX magic (two zero bytes, a known element type) is IDX, anything
    /// else SVMlight.
    #[default]
    Auto,
    /// Comma-separated values with a header; see [`CsvOptions`].
    Csv,
    /// SVMlight / LibSVM sparse text; see [`SvmLightOptions`].
    Svmlight,
    /// IDX arrays (MNIST's format): images `N x H x W` or `N x H x W x C`, labels from the
    /// `*-labels-idx1-*` file beside `*-images-idx3-*` when there is one; see
    /// [`load_idx`](super::load_idx).
    Idx,
    /// NumPy arrays (`.npy`), labels from `<stem>.labels.npy` or `.csv`; see
    /// [`load_npy`](super::load_npy).
    Npy,
    /// A folder of class subfolders of PNG/JPEG images; see
    /// [`load_image_folder`](super::load_image_folder).
    Images,
}

/// How to read a data file: format plus the options of each loader.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// File format.
    pub format: Format,
    /// Options for CSV files.
    pub csv: CsvOptions,
    /// Options for SVMlight files.
    pub svmlight: SvmLightOptions,
}

impl LoadOptions {
    /// The concrete format of `path` under these options.
    pub fn resolve_format(&self, path: &Path) -> Format {
        match self.format {
            Format::Auto if path.is_dir() => Format::Images,
            Format::Auto => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default();
                let name = name.strip_suffix(".gz").unwrap_or(&name);
                if name.ends_with(".csv") || name.ends_with(".tsv") {
                    Format::Csv
                } else if name.ends_with(".npy") {
                    Format::Npy
                } else if starts_like_idx(path) {
                    Format::Idx
                } else {
                    Format::Svmlight
                }
            }
            f => f,
        }
    }
}

/// Loads `path` in the format chosen by `options` (see [`LoadOptions::resolve_format`]).
pub fn load(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Dataset> {
    let path = path.as_ref();
    match options.resolve_format(path) {
        Format::Csv => {
            let mut csv = options.csv.clone();
            let name = path.to_string_lossy().to_ascii_lowercase();
            if name.ends_with(".tsv") || name.ends_with(".tsv.gz") {
                csv.delimiter = '\t';
            }
            load_csv(path, &csv)
        }
        Format::Idx => load_idx(path),
        Format::Images => load_image_folder(path),
        Format::Npy => load_npy(path),
        Format::Svmlight | Format::Auto => load_svmlight(path, &options.svmlight),
    }
}

/// Whether the (possibly gzipped) file starts with an IDX magic: `0 0 type rank` with a known
/// element type. Text formats never start with a zero byte.
fn starts_like_idx(path: &Path) -> bool {
    let mut head = [0u8; 4];
    open_maybe_gz(path)
        .and_then(|mut r| {
            std::io::Read::read_exact(&mut r, &mut head).map_err(|e| crate::Error::io(path, e))
        })
        .is_ok_and(|()| {
            head[0] == 0 && head[1] == 0 && matches!(head[2], 0x08 | 0x09 | 0x0b..=0x0e)
        })
}

/// Environment variable naming the folder that holds benchmark data (`amazon/`, ...).
pub const DATA_DIR_ENV: &str = "DANN_DATA_DIR";

/// The benchmark data folder: `explicit` when given, else `$DANN_DATA_DIR`, else `data` (the
/// repository's shipped data, relative to the working directory).
pub fn data_dir(explicit: Option<PathBuf>) -> PathBuf {
    explicit.unwrap_or_else(|| {
        std::env::var_os(DATA_DIR_ENV).map_or_else(|| PathBuf::from("data"), PathBuf::from)
    })
}
