//! The shallow network: its parameters and inference.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use serde::{Deserialize, Serialize};

use super::init::ShallowInit;
use super::math::{sigmoid, softmax_in_place};
use crate::data::{Dataset, DenseMatrix, Features, Row};
use crate::error::{Error, Result};
use crate::metrics::argmax;
use crate::representation::FeatureMap;

/// Borrowed view of a [`ShallowDann`]'s parameters (same layout as [`Gradients`](super::Gradients)).
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct Parameters<'a> {
    pub w: &'a [f32],
    pub b: &'a [f32],
    pub v: &'a [f32],
    pub c: &'a [f32],
    pub u: &'a [f32],
    pub d: f32,
}

/// A shallow DANN (one sigmoid hidden layer) with sparse kernels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShallowDann {
    pub(super) n_features: usize,
    pub(super) hidden: usize,
    pub(super) n_classes: usize,
    /// `[n_features][hidden]`: row `k` holds the weights of input feature `k`.
    pub(super) w: Vec<f32>,
    pub(super) b: Vec<f32>,
    /// `[hidden][n_classes]`.
    pub(super) v: Vec<f32>,
    pub(super) c: Vec<f32>,
    pub(super) u: Vec<f32>,
    pub(super) d: f32,
}

impl ShallowDann {
    /// A network with the same initial weights as `DannConfig::shallow(hidden).init(..,
    /// seed, ..)` ([`ShallowInit::Burn`]).
    pub fn new(n_features: usize, hidden: usize, n_classes: usize, seed: u64) -> Result<Self> {
        Self::with_init(n_features, hidden, n_classes, seed, ShallowInit::Burn)
    }

    /// A network initialised by `init` from `seed`.
    pub fn with_init(
        n_features: usize,
        hidden: usize,
        n_classes: usize,
        seed: u64,
        init: ShallowInit,
    ) -> Result<Self> {
        if n_features == 0 || hidden == 0 || n_classes < 2 {
            return Err(Error::Data(format!(
                "shallow DANN needs features, hidden units and 2+ classes (got {n_features}, {hidden}, {n_classes})"
            )));
        }
        let ((w, b), (v, c), (u, d)) = init.draw(n_features, hidden, n_classes, seed);
        Ok(Self {
            n_features,
            hidden,
            n_classes,
            w,
            b,
            v,
            c,
            u,
            d: d[0],
        })
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of hidden units.
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The parameters, in the layout of [`Gradients`](super::Gradients).
    pub fn parameters(&self) -> Parameters<'_> {
        Parameters {
            w: &self.w,
            b: &self.b,
            v: &self.v,
            c: &self.c,
            u: &self.u,
            d: self.d,
        }
    }

    /// `G_f(x) = sigm(b + W x)` into `h` (`hidden` values).
    #[inline(always)]
    pub fn hidden_into(&self, x: Row<'_>, h: &mut [f32]) {
        let hd = self.hidden;
        h.copy_from_slice(&self.b);
        x.for_each_nonzero(
            #[inline(always)]
            |k, xk| {
                let wk = &self.w[k * hd..(k + 1) * hd];
                for (hj, &wj) in h.iter_mut().zip(wk) {
                    *hj += xk * wj;
                }
            },
        );
        for hj in h.iter_mut() {
            *hj = sigmoid(*hj);
        }
    }

    /// Class probabilities `softmax(c + V h)` into `p`.
    #[inline(always)]
    pub(super) fn class_proba(&self, h: &[f32], p: &mut [f32]) {
        p.copy_from_slice(&self.c);
        for (j, &hj) in h.iter().enumerate() {
            let vj = &self.v[j * self.n_classes..(j + 1) * self.n_classes];
            for (pc, &v) in p.iter_mut().zip(vj) {
                *pc += hj * v;
            }
        }
        softmax_in_place(p);
    }

    /// Domain logit `d + u . h` (positive: target).
    #[inline(always)]
    pub(super) fn domain_logit(&self, h: &[f32]) -> f32 {
        self.d + h.iter().zip(&self.u).map(|(a, b)| a * b).sum::<f32>()
    }

    /// Class probabilities for every row of `data` (`[n][n_classes]`, row-major).
    pub fn predict_proba(&self, data: &Dataset) -> Vec<f32> {
        let h = self.features(data);
        let mut out = vec![0.0; data.len() * self.n_classes];
        for (p, h) in out
            .chunks_exact_mut(self.n_classes)
            .zip(h.chunks_exact(self.hidden))
        {
            self.class_proba(h, p);
        }
        out
    }

    /// Most probable class per row.
    pub fn predict(&self, data: &Dataset) -> Vec<usize> {
        self.predict_proba(data)
            .chunks_exact(self.n_classes)
            .map(argmax)
            .collect()
    }

    /// Hidden representation `G_f(x)` of every row (`[n][hidden]`, row-major). Dense inputs
    /// go through matrix products, sparse ones through the sparse kernel.
    pub fn features(&self, data: &Dataset) -> Vec<f32> {
        let mut out = vec![0.0; data.len() * self.hidden];
        match data.features() {
            Features::Dense(m) if m.n_cols() == self.n_features => {
                self.dense_hidden(m.as_slice(), &mut out);
            }
            _ => super::math::dispatch(
                #[inline(always)]
                || {
                    for (i, h) in out.chunks_exact_mut(self.hidden).enumerate() {
                        self.hidden_into(data.row(i), h);
                    }
                },
            ),
        }
        out
    }

    /// `G_f(x)` of every row of dense `values` (`[n][n_features]`) into `out` (`[n][hidden]`),
    /// by matrix products over chunks of a few hundred rows.
    fn dense_hidden(&self, values: &[f32], out: &mut [f32]) {
        const CHUNK: usize = 256;
        let (d, hd) = (self.n_features, self.hidden);
        let w = MatRef::from_row_major_slice(&self.w, d, hd);
        for (x, h) in values.chunks(CHUNK * d).zip(out.chunks_mut(CHUNK * hd)) {
            let n = x.len() / d;
            matmul(
                MatMut::from_row_major_slice_mut(h, n, hd),
                Accum::Replace,
                MatRef::from_row_major_slice(x, n, d),
                w,
                1.0,
                Par::Seq,
            );
            for row in h.chunks_exact_mut(hd) {
                for (hj, &b) in row.iter_mut().zip(&self.b) {
                    *hj = sigmoid(*hj + b);
                }
            }
        }
    }
}

impl FeatureMap for ShallowDann {
    fn n_inputs(&self) -> usize {
        self.n_features
    }

    fn feature_matrix(&self, data: &Dataset) -> Result<DenseMatrix> {
        data.check_n_features(self.n_features, "the model")?;
        DenseMatrix::new(data.len(), self.hidden, self.features(data))
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::testing::{close, dense_rows, random_sparse};

    /// Hidden features of dense data (matrix products) equal those of the same rows stored
    /// sparse (per-row kernel).
    #[test]
    fn dense_and_sparse_inference_agree() {
        let rng = &mut ChaCha8Rng::seed_from_u64(4);
        let sparse = random_sparse(300, 40, rng);
        let dense = Dataset::unlabelled(Features::Dense(
            crate::data::DenseMatrix::new(300, 40, dense_rows(&sparse)).unwrap(),
        ));
        let model = ShallowDann::new(40, 6, 3, 8).unwrap();
        close(&model.features(&dense), &model.features(&sparse), "G_f");
        close(
            &model.predict_proba(&dense),
            &model.predict_proba(&sparse),
            "G_y",
        );
    }
}
