//! A data set: features, optional labels and class names, and where it came from.

use std::path::PathBuf;

use std::sync::Arc;

use super::labels::sort_class_names;
use super::matrix::{Features, Row};
use super::schema::Schema;
use crate::error::{Error, Result};

/// A data set: features, optional labels (indices into `class_names`) and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    features: Features,
    labels: Option<Vec<usize>>,
    class_names: Vec<String>,
    origin: Option<PathBuf>,
    /// Shape of one sample when it is not a flat row (`[C, H, W]` for images).
    sample_shape: Option<Vec<usize>>,
    /// Names of the feature columns, when the file gives them (a CSV header).
    feature_names: Option<Vec<String>>,
    /// Why an unlabelled set has no labels, when its file could have held them (a CSV with
    /// no column named `label`, or no header line): said when labels are needed.
    no_labels_note: Option<String>,
    /// What the reader decided and the user should know (e.g. files of an image folder it
    /// skipped).
    notes: Vec<String>,
    /// How a tabular file's columns became these features (kept with a model trained on
    /// them).
    schema: Option<Arc<Schema>>,
}

impl Dataset {
    /// An unlabelled data set.
    pub fn unlabelled(features: Features) -> Self {
        Self {
            features,
            labels: None,
            class_names: Vec::new(),
            origin: None,
            sample_shape: None,
            feature_names: None,
            no_labels_note: None,
            notes: Vec::new(),
            schema: None,
        }
    }

    /// A labelled data set; every label must index `class_names`.
    pub fn labelled(
        features: Features,
        labels: Vec<usize>,
        class_names: Vec<String>,
    ) -> Result<Self> {
        if labels.len() != features.n_rows() {
            return Err(Error::Data(format!(
                "{} labels for {} rows",
                labels.len(),
                features.n_rows()
            )));
        }
        if let Some(&bad) = labels.iter().find(|&&l| l >= class_names.len()) {
            return Err(Error::Data(format!(
                "label index {bad} but only {} class names",
                class_names.len()
            )));
        }
        Ok(Self {
            features,
            labels: Some(labels),
            class_names,
            origin: None,
            sample_shape: None,
            feature_names: None,
            no_labels_note: None,
            notes: Vec::new(),
            schema: None,
        })
    }

    /// A labelled data set from raw label strings; classes are the distinct labels, sorted
    /// numerically when they are all numbers (so `-1 < 1 < 2 < 10`), else as text.
    pub fn from_raw_labels(features: Features, raw: Vec<String>) -> Result<Self> {
        let mut names: Vec<String> = raw.clone();
        names.sort();
        names.dedup();
        sort_class_names(&mut names);
        let index: std::collections::HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let labels = raw.iter().map(|r| index[r.as_str()]).collect();
        Self::labelled(features, labels, names)
    }

    /// The same rows (origin and sample shape kept, features moved, not copied) labelled by
    /// `raw`, as [`from_raw_labels`](Self::from_raw_labels).
    pub fn with_raw_labels(self, raw: Vec<String>) -> Result<Self> {
        let labelled = Self::from_raw_labels(self.features, raw)?;
        Ok(Self {
            origin: self.origin,
            sample_shape: self.sample_shape,
            feature_names: self.feature_names,
            no_labels_note: None,
            notes: self.notes,
            schema: self.schema,
            ..labelled
        })
    }

    /// Names the feature columns (e.g. from a CSV header); fails unless there is one name per
    /// feature.
    pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
        if names.len() != self.n_features() {
            return Err(self.error(format!(
                "{} feature names for {} features",
                names.len(),
                self.n_features()
            )));
        }
        self.feature_names = Some(names);
        Ok(self)
    }

    /// The name of feature `k`: the file's (a CSV header) when it gave names, else
    /// `column k` (0-based).
    pub fn feature_name(&self, k: usize) -> String {
        self.feature_names
            .as_ref()
            .and_then(|n| n.get(k).cloned())
            .unwrap_or_else(|| format!("column {k}"))
    }

    /// Whether the file named its feature columns.
    pub fn has_feature_names(&self) -> bool {
        self.feature_names.is_some()
    }

    /// The schema its reader fitted or applied (CSV and Parquet files): column names, kinds,
    /// categories, imputed values.
    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_deref()
    }

    /// Records the schema the features came through.
    pub(crate) fn with_schema(mut self, schema: Option<Arc<Schema>>) -> Self {
        self.schema = schema;
        self
    }

    /// Records the file this data set was read from (used in error messages).
    pub fn with_origin(mut self, origin: impl Into<PathBuf>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Records the shape of one sample (`[C, H, W]` for images; rows are stored flattened in
    /// that order). Fails unless the shape holds exactly the row's features.
    pub fn with_sample_shape(mut self, shape: Vec<usize>) -> Result<Self> {
        if shape.iter().product::<usize>() != self.n_features() || shape.is_empty() {
            return Err(self.error(format!(
                "sample shape {shape:?} does not hold {} features",
                self.n_features()
            )));
        }
        self.sample_shape = (shape.len() > 1).then_some(shape);
        Ok(self)
    }

    /// The shape of one sample: `[C, H, W]` for images, `[n_features]` for rows.
    pub fn sample_shape(&self) -> Vec<usize> {
        self.sample_shape
            .clone()
            .unwrap_or_else(|| vec![self.n_features()])
    }

    /// The same rows (labels, classes and origin kept) with other features, e.g. transformed
    /// ones; fails when the number of rows differs. The sample shape is kept when the width
    /// is.
    pub fn with_features(&self, features: Features) -> Result<Self> {
        if features.n_rows() != self.len() {
            return Err(self.error(format!(
                "{} rows of new features for {} rows",
                features.n_rows(),
                self.len()
            )));
        }
        let sample_shape = self
            .sample_shape
            .clone()
            .filter(|_| features.n_cols() == self.n_features());
        let same_width = features.n_cols() == self.n_features();
        let feature_names = self.feature_names.clone().filter(|_| same_width);
        Ok(Self {
            features,
            labels: self.labels.clone(),
            class_names: self.class_names.clone(),
            origin: self.origin.clone(),
            sample_shape,
            feature_names,
            no_labels_note: self.no_labels_note.clone(),
            notes: self.notes.clone(),
            schema: self.schema.clone().filter(|_| same_width),
        })
    }

    /// The file this data set was read from, if any.
    pub fn origin(&self) -> Option<&std::path::Path> {
        self.origin.as_deref()
    }

    /// A short name for messages: the file, or `<memory>`.
    pub fn display_name(&self) -> String {
        self.origin
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "<memory>".into())
    }

    /// An error about this data set's content: an [`Error::DataFile`] naming the file it was
    /// loaded from, or for data made in memory an [`Error::Data`] of the same shape
    /// (`<memory>: what`).
    pub(crate) fn error(&self, what: impl Into<String>) -> Error {
        match &self.origin {
            Some(path) => Error::data_file(path, what),
            None => Error::Data(format!("{}: {}", self.display_name(), what.into())),
        }
    }

    /// Row `i`, sparse or dense.
    pub fn row(&self, i: usize) -> Row<'_> {
        self.features.row(i)
    }

    /// The features.
    pub fn features(&self) -> &Features {
        &self.features
    }

    /// Labels as class indices, if the data is labelled.
    pub fn labels(&self) -> Option<&[usize]> {
        self.labels.as_deref()
    }

    /// Records why this unlabelled set has no labels (e.g. a CSV without a `label` column),
    /// for [`require_labels`](Self::require_labels) to say.
    pub(crate) fn with_no_labels_note(mut self, note: impl Into<String>) -> Self {
        self.no_labels_note = Some(note.into());
        self
    }

    /// Adds a note on how the file was read (see [`notes`](Self::notes)).
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// What the reader decided that the user should know, e.g. the hidden or non-image files
    /// of an image folder it skipped; `dann data info` prints them.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Why the file gave no labels, when its reader could tell (see
    /// [`require_labels`](Self::require_labels)).
    pub fn no_labels_note(&self) -> Option<&str> {
        self.no_labels_note.as_deref()
    }

    /// The labels, or an error naming the file that says `what` (e.g. "the source data")
    /// must be labelled and, when the reader could tell, why the file gave none (no column
    /// named `label`, no header line) and what to do.
    pub fn require_labels(&self, what: &str) -> Result<&[usize]> {
        self.labels
            .as_deref()
            .ok_or_else(|| match &self.no_labels_note {
                Some(note) => self.error(format!("{what} must be labelled, but {note}")),
                None => self.error(format!("{what} must be labelled")),
            })
    }

    /// The labels as numbers, for a regression (each row's label, as written in the file,
    /// read as a number); an error naming the file and the first label that is not a finite
    /// number, or when the set is unlabelled.
    pub fn label_values(&self) -> Result<Vec<f32>> {
        let labels = self.require_labels("the data")?;
        let mut values = Vec::with_capacity(self.class_names.len());
        for name in &self.class_names {
            match name.parse::<f64>() {
                Ok(v) if v.is_finite() && v.abs() <= f64::from(f32::MAX) => values.push(v as f32),
                _ => {
                    let row = labels.iter().position(|&l| values.len() == l).unwrap_or(0);
                    return Err(self
                        .error(format!(
                            "the label `{name}` (row {}, counting from 1 after any header) is \
                             not a finite number: a regression needs a number on every row",
                            row + 1
                        ))
                        .fix(
                            "fix or drop the row, or pick the label column with \
                             data.csv.label_column; for classes, leave [train] task at \
                             \"classification\"",
                        ));
                }
            }
        }
        Ok(labels.iter().map(|&l| values[l]).collect())
    }

    /// The same rows labelled by the numbers `values` (a regression's labels, as
    /// [`label_values`](Self::label_values) reads them back exactly).
    pub fn with_label_values(self, values: &[f32]) -> Result<Self> {
        self.with_raw_labels(values.iter().map(|v| format!("{v}")).collect())
    }

    /// Class names (empty for unlabelled data).
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.features.n_rows()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.features.n_cols()
    }

    /// Drops the labels (e.g. for a target domain whose labels must not be looked at).
    pub fn without_labels(mut self) -> Self {
        self.labels = None;
        self.class_names.clear();
        self
    }

    /// Relabels this data set so that its label indices refer to `classes` (e.g. the classes a
    /// model was trained on), names compared after
    /// [`normalise_label`](super::labels::normalise_label) (a model's `1.0` is the data's `1`). Fails,
    /// naming the label, when a label is not among `classes`.
    pub fn align_classes(mut self, classes: &[String]) -> Result<Self> {
        let Some(labels) = self.labels.take() else {
            return Ok(self);
        };
        let normalised = super::labels::normalise_all(classes.to_vec());
        let mapping = self
            .class_names
            .iter()
            .map(|name| {
                let name_n = super::labels::normalise_label(name);
                normalised.iter().position(|c| *c == name_n).ok_or_else(|| {
                    self.error(format!(
                        "label `{name}` is not one of the model's classes [{}]",
                        classes.join(", ")
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.labels = Some(labels.into_iter().map(|l| mapping[l]).collect());
        self.class_names = classes.to_vec();
        Ok(self)
    }

    /// Fails unless the data has exactly `n` features, naming the data and `reader` (what
    /// expects them, e.g. "the model").
    pub fn check_n_features(&self, n: usize, reader: &str) -> Result<()> {
        if self.n_features() != n {
            return Err(self.error(format!(
                "has {} features, {reader} expects {n}",
                self.n_features()
            )));
        }
        Ok(())
    }

    /// Pads a sparse data set to `n` features, or fails when it (or a dense one) has a
    /// different number of features.
    pub fn with_n_features(mut self, n: usize) -> Result<Self> {
        let have = self.n_features();
        match &mut self.features {
            Features::Sparse(m) if have <= n => {
                m.widen(n);
                if have != n {
                    self.sample_shape = None;
                    self.feature_names = None;
                }
            }
            _ if have == n => {}
            _ => {
                return Err(self.error(format!("has {have} features, expected {n}")));
            }
        }
        Ok(self)
    }

    /// The rows at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Self {
        let features = self.features.select_rows(indices);
        Self {
            features,
            labels: self
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
            class_names: self.class_names.clone(),
            origin: self.origin.clone(),
            sample_shape: self.sample_shape.clone(),
            feature_names: self.feature_names.clone(),
            no_labels_note: self.no_labels_note.clone(),
            notes: self.notes.clone(),
            schema: self.schema.clone(),
        }
    }

    /// Number of examples of each class (empty for unlabelled data).
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.class_names.len()];
        for &l in self.labels.iter().flatten() {
            counts[l] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::matrix::{CsrMatrix, DenseMatrix};

    fn dense(rows: &[&[f32]]) -> Features {
        let n_cols = rows[0].len();
        let data = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Features::Dense(DenseMatrix::new(rows.len(), n_cols, data).unwrap())
    }

    /// The dense fast paths (vectorised dot, axpy) agree with the sparse ones on the same row,
    /// for a width that is not a multiple of the vector length.
    #[test]
    fn classes_sort_numerically() {
        let ds = Dataset::from_raw_labels(
            dense(&[&[0.0], &[1.0], &[2.0], &[3.0]]),
            vec!["10".into(), "-1".into(), "2".into(), "10".into()],
        )
        .unwrap();
        assert_eq!(ds.class_names(), ["-1", "2", "10"]);
        assert_eq!(ds.labels().unwrap(), [2, 0, 1, 2]);
        assert_eq!(ds.class_counts(), [1, 1, 2]);
    }

    #[test]
    fn align_classes_remaps_and_rejects_unknown() {
        let ds = Dataset::from_raw_labels(dense(&[&[0.0], &[1.0]]), vec!["b".into(), "a".into()])
            .unwrap();
        let aligned = ds
            .clone()
            .align_classes(&["x".into(), "b".into(), "a".into()])
            .unwrap();
        assert_eq!(aligned.labels().unwrap(), [1, 2]);
        let err = ds.align_classes(&["a".into()]).unwrap_err().to_string();
        assert!(err.contains("label `b`"), "{err}");
        // A model's classes written `1.0` (saved before labels were normalised) match `1`.
        let numeric =
            Dataset::from_raw_labels(dense(&[&[0.0], &[1.0]]), vec!["1".into(), "0".into()])
                .unwrap();
        let aligned = numeric
            .align_classes(&["0.0".into(), "1.0".into()])
            .unwrap();
        assert_eq!(aligned.labels().unwrap(), [1, 0]);
    }

    #[test]
    fn subset_keeps_rows_in_order() {
        let m = CsrMatrix::new(3, vec![0, 1, 3], vec![2, 0, 1], vec![5.0, 1.0, 2.0]).unwrap();
        let ds = Dataset::unlabelled(Features::Sparse(m));
        let sub = ds.subset(&[1, 0]);
        let mut row = [0.0; 3];
        sub.features().write_row(0, &mut row);
        assert_eq!(row, [1.0, 2.0, 0.0]);
        sub.features().write_row(1, &mut row);
        assert_eq!(row, [0.0, 0.0, 5.0]);
    }
}
