//! CSV files with a header and an optional label column.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::gzip::maybe_gz;
use crate::data::dataset::Dataset;
use crate::data::matrix::{DenseMatrix, Features};
use crate::error::{Error, Result};

/// Which CSV column holds the label: a header name or a 0-based position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LabelColumn {
    /// 0-based column position.
    Index(usize),
    /// Column name in the header.
    Name(String),
}

/// Options of [`load_csv`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Whether the first line is a header.
    pub has_header: bool,
    /// The label column. Without one, a header column named `label` is used when present,
    /// otherwise the data is unlabelled. Every other column is a numeric feature.
    pub label_column: Option<LabelColumn>,
    /// Field delimiter (`,` by default; `.tsv` files use a tab).
    pub delimiter: char,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            has_header: true,
            label_column: None,
            delimiter: ',',
        }
    }
}

/// Loads a dense CSV file, gzip or not. Every cell other than the label must be a finite
/// number; a malformed cell is reported with its file, line and column.
pub fn load_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Dataset> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_csv(file, path, options)
}

/// [`load_csv`] from any reader (gzip or not); `name` is what errors and the data set call
/// the input (a path, or e.g. `<stdin>`).
pub fn read_csv(
    reader: impl std::io::Read,
    name: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Dataset> {
    let path = name.as_ref();
    if !options.delimiter.is_ascii() {
        return Err(Error::config(
            "csv.delimiter",
            format!("must be one ASCII character, got `{}`", options.delimiter),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(options.has_header)
        .delimiter(options.delimiter as u8)
        .from_reader(maybe_gz(reader).map_err(|e| Error::io(path, e))?);
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line() as usize);
        match e.kind() {
            csv::ErrorKind::Io(_) => Error::data_file(path, e.to_string()),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => Error::parse(
                path,
                line,
                format!("expected {expected_len} fields like the first line, found {len}"),
            ),
            _ => Error::parse(path, line, e.to_string()),
        }
    };
    let headers: Vec<String> = if options.has_header {
        reader
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| h.trim().to_string())
            .collect()
    } else {
        Vec::new()
    };
    let label_idx = match &options.label_column {
        Some(LabelColumn::Index(i)) => Some(*i),
        Some(LabelColumn::Name(name)) => {
            if !options.has_header {
                return Err(Error::config(
                    "csv.label_column",
                    format!(
                        "column `{name}` named but the file has no header; give a 0-based index"
                    ),
                ));
            }
            Some(headers.iter().position(|h| h == name).ok_or_else(|| {
                Error::parse(
                    path,
                    1,
                    format!("no column `{name}` in the header [{}]", headers.join(", ")),
                )
            })?)
        }
        None => headers.iter().position(|h| h == "label"),
    };

    let mut data = Vec::new();
    let mut raw_labels = Vec::new();
    let mut n_cols = None;
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, |p| p.line() as usize);
        if let Some(li) = label_idx {
            if li >= record.len() {
                return Err(Error::parse(
                    path,
                    line,
                    format!("label column {li} but the line has {} fields", record.len()),
                ));
            }
            let label = record[li].trim();
            if label.is_empty() {
                return Err(Error::parse(path, line, "empty label"));
            }
            raw_labels.push(label.to_string());
        }
        let mut count = 0;
        for (col, cell) in record.iter().enumerate() {
            if Some(col) == label_idx {
                continue;
            }
            let cell = cell.trim();
            let v: f32 = cell
                .parse()
                .ok()
                .filter(|v: &f32| v.is_finite())
                .ok_or_else(|| {
                    let name = headers
                        .get(col)
                        .map_or(format!("{}", col + 1), |h| format!("`{h}`"));
                    Error::parse(
                        path,
                        line,
                        format!("column {name}: expected a finite number, found `{cell}`"),
                    )
                })?;
            data.push(v);
            count += 1;
        }
        match n_cols {
            None => n_cols = Some(count),
            Some(n) if n != count => {
                return Err(Error::parse(
                    path,
                    line,
                    format!("expected {n} feature columns, found {count}"),
                ));
            }
            _ => {}
        }
    }
    let n_cols = n_cols.unwrap_or_else(|| {
        headers
            .len()
            .saturating_sub(usize::from(label_idx.is_some()))
    });
    let n_rows = data.len().checked_div(n_cols).unwrap_or(raw_labels.len());
    let features = Features::Dense(DenseMatrix::new(n_rows, n_cols, data)?);
    let ds = if label_idx.is_some() {
        Dataset::from_raw_labels(features, raw_labels)?
    } else {
        Dataset::unlabelled(features)
    };
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != label_idx)
        .map(|(_, h)| h.clone())
        .collect();
    let ds = if options.has_header && names.len() == n_cols {
        ds.with_feature_names(names)?
    } else {
        ds
    };
    Ok(ds.with_origin(path))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write(content: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        f.write_all(content.as_bytes()).unwrap();
        f
    }

    #[test]
    fn reads_header_and_label_column() {
        let f = write("x,label,y\n1.5,cat,2\n-3,dog,4e-1\n");
        let ds = load_csv(f.path(), &CsvOptions::default()).unwrap();
        assert_eq!(ds.n_features(), 2);
        assert_eq!(ds.class_names(), ["cat", "dog"]);
        let Features::Dense(m) = ds.features() else {
            panic!("dense expected")
        };
        assert_eq!(m.as_slice(), [1.5, 2.0, -3.0, 0.4]);
    }

    #[test]
    fn label_by_index_without_header_and_unlabelled() {
        let f = write("1,2,0\n3,4,1\n");
        let opts = CsvOptions {
            has_header: false,
            label_column: Some(LabelColumn::Index(2)),
            ..Default::default()
        };
        let ds = load_csv(f.path(), &opts).unwrap();
        assert_eq!(ds.labels().unwrap(), [0, 1]);
        let unl = load_csv(
            f.path(),
            &CsvOptions {
                has_header: false,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(unl.labels().is_none());
        assert_eq!(unl.n_features(), 3);
    }

    #[test]
    fn malformed_cells_name_file_line_and_column() {
        for (text, opts, line, needle) in [
            (
                "a,label\n1,x\nz,y\n",
                CsvOptions::default(),
                3,
                "column `a`: expected a finite number, found `z`",
            ),
            (
                "a,label\n1,x\n2\n",
                CsvOptions::default(),
                3,
                "expected 2 fields",
            ),
            ("a,label\n,x\n", CsvOptions::default(), 2, "found ``"),
            ("a,label\n1,\n", CsvOptions::default(), 2, "empty label"),
            (
                "a,b\n1,2\n",
                CsvOptions {
                    label_column: Some(LabelColumn::Name("y".into())),
                    ..Default::default()
                },
                1,
                "no column `y`",
            ),
        ] {
            let f = write(text);
            let err = load_csv(f.path(), &opts).unwrap_err().to_string();
            let want = format!("{}:{line}: ", f.path().display());
            assert!(err.starts_with(&want), "{err} should start with {want}");
            assert!(err.contains(needle), "{err} should contain {needle}");
        }
    }
}
