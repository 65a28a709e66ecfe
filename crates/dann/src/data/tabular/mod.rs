//! Tabular files (CSV, Parquet) through a [`Schema`]: read into a table under a plan, the
//! schema fitted on a source (and its target), and the table encoded as features.

mod encode;

use std::path::Path;

pub(crate) use encode::encode;

use crate::data::dataset::Dataset;
use crate::data::formats::csv::{CsvOptions, read_csv_table};
use crate::data::formats::limits::ReadLimits;
use crate::data::formats::parquet::{read_parquet_bytes, read_parquet_table};
use crate::data::labels::sort_class_names;
use crate::data::options::{Format, LoadOptions};
use crate::data::schema::{ColumnKind, ColumnSchema, MatchBy, Schema};
use crate::data::table::{Cells, Missing, ReadPlan, Table};
use crate::error::{Error, Result};

impl Schema {
    /// Fits the schema of `source` (its categories, medians), with `target` read against it
    /// (columns missing values there get an indicator too), under `options`.
    pub(crate) fn fit(
        source: &Table,
        target: Option<&Table>,
        options: &LoadOptions,
    ) -> Result<Self> {
        let n_rows = source.n_rows;
        let mut columns = Vec::with_capacity(source.columns.len());
        for (k, column) in source.columns.iter().enumerate() {
            let missing_elsewhere = target.is_some_and(|t| t.columns[k].missing > 0);
            let any_missing = column.missing > 0 || missing_elsewhere;
            let name = &column.name;
            let kind = match &column.cells {
                Cells::Number(values) => {
                    let median = match options.missing {
                        Missing::Error => None,
                        Missing::Impute => Some(median(values).ok_or_else(|| {
                            Error::data_file(
                                &source.path,
                                format!(
                                    "column `{name}` has no value in any row: there is no \
                                     median to fill it with"
                                ),
                            )
                            .fix(format!("leave it out with --ignore-columns {name}"))
                        })?),
                    };
                    ColumnKind::Numeric {
                        median,
                        indicator: any_missing,
                    }
                }
                Cells::Text { levels, .. } => {
                    let forced = options.categorical.iter().any(|c| c == name);
                    if !forced && levels.len() > MAX_AUTO_CATEGORIES && levels.len() * 2 > n_rows {
                        return Err(Error::data_file(
                            &source.path,
                            format!(
                                "column `{name}` holds text with {} distinct values in {n_rows} \
                                 rows: an identifier or free text, not categories",
                                levels.len()
                            ),
                        )
                        .fix(format!(
                            "leave it out with --ignore-columns {name}, or set [data] \
                             categorical = [\"{name}\"] to one-hot encode it all the same"
                        )));
                    }
                    let mut categories = levels.clone();
                    sort_class_names(&mut categories);
                    ColumnKind::Categorical {
                        categories,
                        missing_category: any_missing,
                    }
                }
            };
            columns.push(ColumnSchema {
                name: name.clone(),
                kind,
            });
        }
        let n_features = columns.iter().map(ColumnSchema::width).sum();
        if n_features > super::formats::MAX_FEATURES {
            return Err(Error::data_file(
                &source.path,
                format!(
                    "{n_features} features after one-hot encoding, more than the {} supported",
                    super::formats::MAX_FEATURES
                ),
            ));
        }
        Ok(Self {
            format: source.format.to_string(),
            match_by: if source.named {
                MatchBy::Name
            } else {
                MatchBy::Position
            },
            label_column: source.label_column.clone(),
            ignore_columns: options.ignore_columns.clone(),
            missing: options.missing,
            columns,
            n_features,
            file_columns: source.header.clone(),
        })
    }

    /// The schema of `data`: the one its reader fitted (tabular files); for data made in a
    /// program with named features (a DataFrame), numeric columns of those names, matched by
    /// name in later files; else a positional one of its width (named after its origin's
    /// extension, or `memory`).
    pub fn of(data: &Dataset) -> Self {
        if let Some(s) = data.schema() {
            return s.clone();
        }
        if data.origin().is_none() && data.has_feature_names() && data.sample_shape().len() == 1 {
            let names: Vec<String> = (0..data.n_features())
                .map(|k| data.feature_name(k))
                .collect();
            return Self::named("memory", &names);
        }
        let format = data
            .origin()
            .map(|p| {
                if p.is_dir() {
                    "images".to_string()
                } else {
                    let name = p.to_string_lossy().to_ascii_lowercase();
                    let name = name.strip_suffix(".gz").unwrap_or(&name).to_string();
                    Path::new(&name)
                        .extension()
                        .map_or("file".into(), |e| e.to_string_lossy().into_owned())
                }
            })
            .unwrap_or_else(|| "memory".into());
        Self::positional(&format, data.n_features())
    }
}

/// A text column with more distinct values than this, and more than half as many as rows,
/// is taken for an identifier and refused unless named in `[data] categorical`.
const MAX_AUTO_CATEGORIES: usize = 50;

/// The median of the values that are not NaN; `None` when there are none.
fn median(values: &[f32]) -> Option<f32> {
    let mut v: Vec<f32> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        ((f64::from(v[m - 1]) + f64::from(v[m])) / 2.0) as f32
    })
}

/// Loads a CSV file, gzip or not: a number column is a feature, a text column one-hot
/// encoded categories (see [`Schema`]); a malformed or missing cell is reported with its
/// file, line and column.
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
    let load = LoadOptions {
        csv: options.clone(),
        ..LoadOptions::default()
    };
    let table = read_csv_table(
        reader,
        name.as_ref(),
        options,
        &ReadLimits::default(),
        &load.plan(false)?,
    )?;
    encode(&Schema::fit(&table, None, &load)?, table)
}

/// A Parquet file held in memory (`bytes`) as a data set, read as [`load`](crate::data::load)
/// reads a `.parquet` file under `options` (a schema fitted on it alone); `name` is what
/// errors call it.
pub fn read_parquet(
    bytes: Vec<u8>,
    name: impl AsRef<Path>,
    options: &LoadOptions,
) -> Result<Dataset> {
    let table = read_parquet_bytes(bytes, name.as_ref(), &options.plan(false)?)?;
    encode(&Schema::fit(&table, None, options)?, table)
}

/// Reads the tabular file `path` (CSV or Parquet, by `options`) under `plan`.
pub(crate) fn read_table(path: &Path, options: &LoadOptions, plan: &ReadPlan) -> Result<Table> {
    let limits = options.limits()?;
    match options.resolve(path)? {
        (Format::Csv, delimiter) => {
            let mut csv = options.csv.clone();
            if let Some(d) = delimiter {
                csv.delimiter = d;
            }
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            read_csv_table(file, path, &csv, &limits, plan)
        }
        (Format::Parquet, _) => read_parquet_table(path, plan),
        (other, _) => Err(Error::data_file(
            path,
            format!(
                "a {} file has no named columns; the model reads CSV or Parquet files",
                format!("{other:?}").to_lowercase()
            ),
        )),
    }
}

/// Reads a labelled source and a target from tabular files: the source's columns decide
/// the schema (its categories, medians), the target is read against them (the same columns
/// by name, the same kinds; its label column optional, its labels dropped), and both are
/// encoded by it. `label_required`: the source must be labelled (training).
pub(crate) fn read_pair(
    source: &Path,
    target: &Path,
    options: &LoadOptions,
    label_required: bool,
) -> Result<(Dataset, Dataset)> {
    // Every error names its file (and the line or row) itself.
    let plan = options.plan(label_required)?;
    let s = read_table(source, options, &plan)?;
    // Before the target is read against it: a label column not found would otherwise be
    // taken for a feature the target lacks.
    if s.n_rows == 0 {
        return Err(Error::Data(format!(
            "{} has no rows: training needs rows in both domains",
            source.display()
        )));
    }
    if label_required && s.labels.is_none() {
        let why = s
            .no_labels_note
            .as_deref()
            .unwrap_or("it has no label column");
        return Err(Error::data_file(
            source,
            format!("the source data must be labelled, but {why}"),
        ));
    }
    let target_plan = ReadPlan {
        label: s.label_column.clone().or(plan.label.clone()),
        label_required: false,
        strict_names: false,
        expect: Some(s.expect()),
        header_fallback: s.header.clone(),
        ..plan
    };
    let t = read_table(target, options, &target_plan)?;
    let schema = Schema::fit(&s, Some(&t), options)?;
    let source = encode(&schema, s)?;
    let target = encode(&schema, t)?.without_labels();
    Ok((source, target))
}
