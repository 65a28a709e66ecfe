//! How to read a data file: its format (named, or told by its name and first bytes), the
//! options of each reader, the columns of a table, and caps on what a read may take in.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::formats::csv::CsvOptions;
use crate::data::formats::gzip::{limited_lines, open_gz_with};
use crate::data::formats::limits::{
    DEFAULT_MAX_FIELD_BYTES, DEFAULT_MAX_GZIP_RATIO, DEFAULT_MAX_LINE_BYTES, ReadLimits, io_error,
};
use crate::data::formats::svmlight::{IndexBase, SvmLightOptions, uses_index_zero};
use crate::data::table::{ColumnRef, Missing, ReadPlan};
use crate::error::{Error, Result};

/// File formats understood by [`load`](super::load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Guess: a folder is an image folder, `.csv`/`.tsv` (optionally `.gz`) is CSV, `.npy`
    /// is NPY, `.parquet` (or a file starting with `PAR1`) is Parquet, a file starting with an IDX magic (two zero bytes, a known element type) is
    /// IDX, `.svm`/`.svmlight`/`.libsvm` is SVMlight; any other name is read by its first
    /// lines (`label index:value ...` is SVMlight, comma- or tab-separated cells CSV), and
    /// refused when they do not say.
    #[default]
    Auto,
    /// Comma-separated values, with a header line or not; see [`CsvOptions`].
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
    /// Apache Parquet (`.parquet`): numeric, boolean, text (categories) and null columns,
    /// read by name like a CSV file with a header; only the columns needed are read, a row
    /// group at a time.
    Parquet,
    /// A folder of class subfolders of PNG/JPEG images; see
    /// [`load_image_folder`](super::load_image_folder).
    Images,
}

/// How to read a data file: format, the options of each loader, and caps on what a read
/// may take in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// File format.
    pub format: Format,
    /// The label column of CSV and Parquet files: a header name, or a 0-based position.
    /// Without one, a column named `label` is the label when there is one. The source must
    /// have it; a target (or a file to predict) may lack it, or leave its cells empty: it is
    /// then unlabelled. (`[data.csv] label_column`, its old place, is read too.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_column: Option<ColumnRef>,
    /// Columns of CSV and Parquet files that are not features (IDs, timestamps, free text):
    /// names or 0-based positions. The source must have them; later files may not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore_columns: Vec<ColumnRef>,
    /// Columns read as categories (one-hot encoded) even when they hold numbers (codes, zip
    /// codes). A column of text is one without being listed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categorical: Vec<String>,
    /// A missing value in a feature column (an empty cell, `NA`, `N/A`, `NaN` or `null` in
    /// CSV; a null or NaN in Parquet): `"error"` (the default) refuses it, naming the file,
    /// line and column; `"impute"` fills it with the source's median (numbers, plus an
    /// indicator column) or a `<missing>` category.
    pub missing: Missing,
    /// A file read for a model may hold columns the model does not know: they are skipped
    /// instead of refused.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignore_extra_columns: bool,
    /// The longest line of a text file (CSV, SVMlight, a labels file) in bytes, 64 MiB by
    /// default; a longer one is an error naming its line, raised before memory grows. A CSV
    /// record continued over lines by a quoted field counts as one line.
    pub max_line_bytes: u64,
    /// The longest CSV cell in bytes, 1 MiB by default.
    pub max_field_bytes: u64,
    /// Gzip data may expand at most this many times its compressed size once 256 MiB have
    /// come out (200 by default); more is refused as a gzip bomb before memory runs out.
    pub max_gzip_ratio: f64,
    /// Options for CSV files.
    pub csv: CsvOptions,
    /// Options for SVMlight files.
    pub svmlight: SvmLightOptions,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            format: Format::default(),
            label_column: None,
            ignore_columns: Vec::new(),
            categorical: Vec::new(),
            missing: Missing::Error,
            ignore_extra_columns: false,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_field_bytes: DEFAULT_MAX_FIELD_BYTES,
            max_gzip_ratio: DEFAULT_MAX_GZIP_RATIO,
            csv: CsvOptions::default(),
            svmlight: SvmLightOptions::default(),
        }
    }
}

impl LoadOptions {
    /// The caps on a read (`max_line_bytes`, `max_field_bytes`, `max_gzip_ratio`), checked.
    pub fn limits(&self) -> Result<ReadLimits> {
        let limits = ReadLimits {
            max_line_bytes: self.max_line_bytes,
            max_field_bytes: self.max_field_bytes,
            max_gzip_ratio: self.max_gzip_ratio,
        };
        limits.check()?;
        Ok(limits)
    }

    /// The label column: `label_column`, or `[data.csv] label_column` (its old place); an
    /// error when both are set and differ.
    pub fn label(&self) -> Result<Option<ColumnRef>> {
        match (&self.label_column, &self.csv.label_column) {
            (Some(a), Some(b)) if a != b => Err(Error::config(
                "data.label_column",
                format!(
                    "is {a} but [data.csv] label_column (its old place) is {b}: keep one, in \
                     [data]"
                ),
            )),
            (a, b) => Ok(a.clone().or_else(|| b.clone())),
        }
    }

    /// How to read a source (or a file alone) under these options; `label_required`: the
    /// label column must be there, labelled on every row.
    pub(crate) fn plan(&self, label_required: bool) -> Result<ReadPlan> {
        Ok(ReadPlan {
            label: self.label()?,
            label_required,
            ignore: self.ignore_columns.clone(),
            strict_names: true,
            categorical: self.categorical.clone(),
            missing: self.missing,
            ignore_extra: self.ignore_extra_columns,
            expect: None,
            header_fallback: Vec::new(),
        })
    }

    /// Whether `path` is read column by column (CSV, Parquet).
    pub fn is_tabular(&self, path: &Path) -> Result<bool> {
        Ok(matches!(
            self.resolve_format(path)?,
            Format::Csv | Format::Parquet
        ))
    }

    /// The concrete format of `path` under these options (see [`Format::Auto`]); an error
    /// naming the file when its name and its first lines do not say.
    pub fn resolve_format(&self, path: &Path) -> Result<Format> {
        Ok(self.resolve(path)?.0)
    }

    /// The format of `path` and, for CSV, the delimiter its name (`.tsv`) or its first lines
    /// decided (`None`: the options' own); the file's head is read at most once.
    pub(crate) fn resolve(&self, path: &Path) -> Result<(Format, Option<char>)> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let tsv = name.ends_with(".tsv");
        Ok(match self.format {
            Format::Auto if path.is_dir() => (Format::Images, None),
            Format::Auto if name.ends_with(".csv") || tsv => (Format::Csv, tsv.then_some('\t')),
            Format::Auto if name.ends_with(".npy") => (Format::Npy, None),
            Format::Auto if name.ends_with(".parquet") || starts_like_parquet(path) => {
                (Format::Parquet, None)
            }
            // By the magic, or by MNIST's names (`.idx`, `-ubyte`): a damaged IDX file is then
            // reported as IDX, not as text of no known format.
            Format::Auto
                if starts_like_idx(path, &self.limits()?)
                    || name.ends_with(".idx")
                    || name.ends_with("ubyte") =>
            {
                (Format::Idx, None)
            }
            Format::Auto
                if [".svm", ".svmlight", ".libsvm"]
                    .iter()
                    .any(|e| name.ends_with(e)) =>
            {
                (Format::Svmlight, None)
            }
            Format::Auto => sniff_text(path, &self.limits()?)?,
            Format::Csv => (Format::Csv, tsv.then_some('\t')),
            f => (f, None),
        })
    }

    /// Decides the SVMlight index base once for all the files of a run: with `auto`, 0-based
    /// when any SVMlight file among `paths` uses index 0, else 1-based, written into
    /// `svmlight.index_base` so that the saved config (and every later `eval`, `predict` or
    /// `shift --model` read through it) uses the same base. Per-file guessing shifted every
    /// column of a 0-based file whose rows happened to lack index 0. No-op without SVMlight
    /// files or with an explicit base.
    pub fn settle_index_base(&mut self, paths: &[&Path]) -> Result<()> {
        if self.svmlight.index_base != IndexBase::Auto {
            return Ok(());
        }
        let mut any_svmlight = false;
        let mut zero = false;
        for path in paths {
            if self.resolve_format(path)? == Format::Svmlight {
                any_svmlight = true;
                zero = zero || uses_index_zero(path, &self.limits()?)?;
            }
        }
        if any_svmlight {
            self.svmlight.index_base = if zero {
                IndexBase::Zero
            } else {
                IndexBase::One
            };
        }
        Ok(())
    }
}

/// Whether the file starts with Parquet's magic bytes `PAR1`.
fn starts_like_parquet(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| &head == b"PAR1")
}

/// Whether the (possibly gzipped) file starts with an IDX magic: `0 0 type rank` with a known
/// element type. Text formats never start with a zero byte.
fn starts_like_idx(path: &Path, limits: &ReadLimits) -> bool {
    let mut head = [0u8; 4];
    open_gz_with(path, limits)
        .and_then(|mut r| {
            std::io::Read::read_exact(&mut r, &mut head).map_err(|e| Error::io(path, e))
        })
        .is_ok_and(|()| {
            head[0] == 0 && head[1] == 0 && matches!(head[2], 0x08 | 0x09 | 0x0b..=0x0e)
        })
}

/// The format of a text file by its first non-empty lines: `label index:value ...` is
/// SVMlight; cells separated by commas or tabs are CSV (with that delimiter). Lines that fit
/// both or neither decide nothing; an error when no line decides (or the file cannot be read).
fn sniff_text(path: &Path, limits: &ReadLimits) -> Result<(Format, Option<char>)> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = limited_lines(file, limits).map_err(|e| Error::io(path, e))?;
    for line in reader.lines().take(100) {
        let line = line.map_err(|e| io_error(path, e))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.split('#').next().unwrap_or("").trim();
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.len() > 1 && tokens[1..].iter().all(|t| t.contains(':')) && !line.contains(',') {
            return Ok((Format::Svmlight, None));
        }
        for delimiter in [',', '\t'] {
            if line.contains(delimiter) && !line.contains(':') {
                return Ok((Format::Csv, Some(delimiter)));
            }
        }
    }
    Err(Error::data_file(
        path,
        "cannot tell the format from the name or the first lines (neither `label index:value \
         ...` rows nor comma- or tab-separated cells)",
    )
    .fix("name the file .csv, .tsv or .svm, or set data.format in the config"))
}
