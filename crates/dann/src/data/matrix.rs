//! Feature matrices: dense row-major, sparse CSR, and a borrowed row of either.

use crate::error::{Error, Result};

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
    /// Declares `n >= n_cols` columns (the new ones empty).
    pub(super) fn widen(&mut self, n: usize) {
        debug_assert!(n >= self.n_cols);
        self.n_cols = n;
    }

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

/// Feature matrix of a [`Dataset`](super::Dataset): dense, or sparse kept sparse.
#[derive(Debug, Clone, PartialEq)]
pub enum Features {
    /// Dense, row-major.
    Dense(DenseMatrix),
    /// Sparse rows (CSR).
    Sparse(CsrMatrix),
}

impl Features {
    /// Whether the rows are sparse data (bag-of-words counts: the Amazon reviews): stored
    /// sparse (an SVMlight file, a CSR matrix) with fewer than half of the cells stored.
    /// Sparse rows train with the sparse defaults (not standardised, `lambda_p` rising to
    /// `max_sparse`); a sparse matrix of mostly stored cells trains as the dense rows it is,
    /// as the same numbers in a dense array or a CSV do.
    pub fn has_sparse_rows(&self) -> bool {
        match self {
            Features::Sparse(m) => (m.nnz() as f64) < 0.5 * m.n_rows() as f64 * m.n_cols() as f64,
            Features::Dense(_) => false,
        }
    }

    /// The rows at `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> Features {
        match self {
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
        }
    }

    /// Row `i`, sparse or dense.
    pub fn row(&self, i: usize) -> Row<'_> {
        match self {
            Features::Sparse(m) => {
                let (idx, val) = m.row(i);
                Row::Sparse(idx, val)
            }
            Features::Dense(m) => Row::Dense(m.row(i)),
        }
    }

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
    /// Calls `f(column, value)` for every non-zero value, in column order.
    #[inline(always)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn csr_rejects_unsorted_columns() {
        assert!(CsrMatrix::new(3, vec![0, 2], vec![2, 1], vec![1.0, 1.0]).is_err());
    }
}
