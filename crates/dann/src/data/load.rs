//! Reading a data file in the format its options (or its name) say.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Dataset;
use super::formats::{CsvOptions, SvmLightOptions, load_csv, load_svmlight};
use crate::error::Result;

/// File formats understood by [`load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Guess from the file name: `.csv`/`.tsv` (optionally `.gz`) is CSV, anything else SVMlight.
    #[default]
    Auto,
    /// Comma-separated values with a header; see [`CsvOptions`].
    Csv,
    /// SVMlight / LibSVM sparse text; see [`SvmLightOptions`].
    Svmlight,
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
            Format::Auto => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default();
                let name = name.strip_suffix(".gz").unwrap_or(&name);
                if name.ends_with(".csv") || name.ends_with(".tsv") {
                    Format::Csv
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
        Format::Svmlight | Format::Auto => load_svmlight(path, &options.svmlight),
    }
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
