//! CSV files with an optional header, read into a [`Table`]: a label column, ignored
//! columns, numbers, categories and missing values.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::gzip::gz_with;
use super::limits::{Exceeded, Limited, ReadLimits};
use super::{BadValue, parse_value};
use crate::data::table::{
    Cell, ColumnBuilder, ColumnRef, Layout, Loc, ReadPlan, Role, Table, is_missing, push_label,
};
use crate::error::{Error, Result};

/// Which column holds the label: a header name or a 0-based position (the name
/// [`ColumnRef`] had before it named other columns too).
pub type LabelColumn = ColumnRef;

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
        let value = match self {
            CsvHeader::Auto => None,
            CsvHeader::Yes => Some(true),
            CsvHeader::No => Some(false),
        };
        crate::tristate::serialize(value, s)
    }
}

impl<'de> Deserialize<'de> for CsvHeader {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(match crate::tristate::deserialize(d, "header")? {
            None => CsvHeader::Auto,
            Some(true) => CsvHeader::Yes,
            Some(false) => CsvHeader::No,
        })
    }
}

/// Options of [`load_csv`](crate::data::load_csv).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Whether line 1 is a header: `"auto"` (the default) takes line 1 for data when every
    /// cell of it is a number, else for the header; `true` or `false` says. (`has_header`,
    /// its old name, is read too.)
    #[serde(alias = "has_header")]
    pub header: CsvHeader,
    /// The label column: its old place, read for configs written before `[data]
    /// label_column` (which reads CSV and Parquet files alike).
    #[serde(skip_serializing_if = "Option::is_none")]
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

/// Reads a CSV file (gzip or not) into a [`Table`] under `plan`.
pub(crate) fn read_csv_table(
    reader: impl std::io::Read,
    path: &Path,
    options: &CsvOptions,
    limits: &ReadLimits,
    plan: &ReadPlan,
) -> Result<Table> {
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
    let n_fields = first.as_ref().map_or(0, csv::StringRecord::len);
    let Layout {
        roles,
        mut builders,
        label,
        no_labels_note,
        notes: layout_notes,
    } = Layout::resolve(
        has_header.then_some(&headers[..]),
        n_fields,
        plan,
        path,
        Loc::Line(first_line),
        no_header_why,
    )?;
    let width = roles.len();
    let label_at = roles.iter().position(|r| *r == Role::Label);
    let mut labels = Vec::new();
    let mut n_rows = 0;
    let label_name = label.as_ref().map(ToString::to_string);
    let mut row = |record: &csv::StringRecord| -> Result<()> {
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != width {
            let mut e = Error::parse(
                path,
                line,
                format!(
                    "expected {width} fields like line {first_line}, found {}",
                    record.len()
                ),
            );
            if width == 1
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
        if let Some(li) = label_at {
            let column = label_name.as_deref();
            push_label(
                &mut labels,
                &record[li],
                Loc::Line(line),
                path,
                plan,
                column,
            )?;
        }
        for (col, cell) in record.iter().enumerate() {
            let Role::Feature(k) = roles[col] else {
                continue;
            };
            let builder = &mut builders[k];
            let cell = cell.trim();
            let value = if is_missing(cell) {
                Cell::Missing
            } else if builder.reads_text() {
                Cell::Text(cell)
            } else {
                match parse_value(cell) {
                    Ok(v) => Cell::Number(v),
                    Err(BadValue::NotNumber) => {
                        // Text in a file of one column: most likely another delimiter.
                        if width == 1
                            && let Some(d) = likely_delimiter(cell, options.delimiter)
                        {
                            return Err(Error::parse(
                                path,
                                line,
                                format!(
                                    "column `{}`: {}",
                                    builder.name,
                                    BadValue::NotNumber.describe(cell)
                                ),
                            )
                            .fix(format!(
                                "the file looks {}-separated, not {}-separated: set {}",
                                delimiter_name(d),
                                delimiter_name(options.delimiter),
                                delimiter_setting(d)
                            )));
                        }
                        Cell::Text(cell)
                    }
                    Err(bad) => {
                        let e = Error::parse(
                            path,
                            line,
                            format!("column `{}`: {}", builder.name, bad.describe(cell)),
                        );
                        return Err(match bad.fix() {
                            Some(fix) => e.fix(fix),
                            None => e,
                        });
                    }
                }
            };
            builder.push(value, Loc::Line(line), path, plan)?;
        }
        n_rows += 1;
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
    let mut notes = layout_notes;
    if options.header == CsvHeader::Auto && !has_header && first.is_some() && notes.is_empty() {
        notes.push(
            "every cell of line 1 is a number, so it is read as data, not as a header (set \
             [data.csv] header = true if it is one)"
                .to_string(),
        );
    }
    Ok(Table {
        path: path.to_path_buf(),
        format: "csv",
        named: has_header,
        header: headers,
        columns: builders.into_iter().map(ColumnBuilder::finish).collect(),
        labels: label_at.map(|_| labels),
        label_column: label,
        n_rows,
        notes,
        no_labels_note,
    })
}

/// A line of blanks only (skipped like an empty line, which the csv crate skips itself).
fn is_blank(record: &csv::StringRecord) -> bool {
    record.len() == 1 && record[0].trim().is_empty()
}

#[cfg(test)]
mod tests;
