//! What `dann data info` says about a data file: its format, size, layout, classes and the
//! memory it takes once loaded.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::load::load_named;
use super::matrix::Features;
use super::options::LoadOptions;
use super::schema::{ColumnKind, ColumnSchema};
use crate::error::Result;

/// One file, read as `train` reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileInfo {
    /// The file.
    pub path: PathBuf,
    /// Its format, lower case (`csv`, `svmlight`, ...).
    pub format: String,
    /// Rows.
    pub rows: usize,
    /// Features per row.
    pub features: usize,
    /// The shape of one sample (`[features]`, or `[channels, height, width]` for images).
    pub sample_shape: Vec<usize>,
    /// Stored non-zeros, for sparse data.
    pub nonzeros: Option<usize>,
    /// Class name and number of rows, in class order; empty when unlabelled.
    pub classes: Vec<(String, usize)>,
    /// Bytes of the loaded features and labels.
    pub bytes_in_memory: usize,
    /// Seconds the read took.
    pub seconds: f64,
    /// What the reader decided that the user should know (e.g. skipped files).
    pub notes: Vec<String>,
    /// A CSV or Parquet file's columns and how each becomes features (empty for other
    /// formats).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnSchema>,
    /// The label column found, if any (a CSV or Parquet file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_column: Option<String>,
}

impl FileInfo {
    /// Reads `path` with `options` and describes it.
    pub fn read(path: &Path, options: &LoadOptions) -> Result<Self> {
        let start = Instant::now();
        let format = options.resolve_format(path)?;
        let data = load_named(path, options)?;
        let seconds = start.elapsed().as_secs_f64();
        let (nonzeros, feature_bytes) = match data.features() {
            Features::Dense(m) => (None, m.as_slice().len() * 4),
            Features::Sparse(m) => (Some(m.nnz()), m.nnz() * 8 + (m.n_rows() + 1) * 8),
        };
        let classes = data
            .class_names()
            .iter()
            .cloned()
            .zip(data.class_counts())
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            format: format!("{format:?}").to_lowercase(),
            rows: data.len(),
            features: data.n_features(),
            sample_shape: data.sample_shape(),
            nonzeros,
            classes,
            bytes_in_memory: feature_bytes + data.labels().map_or(0, |l| l.len() * 8),
            seconds,
            notes: data.notes().to_vec(),
            columns: data.schema().map(|s| s.columns.clone()).unwrap_or_default(),
            label_column: data
                .schema()
                .and_then(|s| s.label_column.as_ref())
                .filter(|_| data.labels().is_some())
                .map(ToString::to_string),
        })
    }

    /// One line of words: format, rows x features, layout, classes, memory, read time.
    pub fn describe(&self) -> String {
        let mb = |b: usize| b as f64 / 1e6;
        let layout = match self.nonzeros {
            Some(nnz) => format!(
                "sparse, {nnz} non-zeros ({:.2}%)",
                100.0 * nnz as f64 / (self.rows * self.features).max(1) as f64
            ),
            None => format!("dense, samples of {:?}", self.sample_shape),
        };
        let classes = if self.classes.is_empty() {
            "unlabelled".to_string()
        } else {
            let list: Vec<String> = self
                .classes
                .iter()
                .map(|(c, n)| format!("{c}: {n}"))
                .collect();
            format!("{} classes [{}]", self.classes.len(), list.join(", "))
        };
        let mut line = format!(
            "{}: {}, {} rows x {} features ({layout}), {classes}; {:.1} MB in memory, read in {:.2} s",
            self.path.display(),
            self.format,
            self.rows,
            self.features,
            mb(self.bytes_in_memory),
            self.seconds
        );
        if let Some(label) = &self.label_column {
            line.push_str(&format!("; label column {label}"));
        }
        if !self.columns.is_empty() {
            let columns: Vec<String> = self.columns.iter().map(describe_column).collect();
            line.push_str(&format!("; columns: {}", columns.join(", ")));
        }
        for note in &self.notes {
            line.push_str(&format!("; note: {note}"));
        }
        line
    }
}

/// The peak resident set size of this process (Linux: `VmHWM` of /proc/self/status).
pub fn peak_rss_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `a (numbers)`, `colour (3 categories, and missing)`.
fn describe_column(c: &ColumnSchema) -> String {
    let (what, missing) = match &c.kind {
        ColumnKind::Numeric { indicator, .. } => ("numbers".to_string(), *indicator),
        ColumnKind::Categorical {
            categories,
            missing_category,
        } => (
            format!(
                "{} categor{}",
                categories.len(),
                if categories.len() == 1 { "y" } else { "ies" }
            ),
            *missing_category,
        ),
    };
    let missing = if missing { ", some missing" } else { "" };
    format!("{} ({what}{missing})", c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_file_is_described() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.csv");
        std::fs::write(&path, "x,y,label\n1,2,a\n3,4,b\n5,6,a\n").unwrap();
        let info = FileInfo::read(&path, &LoadOptions::default()).unwrap();
        assert_eq!((info.rows, info.features), (3, 2));
        assert_eq!(info.classes, vec![("a".into(), 2), ("b".into(), 1)]);
        assert!(
            info.describe().contains("3 rows x 2 features"),
            "{}",
            info.describe()
        );
    }

    /// Issue 22: labels `0`, `1` and `1.0` made three classes.
    #[test]
    fn numeric_labels_written_two_ways_are_one_class() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.csv");
        std::fs::write(&path, "x,label\n1,0\n2,1\n3,1.0\n4,0\n").unwrap();
        let info = FileInfo::read(&path, &LoadOptions::default()).unwrap();
        assert_eq!(info.classes, vec![("0".into(), 2), ("1".into(), 2)]);
    }
}
