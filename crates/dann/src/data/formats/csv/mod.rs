//! CSV files with an optional header and an optional label column.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::gzip::gz_with;
use super::limits::{Exceeded, Limited, ReadLimits};
use super::{BadValue, parse_value};
use crate::data::dataset::Dataset;
use crate::data::labels::normalise_label;
use crate::data::matrix::{DenseMatrix, Features};
use crate::error::{Error, Result};

/// Which CSV column holds the label: a header name or a 0-based position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LabelColumn {
    /// 0-based column position.
    Index(usize),
    /// Column name in the header.
    Name(String),
}

impl<'de> Deserialize<'de> for LabelColumn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        const EXPECTED: &str = "a column name in quotes or a 0-based column index (0, 1, ...)";
        impl serde::de::Visitor<'_> for Visitor {
            type Value = LabelColumn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(LabelColumn::Index(v as usize))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                if v < 0 {
                    return Err(E::custom(format!(
                        "label_column = {v}: columns count from 0 at the left; give a 0-based \
                         index (0, 1, ...) or the column's name in quotes (counting from the \
                         right is not supported)"
                    )));
                }
                Ok(LabelColumn::Index(v as usize))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                Err(E::custom(format!(
                    "label_column = {v}: expected {EXPECTED}"
                )))
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<Self::Value, E> {
                Ok(LabelColumn::Name(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Whether line 1 of a CSV file is a header: `"auto"` (the default), `true` or `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvHeader {
    /// Line 1 is data when every cell of it is a number, else it is the header. The guess is
    /// stated: a headerless file's columns are known by position only, and a read that needs
    /// labels says that line 1 was taken for data.
    #[default]
    Auto,
    /// Line 1 is the header (`true`).
    Yes,
    /// Line 1 is data (`false`).
    No,
}

impl Serialize for CsvHeader {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            CsvHeader::Auto => s.serialize_str("auto"),
            CsvHeader::Yes => s.serialize_bool(true),
            CsvHeader::No => s.serialize_bool(false),
        }
    }
}

impl<'de> Deserialize<'de> for CsvHeader {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = CsvHeader;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"auto\", true or false")
            }
            fn visit_bool<E: serde::de::Error>(
                self,
                v: bool,
            ) -> std::result::Result<Self::Value, E> {
                Ok(if v { CsvHeader::Yes } else { CsvHeader::No })
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<Self::Value, E> {
                match v {
                    "auto" => Ok(CsvHeader::Auto),
                    "true" => Ok(CsvHeader::Yes),
                    "false" => Ok(CsvHeader::No),
                    _ => Err(E::custom(format!(
                        "header = \"{v}\": expected \"auto\", true or false"
                    ))),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Options of [`load_csv`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Whether line 1 is a header: `"auto"` (the default) takes line 1 for data when every
    /// cell of it is a number, else for the header; `true` or `false` says. (`has_header`,
    /// its old name, is read too.)
    #[serde(alias = "has_header")]
    pub header: CsvHeader,
    /// The label column. Without one, a header column named `label` is used when present,
    /// otherwise the data is unlabelled (and a read that needs labels says why). Every other
    /// column is a numeric feature.
    pub label_column: Option<LabelColumn>,
    /// Field delimiter (`,` by default; `.tsv` files use a tab).
    pub delimiter: char,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            header: CsvHeader::Auto,
            label_column: None,
            delimiter: ',',
        }
    }
}

/// Loads a dense CSV file, gzip or not. Every cell other than the label must be a finite
/// number; a malformed cell is reported with its file, line and column.
pub fn load_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Dataset> {
    load_csv_with(path.as_ref(), options, &ReadLimits::default())
}

/// [`load_csv`] under `limits`.
pub(crate) fn load_csv_with(
    path: &Path,
    options: &CsvOptions,
    limits: &ReadLimits,
) -> Result<Dataset> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_csv_with(file, path, options, limits)
}

/// [`load_csv`] from any reader (gzip or not); `name` is what errors and the data set call
/// the input (a path, or e.g. `<stdin>`).
pub fn read_csv(
    reader: impl std::io::Read,
    name: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Dataset> {
    read_csv_with(reader, name.as_ref(), options, &ReadLimits::default())
}

/// The delimiter a line that did not split seems to use, among `;`, tab, `|` and `,`.
fn likely_delimiter(text: &str, current: char) -> Option<char> {
    [';', '\t', '|', ',']
        .into_iter()
        .filter(|&d| d != current)
        .max_by_key(|&d| text.matches(d).count())
        .filter(|&d| text.contains(d))
}

/// The delimiter `d` in words: `;`, or "tab".
fn delimiter_name(d: char) -> String {
    match d {
        '\t' => "tab".into(),
        d => format!("`{d}`"),
    }
}

/// How the setting for delimiter `d` is written in the config.
fn delimiter_setting(d: char) -> String {
    match d {
        '\t' => r#"[data.csv] delimiter = "\t""#.to_string(),
        d => format!("[data.csv] delimiter = \"{d}\""),
    }
}

fn read_csv_with(
    reader: impl std::io::Read,
    path: &Path,
    options: &CsvOptions,
    limits: &ReadLimits,
) -> Result<Dataset> {
    if !options.delimiter.is_ascii() {
        return Err(Error::config(
            "csv.delimiter",
            format!("must be one ASCII character, got `{}`", options.delimiter),
        ));
    }
    let delimiter = options.delimiter as u8;
    let input = gz_with(reader, limits).map_err(|e| Error::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Limited::csv(input, limits, delimiter));
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line() as usize);
        match e.kind() {
            csv::ErrorKind::Io(io) => match Exceeded::of(io) {
                Some(x) => x.clone().into_error(path),
                None => Error::data_file(path, e.to_string()),
            },
            csv::ErrorKind::Utf8 { .. } => {
                Error::parse(path, line.max(1), "line is not valid UTF-8 text")
            }
            _ => Error::parse(path, line, e.to_string()),
        }
    };

    let mut record = csv::StringRecord::new();
    let mut first = None;
    while reader.read_record(&mut record).map_err(csv_err)? {
        if !is_blank(&record) {
            first = Some(record.clone());
            break;
        }
    }
    let first_line = first
        .as_ref()
        .and_then(|r| r.position())
        .map_or(1, |p| p.line() as usize);
    let all_numbers = first.as_ref().is_some_and(|r| {
        r.iter()
            .all(|c| !c.trim().is_empty() && c.trim().parse::<f64>().is_ok())
    });
    let has_header = match options.header {
        CsvHeader::Yes => true,
        CsvHeader::No => false,
        CsvHeader::Auto => !all_numbers,
    };
    let headers: Vec<String> = match (&first, has_header) {
        (Some(r), true) => r.iter().map(|h| h.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    let no_header_why = match options.header {
        CsvHeader::No => "the file is read without a header line ([data.csv] header = false)",
        _ => {
            "the file has no header line (every cell of line 1 is a number, so line 1 is read as data)"
        }
    };
    let find = |name: &str| -> Result<Option<usize>> {
        let at: Vec<usize> = (0..headers.len()).filter(|&i| headers[i] == name).collect();
        match at[..] {
            [] => Ok(None),
            [i] => Ok(Some(i)),
            [a, b, ..] => Err(Error::parse(
                path,
                first_line,
                format!(
                    "two columns are named `{name}` (columns {} and {}, counting from 1)",
                    a + 1,
                    b + 1
                ),
            )
            .fix("rename one: a file has one label column")),
        }
    };
    let mut no_labels_note = None;
    let label_idx = match &options.label_column {
        Some(LabelColumn::Index(i)) => Some(*i),
        Some(LabelColumn::Name(name)) => {
            if !has_header {
                return Err(Error::parse(
                    path,
                    first_line,
                    format!(
                        "[data.csv] label_column = \"{name}\" names a column, but {no_header_why}"
                    ),
                )
                .fix("add a header line, or give label_column as a 0-based index"));
            }
            Some(find(name)?.ok_or_else(|| {
                Error::parse(
                    path,
                    first_line,
                    format!("no column `{name}` in the header [{}]", headers.join(", ")),
                )
                .fix("set [data.csv] label_column to one of these names or to a 0-based index")
            })?)
        }
        None => {
            let found = find("label")?;
            if found.is_none() && first.is_some() {
                no_labels_note = Some(if has_header {
                    format!(
                        "no label column found: the header [{}] has no column named `label`; \
                         name the label column `label`, or set [data.csv] label_column = \
                         \"<its name>\" (or its 0-based index)",
                        headers.join(", ")
                    )
                } else {
                    format!(
                        "{no_header_why}, so no column can be found by the name `label`; add \
                         a header line naming the label column `label`, or set [data.csv] \
                         label_column = <its 0-based index>"
                    )
                });
            }
            found
        }
    };

    let n_fields = first.as_ref().map_or(0, csv::StringRecord::len);
    if let Some(li) = label_idx
        && li >= n_fields
        && first.is_some()
    {
        return Err(Error::parse(
            path,
            first_line,
            format!("label column {li} (0-based) but the line has {n_fields} fields"),
        )
        .fix("set [data.csv] label_column to an index below the number of columns"));
    }
    let mut data = Vec::new();
    let mut raw_labels = Vec::new();
    let n_cols = n_fields.saturating_sub(usize::from(label_idx.is_some()));
    let mut row = |record: &csv::StringRecord| -> Result<()> {
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != n_fields {
            let mut e = Error::parse(
                path,
                line,
                format!(
                    "expected {n_fields} fields like line {first_line}, found {}",
                    record.len()
                ),
            );
            if n_fields == 1
                && let Some(d) = likely_delimiter(
                    &first.as_ref().map(|r| r[0].to_string()).unwrap_or_default(),
                    options.delimiter,
                )
            {
                e = e.fix(format!(
                    "the file looks `{d}`-separated: set {}",
                    delimiter_setting(d)
                ));
            }
            return Err(e);
        }
        if let Some(li) = label_idx {
            let label = record[li].trim();
            if label.is_empty() {
                return Err(Error::parse(path, line, "empty label"));
            }
            raw_labels.push(normalise_label(label));
        }
        for (col, cell) in record.iter().enumerate() {
            if Some(col) == label_idx {
                continue;
            }
            let cell = cell.trim();
            let v = parse_value(cell).map_err(|bad| {
                let name = headers
                    .get(col)
                    .map_or(format!("{}", col + 1), |h| format!("`{h}`"));
                let e = Error::parse(path, line, format!("column {name}: {}", bad.describe(cell)));
                match (bad, likely_delimiter(cell, options.delimiter)) {
                    (BadValue::NotNumber, Some(d)) if n_fields == 1 => e.fix(format!(
                        "the file looks {}-separated, not {}-separated: set {}",
                        delimiter_name(d),
                        delimiter_name(options.delimiter),
                        delimiter_setting(d)
                    )),
                    // Text in a column when no label column was found: likely the labels.
                    (BadValue::NotNumber, _) if label_idx.is_none() => {
                        e.fix(match headers.get(col) {
                            Some(h) => format!(
                                "if `{h}` holds the labels, set [data.csv] label_column = \"{h}\" \
                             (or name it `label`)"
                            ),
                            None => format!(
                                "if column {col} (0-based) holds the labels, set [data.csv] \
                             label_column = {col}"
                            ),
                        })
                    }
                    (bad, _) => match bad.fix() {
                        Some(fix) => e.fix(fix),
                        None => e,
                    },
                }
            })?;
            data.push(v);
        }
        Ok(())
    };
    if let Some(first) = first.as_ref().filter(|_| !has_header) {
        row(first)?;
    }
    while reader.read_record(&mut record).map_err(csv_err)? {
        if !is_blank(&record) {
            row(&record)?;
        }
    }
    let n_rows = data.len().checked_div(n_cols).unwrap_or(raw_labels.len());
    let features = Features::Dense(DenseMatrix::new(n_rows, n_cols, data)?);
    let mut ds = if label_idx.is_some() {
        Dataset::from_raw_labels(features, raw_labels)?
    } else {
        Dataset::unlabelled(features)
    };
    if let Some(note) = no_labels_note {
        ds = ds.with_no_labels_note(note);
    }
    if options.header == CsvHeader::Auto && !has_header && first.is_some() {
        ds = ds.with_note(
            "every cell of line 1 is a number, so it is read as data, not as a header (set \
             [data.csv] header = true if it is one)",
        );
    }
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != label_idx)
        .map(|(_, h)| h.clone())
        .collect();
    let ds = if has_header && names.len() == n_cols {
        ds.with_feature_names(names)?
    } else {
        ds
    };
    Ok(ds.with_origin(path))
}

/// A line of blanks only (skipped like an empty line, which the csv crate skips itself).
fn is_blank(record: &csv::StringRecord) -> bool {
    record.len() == 1 && record[0].trim().is_empty()
}

#[cfg(test)]
mod tests;
