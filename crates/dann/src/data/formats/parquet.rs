//! Apache Parquet files, read into a [`Table`] like a CSV file with a header: only the
//! columns the plan needs are read (a projection), a batch of rows at a time, row group by
//! row group. Numbers (integers, floats, decimals) and booleans are numeric columns, text
//! (and dictionary-encoded text) category columns; nulls and NaN are missing values.

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;

use super::BadValue;
use crate::data::table::{Cell, ColumnBuilder, Layout, Loc, ReadPlan, Role, Table, push_label};
use crate::error::{Error, Result};

/// Rows per batch read.
const BATCH_ROWS: usize = 16 * 1024;

/// Reads the Parquet file `path` into a [`Table`] under `plan`.
pub(crate) fn read_parquet_table(path: &Path, plan: &ReadPlan) -> Result<Table> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_parquet_from(file, path, plan)
}

/// The Parquet file held in memory (`bytes`; `path` names it) read into a [`Table`] under
/// `plan`.
pub(crate) fn read_parquet_bytes(bytes: Vec<u8>, path: &Path, plan: &ReadPlan) -> Result<Table> {
    read_parquet_from(bytes::Bytes::from(bytes), path, plan)
}

/// [`read_parquet_table`] from any of the parquet crate's readers; `path` names it. The
/// parquet crate panics on some damaged files (a dictionary page missing, a page cut short)
/// instead of returning an error: such a panic is refused as an unreadable file.
fn read_parquet_from<R: ChunkReader + 'static>(
    file: R,
    path: &Path,
    plan: &ReadPlan,
) -> Result<Table> {
    crate::contain::contain(|| read_parquet_unguarded(file, path, plan)).unwrap_or_else(|why| {
        Err(Error::data_file(
            path,
            format!("not a readable Parquet file: the reader stopped on damaged data ({why})"),
        )
        .fix("write the file again (pandas.DataFrame.to_parquet, pyarrow.parquet.write_table)"))
    })
}

/// [`read_parquet_from`] without its guard.
fn read_parquet_unguarded<R: ChunkReader + 'static>(
    file: R,
    path: &Path,
    plan: &ReadPlan,
) -> Result<Table> {
    let bad = |e: &dyn std::fmt::Display| {
        Error::data_file(path, format!("not a readable Parquet file: {e}"))
    };
    let file_len = file.len();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(&e))?;
    check_chunks(builder.metadata(), file_len).map_err(|e| bad(&e))?;
    let schema = builder.schema().clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let Layout {
        roles,
        mut builders,
        label,
        no_labels_note,
        notes,
    } = Layout::resolve(
        Some(&names),
        names.len(),
        plan,
        path,
        Loc::Whole,
        "the file has no column names",
    )?;
    // The columns read, in file order: their types must be ones a feature can come from.
    let needed: Vec<usize> = (0..roles.len())
        .filter(|&i| roles[i] != Role::Skip)
        .collect();
    for &i in &needed {
        let field = schema.field(i);
        if let Some(why) = unsupported(field.data_type()) {
            return Err(
                Error::data_file(path, format!("column `{}` is {why}", field.name())).fix(format!(
                    "leave it out with --ignore-columns {} ([data] ignore_columns), or convert it \
                 to numbers or text",
                    field.name()
                )),
            );
        }
    }
    // The first row of each row group, for messages.
    let group_starts: Vec<usize> = builder
        .metadata()
        .row_groups()
        .iter()
        .scan(0usize, |start, g| {
            let this = *start;
            *start += g.num_rows().max(0) as usize;
            Some(this)
        })
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), needed.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| bad(&e))?;
    let label_at = roles.iter().position(|r| *r == Role::Label);
    let label_name = label.as_ref().map(ToString::to_string);
    let mut labels = Vec::new();
    let mut n_rows = 0usize;
    for batch in reader {
        let batch = batch.map_err(|e| bad(&e))?;
        let at = |r: usize| {
            let row = n_rows + r;
            Loc::Row {
                group: group_starts
                    .partition_point(|&s| s <= row)
                    .saturating_sub(1),
                row: row + 1,
            }
        };
        for (j, &i) in needed.iter().enumerate() {
            let column = batch.column(j);
            match roles[i] {
                Role::Label => {
                    let text = as_text(column, path)?;
                    let text = text.as_string::<i32>();
                    for r in 0..text.len() {
                        let cell = if text.is_null(r) { "" } else { text.value(r) };
                        let column = label_name.as_deref();
                        push_label(&mut labels, cell, at(r), path, plan, column)?;
                    }
                }
                Role::Feature(k) => push_column(&mut builders[k], column, path, plan, &at)?,
                Role::Skip => {}
            }
        }
        n_rows += batch.num_rows();
    }
    Ok(Table {
        path: path.to_path_buf(),
        format: "parquet",
        named: true,
        header: names,
        columns: builders.into_iter().map(ColumnBuilder::finish).collect(),
        labels: label_at.map(|_| labels),
        label_column: label,
        n_rows,
        notes,
        no_labels_note,
    })
}

/// Checks that every column chunk the footer lists lies inside the file: the parquet crate
/// panics on a negative offset or size (a damaged footer) instead of returning an error.
fn check_chunks(metadata: &ParquetMetaData, file_len: u64) -> std::result::Result<(), String> {
    for (g, group) in metadata.row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            return Err(format!("row group {g} claims {} rows", group.num_rows()));
        }
        for chunk in group.columns() {
            let data = chunk.data_page_offset();
            let start = chunk.dictionary_page_offset().unwrap_or(data);
            let len = chunk.compressed_size();
            let inside = start >= 0
                && data >= start
                && len >= 0
                && (start as u64)
                    .checked_add(len as u64)
                    .is_some_and(|end| end <= file_len);
            if !inside {
                return Err(format!(
                    "row group {g}, column `{}`: its pages (from byte {start}, data pages from \
                     byte {data}, {len} bytes) do not lie inside the file's {file_len} bytes",
                    chunk.column_path().string()
                ));
            }
        }
    }
    Ok(())
}

/// Why a column of this type cannot be read, if it cannot.
fn unsupported(t: &DataType) -> Option<String> {
    use DataType as T;
    match t {
        T::Null
        | T::Boolean
        | T::Int8
        | T::Int16
        | T::Int32
        | T::Int64
        | T::UInt8
        | T::UInt16
        | T::UInt32
        | T::UInt64
        | T::Float16
        | T::Float32
        | T::Float64
        | T::Decimal32(..)
        | T::Decimal64(..)
        | T::Decimal128(..)
        | T::Decimal256(..)
        | T::Utf8
        | T::LargeUtf8
        | T::Utf8View => None,
        T::Dictionary(_, value) => unsupported(value),
        T::Date32 | T::Date64 | T::Timestamp(..) | T::Time32(_) | T::Time64(_) => {
            Some(format!("a date or time ({t})"))
        }
        other => Some(format!(
            "of type {other}, which is neither numbers nor text"
        )),
    }
}

/// Whether the column holds text (read as categories).
fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, value) => is_text(value),
        _ => false,
    }
}

/// The column as UTF-8 text (numbers written out), nulls kept.
fn as_text(column: &ArrayRef, path: &Path) -> Result<ArrayRef> {
    arrow_cast::cast(column, &DataType::Utf8)
        .map_err(|e| Error::data_file(path, format!("cannot read a column as text: {e}")))
}

/// Adds a batch of one column's cells to its builder.
fn push_column(
    builder: &mut ColumnBuilder,
    column: &ArrayRef,
    path: &Path,
    plan: &ReadPlan,
    at: &dyn Fn(usize) -> Loc,
) -> Result<()> {
    if builder.reads_text() || is_text(column.data_type()) {
        let text = as_text(column, path)?;
        let text = text.as_string::<i32>();
        for r in 0..text.len() {
            let cell = if text.is_null(r) {
                Cell::Missing
            } else {
                match text.value(r).trim() {
                    "" => Cell::Missing,
                    t => Cell::Text(t),
                }
            };
            builder.push(cell, at(r), path, plan)?;
        }
        return Ok(());
    }
    let numbers = arrow_cast::cast(column, &DataType::Float64).map_err(|e| {
        Error::data_file(
            path,
            format!("column `{}`: cannot read it as numbers: {e}", builder.name),
        )
    })?;
    let numbers: Arc<dyn Array> = numbers;
    let numbers = numbers.as_primitive::<arrow_array::types::Float64Type>();
    for r in 0..numbers.len() {
        let cell = if numbers.is_null(r) || numbers.value(r).is_nan() {
            Cell::Missing
        } else {
            let v = numbers.value(r);
            let x = v as f32;
            if !v.is_finite() || !x.is_finite() {
                let bad = if v.is_finite() {
                    BadValue::TooLarge
                } else {
                    BadValue::NotFinite
                };
                let e = at(r).error(
                    path,
                    format!(
                        "column `{}`: {}",
                        builder.name,
                        bad.describe(&v.to_string())
                    ),
                );
                return Err(match bad.fix() {
                    Some(fix) => e.fix(fix),
                    None => e,
                });
            }
            Cell::Number(x)
        };
        builder.push(cell, at(r), path, plan)?;
    }
    Ok(())
}
