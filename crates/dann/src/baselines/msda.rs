//! Marginalized stacked denoising autoencoders (mSDA; Chen, Xu, Weinberger and Sha, ICML
//! 2012), the representation behind the DANN paper's mSDA column (JMLR 2016 sec. 5.1.2: five
//! layers, corruption 0.5, the input and every layer's output concatenated).
//!
//! Each layer is the closed-form marginalized denoising autoencoder: with inputs `x` extended
//! by a constant 1 (`x_b`), `S = sum x_b x_b^T`, `q = (1-p, ..., 1-p, 1)`,
//! `Q = S * q q^T` with diagonal `q_i S_ii`, `P = S * q^T`, the mapping is
//! `W = P[:d] (Q + reg I)^-1` and the layer's output `h = tanh(W x_b)`.

use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::linalg::solvers::DenseSolveCore;
use faer::{Accum, Mat, Side};
use serde::{Deserialize, Serialize};

use crate::data::{Dataset, DenseMatrix, Features};
use crate::error::{Error, Result};

/// Settings of [`Msda`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MsdaConfig {
    /// Number of stacked layers (5 in the DANN paper).
    pub layers: usize,
    /// Corruption probability `p` (0.5 in the DANN paper).
    pub corruption: f64,
    /// Ridge added to `Q` (1e-5 in Chen et al.'s code).
    pub reg: f64,
}

impl Default for MsdaConfig {
    fn default() -> Self {
        Self {
            layers: 5,
            corruption: 0.5,
            reg: 1e-5,
        }
    }
}

/// A fitted mSDA: one `(d + 1) x d` matrix `Z = W^T` per layer (row `k` multiplies input `k`,
/// the last row is the bias).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Msda {
    n_features: usize,
    layers: Vec<Vec<f32>>,
}

impl MsdaConfig {
    /// Fits on the rows of `data` (labels ignored; all must have the same width).
    pub fn fit(&self, data: &[&Dataset]) -> Result<Msda> {
        if self.layers == 0 {
            return Err(Error::config("msda.layers", "must be at least 1"));
        }
        if !(0.0..1.0).contains(&self.corruption) {
            return Err(Error::config(
                "msda.corruption",
                format!("must be in [0, 1), got {}", self.corruption),
            ));
        }
        let d = data.first().map_or(0, |ds| ds.n_features());
        if d == 0 || data.iter().any(|ds| ds.n_features() != d) {
            return Err(Error::Data(
                "mSDA needs data sets of one non-zero width".into(),
            ));
        }
        // The products and the solve dominate; let faer use every core (its default is one).
        faer::set_global_parallelism(faer::Par::rayon(0));
        let mut layers = Vec::with_capacity(self.layers);
        // Layer 1 reads the (possibly sparse) inputs; later layers the previous output.
        let mut s = scatter_sparse(data, d);
        let mut hidden: Option<Vec<Mat<f32>>> = None;
        for _ in 0..self.layers {
            let z = self.solve_layer(&s, d)?;
            let next: Vec<Mat<f32>> = match &hidden {
                None => data.iter().map(|ds| first_layer(ds, &z, d)).collect(),
                Some(h) => h.iter().map(|h| dense_layer(h, &z, d)).collect(),
            };
            s = scatter_dense(&next, d);
            layers.push(z);
            hidden = Some(next);
        }
        Ok(Msda {
            n_features: d,
            layers,
        })
    }

    /// `Z = (Q + reg I)^-1 diag(q) S[:, :d]`, from `S` of the inputs extended by 1 (only its
    /// lower triangle is read).
    ///
    /// The right-hand side is almost a multiple of `Q` itself: off the diagonal,
    /// `q_j S_ji = Q_ji / q_i` with `q_i = 1 - p` for every input `i`, so with
    /// `c_i = (Q + reg I)_ii - (1-p)^2 S_ii` the right-hand side is
    /// `((Q + reg I)[:, :d] - diag(c)) / (1 - p)` and
    /// `Z = (I[:, :d] - (Q + reg I)^-1[:, :d] diag(c)) / (1 - p)`: one inverse of a symmetric
    /// positive definite matrix (about `d^3` flops) instead of a solve with `d` right-hand
    /// sides (about `2.3 d^3`).
    fn solve_layer(&self, s: &Mat<f64>, d: usize) -> Result<Vec<f32>> {
        let keep = 1.0 - self.corruption;
        let q = |i: usize| if i == d { 1.0 } else { keep };
        let sym = |i: usize, j: usize| s[(i.max(j), i.min(j))];
        let qm = Mat::<f64>::from_fn(d + 1, d + 1, |i, j| {
            if i == j {
                q(i) * sym(i, i) + self.reg
            } else {
                q(i) * q(j) * sym(i, j)
            }
        });
        let c: Vec<f64> = (0..d)
            .map(|i| qm[(i, i)] - keep * keep * sym(i, i))
            .collect();
        let llt = qm.llt(Side::Lower).map_err(|e| {
            Error::Data(format!("mSDA: the system is not positive definite ({e:?})"))
        })?;
        let inv = llt.inverse();
        let mut out = Vec::with_capacity((d + 1) * d);
        for k in 0..=d {
            for (i, &ci) in c.iter().enumerate() {
                let identity = if k == i { 1.0 } else { 0.0 };
                out.push(((identity - inv[(k, i)] * ci) / keep) as f32);
            }
        }
        Ok(out)
    }
}

impl Msda {
    /// Width of the inputs.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Width of [`transform`](Self::transform)'s output: the input and every layer.
    pub fn output_width(&self) -> usize {
        self.n_features * (self.layers.len() + 1)
    }

    /// The representation `[x, h_1, ..., h_L]` of every row, dense.
    pub fn transform(&self, data: &Dataset) -> Result<Dataset> {
        let d = self.n_features;
        data.check_n_features(d, "the mSDA")?;
        let mut outputs = Vec::with_capacity(self.layers.len());
        for z in &self.layers {
            let h = match outputs.last() {
                None => first_layer(data, z, d),
                Some(prev) => dense_layer(prev, z, d),
            };
            outputs.push(h);
        }
        let width = self.output_width();
        let mut values = vec![0f32; data.len() * width];
        for (i, row) in values.chunks_exact_mut(width).enumerate() {
            data.features().write_row(i, &mut row[..d]);
            for (l, h) in outputs.iter().enumerate() {
                let dst = &mut row[(l + 1) * d..(l + 2) * d];
                for (j, v) in dst.iter_mut().enumerate() {
                    *v = h[(i, j)];
                }
            }
        }
        let features = Features::Dense(DenseMatrix::new(data.len(), width, values)?);
        let out = match data.labels() {
            Some(l) => Dataset::labelled(features, l.to_vec(), data.class_names().to_vec())?,
            None => Dataset::unlabelled(features),
        };
        Ok(match data.origin() {
            Some(o) => out.with_origin(o),
            None => out,
        })
    }
}

/// `S = sum x_b x_b^T` over the rows of sparse or dense data sets.
fn scatter_sparse(data: &[&Dataset], d: usize) -> Mat<f64> {
    let mut s = Mat::<f64>::zeros(d + 1, d + 1);
    let mut nz: Vec<(usize, f64)> = Vec::new();
    for ds in data {
        for i in 0..ds.len() {
            nz.clear();
            ds.row(i)
                .for_each_nonzero(|k, x| nz.push((k, f64::from(x))));
            nz.push((d, 1.0));
            for &(a, xa) in &nz {
                for &(b, xb) in &nz {
                    s[(a, b)] += xa * xb;
                }
            }
        }
    }
    s
}

/// `S = sum h_b h_b^T` for dense layer outputs.
fn scatter_dense(hidden: &[Mat<f32>], d: usize) -> Mat<f64> {
    let n: usize = hidden.iter().map(|h| h.nrows()).sum();
    let mut x = Mat::<f64>::zeros(n, d + 1);
    let mut r = 0;
    for h in hidden {
        for i in 0..h.nrows() {
            for j in 0..d {
                x[(r, j)] = f64::from(h[(i, j)]);
            }
            x[(r, d)] = 1.0;
            r += 1;
        }
    }
    // Only the lower triangle: `S` is symmetric and `solve_layer` reads no more.
    let mut s = Mat::<f64>::zeros(d + 1, d + 1);
    triangular::matmul(
        s.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        x.transpose(),
        BlockStructure::Rectangular,
        &x,
        BlockStructure::Rectangular,
        1.0,
        faer::get_global_parallelism(),
    );
    s
}

/// `tanh(Z^T x_b)` for every row of (sparse or dense) `data`.
fn first_layer(data: &Dataset, z: &[f32], d: usize) -> Mat<f32> {
    let mut out = Mat::<f32>::zeros(data.len(), d);
    let mut acc = vec![0f32; d];
    for i in 0..data.len() {
        acc.copy_from_slice(&z[d * d..]);
        data.row(i).for_each_nonzero(|k, x| {
            for (a, &w) in acc.iter_mut().zip(&z[k * d..(k + 1) * d]) {
                *a += x * w;
            }
        });
        for (j, a) in acc.iter().enumerate() {
            out[(i, j)] = a.tanh();
        }
    }
    out
}

/// `tanh([h, 1] Z)` for a dense layer output `h` (`n x d`).
fn dense_layer(h: &Mat<f32>, z: &[f32], d: usize) -> Mat<f32> {
    let w = Mat::<f32>::from_fn(d, d, |k, j| z[k * d + j]);
    let mut out = h * &w;
    for i in 0..out.nrows() {
        for j in 0..d {
            out[(i, j)] = (out[(i, j)] + z[d * d + j]).tanh();
        }
    }
    out
}
