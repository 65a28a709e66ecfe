//! [`Dann`]: the whole settings of a deep DANN run, and `fit`.

use burn::tensor::backend::AutodiffBackend;
use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::fitted::FittedDann;
use super::listener::TrainListener;
use super::model::DannConfig;
use super::trainer::Trainer;
use crate::data::Dataset;
use crate::error::Result;

/// DANN settings: architecture and training. Validate with [`check`](Self::check), train with
/// [`fit`](Self::fit) to get a [`FittedDann`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Dann {
    /// Architecture.
    pub model: DannConfig,
    /// Training.
    pub train: TrainConfig,
}

impl Dann {
    /// Checks all settings.
    pub fn check(&self) -> Result<()> {
        self.model.check()?;
        self.train.check()
    }

    /// Trains on labelled `source` and unlabelled `target` (its labels, if any, are ignored).
    pub fn fit<B: AutodiffBackend>(
        &self,
        source: &Dataset,
        target: &Dataset,
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        self.fit_with::<B>(source, target, None, &mut (), device)
    }

    /// Like [`fit`](Self::fit), also reporting to `listener`: every step, and every
    /// `log_every` iterations a [`MetricsRecord`](super::MetricsRecord) with source accuracy and, when `target_test`
    /// (labelled) is given, target accuracy. `target_test` is only measured, never trained on.
    pub fn fit_with<B: AutodiffBackend>(
        &self,
        source: &Dataset,
        target: &Dataset,
        target_test: Option<&Dataset>,
        listener: &mut dyn TrainListener,
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        Trainer::<B>::new(&self.model, &self.train, source, target, device)?
            .with_target_test(target_test)?
            .fit(listener)
    }
}
