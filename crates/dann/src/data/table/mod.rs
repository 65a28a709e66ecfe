//! Tabular files (CSV, Parquet) as named, typed columns before they become features: a
//! [`Table`] is what a reader found (numbers, text, missing cells, the labels), read under a
//! [`ReadPlan`] that says which column is the label, which are ignored, which are categories
//! and, for a file read for a model, which columns it must have. A
//! [`Schema`](super::Schema) turns tables into the features a model takes.

mod layout;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub(crate) use layout::{Layout, Role};

use crate::data::labels::normalise_label;
use crate::error::{Error, Result};

/// A column named in the settings: by its header name, or by its 0-based position.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum ColumnRef {
    /// 0-based column position.
    Index(usize),
    /// Column name in the header.
    Name(String),
}

impl std::fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnRef::Index(i) => write!(f, "column {i} (0-based)"),
            ColumnRef::Name(n) => write!(f, "`{n}`"),
        }
    }
}

impl std::str::FromStr for ColumnRef {
    type Err = std::convert::Infallible;

    /// A whole number is a 0-based position, anything else a name (`--label-column 3`,
    /// `--label-column y`).
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.trim();
        Ok(match s.parse::<usize>() {
            Ok(i) => ColumnRef::Index(i),
            Err(_) => ColumnRef::Name(s.to_string()),
        })
    }
}

impl<'de> Deserialize<'de> for ColumnRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        const EXPECTED: &str = "a column name in quotes or a 0-based column index (0, 1, ...)";
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ColumnRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(ColumnRef::Index(v as usize))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                if v < 0 {
                    return Err(E::custom(format!(
                        "label_column = {v}: columns count from 0 at the left; give a 0-based \
                         index (0, 1, ...) or the column's name in quotes (counting from the \
                         right is not supported)"
                    )));
                }
                Ok(ColumnRef::Index(v as usize))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                Err(E::custom(format!("column {v}: expected {EXPECTED}")))
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<Self::Value, E> {
                Ok(ColumnRef::Name(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// What to do with a missing value (an empty cell, `NA`, `N/A`, `NaN` or `null` in CSV, a
/// null or NaN in Parquet) in a feature column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// Refuse it, naming the file, the line (or row) and the column.
    #[default]
    Error,
    /// Fill it: a numeric column with the source's median plus an indicator column
    /// (`name=<missing>`, 1 where the value was missing), a category column with a
    /// `<missing>` category. Both are stored in the model.
    Impute,
}

/// The cell texts read as a missing value in CSV files (case does not matter), besides an
/// empty or blank cell.
pub const MISSING_TOKENS: [&str; 4] = ["NA", "N/A", "NaN", "null"];

/// Whether a (trimmed) CSV cell is a missing value.
pub(crate) fn is_missing(cell: &str) -> bool {
    cell.is_empty() || MISSING_TOKENS.iter().any(|t| cell.eq_ignore_ascii_case(t))
}

/// The name of the category (and of the indicator column's suffix) that stands for a missing
/// value.
pub const MISSING_CATEGORY: &str = "<missing>";

/// How a feature column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// By its first value: a number makes a numeric column, text a category column; a
    /// column of both is refused (a typo, or categories to be named in `categorical`).
    Infer,
    /// Numbers only (a numeric column of the source or of the model).
    Number,
    /// Categories (text, numbers written as categories).
    Text,
}

/// How to read a tabular file.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadPlan {
    /// The label column; without one, a column named `label` when there is one.
    pub label: Option<ColumnRef>,
    /// The file must have the label column, with a label on every row (a source).
    pub label_required: bool,
    /// Columns left out (IDs, timestamps).
    pub ignore: Vec<ColumnRef>,
    /// Every column of `ignore` and `categorical` must be in the file (the source: a name
    /// misspelt there would silently keep the column).
    pub strict_names: bool,
    /// Columns read as categories whatever they hold.
    pub categorical: Vec<String>,
    /// What a missing feature value is.
    pub missing: Missing,
    /// Columns outside `expect` are skipped instead of refused.
    pub ignore_extra: bool,
    /// The feature columns the file must have (a model's, or the source's for its target),
    /// with how each is read; `None` reads every column that is not the label or ignored.
    pub expect: Option<Expect>,
    /// The training file's header, by which a file without one is read (when its width
    /// says it has the same columns, with or without the label).
    pub header_fallback: Vec<String>,
}

/// The feature columns a file must have.
#[derive(Debug, Clone)]
pub(crate) struct Expect {
    /// Names (a header's, or `column k` for a file without one) and kinds, in feature order.
    pub columns: Vec<(String, Want)>,
    /// Matched by name (the files had a header), else by position.
    pub by_name: bool,
    /// What the columns belong to, for messages: "the model", "the source (s.csv)".
    pub owner: String,
}

/// Where a cell is: a text file's line, or a Parquet file's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    /// 1-based line of a text file.
    Line(usize),
    /// 0-based row group and 1-based data row of the whole file.
    Row {
        /// The row group.
        group: usize,
        /// The data row, counting from 1 over the file.
        row: usize,
    },
    /// The file as a whole (a Parquet file's columns).
    Whole,
}

impl Loc {
    /// An error at this place of `path`: `path:line: what` or `path: row N (row group G):
    /// what`.
    pub(crate) fn error(self, path: &Path, what: impl Into<String>) -> Error {
        match self {
            Loc::Line(line) => Error::parse(path, line, what),
            Loc::Row { group, row } => Error::data_file(
                path,
                format!("row {row} (row group {group}): {}", what.into()),
            ),
            Loc::Whole => Error::data_file(path, what),
        }
    }

    fn describe(self) -> String {
        match self {
            Loc::Line(l) => format!("line {l}"),
            Loc::Row { row, .. } => format!("row {row}"),
            Loc::Whole => "the file".into(),
        }
    }
}

/// One cell as a reader found it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    /// Empty, `NA`, null...
    Missing,
    /// A finite number.
    Number(f32),
    /// Text (or a number in a category column), as written.
    Text(&'a str),
}

/// A column's cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cells {
    /// Numbers, NaN where missing.
    Number(Vec<f32>),
    /// Categories: an index into `levels` per row, [`Cells::MISSING`] where missing.
    Text {
        /// Per row.
        codes: Vec<u32>,
        /// The distinct values, in order of appearance.
        levels: Vec<String>,
    },
}

impl Cells {
    /// The code of a missing category.
    pub(crate) const MISSING: u32 = u32::MAX;
}

/// A feature column being read.
#[derive(Debug)]
pub(crate) struct ColumnBuilder {
    pub name: String,
    want: Want,
    cells: Option<Cells>,
    index: HashMap<String, u32>,
    /// Where the first value was, and what it was (for a column of numbers and text).
    first: Option<(Loc, String)>,
    missing: usize,
    n: usize,
}

impl ColumnBuilder {
    pub(crate) fn new(name: String, want: Want) -> Self {
        Self {
            name,
            want,
            cells: None,
            index: HashMap::new(),
            first: None,
            missing: 0,
            n: 0,
        }
    }

    /// Whether every cell is read as a category, numbers included (the plan says so): a
    /// reader then gives [`Cell::Text`] for numbers too.
    pub(crate) fn reads_text(&self) -> bool {
        self.want == Want::Text
    }

    /// Adds a cell at `loc` of `path`, under `plan`'s missing-value rule.
    pub(crate) fn push(
        &mut self,
        cell: Cell<'_>,
        loc: Loc,
        path: &Path,
        plan: &ReadPlan,
    ) -> Result<()> {
        let name = &self.name;
        match cell {
            Cell::Missing => {
                if plan.missing == Missing::Error {
                    return Err(loc
                        .error(path, format!("column `{name}`: missing value"))
                        .fix(
                            "fill it in, or set [data] missing = \"impute\" (the source's \
                             median plus an indicator column, or a <missing> category)",
                        ));
                }
                self.missing += 1;
                match &mut self.cells {
                    Some(Cells::Number(v)) => v.push(f32::NAN),
                    Some(Cells::Text { codes, .. }) => codes.push(Cells::MISSING),
                    // Before the first value: kept as a count, filled in when the kind is known.
                    None => {}
                }
            }
            Cell::Number(v) if self.want != Want::Text => match &mut self.cells {
                Some(Cells::Number(values)) => values.push(v),
                Some(Cells::Text { .. }) => {
                    return Err(self.mixed(loc, &v.to_string(), path));
                }
                None => {
                    let mut values = vec![f32::NAN; self.n];
                    values.push(v);
                    self.cells = Some(Cells::Number(values));
                    self.first = Some((loc, v.to_string()));
                }
            },
            Cell::Number(_) => unreachable!("readers give category columns their text"),
            Cell::Text(text) => {
                if self.want == Want::Number {
                    return Err(loc
                        .error(
                            path,
                            format!("column `{name}`: expected a number, found `{text}`"),
                        )
                        .fix(format!(
                            "`{name}` is a numeric column of the data the model was trained on \
                             (and of its source): give it numbers here too"
                        )));
                }
                if matches!(self.cells, Some(Cells::Number(_))) {
                    return Err(self.mixed(loc, text, path));
                }
                let key = normalise_label(text);
                let cells = self.cells.get_or_insert_with(|| Cells::Text {
                    codes: vec![Cells::MISSING; self.n],
                    levels: Vec::new(),
                });
                if self.first.is_none() {
                    self.first = Some((loc, text.to_string()));
                }
                let Cells::Text { codes, levels } = cells else {
                    unreachable!("checked above")
                };
                let code = match self.index.get(&key) {
                    Some(&c) => c,
                    None => {
                        let c = levels.len() as u32;
                        levels.push(key.clone());
                        self.index.insert(key, c);
                        c
                    }
                };
                codes.push(code);
            }
        }
        self.n += 1;
        Ok(())
    }

    fn mixed(&self, loc: Loc, now: &str, path: &Path) -> Error {
        let name = &self.name;
        let (first_loc, first) = self.first.clone().unwrap_or((loc, String::new()));
        loc.error(
            path,
            format!(
                "column `{name}` holds numbers and text (`{first}` at {}, `{now}` here): a typo, \
                 or a column of categories?",
                first_loc.describe()
            ),
        )
        .fix(format!(
            "correct the cell, or set [data] categorical = [\"{name}\"] to read every value of \
             it as a category"
        ))
    }

    /// The column read: a column of missing values only is numeric when the plan does not
    /// say (it has no value to say otherwise).
    pub(crate) fn finish(self) -> TableColumn {
        let cells = match self.cells {
            Some(c) => c,
            None if self.want == Want::Text => Cells::Text {
                codes: vec![Cells::MISSING; self.n],
                levels: Vec::new(),
            },
            None => Cells::Number(vec![f32::NAN; self.n]),
        };
        TableColumn {
            name: self.name,
            cells,
            missing: self.missing,
        }
    }
}

/// A feature column read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableColumn {
    /// Its name (a header's, or `column k`).
    pub name: String,
    /// Its cells.
    pub cells: Cells,
    /// How many cells were missing.
    pub missing: usize,
}

/// A tabular file as read: named feature columns and the labels.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The file.
    pub path: PathBuf,
    /// `csv` or `parquet`.
    pub format: &'static str,
    /// Whether columns have names from the file (a header), i.e. are matched by name.
    pub named: bool,
    /// The file's column names in its order (empty without a header).
    pub header: Vec<String>,
    /// The feature columns, in the order of [`ReadPlan::expect`] when given, else the file's.
    pub columns: Vec<TableColumn>,
    /// The label of each row (normalised; empty where missing), when the file has a label
    /// column.
    pub labels: Option<Vec<String>>,
    /// The label column as resolved (its name, or its 0-based position without a header).
    pub label_column: Option<ColumnRef>,
    /// Number of rows.
    pub n_rows: usize,
    /// What the reader decided that the user should know.
    pub notes: Vec<String>,
    /// Why the file gave no labels, when it could have.
    pub no_labels_note: Option<String>,
}

impl Table {
    /// The kinds of its columns, for reading a file that must match it (the target of this
    /// source).
    pub(crate) fn expect(&self) -> Expect {
        Expect {
            columns: self
                .columns
                .iter()
                .map(|c| {
                    let want = match c.cells {
                        Cells::Number(_) => Want::Number,
                        Cells::Text { .. } => Want::Text,
                    };
                    (c.name.clone(), want)
                })
                .collect(),
            by_name: self.named,
            owner: format!("the source ({})", self.path.display()),
        }
    }
}

/// Adds the label cell `cell` at `loc` of `path` to `labels`: a missing one is an empty
/// label, or an error when `plan` needs every row labelled (a source); `column` names the
/// label column.
pub(crate) fn push_label(
    labels: &mut Vec<String>,
    cell: &str,
    loc: Loc,
    path: &Path,
    plan: &ReadPlan,
    column: Option<&str>,
) -> Result<()> {
    let label = label_of(cell);
    if label.is_empty() && plan.label_required {
        return Err(loc
            .error(
                path,
                format!(
                    "empty label (column {}): every source row needs one",
                    column.unwrap_or("?")
                ),
            )
            .fix("label the row, or drop it"));
    }
    labels.push(label);
    Ok(())
}

/// Turns a label cell into a label: trimmed, normalised, empty when missing.
pub(crate) fn label_of(cell: &str) -> String {
    let cell = cell.trim();
    if is_missing(cell) {
        String::new()
    } else {
        normalise_label(cell)
    }
}

/// The labels of a table as they go into a data set: `None` when no row has one.
pub(crate) fn some_labels(labels: &[String]) -> bool {
    labels.iter().any(|l| !l.is_empty())
}
