//! The schema of a model's inputs: which columns of a file it reads (by name, or by position
//! for formats without names), how each becomes features (numbers, one-hot categories,
//! imputed values and missing-value indicators), the label and ignored columns. Fitted on
//! the source (and the target's missing values), stored in `model.json`, and applied to
//! every later file, so that a file with its columns in another order gives the same
//! features and a missing column is an error naming it.

use serde::{Deserialize, Serialize};

use super::table::{ColumnRef, Expect, MISSING_CATEGORY, Missing, ReadPlan, Want};

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

    /// A schema for numeric columns `names` (data made in a program, e.g. a DataFrame's
    /// columns): later CSV and Parquet files are read by these names, their `label` column
    /// (if there) as the label.
    pub fn named(format: &str, names: &[String]) -> Self {
        Self {
            format: format.to_string(),
            match_by: MatchBy::Name,
            label_column: None,
            ignore_columns: Vec::new(),
            missing: Missing::Error,
            columns: names
                .iter()
                .map(|name| ColumnSchema {
                    name: name.clone(),
                    kind: ColumnKind::Numeric {
                        median: None,
                        indicator: false,
                    },
                })
                .collect(),
            n_features: names.len(),
            file_columns: Vec::new(),
        }
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

    /// How to read a later file for this schema (`ignore_extra`: extra columns are skipped,
    /// not refused); `owner` is what the columns belong to, for messages.
    pub(crate) fn plan(&self, ignore_extra: bool, owner: &str) -> ReadPlan {
        ReadPlan {
            label: self.label_column.clone(),
            label_required: false,
            ignore: self.ignore_columns.clone(),
            strict_names: false,
            categorical: Vec::new(),
            missing: self.missing,
            ignore_extra,
            expect: Some(self.expect(owner)),
            header_fallback: self.file_columns.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
