//! `dann select` over deep (burn) settings: reverse validation of every candidate of a grid
//! built on the run's `[model]` and `[train]` (lambda, hidden width, learning rate,
//! optimiser), each trained with burn by [`Dann::fit`], and the source-only baseline chosen on the source
//! validation part and scored by the same reverse validation, as the shallow selection does
//! ([`select`](super::select)).

use burn::tensor::backend::AutodiffBackend;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::config::SelectConfig;
use super::{Verdict, verdict};
use crate::analysis::reverse_validation::{ReverseScore, RvScore};
use crate::data::{Dataset, HoldOut};
use crate::deep::FittedDann;
use crate::error::{Error, Result};
use crate::learner::Dann;
use crate::metrics::{accuracy, lowest};
use crate::problem::{Mode, Task};
use crate::training::schedule::{LambdaSchedule, LrSchedule};
use crate::training::{Cancel, Engine, OptimizerConfig};

/// One DANN candidate of the deep grid and its scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeepCandidate {
    /// The largest `lambda_p` of the schedule.
    pub lambda: f64,
    /// Width of every hidden layer of the feature extractor.
    pub hidden: usize,
    /// The learning rate schedule's initial rate.
    pub lr: f64,
    /// The optimiser.
    pub optimizer: OptimizerConfig,
    /// The forward model's error on `S_v`.
    pub forward_error: f64,
    /// The reverse model's scores on `S_v`.
    pub reverse: ReverseScore,
}

/// One source-only candidate of the deep grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeepBaselineCandidate {
    /// Width of every hidden layer of the feature extractor.
    pub hidden: usize,
    /// The learning rate schedule's initial rate.
    pub lr: f64,
    /// The optimiser.
    pub optimizer: OptimizerConfig,
    /// Error on `S_v`.
    pub validation_error: f64,
}

/// What [`select_deep`] found: every candidate, the winners, their settings and models.
#[derive(Debug, Clone)]
pub struct DeepOutcome<B: burn::tensor::backend::Backend> {
    /// DANN's candidates in grid order (hidden width, then learning rate, then optimiser,
    /// then lambda).
    pub candidates: Vec<DeepCandidate>,
    /// Index of DANN's winner (lowest score, the earlier on ties).
    pub best: usize,
    /// The winner's settings.
    pub dann: Dann,
    /// The winner's forward model (trained on `S'` with `T'`).
    pub dann_model: FittedDann<B>,
    /// The source-only candidates (hidden width, then learning rate, then optimiser).
    pub baseline_candidates: Vec<DeepBaselineCandidate>,
    /// Index of the baseline's winner (lowest `S_v` error).
    pub baseline_best: usize,
    /// The baseline winner's settings.
    pub baseline: Dann,
    /// The baseline winner's model.
    pub baseline_model: FittedDann<B>,
    /// The baseline scored by reverse validation with DANN's winner as the reverse learner.
    pub baseline_reverse: ReverseScore,
    /// What ranked DANN's candidates.
    pub score: RvScore,
    /// Rows of `S_v`.
    pub validation_rows: usize,
}

impl<B: burn::tensor::backend::Backend> DeepOutcome<B> {
    /// DANN's winning candidate.
    pub fn winner(&self) -> &DeepCandidate {
        &self.candidates[self.best]
    }

    /// Whether DANN is expected to beat the source-only baseline (as the shallow
    /// selection's [`Outcome::verdict`](super::Outcome::verdict)).
    pub fn verdict(&self) -> Verdict {
        verdict(
            &self.winner().reverse,
            &self.baseline_reverse,
            self.validation_rows,
        )
    }
}

/// `base` with hidden width `hidden` (every layer of the feature extractor), initial
/// learning rate `lr`, `optimizer`, `lambda_p` rising to `lambda` (or source-only when `None`), trained
/// with burn and without the label-shift check (the selection compares with source-only
/// itself).
pub fn deep_candidate(
    base: &Dann,
    hidden: usize,
    (lr, optimizer): (f64, OptimizerConfig),
    lambda: Option<f64>,
) -> Dann {
    let mut d = base.clone();
    d.train.optimizer = optimizer;
    let layers = d.model.feature.hidden.len().max(1);
    d.model.feature.hidden = vec![hidden; layers];
    d.train.lr = match d.train.lr {
        LrSchedule::Constant { .. } => LrSchedule::Constant { value: lr },
        LrSchedule::Annealed { alpha, beta, .. } => LrSchedule::Annealed {
            mu0: lr,
            alpha,
            beta,
        },
    };
    match lambda {
        Some(max) => {
            d.train.mode = Mode::Dann;
            d.train.lambda = match d.train.lambda {
                LambdaSchedule::Constant { .. } => LambdaSchedule::Constant { value: max },
                LambdaSchedule::Ganin { gamma, .. } => LambdaSchedule::Ganin {
                    max,
                    gamma,
                    max_sparse: None,
                },
            };
        }
        None => d.train.mode = Mode::SourceOnly,
    }
    d.train.engine = Engine::Burn;
    d.train.max_label_shift = 1.0;
    d
}

/// Error and mean negative log-likelihood of `model` on labelled `data` (for a regression,
/// the mean squared error, and the variance of the rows' squared errors).
fn score_on<B: burn::tensor::backend::Backend>(
    model: &FittedDann<B>,
    data: &Dataset,
) -> Result<ReverseScore> {
    if model.task() == Task::Regression {
        let prepared = model.prepare(data.clone())?;
        let truth = prepared.label_values()?;
        let predicted = model.predict_values(&prepared)?;
        let squared: Vec<f64> = predicted
            .iter()
            .zip(&truth)
            .map(|(&p, &t)| (p - f64::from(t)).powi(2))
            .collect();
        let n = squared.len().max(1) as f64;
        let mse = squared.iter().sum::<f64>() / n;
        let variance = squared.iter().map(|e| (e - mse).powi(2)).sum::<f64>() / n;
        return Ok(ReverseScore {
            error: mse,
            log_loss: mse,
            error_variance: Some(variance),
        });
    }
    let truth = data.require_labels("the source validation part")?;
    let prepared = model.prepare(data.clone())?;
    let proba = model.predict_proba(&prepared)?;
    let predicted = model.predict(&prepared)?;
    let log_loss = truth
        .iter()
        .enumerate()
        .map(|(i, &y)| -f64::from(proba.row(i)[y].max(f32::MIN_POSITIVE)).ln())
        .sum::<f64>()
        / truth.len().max(1) as f64;
    Ok(ReverseScore {
        error: 1.0 - accuracy(&predicted, truth),
        log_loss,
        error_variance: None,
    })
}

/// `dann` trained on `parts`' `S'` and `T'`, stopping when `cancel` is raised.
fn fit_part<B: AutodiffBackend>(
    dann: &Dann,
    parts: &HoldOut,
    mut cancel: &Cancel,
    device: &B::Device,
) -> Result<FittedDann<B::InnerBackend>> {
    dann.fit_with::<B>(&parts.s_train, &parts.t_train, None, &mut cancel, device)
}

/// Reverse validation of `forward` (trained with `reverse_learner`'s kind of settings on
/// `parts`): `reverse_learner` trained on `T'` labelled by `forward`, with `S'` as its
/// unlabelled target, scored on `S_v`.
fn reverse_score_deep<B: AutodiffBackend>(
    reverse_learner: &Dann,
    forward: &FittedDann<B::InnerBackend>,
    parts: &HoldOut,
    mut cancel: &Cancel,
    device: &B::Device,
) -> Result<ReverseScore> {
    let t_train = &parts.t_train;
    let prepared = forward.prepare(t_train.clone())?;
    let labelled = match forward.task() {
        Task::Regression => {
            let values: Vec<f32> = forward
                .predict_values(&prepared)?
                .iter()
                .map(|&v| v as f32)
                .collect();
            t_train.clone().with_label_values(&values)?
        }
        Task::Classification => {
            let labels = forward.predict(&prepared)?;
            let classes = parts.s_train.class_names().to_vec();
            Dataset::labelled(t_train.features().clone(), labels, classes)?
        }
    };
    let s_train = parts.s_train.clone().without_labels();
    let reverse = reverse_learner.fit_with::<B>(&labelled, &s_train, None, &mut cancel, device)?;
    score_on(&reverse, &parts.s_val)
}

/// Reverse validation over `grid`'s lambdas x hidden widths x learning rates on `base`
/// (the run's `[model]` and `[train]`), and the source-only baseline over hidden widths x
/// learning rates, on `parts`; candidates in parallel. Stops once `cancel` is raised (each
/// network after its current step).
pub fn select_deep<B: AutodiffBackend>(
    base: &Dann,
    grid: &SelectConfig,
    parts: &HoldOut,
    cancel: &Cancel,
    device: &B::Device,
) -> Result<DeepOutcome<B::InnerBackend>> {
    base.check()?;
    grid.check_grid()?;
    let lrs = grid.burn_lrs(&base.train);
    let optimizers = grid.burn_optimizers(&base.train);
    let mut trainers = Vec::new();
    for &lr in &lrs {
        for &optimizer in &optimizers {
            trainers.push((lr, optimizer));
        }
    }
    let mut settings = Vec::new();
    for &hidden in &grid.hidden {
        for &trainer in &trainers {
            for &lambda in &grid.lambdas {
                settings.push((hidden, trainer, lambda));
            }
        }
    }
    let fits: Vec<(DeepCandidate, FittedDann<B::InnerBackend>)> = settings
        .par_iter()
        .map(|&(hidden, (lr, optimizer), lambda)| {
            let dann = deep_candidate(base, hidden, (lr, optimizer), Some(lambda));
            let forward = fit_part::<B>(&dann, parts, cancel, device)?;
            let forward_error = score_on(&forward, &parts.s_val)?.error;
            let reverse = reverse_score_deep::<B>(&dann, &forward, parts, cancel, device)?;
            let candidate = DeepCandidate {
                lambda,
                hidden,
                lr,
                optimizer,
                forward_error,
                reverse,
            };
            Ok((candidate, forward))
        })
        .collect::<Result<_>>()?;
    let best = lowest(0..fits.len(), |&i| fits[i].0.reverse.get(grid.score))
        .ok_or_else(|| Error::config("select.lambdas", "the grid is empty"))?;
    let baseline_settings: Vec<(usize, (f64, OptimizerConfig))> = grid
        .hidden
        .iter()
        .flat_map(|&h| trainers.iter().map(move |&t| (h, t)))
        .collect();
    let baselines: Vec<(DeepBaselineCandidate, FittedDann<B::InnerBackend>)> = baseline_settings
        .par_iter()
        .map(|&(hidden, (lr, optimizer))| {
            let dann = deep_candidate(base, hidden, (lr, optimizer), None);
            let model = fit_part::<B>(&dann, parts, cancel, device)?;
            let validation_error = score_on(&model, &parts.s_val)?.error;
            let candidate = DeepBaselineCandidate {
                hidden,
                lr,
                optimizer,
                validation_error,
            };
            Ok((candidate, model))
        })
        .collect::<Result<_>>()?;
    let baseline_best = lowest(0..baselines.len(), |&i| baselines[i].0.validation_error)
        .ok_or_else(|| Error::config("select.hidden", "the grid is empty"))?;
    let (candidates, mut models): (Vec<_>, Vec<_>) = fits.into_iter().unzip();
    let (baseline_candidates, mut baseline_models): (Vec<_>, Vec<_>) =
        baselines.into_iter().unzip();
    let w = &candidates[best];
    let dann = deep_candidate(base, w.hidden, (w.lr, w.optimizer), Some(w.lambda));
    let b = &baseline_candidates[baseline_best];
    let baseline = deep_candidate(base, b.hidden, (b.lr, b.optimizer), None);
    let baseline_model = baseline_models.swap_remove(baseline_best);
    let baseline_reverse = reverse_score_deep::<B>(&dann, &baseline_model, parts, cancel, device)?;
    Ok(DeepOutcome {
        dann,
        dann_model: models.swap_remove(best),
        best,
        candidates,
        baseline,
        baseline_model,
        baseline_candidates,
        baseline_best,
        baseline_reverse,
        score: grid.score,
        validation_rows: parts.s_val.len(),
    })
}
