//! Reverse validation (Zhong et al. 2010; Ganin et al., JMLR 2016 sec. 5.1.2): choosing DANN's
//! hyper-parameters without target labels.
//!
//! Source and target are split 90/10 (`S'`, `S_v`, `T'`, `T_v`, a [`HoldOut`]). For each
//! candidate: train DANN on `S'` with `T'` unlabelled (early stopping on `S_v`); label `T'`
//! and `T_v` with it; train a *reverse* DANN on the self-labelled `T'` with `S'` as its
//! unlabelled target (early stopping on the self-labelled `T_v`); its error on `S_v` is the
//! candidate's score. The candidate with the lowest score wins.
//!
//! `S_v` is small (200 reviews on Amazon, so the error moves in steps of 0.005 and many
//! candidates tie); [`RvScore::LogLoss`] scores the reverse model's mean negative
//! log-likelihood of `S_v`'s labels instead, a finer measure of the same agreement.

mod score;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::HoldOut;
use crate::error::{Error, Result};
use crate::metrics::lowest;
use crate::shallow::{ShallowConfig, ShallowDann, ShallowFit};
use crate::training::Cancel;

pub use score::{ReverseScore, RvScore, reverse_score};

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
    /// Settings shared by every run (epochs, patience, seed, batch size); lambda, hidden size
    /// and learning rate come from the grid.
    pub base: ShallowConfig,
    /// lambda candidates.
    pub lambdas: Vec<f64>,
    /// Hidden size candidates.
    pub hidden: Vec<usize>,
    /// Learning-rate candidates.
    pub lrs: Vec<f64>,
    /// What ranks the candidates.
    pub score: RvScore,
}

/// One candidate's settings and scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// lambda.
    pub lambda: f64,
    /// Hidden size.
    pub hidden: usize,
    /// Learning rate.
    pub lr: f64,
    /// The forward model's error on `S_v` (its kept epoch).
    pub forward_error: f64,
    /// The epoch the forward model was kept from.
    pub epoch: usize,
    /// The reverse model's scores on `S_v`, averaged over the hold-out splits.
    pub reverse: ReverseScore,
    /// Each split's scores; the first split's forward model is the one kept.
    pub reverse_per_split: Vec<ReverseScore>,
}

/// The outcome: every candidate's score and forward model, and which one won.
#[derive(Debug, Clone)]
pub struct Selection {
    /// All candidates in grid order (hidden size, then learning rate, then lambda).
    pub candidates: Vec<Candidate>,
    /// Each candidate's forward model (trained on `S'` with `T'` unlabelled), in the same
    /// order.
    pub forward_models: Vec<ShallowDann>,
    /// Index of the winner: the lowest score, the earlier candidate on ties.
    pub best: usize,
}

impl Selection {
    /// The winning candidate (its settings and scores).
    pub fn winner(&self) -> &Candidate {
        &self.candidates[self.best]
    }

    /// The forward model trained with the winning settings.
    pub fn best_model(&self) -> &ShallowDann {
        &self.forward_models[self.best]
    }
}

impl ReverseValidation {
    /// The settings of every candidate, in grid order.
    pub fn grid(&self) -> Vec<ShallowConfig> {
        let mut grid = Vec::new();
        for &hidden in &self.hidden {
            for &lr in &self.lrs {
                for &lambda in &self.lambdas {
                    grid.push(self.base.dann_candidate(hidden, lr, lambda));
                }
            }
        }
        grid
    }

    /// Fails, naming the setting, when the grid is empty or holds a bad value (a lambda that
    /// is negative or not a number, a learning rate that is not > 0, a hidden size 0).
    pub fn check(&self) -> Result<()> {
        for (name, len) in [
            ("select.lambdas", self.lambdas.len()),
            ("select.hidden", self.hidden.len()),
            ("select.lrs", self.lrs.len()),
        ] {
            if len == 0 {
                return Err(Error::config(
                    name,
                    "is empty: the grid needs at least one value",
                ));
            }
        }
        if let Some(l) = self.lambdas.iter().find(|l| !(l.is_finite() && **l >= 0.0)) {
            return Err(Error::config(
                "select.lambdas",
                format!("every value must be a number >= 0, got {l}"),
            ));
        }
        if let Some(lr) = self.lrs.iter().find(|lr| !(lr.is_finite() && **lr > 0.0)) {
            return Err(Error::config(
                "select.lrs",
                format!("every value must be a number > 0, got {lr}"),
            ));
        }
        if self.hidden.contains(&0) {
            return Err(Error::config(
                "select.hidden",
                "every value must be at least 1, got 0",
            ));
        }
        self.grid().iter().try_for_each(ShallowConfig::check)
    }

    /// Scores every candidate on each of `parts` (hold-out splits of the same data, targets
    /// unlabelled; the paper uses one), averages its scores over them and keeps the best. The
    /// forward models kept are those trained on the first split. Stops with
    /// [`Error::Cancelled`] once `cancel` is raised.
    pub fn select(&self, parts: &[HoldOut], cancel: &Cancel) -> Result<Selection> {
        self.check()?;
        if parts.is_empty() {
            return Err(Error::config("select.splits", "must be at least 1"));
        }
        let grid = self.grid();
        let jobs: Vec<(usize, usize)> = (0..grid.len())
            .flat_map(|c| (0..parts.len()).map(move |j| (c, j)))
            .collect();
        // Candidates and splits are independent: run them on every core (rayon;
        // RAYON_NUM_THREADS limits it). Each run is seeded, so the outcome does not depend on
        // the schedule.
        let runs: Vec<(ShallowFit, ReverseScore)> = jobs
            .par_iter()
            .map(|&(c, j)| -> Result<(ShallowFit, ReverseScore)> {
                let cfg = &grid[c];
                let p = &parts[j];
                let fit = cfg.fit_cancellable(&p.s_train, &p.t_train, Some(&p.s_val), cancel)?;
                let reverse = reverse_score(cfg, &fit.model, p)?;
                Ok((fit, reverse))
            })
            .collect::<Result<_>>()?;
        let mut runs = runs.into_iter();
        let mut scored: Vec<(Candidate, ShallowDann)> = Vec::with_capacity(grid.len());
        for cfg in &grid {
            let per_candidate: Vec<(ShallowFit, ReverseScore)> =
                runs.by_ref().take(parts.len()).collect();
            let reverse_per_split: Vec<ReverseScore> =
                per_candidate.iter().map(|(_, r)| *r).collect();
            let fit = per_candidate
                .into_iter()
                .next()
                .expect("at least one split")
                .0;
            scored.push((
                Candidate {
                    lambda: cfg.lambda,
                    hidden: cfg.hidden,
                    lr: cfg.lr,
                    forward_error: fit.validation_error().unwrap_or(f64::NAN),
                    epoch: fit.best_epoch,
                    reverse: ReverseScore::mean(&reverse_per_split),
                    reverse_per_split,
                },
                fit.model,
            ));
        }
        // The lowest score wins; ties go to the earlier candidate in grid order.
        let best = lowest(0..scored.len(), |&i| scored[i].0.reverse.get(self.score))
            .ok_or_else(|| Error::config("select", "the grid is empty"))?;
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
    use crate::data::Dataset;
    use crate::problem::Mode;
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

    fn small_problem() -> HoldOut {
        let rng = &mut ChaCha8Rng::seed_from_u64(3);
        let source = random_dense_labelled(80, 6, rng);
        let target = random_dense_labelled(80, 6, rng);
        HoldOut::new(&source, &target, 0.2, 1).unwrap()
    }

    fn small_grid() -> ReverseValidation {
        ReverseValidation {
            base: ShallowConfig {
                lr: 0.1,
                epochs: 5,
                patience: 0,
                ..Default::default()
            },
            lambdas: vec![0.01, 0.3, 1.0],
            hidden: vec![3, 5],
            lrs: vec![0.1, 0.05],
            score: RvScore::Error,
        }
    }

    /// `select` returns every candidate in grid order with the forward model its settings
    /// train and the scores `reverse_score` gives it, and the first candidate with the lowest
    /// score wins, for either score.
    #[test]
    fn select_keeps_every_forward_model_and_the_lowest_score() {
        let parts = small_problem();
        for score in [RvScore::Error, RvScore::LogLoss] {
            let rv = ReverseValidation {
                score,
                ..small_grid()
            };
            let selection = rv
                .select(std::slice::from_ref(&parts), &Cancel::default())
                .unwrap();
            let grid: Vec<(usize, f64, f64)> = selection
                .candidates
                .iter()
                .map(|c| (c.hidden, c.lr, c.lambda))
                .collect();
            let mut expected = Vec::new();
            for h in [3, 5] {
                for lr in [0.1, 0.05] {
                    for l in [0.01, 0.3, 1.0] {
                        expected.push((h, lr, l));
                    }
                }
            }
            assert_eq!(grid, expected);
            assert_eq!(selection.forward_models.len(), grid.len());
            for ((c, model), cfg) in selection
                .candidates
                .iter()
                .zip(&selection.forward_models)
                .zip(rv.grid())
            {
                assert_eq!(
                    (cfg.mode, cfg.hidden, cfg.lr, cfg.lambda),
                    (Mode::Dann, c.hidden, c.lr, c.lambda)
                );
                let fit = cfg
                    .fit(&parts.s_train, &parts.t_train, Some(&parts.s_val))
                    .unwrap();
                assert_eq!(model, &fit.model, "{c:?}");
                assert_eq!(c.forward_error, fit.validation_error().unwrap());
                assert_eq!(c.reverse, reverse_score(&cfg, model, &parts).unwrap());
                assert_eq!(c.reverse_per_split, [c.reverse]);
                assert!(c.reverse.log_loss > 0.0 && c.reverse.log_loss.is_finite());
            }
            let scores: Vec<f64> = selection
                .candidates
                .iter()
                .map(|c| c.reverse.get(score))
                .collect();
            let min = scores.iter().copied().fold(f64::INFINITY, f64::min);
            assert_eq!(
                selection.best,
                scores.iter().position(|&e| e == min).unwrap()
            );
            assert_eq!(selection.winner().reverse.get(score), min);
            assert_eq!(
                selection.best_model(),
                &selection.forward_models[selection.best]
            );
        }
    }

    /// The winner's reverse score recomputed step by step, without `reverse_score`: the
    /// forward model labels `T'` and `T_v`; a reverse DANN of the same settings trains on
    /// the labelled `T'` with `S'` as its unlabelled target, stopping early on `T_v`; its
    /// error on `S_v` is the score. On rotated moons, where the forward validation error
    /// prefers another candidate, the selection follows the reverse score.
    #[test]
    fn the_reverse_score_recomputed_by_hand_picks_the_winner() {
        let problem = crate::experiments::moons::MoonsConfig {
            n_per_class: 100,
            ..Default::default()
        }
        .generate()
        .unwrap();
        let parts = HoldOut::new(&problem.source, &problem.target, 0.2, 0).unwrap();
        let rv = ReverseValidation {
            base: ShallowConfig {
                epochs: 60,
                patience: 0,
                ..Default::default()
            },
            lambdas: vec![0.01, 0.3, 1.0],
            hidden: vec![4, 25],
            lrs: vec![0.5],
            score: RvScore::Error,
        };
        let selection = rv
            .select(std::slice::from_ref(&parts), &Cancel::default())
            .unwrap();
        let forward_best = lowest(0..selection.candidates.len(), |&i| {
            selection.candidates[i].forward_error
        })
        .unwrap();
        assert_ne!(
            forward_best, selection.best,
            "the forward error should pick another candidate here: {:#?}",
            selection.candidates
        );
        let c = selection.winner();
        let cfg = &rv.grid()[selection.best];
        let forward = selection.best_model();
        // Self-labelling, by hand.
        let labelled = |d: &Dataset| {
            let predicted: Vec<usize> = (0..d.len())
                .map(|i| forward.predict(&d.subset(&[i]))[0])
                .collect();
            Dataset::labelled(
                d.features().clone(),
                predicted,
                parts.s_train.class_names().to_vec(),
            )
            .unwrap()
        };
        let (t_train, t_val) = (labelled(&parts.t_train), labelled(&parts.t_val));
        let reverse = cfg
            .fit(
                &t_train,
                &parts.s_train.clone().without_labels(),
                Some(&t_val),
            )
            .unwrap()
            .model;
        let truth = parts.s_val.labels().unwrap();
        let wrong = (0..parts.s_val.len())
            .filter(|&i| reverse.predict(&parts.s_val.subset(&[i]))[0] != truth[i])
            .count();
        let error = wrong as f64 / truth.len() as f64;
        assert!(
            (c.reverse.error - error).abs() < 1e-12,
            "{} vs {error}",
            c.reverse.error
        );
        // And it is the lowest reverse error of the grid.
        assert!(
            selection
                .candidates
                .iter()
                .all(|o| o.reverse.error >= c.reverse.error)
        );
    }

    #[test]
    fn an_empty_grid_is_refused_by_name() {
        let parts = small_problem();
        for (field, rv) in [
            (
                "select.lambdas",
                ReverseValidation {
                    lambdas: vec![],
                    ..small_grid()
                },
            ),
            (
                "select.hidden",
                ReverseValidation {
                    hidden: vec![],
                    ..small_grid()
                },
            ),
            (
                "select.lrs",
                ReverseValidation {
                    lrs: vec![],
                    ..small_grid()
                },
            ),
        ] {
            let err = rv
                .select(std::slice::from_ref(&parts), &Cancel::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(field) && err.contains("empty"), "{err}");
        }
        let bad = ReverseValidation {
            lrs: vec![-1.0],
            ..small_grid()
        };
        // The grid's key, not the per-candidate `shallow.lr` it becomes.
        let err = bad
            .select(std::slice::from_ref(&parts), &Cancel::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("select.lrs") && err.contains("got -1"),
            "{err}"
        );
        let err = small_grid()
            .select(&[], &Cancel::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("select.splits"), "{err}");
    }

    /// With several splits each candidate's score is the mean of its per-split scores, each
    /// the reverse validation of a forward model trained on that split; the first split's
    /// forward models are kept.
    #[test]
    fn several_splits_average_the_scores() {
        let rng = &mut ChaCha8Rng::seed_from_u64(3);
        let source = random_dense_labelled(80, 6, rng);
        let target = random_dense_labelled(80, 6, rng);
        let parts: Vec<HoldOut> = (0..3)
            .map(|j| HoldOut::new(&source, &target, 0.2, 10 + j).unwrap())
            .collect();
        let rv = ReverseValidation {
            lambdas: vec![0.1, 1.0],
            hidden: vec![4],
            lrs: vec![0.1],
            ..small_grid()
        };
        let selection = rv.select(&parts, &Cancel::default()).unwrap();
        let single = rv.select(&parts[..1], &Cancel::default()).unwrap();
        for ((c, cfg), one) in selection
            .candidates
            .iter()
            .zip(rv.grid())
            .zip(&single.candidates)
        {
            assert_eq!(c.reverse_per_split.len(), 3);
            for (j, p) in parts.iter().enumerate() {
                let fit = cfg.fit(&p.s_train, &p.t_train, Some(&p.s_val)).unwrap();
                assert_eq!(
                    c.reverse_per_split[j],
                    reverse_score(&cfg, &fit.model, p).unwrap()
                );
            }
            assert_eq!(c.reverse, ReverseScore::mean(&c.reverse_per_split));
            assert_eq!(c.reverse_per_split[0], one.reverse);
            assert_eq!(c.forward_error, one.forward_error);
        }
        assert_eq!(selection.forward_models, single.forward_models);
    }
}
