use std::path::PathBuf;

use crate::{Error, Result};

/// Row-major dense matrix of `f32`.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseMatrix {
    n_rows: usize,
    n_cols: usize,
    data: Vec<f32>,
}

impl DenseMatrix {
    /// A matrix of `n_rows x n_cols` from row-major `data`.
    pub fn new(n_rows: usize, n_cols: usize, data: Vec<f32>) -> Result<Self> {
        if data.len() != n_rows * n_cols {
            return Err(Error::Data(format!(
                "dense matrix of {n_rows}x{n_cols} needs {} values, got {}",
                n_rows * n_cols,
                data.len()
            )));
        }
        Ok(Self {
            n_rows,
            n_cols,
            data,
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }
}

/// Compressed sparse row matrix of `f32`; column indices are 0-based and strictly increasing
/// within a row.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix {
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
}

impl CsrMatrix {
    /// Builds a CSR matrix, checking that the parts agree.
    pub fn new(
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        values: Vec<f32>,
    ) -> Result<Self> {
        let ok = !indptr.is_empty()
            && indptr[0] == 0
            && *indptr.last().unwrap_or(&0) == indices.len()
            && indices.len() == values.len()
            && indptr.windows(2).all(|w| w[0] <= w[1])
            && indptr.windows(2).all(|w| {
                let row = &indices[w[0]..w[1]];
                row.windows(2).all(|p| p[0] < p[1]) && row.iter().all(|&c| (c as usize) < n_cols)
            });
        if !ok {
            return Err(Error::Data(
                "inconsistent CSR matrix (indptr, indices and values disagree)".into(),
            ));
        }
        Ok(Self {
            n_cols,
            indptr,
            indices,
            values,
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// Row `i` as (column indices, values).
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }
}

/// Feature matrix of a [`Dataset`]: dense, or sparse kept sparse.
#[derive(Debug, Clone, PartialEq)]
pub enum Features {
    /// Dense, row-major.
    Dense(DenseMatrix),
    /// Sparse rows (CSR).
    Sparse(CsrMatrix),
}

impl Features {
    /// Number of rows (examples).
    pub fn n_rows(&self) -> usize {
        match self {
            Features::Dense(m) => m.n_rows(),
            Features::Sparse(m) => m.n_rows(),
        }
    }

    /// Number of columns (features).
    pub fn n_cols(&self) -> usize {
        match self {
            Features::Dense(m) => m.n_cols(),
            Features::Sparse(m) => m.n_cols(),
        }
    }

    /// Writes row `i` densely into `out` (length `n_cols`).
    pub fn write_row(&self, i: usize, out: &mut [f32]) {
        match self {
            Features::Dense(m) => out.copy_from_slice(m.row(i)),
            Features::Sparse(m) => {
                out.fill(0.0);
                let (idx, val) = m.row(i);
                for (&c, &v) in idx.iter().zip(val) {
                    out[c as usize] = v;
                }
            }
        }
    }
}

/// One input row, sparse or dense.
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    /// Column indices and values.
    Sparse(&'a [u32], &'a [f32]),
    /// All values.
    Dense(&'a [f32]),
}

impl<'a> Row<'a> {
    /// Row `i` of `data` (same as [`Dataset::row`]).
    pub fn of(data: &'a Dataset, i: usize) -> Self {
        match data.features() {
            Features::Sparse(m) => {
                let (idx, val) = m.row(i);
                Row::Sparse(idx, val)
            }
            Features::Dense(m) => Row::Dense(m.row(i)),
        }
    }

    /// Calls `f(column, value)` for every non-zero value, in column order.
    #[inline]
    pub fn for_each_nonzero(self, mut f: impl FnMut(usize, f32)) {
        match self {
            Row::Sparse(idx, val) => {
                for (&k, &x) in idx.iter().zip(val) {
                    f(k as usize, x);
                }
            }
            Row::Dense(values) => {
                for (k, &x) in values.iter().enumerate() {
                    if x != 0.0 {
                        f(k, x);
                    }
                }
            }
        }
    }

    /// Dot product with a dense vector of at least `n_features` values.
    #[inline]
    pub fn dot(self, w: &[f32]) -> f32 {
        match self {
            Row::Dense(values) => dense_dot(values, &w[..values.len()]),
            Row::Sparse(..) => {
                let mut s = 0.0;
                self.for_each_nonzero(|k, x| s += x * w[k]);
                s
            }
        }
    }

    /// `w += a * x` for a dense `w` of at least `n_features` values.
    #[inline]
    pub fn add_scaled_to(self, w: &mut [f32], a: f32) {
        match self {
            Row::Dense(values) => {
                for (wk, &x) in w.iter_mut().zip(values) {
                    *wk += a * x;
                }
            }
            Row::Sparse(..) => self.for_each_nonzero(|k, x| w[k] += a * x),
        }
    }

    /// Squared Euclidean norm.
    pub fn norm_sq(self) -> f32 {
        let mut s = 0.0;
        self.for_each_nonzero(|_, x| s += x * x);
        s
    }
}

/// `a . b` with eight independent partial sums, so that the compiler vectorises it (a single
/// running float sum cannot be reordered).
fn dense_dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (xa, xb) in ca.zip(cb) {
        for ((s, &x), &y) in acc.iter_mut().zip(xa).zip(xb) {
            *s += x * y;
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// A data set: features, optional labels (indices into `class_names`) and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    features: Features,
    labels: Option<Vec<usize>>,
    class_names: Vec<String>,
    origin: Option<PathBuf>,
}

impl Dataset {
    /// An unlabelled data set.
    pub fn unlabelled(features: Features) -> Self {
        Self {
            features,
            labels: None,
            class_names: Vec::new(),
            origin: None,
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
        })
    }

    /// A labelled data set from raw label strings; classes are the distinct labels, sorted
    /// numerically when they are all numbers (so `-1 < 1 < 2 < 10`), else as text.
    pub fn from_raw_labels(features: Features, raw: Vec<String>) -> Result<Self> {
        let mut names: Vec<String> = raw.clone();
        names.sort();
        names.dedup();
        sort_class_names(&mut names);
        let labels = raw
            .iter()
            .map(|r| names.iter().position(|n| n == r).unwrap_or_default())
            .collect();
        Self::labelled(features, labels, names)
    }

    /// Records the file this data set was read from (used in error messages).
    pub fn with_origin(mut self, origin: impl Into<PathBuf>) -> Self {
        self.origin = Some(origin.into());
        self
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

    /// Row `i`, sparse or dense.
    pub fn row(&self, i: usize) -> Row<'_> {
        Row::of(self, i)
    }

    /// The features.
    pub fn features(&self) -> &Features {
        &self.features
    }

    /// Labels as class indices, if the data is labelled.
    pub fn labels(&self) -> Option<&[usize]> {
        self.labels.as_deref()
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
    /// model was trained on). Fails, naming the label, when a label is not among `classes`.
    pub fn align_classes(mut self, classes: &[String]) -> Result<Self> {
        let Some(labels) = self.labels.take() else {
            return Ok(self);
        };
        let mapping = self
            .class_names
            .iter()
            .map(|name| {
                classes.iter().position(|c| c == name).ok_or_else(|| {
                    Error::Data(format!(
                        "{}: label `{name}` is not one of the model's classes [{}]",
                        self.display_name(),
                        classes.join(", ")
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.labels = Some(labels.into_iter().map(|l| mapping[l]).collect());
        self.class_names = classes.to_vec();
        Ok(self)
    }

    /// Pads a sparse data set to `n` features, or fails when it (or a dense one) has a
    /// different number of features.
    pub fn with_n_features(mut self, n: usize) -> Result<Self> {
        let have = self.n_features();
        match &mut self.features {
            Features::Sparse(m) if have <= n => m.n_cols = n,
            _ if have == n => {}
            _ => {
                return Err(Error::Data(format!(
                    "{}: has {have} features, expected {n}",
                    self.display_name()
                )));
            }
        }
        Ok(self)
    }

    /// The rows at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Self {
        let features = match &self.features {
            Features::Dense(m) => {
                let mut data = Vec::with_capacity(indices.len() * m.n_cols);
                for &i in indices {
                    data.extend_from_slice(m.row(i));
                }
                Features::Dense(DenseMatrix {
                    n_rows: indices.len(),
                    n_cols: m.n_cols,
                    data,
                })
            }
            Features::Sparse(m) => {
                let mut indptr = Vec::with_capacity(indices.len() + 1);
                indptr.push(0);
                let (mut idx, mut val) = (Vec::new(), Vec::new());
                for &i in indices {
                    let (c, v) = m.row(i);
                    idx.extend_from_slice(c);
                    val.extend_from_slice(v);
                    indptr.push(idx.len());
                }
                Features::Sparse(CsrMatrix {
                    n_cols: m.n_cols,
                    indptr,
                    indices: idx,
                    values: val,
                })
            }
        };
        Self {
            features,
            labels: self
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
            class_names: self.class_names.clone(),
            origin: self.origin.clone(),
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

/// Sorts class names numerically when all parse as numbers, else lexicographically.
fn sort_class_names(names: &mut [String]) {
    let numeric: Option<Vec<f64>> = names.iter().map(|n| n.parse::<f64>().ok()).collect();
    match numeric {
        Some(_) => names.sort_by(|a, b| {
            let (x, y) = (
                a.parse::<f64>().unwrap_or(0.0),
                b.parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        }),
        None => names.sort(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(rows: &[&[f32]]) -> Features {
        let n_cols = rows[0].len();
        let data = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Features::Dense(DenseMatrix::new(rows.len(), n_cols, data).unwrap())
    }

    /// The dense fast paths (vectorised dot, axpy) agree with the sparse ones on the same row,
    /// for a width that is not a multiple of the vector length.
    #[test]
    fn dense_and_sparse_rows_agree() {
        let values: Vec<f32> = (0..19)
            .map(|k| {
                if k % 3 == 0 {
                    0.0
                } else {
                    k as f32 * 0.5 - 4.0
                }
            })
            .collect();
        let (idx, val): (Vec<u32>, Vec<f32>) = values
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(k, &v)| (k as u32, v))
            .unzip();
        let w: Vec<f32> = (0..19).map(|k| 1.0 / (1.0 + k as f32)).collect();
        let (dense, sparse) = (Row::Dense(&values), Row::Sparse(&idx, &val));
        let naive: f32 = values.iter().zip(&w).map(|(a, b)| a * b).sum();
        assert!((dense.dot(&w) - naive).abs() < 1e-5);
        assert!((sparse.dot(&w) - naive).abs() < 1e-5);
        let (mut a, mut b) = (w.clone(), w.clone());
        dense.add_scaled_to(&mut a, -0.5);
        sparse.add_scaled_to(&mut b, -0.5);
        assert_eq!(a, b);
        assert!((a[1] - (w[1] - 0.5 * values[1])).abs() < 1e-6);
    }

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

    #[test]
    fn csr_rejects_unsorted_columns() {
        assert!(CsrMatrix::new(3, vec![0, 2], vec![2, 1], vec![1.0, 1.0]).is_err());
    }
}
