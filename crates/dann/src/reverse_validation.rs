//! Reverse validation (Zhong et al. 2010; Ganin et al., JMLR 2016 sec. 5.1.2): choosing DANN's
//! hyper-parameters without target labels.
//!
//! Source and target are split 90/10 (`S'`, `S_v`, `T'`, `T_v`). For each candidate: train
//! DANN on `S'` with `T'` unlabelled (early stopping on `S_v`); label `T'` and `T_v` with it;
//! train a *reverse* DANN on the self-labelled `T'` with `S'` as its unlabelled target (early
//! stopping on the self-labelled `T_v`); its error on `S_v` is the candidate's score. The
//! candidate with the lowest score wins.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::metrics::{accuracy, lowest};
use crate::shallow::{ShallowConfig, ShallowDann};
use crate::trainer::Mode;
use crate::{Error, Result};

/// Splits `data` into a shuffled `(1 - fraction, fraction)` pair of parts.
pub fn split_validation(data: &Dataset, fraction: f64, seed: u64) -> (Dataset, Dataset) {
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_val = ((data.len() as f64) * fraction).round() as usize;
    let (val, train) = order.split_at(n_val.min(data.len()));
    (data.subset(train), data.subset(val))
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

/// The outcome: the winner, its forward model, and every candidate's score.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Chosen lambda.
    pub lambda: f64,
    /// Chosen hidden size.
    pub hidden: usize,
    /// The forward model trained with the chosen settings.
    pub best_model: ShallowDann,
    /// All candidates in grid order.
    pub candidates: Vec<Candidate>,
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
        let (best, best_model) = lowest(&scored, |(c, _)| c.reverse_error)
            .ok_or_else(|| Error::config("reverse_validation", "the grid is empty"))?;
        let (lambda, hidden, best_model) = (best.lambda, best.hidden, best_model.clone());
        let candidates = scored.into_iter().map(|(c, _)| c).collect();
        Ok(Selection {
            lambda,
            hidden,
            best_model,
            candidates,
        })
    }
}
