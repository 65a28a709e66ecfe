//! The paper's whole method on any pair of data sets, without a single target label: hold out
//! part of each domain ([`HoldOut`]), choose DANN's lambda, hidden size and learning rate by
//! reverse validation, choose the source-only baseline on the source validation part and score
//! it by the same reverse validation (so the two can be compared: is DANN expected to help?),
//! and measure the proxy A-distance of the inputs and of both models' features.
//!
//! `dann select` runs [`select`]; `dann reproduce amazon` runs it on every pair and adds the
//! SVM and the target test accuracies.

mod config;
mod deep;
mod report;

use serde::{Deserialize, Serialize};

use crate::analysis::proxy_a_distance::proxy_a_distance;
use crate::analysis::reverse_validation::{ReverseScore, RvScore, Selection, reverse_score};
use crate::data::{Dataset, HoldOut};
use crate::error::{Error, Result};
use crate::metrics::lowest;
use crate::representation::FeatureMap;
use crate::shallow::{ShallowConfig, ShallowDann};
use crate::training::Cancel;

pub use config::{SelectConfig, SelectEngine};
pub use deep::{DeepBaselineCandidate, DeepCandidate, DeepOutcome, deep_candidate, select_deep};
pub use report::{Chosen, HeldOutRows, SelectReport};

/// One source-only candidate: its settings and its error on the source validation part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineCandidate {
    /// Hidden size.
    pub hidden: usize,
    /// Learning rate.
    pub lr: f64,
    /// Error on `S_v` of the kept epoch.
    pub validation_error: f64,
    /// The epoch kept.
    pub epoch: usize,
}

/// The source-only baseline: every candidate, the winner (lowest source validation error,
/// the earlier on ties), its model and its reverse-validation score.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// All candidates (hidden size, then learning rate).
    pub candidates: Vec<BaselineCandidate>,
    /// Index of the winner.
    pub best: usize,
    /// The winner's model.
    pub model: ShallowDann,
    /// The winner scored by reverse validation with the chosen DANN's settings as the reverse
    /// learner, the learner that scored DANN's winner: the two scores differ only in how each
    /// model labelled the target. (A source-only reverse learner would handicap the baseline:
    /// its reverse model could not adapt back to the source.)
    pub reverse: ReverseScore,
}

impl Baseline {
    /// The winning candidate.
    pub fn winner(&self) -> &BaselineCandidate {
        &self.candidates[self.best]
    }
}

/// Proxy A-distances between the whole source and target data (labels ignored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pads {
    /// On the inputs.
    pub inputs: f64,
    /// On the source-only baseline's hidden layer.
    pub source_only: f64,
    /// On the chosen DANN's hidden layer.
    pub dann: f64,
}

/// What [`select`] found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// DANN's reverse validation.
    pub dann: Selection,
    /// The source-only baseline.
    pub baseline: Baseline,
    /// Proxy A-distances, when asked for.
    pub pad: Option<Pads>,
    /// What ranked DANN's candidates.
    pub score: RvScore,
    /// Held-out source rows the reverse errors were measured on, over all splits.
    pub validation_rows: usize,
}

impl Outcome {
    /// The settings that train the chosen DANN: `base` with its lambda, hidden size and
    /// learning rate.
    pub fn dann_config(&self, base: &ShallowConfig) -> ShallowConfig {
        let w = self.dann.winner();
        base.dann_candidate(w.hidden, w.lr, w.lambda)
    }

    /// The settings that train the chosen source-only baseline.
    pub fn baseline_config(&self, base: &ShallowConfig) -> ShallowConfig {
        let w = self.baseline.winner();
        base.source_only_candidate(w.hidden, w.lr)
    }

    /// Whether DANN is expected to help, from the two reverse-validation errors side by side
    /// (the only evidence there is without target labels): a difference within two standard
    /// errors of the difference of two error rates measured on the held-out source rows is too
    /// close to call. The winner's error is the lowest of many noisy scores, so it is biased
    /// low; the margin keeps that bias from reading as an improvement.
    pub fn verdict(&self) -> Verdict {
        verdict(
            &self.dann.winner().reverse,
            &self.baseline.reverse,
            self.validation_rows,
        )
    }
}

/// The call on DANN's reverse score `d` against the baseline's `b`, both measured on `n`
/// held-out source rows: a difference of errors within two standard errors is too close to
/// call (a row's error varies as `error (1 - error)` for classes, as measured for a
/// regression's squared errors).
pub(crate) fn verdict(d: &ReverseScore, b: &ReverseScore, n: usize) -> Verdict {
    let n = n.max(1) as f64;
    let variance = |s: &ReverseScore| s.error_variance.unwrap_or(s.error * (1.0 - s.error));
    let standard_error = ((variance(d) + variance(b)) / n).sqrt();
    let (d, b) = (d.error, b.error);
    let kind = if b - d > 2.0 * standard_error {
        VerdictKind::Helps
    } else if d - b > 2.0 * standard_error {
        VerdictKind::DoesNotHelp
    } else {
        VerdictKind::TooCloseToCall
    };
    Verdict {
        kind,
        difference: b - d,
        standard_error,
    }
}

/// [`Outcome::verdict`]: is DANN expected to beat the source-only baseline on the target?
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The call.
    pub kind: VerdictKind,
    /// The baseline's reverse error minus DANN's (positive: DANN's is lower).
    pub difference: f64,
    /// Standard error of that difference.
    pub standard_error: f64,
}

/// The three calls of a [`Verdict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// DANN's reverse error is lower by more than two standard errors.
    Helps,
    /// DANN's reverse error is higher by more than two standard errors.
    DoesNotHelp,
    /// The difference is within two standard errors.
    TooCloseToCall,
}

/// Runs the whole method on `parts` (held out from `source` and `target` with `seed`): DANN's
/// reverse validation (on `config.splits` splits: `parts` and further ones with
/// [`split_seed`]) and the baseline side by side on every core, then the baseline's reverse
/// score and (with `config.pad`) the proxy A-distances on all of `source` and `target`, with
/// `seed`. Stops with [`Error::Cancelled`] once `cancel` is raised.
pub fn select(
    base: &ShallowConfig,
    config: &SelectConfig,
    parts: &HoldOut,
    (source, target): (&Dataset, &Dataset),
    seed: u64,
    cancel: &Cancel,
) -> Result<Outcome> {
    config.check(base)?;
    let rv = config.reverse_validation(base);
    // The first split is `parts`; the others hold out other rows (`split_seed`).
    let mut splits = vec![parts.clone()];
    for j in 1..config.splits {
        splits.push(HoldOut::new(
            source,
            target,
            base.validation,
            split_seed(seed, j),
        )?);
    }
    let (dann, baseline) = rayon::join(
        || rv.select(&splits, cancel),
        || fit_baseline(base, config, parts, cancel),
    );
    let (dann, (candidates, best, model)) = (dann?, baseline?);
    let w = dann.winner();
    let reverse_learner = base.dann_candidate(w.hidden, w.lr, w.lambda);
    let baseline_cfg = base.source_only_candidate(candidates[best].hidden, candidates[best].lr);
    // The baseline's reverse score on every split, as DANN's (its model on the first).
    let baseline_reverse = || -> Result<ReverseScore> {
        use rayon::prelude::*;
        let per_split: Vec<ReverseScore> = splits
            .par_iter()
            .enumerate()
            .map(|(j, p)| {
                if j == 0 {
                    return reverse_score(&reverse_learner, &model, p);
                }
                let fit =
                    baseline_cfg.fit_cancellable(&p.s_train, &p.t_train, Some(&p.s_val), cancel)?;
                reverse_score(&reverse_learner, &fit.model, p)
            })
            .collect::<Result<_>>()?;
        Ok(ReverseScore::mean(&per_split))
    };
    let (reverse, pad) = rayon::join(baseline_reverse, || -> Result<Option<Pads>> {
        if !config.pad {
            return Ok(None);
        }
        let src = source.clone().without_labels();
        let tgt = target.clone().without_labels();
        let pad_of = |m: &ShallowDann| -> Result<f64> {
            let (s, t) = (m.feature_dataset(&src)?, m.feature_dataset(&tgt)?);
            Ok(proxy_a_distance(&s, &t, None, seed)?.pad)
        };
        Ok(Some(Pads {
            inputs: proxy_a_distance(&src, &tgt, None, seed)?.pad,
            source_only: pad_of(&model)?,
            dann: pad_of(dann.best_model())?,
        }))
    });
    let baseline = Baseline {
        candidates,
        best,
        model,
        reverse: reverse?,
    };
    let pad = pad?;
    Ok(Outcome {
        validation_rows: splits.iter().map(|p| p.s_val.len()).sum(),
        dann,
        baseline,
        pad,
        score: config.score,
    })
}

/// The seed of hold-out split `j` (0: `seed` itself).
pub fn split_seed(seed: u64, j: usize) -> u64 {
    seed.wrapping_add((j as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The source-only network over hidden sizes and learning rates, each with early stopping on
/// `S_v`: every candidate, the winner's index (lowest validation error, the earlier on ties)
/// and its model.
fn fit_baseline(
    base: &ShallowConfig,
    config: &SelectConfig,
    parts: &HoldOut,
    cancel: &Cancel,
) -> Result<(Vec<BaselineCandidate>, usize, ShallowDann)> {
    use rayon::prelude::*;
    let grid: Vec<ShallowConfig> = config
        .hidden
        .iter()
        .flat_map(|&hidden| {
            config
                .shallow_lrs()
                .into_iter()
                .map(move |lr| base.source_only_candidate(hidden, lr))
        })
        .collect();
    let fits: Vec<(BaselineCandidate, ShallowDann)> = grid
        .par_iter()
        .map(|cfg| {
            let fit =
                cfg.fit_cancellable(&parts.s_train, &parts.t_train, Some(&parts.s_val), cancel)?;
            let candidate = BaselineCandidate {
                hidden: cfg.hidden,
                lr: cfg.lr,
                // Recorded by `fit` for the kept epoch (always there: it validated on S_v).
                validation_error: fit.validation_error().unwrap_or(f64::INFINITY),
                epoch: fit.best_epoch,
            };
            Ok((candidate, fit.model))
        })
        .collect::<Result<_>>()?;
    let best = lowest(0..fits.len(), |&i| fits[i].0.validation_error).ok_or_else(|| {
        Error::config(
            "select.hidden",
            "is empty: the grid needs at least one value",
        )
    })?;
    let (candidates, models): (Vec<_>, Vec<_>) = fits.into_iter().unzip();
    let model = models.into_iter().nth(best).expect("best indexes the fits");
    Ok((candidates, best, model))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::problem::Mode;
    use crate::testing::random_dense_labelled;

    /// `select` is DANN's reverse validation plus the baseline chosen on `S_v` (the same
    /// model a direct fit gives) and the PADs of the models it returns.
    #[test]
    fn select_is_reverse_validation_plus_the_baseline_and_the_pads() {
        let rng = &mut ChaCha8Rng::seed_from_u64(9);
        let source = random_dense_labelled(90, 5, rng);
        let target = random_dense_labelled(70, 5, rng);
        let parts = HoldOut::new(&source, &target, 0.2, 4).unwrap();
        let base = ShallowConfig {
            epochs: 6,
            patience: 0,
            lr: 0.1,
            ..Default::default()
        };
        let config = SelectConfig {
            lambdas: vec![0.05, 0.5],
            hidden: vec![3, 6],
            lrs: Some(vec![0.1]),
            ..Default::default()
        };
        let outcome = select(
            &base,
            &config,
            &parts,
            (&source, &target),
            4,
            &Cancel::default(),
        )
        .unwrap();
        let rv = config
            .reverse_validation(&base)
            .select(std::slice::from_ref(&parts), &Cancel::default())
            .unwrap();
        assert_eq!(outcome.dann.candidates, rv.candidates);
        assert_eq!(outcome.dann.best, rv.best);
        // The baseline: the lowest validation error, retrained identically from its settings.
        let errors: Vec<f64> = outcome
            .baseline
            .candidates
            .iter()
            .map(|c| c.validation_error)
            .collect();
        assert_eq!(errors.len(), 2);
        let min = errors.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(outcome.baseline.winner().validation_error, min);
        let cfg = outcome.baseline_config(&base);
        assert_eq!(cfg.mode, Mode::SourceOnly);
        let refit = cfg
            .fit(&parts.s_train, &parts.t_train, Some(&parts.s_val))
            .unwrap();
        assert_eq!(refit.model, outcome.baseline.model);
        // Scored by the reverse learner that scored DANN's winner.
        let dann_cfg = outcome.dann_config(&base);
        assert_eq!(
            outcome.baseline.reverse,
            reverse_score(&dann_cfg, &refit.model, &parts).unwrap()
        );
        assert_eq!(
            (dann_cfg.lambda, dann_cfg.hidden),
            (rv.winner().lambda, rv.winner().hidden)
        );
        let verdict = outcome.verdict();
        let (d, b) = (rv.winner().reverse.error, outcome.baseline.reverse.error);
        assert_eq!(verdict.difference, b - d);
        let n = parts.s_val.len() as f64;
        let se = ((d * (1.0 - d) + b * (1.0 - b)) / n).sqrt();
        assert!((verdict.standard_error - se).abs() < 1e-15);
        let expected = if b - d > 2.0 * se {
            VerdictKind::Helps
        } else if d - b > 2.0 * se {
            VerdictKind::DoesNotHelp
        } else {
            VerdictKind::TooCloseToCall
        };
        assert_eq!(verdict.kind, expected);
        let pads = outcome.pad.unwrap();
        let src = source.clone().without_labels();
        let tgt = target.clone().without_labels();
        assert_eq!(
            pads.inputs,
            proxy_a_distance(&src, &tgt, None, 4).unwrap().pad
        );
        let m = rv.best_model();
        let dann_pad = proxy_a_distance(
            &m.feature_dataset(&src).unwrap(),
            &m.feature_dataset(&tgt).unwrap(),
            None,
            4,
        )
        .unwrap()
        .pad;
        assert_eq!(pads.dann, dann_pad);
        for p in [pads.inputs, pads.source_only, pads.dann] {
            assert!((0.0..=2.0).contains(&p), "{p}");
        }
    }
}
