//! [`SelectConfig`]: `dann select`'s grid (`[select]`) and the engine that trains it.

use serde::{Deserialize, Serialize};

use crate::analysis::reverse_validation::{ReverseValidation, RvScore, lambda_grid};
use crate::error::{Error, Result};
use crate::shallow::ShallowConfig;

/// What trains `dann select`'s candidates (`[select] engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum SelectEngine {
    /// `shallow` when the config has a `[shallow]` section or its `[model]` and `[train]`
    /// run on the kernels (the paper's network and SGD), else `burn`.
    #[default]
    Auto,
    /// The paper's Algorithm 1 on the kernels: `[shallow]`'s settings (default the
    /// authors'), epochs with early stopping.
    Shallow,
    /// Deep networks: every candidate is the run's `[model]` and `[train]` with the grid's
    /// lambda (the schedule's largest), hidden width (every feature layer) and learning rate
    /// (the schedule's initial rate), trained with burn.
    Burn,
}

/// The grid of [`select`](super::select) and what it measures; the defaults are the paper's
/// (Amazon).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SelectConfig {
    /// lambda candidates (the paper's: 9 values log-spaced in `[0.01, 1]`).
    pub lambdas: Vec<f64>,
    /// Hidden sizes (DANN and the source-only baseline).
    pub hidden: Vec<usize>,
    /// Learning rates (DANN and the source-only baseline); unset: `1e-3` for the shallow
    /// engine, the `[train]` schedule's own initial rate for burn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lrs: Option<Vec<f64>>,
    /// Optimisers of the burn engine's grid (e.g. `optimizers = [{ kind = "sgd" }, { kind =
    /// "adam" }]`); unset: the `[train]` optimiser alone. The shallow kernels run SGD and
    /// refuse it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimizers: Option<Vec<crate::training::OptimizerConfig>>,
    /// What ranks DANN's candidates.
    pub score: RvScore,
    /// Also measure the proxy A-distance of the inputs and of both models' features.
    pub pad: bool,
    /// Hold-out splits every candidate's reverse validation is averaged over (1: the
    /// paper's); each extra split costs one more training of every candidate. The models
    /// returned come from the first split. (The `burn` engine uses one.)
    pub splits: usize,
    /// What trains the candidates.
    pub engine: SelectEngine,
}

impl Default for SelectConfig {
    fn default() -> Self {
        Self {
            lambdas: lambda_grid(9),
            hidden: vec![50, 100],
            lrs: None,
            optimizers: None,
            score: RvScore::Error,
            pad: true,
            splits: 1,
            engine: SelectEngine::Auto,
        }
    }
}

impl SelectConfig {
    /// Reverse validation over this grid with `base`'s other settings.
    pub fn reverse_validation(&self, base: &ShallowConfig) -> ReverseValidation {
        ReverseValidation {
            base: base.clone(),
            lambdas: self.lambdas.clone(),
            hidden: self.hidden.clone(),
            lrs: self.shallow_lrs(),
            score: self.score,
        }
    }

    /// The learning rates of the shallow engine's grid.
    pub fn shallow_lrs(&self) -> Vec<f64> {
        self.lrs.clone().unwrap_or_else(|| vec![1e-3])
    }

    /// The learning rates of the burn engine's grid, on `base`'s schedule.
    pub fn burn_lrs(&self, base: &crate::training::TrainConfig) -> Vec<f64> {
        use crate::training::schedule::LrSchedule;
        self.lrs.clone().unwrap_or_else(|| match base.lr {
            LrSchedule::Constant { value } => vec![value],
            LrSchedule::Annealed { mu0, .. } => vec![mu0],
        })
    }

    /// Fails, naming the setting, when the grid is empty or holds a bad value, whatever the
    /// engine.
    pub fn check_grid(&self) -> Result<()> {
        if self.optimizers.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::config(
                "select.optimizers",
                "is empty: give at least one optimiser, or leave it out for [train]'s",
            ));
        }
        self.check_common(&ShallowConfig::default())
    }

    /// The optimisers of the burn engine's grid: `optimizers`, or `base`'s alone.
    pub fn burn_optimizers(
        &self,
        base: &crate::training::TrainConfig,
    ) -> Vec<crate::training::OptimizerConfig> {
        self.optimizers
            .clone()
            .unwrap_or_else(|| vec![base.optimizer])
    }

    /// Fails, naming the setting, when the grid is empty or holds a bad value, or names
    /// optimisers (the shallow kernels run SGD).
    pub fn check(&self, base: &ShallowConfig) -> Result<()> {
        if self.optimizers.is_some() {
            return Err(Error::config(
                "select.optimizers",
                "is set, but the shallow kernels train with SGD only: set select.engine = \
                 \"burn\" to compare optimisers, or remove it",
            ));
        }
        self.check_common(base)
    }

    fn check_common(&self, base: &ShallowConfig) -> Result<()> {
        base.check()?;
        if self.splits == 0 {
            return Err(Error::config("select.splits", "must be at least 1"));
        }
        self.reverse_validation(base).check()
    }
}
