//! Linear support vector machine: L2-regularised squared-hinge loss solved in the dual by
//! coordinate descent (Hsieh et al., ICML 2008; LIBLINEAR's `-s 1`, scikit-learn's
//! `LinearSVC()` default). The bias is learned as the weight of a constant feature 1 (and is
//! regularised, as in LIBLINEAR). More than two classes: one-vs-rest.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Row};
use crate::error::{Error, Result, positive};

/// Settings of [`LinearSvm`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearSvmConfig {
    /// Inverse regularisation strength `C`.
    pub c: f64,
    /// Stop when the largest projected-gradient violation falls below this.
    pub tol: f64,
    /// Upper bound on passes over the data.
    pub max_iter: usize,
    /// Seed of the coordinate order.
    pub seed: u64,
}

impl Default for LinearSvmConfig {
    fn default() -> Self {
        Self {
            c: 1.0,
            tol: 1e-4,
            max_iter: 1000,
            seed: 0,
        }
    }
}

/// A trained linear SVM: one weight vector (and bias) per class for one-vs-rest, a single
/// one for two classes (positive = second class).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearSvm {
    n_features: usize,
    n_classes: usize,
    /// `[n_models][n_features + 1]`, the last entry of each being the bias.
    weights: Vec<Vec<f32>>,
}

impl LinearSvmConfig {
    /// Trains on labelled `data`.
    pub fn fit(&self, data: &Dataset) -> Result<LinearSvm> {
        positive("svm.c", self.c)?;
        let labels = data
            .labels()
            .ok_or_else(|| data.error("SVM training data must be labelled"))?;
        let n_classes = data.class_names().len();
        if n_classes < 2 {
            return Err(Error::Data("SVM training needs at least 2 classes".into()));
        }
        let models = if n_classes == 2 { 1 } else { n_classes };
        let weights = (0..models)
            .map(|m| {
                let positive = if n_classes == 2 { 1 } else { m };
                let y: Vec<f32> = labels
                    .iter()
                    .map(|&l| if l == positive { 1.0 } else { -1.0 })
                    .collect();
                self.solve(data, &y)
            })
            .collect();
        Ok(LinearSvm {
            n_features: data.n_features(),
            n_classes,
            weights,
        })
    }

    /// Trains one SVM per `C` of `grid` (these settings otherwise, in parallel) on `train`
    /// and keeps the one with the lowest error on labelled `held_out` (the first on ties):
    /// `(error, C, model)`, `None` for an empty grid.
    pub fn select_c(
        &self,
        grid: &[f64],
        train: &Dataset,
        held_out: &Dataset,
    ) -> Result<Option<(f64, f64, LinearSvm)>> {
        let truth = held_out
            .labels()
            .ok_or_else(|| held_out.error("the held-out part must be labelled"))?;
        let fits: Vec<(f64, f64, LinearSvm)> = grid
            .par_iter()
            .map(|&c| {
                let svm = LinearSvmConfig { c, ..self.clone() }.fit(train)?;
                let err = 1.0 - crate::metrics::accuracy(&svm.predict(held_out)?, truth);
                Ok((err, c, svm))
            })
            .collect::<Result<_>>()?;
        Ok(crate::metrics::lowest(fits, |f| f.0))
    }

    /// Dual coordinate descent for `min_w 1/2 |w|^2 + C sum_i max(0, 1 - y_i w.x_i)^2`.
    fn solve(&self, data: &Dataset, y: &[f32]) -> Vec<f32> {
        let n = data.len();
        let d = data.n_features();
        let mut w = vec![0f32; d + 1];
        let mut alpha = vec![0f64; n];
        // Squared-hinge dual: D_ii = 1 / (2C), no upper bound on alpha.
        let diag = 0.5 / self.c;
        let qd: Vec<f64> = (0..n)
            .map(|i| f64::from(data.row(i).norm_sq()) + 1.0 + diag)
            .collect();
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        for _ in 0..self.max_iter {
            order.shuffle(&mut rng);
            let mut max_violation = 0f64;
            for &i in &order {
                let row = data.row(i);
                let margin = f64::from(row.dot(&w[..d]) + w[d]);
                let g = f64::from(y[i]) * margin - 1.0 + diag * alpha[i];
                // Projected gradient (alpha >= 0).
                let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
                max_violation = max_violation.max(pg.abs());
                if pg.abs() > 1e-12 {
                    let old = alpha[i];
                    alpha[i] = (alpha[i] - g / qd[i]).max(0.0);
                    let step = ((alpha[i] - old) * f64::from(y[i])) as f32;
                    add_row(&mut w, row, step, d);
                }
            }
            if max_violation < self.tol {
                break;
            }
        }
        w
    }
}

fn add_row(w: &mut [f32], row: Row<'_>, step: f32, d: usize) {
    row.add_scaled_to(&mut w[..d], step);
    w[d] += step;
}

impl LinearSvm {
    /// Decision values `[n][n_models]` (one column for two classes: positive means the second
    /// class).
    pub fn decision_function(&self, data: &Dataset) -> Result<Vec<Vec<f32>>> {
        data.check_n_features(self.n_features, "the SVM")?;
        let d = self.n_features;
        Ok((0..data.len())
            .map(|i| {
                let row = data.row(i);
                self.weights
                    .iter()
                    .map(|w| row.dot(&w[..d]) + w[d])
                    .collect()
            })
            .collect())
    }

    /// Predicted class per row.
    pub fn predict(&self, data: &Dataset) -> Result<Vec<usize>> {
        Ok(self
            .decision_function(data)?
            .into_iter()
            .map(|s| {
                if self.n_classes == 2 {
                    usize::from(s[0] > 0.0)
                } else {
                    crate::metrics::argmax(&s)
                }
            })
            .collect())
    }

    /// Weights (without bias) of each one-vs-rest model.
    pub fn weights(&self) -> Vec<&[f32]> {
        self.weights.iter().map(|w| &w[..self.n_features]).collect()
    }

    /// Bias of each one-vs-rest model.
    pub fn biases(&self) -> Vec<f32> {
        self.weights.iter().map(|w| w[self.n_features]).collect()
    }
}

/// The paper's grid for `C`: 10 values log-spaced in `[1e-5, 1]`.
pub fn c_grid() -> Vec<f64> {
    (0..10)
        .map(|i| 10f64.powf(-5.0 + 5.0 * i as f64 / 9.0))
        .collect()
}
