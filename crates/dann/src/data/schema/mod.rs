//! The schema of a model's inputs: which columns of a file it reads (by name, or by position
//! for formats without names), how each becomes features (numbers, one-hot categories,
//! imputed values and missing-value indicators), the label and ignored columns. Fitted on
//! the source (and the target's missing values), stored in `model.json`, and applied to
//! every later file, so that a file with its columns in another order gives the same
//! features and a missing column is an error naming it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::dataset::{Dataset, sort_class_names};
use super::load::{LoadOptions, load_named, read_table};
use super::table::{Cells, ColumnRef, Expect, MISSING_CATEGORY, Missing, ReadPlan, Table, Want};
use crate::error::{Error, Result};

/// How a later file's columns are matched to the model's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchBy {
    /// By the header's names: order does not matter, a missing column is an error naming it.
    Name,
    /// By position (files without column names: SVMlight indices, NPY, IDX, images, a CSV
    /// without a header).
    Position,
}

/// How one input column becomes features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ColumnKind {
    /// A number, one feature (plus an indicator feature when values were missing).
    Numeric {
        /// The value a missing cell gets (the source's median), with `missing = "impute"`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        median: Option<f32>,
        /// Whether a feature `name=<missing>` says where the value was missing.
        #[serde(default, skip_serializing_if = "is_false")]
        indicator: bool,
    },
    /// Categories, one-hot: a feature `name=category` per category of the source; a
    /// category the source never had is all zeros.
    Categorical {
        /// The source's categories, in feature order.
        categories: Vec<String>,
        /// Whether a feature `name=<missing>` stands for a missing value.
        #[serde(default, skip_serializing_if = "is_false")]
        missing_category: bool,
    },
}

fn is_false(b: &bool) -> bool {
    !b
}

/// An input column and how it becomes features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// Its name (a header's, or `column k` for a CSV without one).
    pub name: String,
    /// How it becomes features.
    #[serde(flatten)]
    pub kind: ColumnKind,
}

impl ColumnSchema {
    /// The number of features it becomes.
    pub fn width(&self) -> usize {
        match &self.kind {
            ColumnKind::Numeric { indicator, .. } => 1 + usize::from(*indicator),
            ColumnKind::Categorical {
                categories,
                missing_category,
            } => categories.len() + usize::from(*missing_category),
        }
    }

    /// The names of its features: `name`, `name=<missing>`, `name=category`.
    pub fn feature_names(&self) -> Vec<String> {
        let name = &self.name;
        match &self.kind {
            ColumnKind::Numeric { indicator, .. } => {
                let mut v = vec![name.clone()];
                if *indicator {
                    v.push(format!("{name}={MISSING_CATEGORY}"));
                }
                v
            }
            ColumnKind::Categorical {
                categories,
                missing_category,
            } => {
                let mut v: Vec<String> = categories.iter().map(|c| format!("{name}={c}")).collect();
                if *missing_category {
                    v.push(format!("{name}={MISSING_CATEGORY}"));
                }
                v
            }
        }
    }
}

/// The inputs of a model: how files are read for it and how their columns become features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// The format of the files it was fitted on: `csv`, `parquet`, `svmlight`, `npy`, `idx`,
    /// `images`, or `memory` (data made in a program).
    pub format: String,
    /// How later files' columns are matched to these.
    pub match_by: MatchBy,
    /// The label column of the training files, found the same way in later files (where it
    /// may be absent: such a file is unlabelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_column: Option<ColumnRef>,
    /// Columns left out (IDs, timestamps), in later files too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_columns: Vec<ColumnRef>,
    /// What a missing value is, in later files too.
    #[serde(default)]
    pub missing: Missing,
    /// The input columns, in feature order (tabular files; empty for array formats).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnSchema>,
    /// The number of features the model takes.
    pub n_features: usize,
    /// The training source's columns in its order (its header, label and ignored columns
    /// included): a later file without a header is read as having these columns (or these
    /// without the label), which a note says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_columns: Vec<String>,
}

/// A text column with more distinct values than this, and more than half as many as rows,
/// is taken for an identifier and refused unless named in `[data] categorical`.
const MAX_AUTO_CATEGORIES: usize = 50;

impl Schema {
    /// A schema for files matched by position (`format`'s features have no names).
    pub fn positional(format: &str, n_features: usize) -> Self {
        Self {
            format: format.to_string(),
            match_by: MatchBy::Position,
            label_column: None,
            ignore_columns: Vec::new(),
            missing: Missing::Error,
            columns: Vec::new(),
            n_features,
            file_columns: Vec::new(),
        }
    }

    /// The schema of `data`: the one its reader fitted (tabular files), else a positional
    /// one of its width (named after its origin's extension, or `memory`).
    pub fn of(data: &Dataset) -> Self {
        if let Some(s) = data.schema() {
            return s.clone();
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

    /// The names of the features, in order (empty for a positional schema).
    pub fn feature_names(&self) -> Vec<String> {
        self.columns
            .iter()
            .flat_map(ColumnSchema::feature_names)
            .collect()
    }

    /// Whether files are read through it column by column (CSV, Parquet).
    pub fn is_tabular(&self) -> bool {
        !self.columns.is_empty()
    }

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

    /// The columns a file read for this schema must have.
    pub(crate) fn expect(&self, owner: &str) -> Expect {
        Expect {
            columns: self
                .columns
                .iter()
                .map(|c| {
                    let want = match c.kind {
                        ColumnKind::Numeric { .. } => Want::Number,
                        ColumnKind::Categorical { .. } => Want::Text,
                    };
                    (c.name.clone(), want)
                })
                .collect(),
            by_name: self.match_by == MatchBy::Name,
            owner: owner.to_string(),
        }
    }

    /// How to read a later file for this schema (`options` says whether extra columns are
    /// skipped).
    pub(crate) fn plan(&self, options: &LoadOptions, owner: &str) -> ReadPlan {
        ReadPlan {
            label: self.label_column.clone(),
            label_required: false,
            ignore: self.ignore_columns.clone(),
            strict_names: false,
            categorical: Vec::new(),
            missing: self.missing,
            ignore_extra: options.ignore_extra_columns,
            expect: Some(self.expect(owner)),
            header_fallback: self.file_columns.clone(),
        }
    }

    /// Reads `path` for a model of this schema: a tabular file's columns matched by name
    /// (or position) and encoded as the training data was; another format read as it is
    /// (its width is checked by the model). `options` says how to read the file (format,
    /// delimiter, limits, `ignore_extra_columns`).
    pub fn load(&self, path: &Path, options: &LoadOptions) -> Result<Dataset> {
        if !self.is_tabular() {
            return load_named(path, options);
        }
        // Every error names the file (and the line or row) itself.
        let plan = self.plan(options, "the model");
        self.encode(read_table(path, options, &plan)?)
    }
}

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
    let source = schema.encode(s)?;
    let target = schema.encode(t)?.without_labels();
    Ok((source, target))
}

mod encode;
#[cfg(test)]
mod tests;
