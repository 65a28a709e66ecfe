//! Reverse validation (Zhong et al. 2010; Ganin et al., JMLR 2016 sec. 5.1.2): choosing DANN's
//! hyper-parameters without target labels.
//!
//! Source and target are split 90/10 (`S'`, `S_v`, `T'`, `T_v`). For each candidate: train
//! DANN on `S'` with `T'` unlabelled (early stopping on `S_v`); label `T'` and `T_v` with it;
//! train a *reverse* DANN on the self-labelled `T'` with `S'` as its unlabelled target (early
//! stopping on the self-labelled `T_v`); its error on `S_v` is the candidate's score. The
//! candidate with the lowest score wins.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::metrics::{accuracy, lowest};
use crate::problem::Mode;
use crate::shallow::{ShallowConfig, ShallowDann};

/// `n` values of lambda log-spaced in `[1e-2, 1]` (the paper's grid for `n = 9`); `[0.1]`
/// for `n = 1`.
pub fn lambda_grid(n: usize) -> Vec<f64> {
    match n {
        1 => vec![0.1],
        n => (0..n)
            .map(|i| 10f64.powf(-2.0 + 2.0 * i as f64 / (n - 1) as f64))
            .collect(),
    }
}

/// The grid and the training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReverseValidation {
    /// Settings shared by every run (lr, epochs, patience, seed, batch size).
    pub base: ShallowConfig,
    /// lambda candidates.
    pub lambdas: Vec<f64>,
    /// Hidden size candidates.
    pub hidden: Vec<usize>,
}

/// One candidate's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// lambda.
    pub lambda: f64,
    /// Hidden size.
    pub hidden: usize,
    /// Reverse validation error on `S_v`.
    pub reverse_error: f64,
}

/// The outcome: every candidate's score and forward model, and which one won.
#[derive(Debug, Clone)]
pub struct Selection {
    /// All candidates in grid order.
    pub candidates: Vec<Candidate>,
    /// Each candidate's forward model (trained on `S'` with `T'` unlabelled), in the same
    /// order.
    pub forward_models: Vec<ShallowDann>,
    /// Index of the winner: the lowest reverse error, the earlier candidate on ties.
    pub best: usize,
}

impl Selection {
    /// The winning candidate (its lambda, hidden size and score).
    pub fn winner(&self) -> &Candidate {
        &self.candidates[self.best]
    }

    /// The forward model trained with the winning settings.
    pub fn best_model(&self) -> &ShallowDann {
        &self.forward_models[self.best]
    }
}

impl ReverseValidation {
    /// Scores every candidate on the given parts (targets unlabelled) and keeps the best.
    pub fn select(
        &self,
        s_train: &Dataset,
        s_val: &Dataset,
        t_train: &Dataset,
        t_val: &Dataset,
    ) -> Result<Selection> {
        let s_val_truth = s_val
            .labels()
            .ok_or_else(|| Error::Data("source validation part must be labelled".into()))?;
        let classes = s_train.class_names().to_vec();
        let s_train_unl = s_train.clone().without_labels();
        let grid: Vec<(usize, f64)> = self
            .hidden
            .iter()
            .flat_map(|&h| self.lambdas.iter().map(move |&l| (h, l)))
            .collect();
        // Candidates are independent: score them on every core (rayon; RAYON_NUM_THREADS
        // limits it). Each run is seeded, so the outcome does not depend on the schedule.
        let scored: Vec<(Candidate, ShallowDann)> = grid
            .par_iter()
            .map(|&(hidden, lambda)| -> Result<(Candidate, ShallowDann)> {
                let cfg = ShallowConfig {
                    mode: Mode::Dann,
                    hidden,
                    lambda,
                    ..self.base.clone()
                };
                let forward = cfg.fit(s_train, t_train, Some(s_val))?.model;
                let self_label = |d: &Dataset| -> Result<Dataset> {
                    Dataset::labelled(d.features().clone(), forward.predict(d), classes.clone())
                };
                let (t_train_l, t_val_l) = (self_label(t_train)?, self_label(t_val)?);
                let reverse = cfg.fit(&t_train_l, &s_train_unl, Some(&t_val_l))?.model;
                let reverse_error = 1.0 - accuracy(&reverse.predict(s_val), s_val_truth);
                let candidate = Candidate {
                    lambda,
                    hidden,
                    reverse_error,
                };
                Ok((candidate, forward))
            })
            .collect::<Result<_>>()?;
        // The lowest score wins; ties go to the earlier candidate in grid order.
        let best = lowest(0..scored.len(), |&i| scored[i].0.reverse_error)
            .ok_or_else(|| Error::config("reverse_validation", "the grid is empty"))?;
        let (candidates, forward_models) = scored.into_iter().unzip();
        Ok(Selection {
            candidates,
            forward_models,
            best,
        })
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::data::split_validation;
    use crate::testing::random_dense_labelled;

    #[test]
    fn lambda_grid_is_the_papers() {
        let grid = lambda_grid(9);
        assert_eq!(grid.len(), 9);
        assert!((grid[0] - 0.01).abs() < 1e-15 && (grid[8] - 1.0).abs() < 1e-15);
        assert!((grid[4] - 0.1).abs() < 1e-15, "{grid:?}");
        assert!(
            grid.windows(2)
                .all(|w| (w[1] / w[0] - 10f64.powf(0.25)).abs() < 1e-12)
        );
        assert_eq!(lambda_grid(1), [0.1]);
        assert!(lambda_grid(0).is_empty());
    }

    /// `select` returns every candidate in grid order with the forward model its settings
    /// train, and the first candidate with the lowest reverse error wins.
    #[test]
    fn select_keeps_every_forward_model_and_the_lowest_score() {
        let rng = &mut ChaCha8Rng::seed_from_u64(3);
        let source = random_dense_labelled(80, 6, rng);
        let target = random_dense_labelled(80, 6, rng).without_labels();
        let (s_train, s_val) = split_validation(&source, 0.2, 1);
        let (t_train, t_val) = split_validation(&target, 0.2, 2);
        let rv = ReverseValidation {
            base: ShallowConfig {
                lr: 0.1,
                epochs: 5,
                patience: 0,
                ..Default::default()
            },
            lambdas: vec![0.01, 0.3, 1.0],
            hidden: vec![3, 5],
        };
        let selection = rv.select(&s_train, &s_val, &t_train, &t_val).unwrap();
        let grid: Vec<(usize, f64)> = selection
            .candidates
            .iter()
            .map(|c| (c.hidden, c.lambda))
            .collect();
        assert_eq!(
            grid,
            [(3, 0.01), (3, 0.3), (3, 1.0), (5, 0.01), (5, 0.3), (5, 1.0)]
        );
        assert_eq!(selection.forward_models.len(), grid.len());
        for (c, model) in selection.candidates.iter().zip(&selection.forward_models) {
            let direct = ShallowConfig {
                mode: Mode::Dann,
                hidden: c.hidden,
                lambda: c.lambda,
                ..rv.base.clone()
            }
            .fit(&s_train, &t_train, Some(&s_val))
            .unwrap()
            .model;
            assert_eq!(model, &direct, "{c:?}");
        }
        let errors: Vec<f64> = selection
            .candidates
            .iter()
            .map(|c| c.reverse_error)
            .collect();
        let min = errors.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(
            selection.best,
            errors.iter().position(|&e| e == min).unwrap()
        );
        assert_eq!(selection.winner().reverse_error, min);
        assert_eq!(
            selection.best_model(),
            &selection.forward_models[selection.best]
        );
    }
}
