//! # dann: Domain-Adversarial Neural Networks
//!
//! DANN (Ganin et al., "Domain-Adversarial Training of Neural Networks", JMLR 2016) learns
//! features that serve a task on a labelled *source* domain and cannot tell the source from an
//! unlabelled *target* domain: a feature extractor `G_f` feeds a label predictor `G_y` and,
//! through a [gradient reversal layer](grl), a domain classifier `G_d`.
//!
//! Model code is generic over burn's `Backend`; [`CpuBackend`] (burn's pure-Rust `flex`) is the
//! default, and CUDA is available with the `cuda` feature.
//!
//! ```
//! use dann::{Dann, DannConfig, TrainConfig, Mode, moons::MoonsConfig};
//!
//! let problem = MoonsConfig::default().generate()?;
//! let dann = Dann {
//!     model: DannConfig::shallow(15),
//!     train: TrainConfig { iterations: 50, ..Default::default() },
//! };
//! let fitted = dann.fit::<dann::CpuAutodiff>(&problem.source, &problem.target, &Default::default())?;
//! let eval = fitted.evaluate(&problem.target_test)?;
//! assert!(eval.accuracy >= 0.0 && eval.accuracy <= 1.0);
//! # Ok::<(), dann::Error>(())
//! ```
#![warn(missing_docs)]

pub mod amazon;
mod batch;
pub mod data;
mod error;
mod fitted;
pub mod grl;
pub mod loss;
pub mod metrics;
pub mod mlp;
mod model;
pub mod moons;
pub mod msda;
pub mod proxy_a_distance;
pub mod reverse_validation;
pub mod sampler;
pub mod schedule;
pub mod shallow;
pub mod svm;
mod trainer;

use burn::tensor::backend::AutodiffBackend;
use serde::{Deserialize, Serialize};

pub use data::Dataset;
pub use error::{Error, Result};
pub use fitted::{FittedDann, ModelSpec, SPEC_FILE, WEIGHTS_FILE};
pub use model::{DannConfig, DannModel};
pub use trainer::{
    MetricsRecord, Mode, OptimizerConfig, StepOutput, TrainConfig, TrainListener, Trainer,
};

/// The default CPU backend (burn's pure-Rust `flex`).
pub type CpuBackend = burn::backend::Flex;
/// [`CpuBackend`] with automatic differentiation, for training.
pub type CpuAutodiff = burn::backend::Autodiff<CpuBackend>;

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
    /// `log_every` iterations a [`MetricsRecord`] with source accuracy and, when `target_test`
    /// (labelled) is given, target accuracy. `target_test` is only measured, never trained on.
    pub fn fit_with<B: AutodiffBackend>(
        &self,
        source: &Dataset,
        target: &Dataset,
        target_test: Option<&Dataset>,
        listener: &mut dyn TrainListener,
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        let mut trainer = Trainer::<B>::new(&self.model, &self.train, source, target, device)?;
        let target_test = match target_test {
            Some(t) if t.labels().is_none() => {
                return Err(Error::Data(format!(
                    "{}: the target test data must be labelled",
                    t.display_name()
                )));
            }
            Some(t) => Some(
                t.clone()
                    .with_n_features(source.n_features())?
                    .align_classes(source.class_names())?,
            ),
            None => None,
        };
        let monitor = {
            let n = source.len().min(self.train.monitor_rows.max(1));
            let step = source.len() as f64 / n as f64;
            let rows: Vec<usize> = (0..n).map(|i| (i as f64 * step) as usize).collect();
            source.subset(&rows)
        };
        let total = self.train.iterations;
        let mut sums = StepSums::default();
        for it in 1..=total {
            let out = trainer.step();
            if !out.label_loss.is_finite() || out.domain_loss.is_some_and(|l| !l.is_finite()) {
                return Err(Error::Data(format!(
                    "training diverged at iteration {it} (label loss {}, domain loss {:?}); \
                     lower the learning rate or standardise the inputs",
                    out.label_loss, out.domain_loss
                )));
            }
            listener.on_step(it, total, &out);
            sums.add(&out);
            let log = self.train.log_every;
            if it == total || (log > 0 && it.is_multiple_of(log)) {
                let snapshot = trainer.snapshot();
                let source_accuracy = snapshot.evaluate(&monitor)?.accuracy;
                let target_accuracy = match &target_test {
                    Some(t) => Some(snapshot.evaluate(t)?.accuracy),
                    None => None,
                };
                listener.on_record(&sums.record(it, total, source_accuracy, target_accuracy, &out));
                sums = StepSums::default();
            }
        }
        Ok(trainer.finish())
    }
}

#[derive(Default)]
struct StepSums {
    n: usize,
    label_loss: f64,
    domain_loss: f64,
    domain_accuracy: f64,
}

impl StepSums {
    fn add(&mut self, out: &StepOutput) {
        self.n += 1;
        self.label_loss += out.label_loss;
        self.domain_loss += out.domain_loss.unwrap_or(0.0);
        self.domain_accuracy += out.domain_accuracy.unwrap_or(0.0);
    }

    fn record(
        &self,
        iteration: usize,
        total: usize,
        source_accuracy: f64,
        target_accuracy: Option<f64>,
        last: &StepOutput,
    ) -> MetricsRecord {
        let n = self.n.max(1) as f64;
        let adversarial = last.domain_loss.is_some();
        MetricsRecord {
            iteration,
            progress: schedule::progress(iteration, total),
            label_loss: self.label_loss / n,
            domain_loss: adversarial.then(|| self.domain_loss / n),
            domain_accuracy: adversarial.then(|| self.domain_accuracy / n),
            source_accuracy,
            target_accuracy,
            lambda: last.lambda,
            lr: last.lr,
        }
    }
}
