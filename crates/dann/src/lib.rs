//! # dann: Domain-Adversarial Neural Networks
//!
//! DANN (Ganin et al., "Domain-Adversarial Training of Neural Networks", JMLR 2016) learns
//! features that serve a task on a labelled *source* domain and cannot tell the source from an
//! unlabelled *target* domain: a feature extractor `G_f` feeds a label predictor `G_y` and,
//! through a [gradient reversal layer](nn::grl), a domain classifier `G_d`.
//!
//! The crate is layered, one folder per concept:
//! - [`data`]: data sets, their file formats, splits, samplers, standardisation;
//! - [`problem`]: what every learner solves: a checked source/target [`TrainingPair`] and the
//!   [`Mode`] (DANN or source-only); [`representation`]: the [`FeatureMap`] every trained
//!   model offers;
//! - [`nn`]: network blocks on burn (gradient reversal, losses, MLPs);
//! - [`training`]: what both engines share: the training settings, the paper's schedules,
//!   the step outputs and metrics records a listener hears;
//! - [`deep`]: the burn model, its training loop, checkpoints and fitted model;
//! - [`shallow`]: the paper's one-hidden-layer network on hand-written sparse and blocked
//!   dense kernels (Algorithm 1);
//! - [`baselines`]: linear SVM, mSDA; [`analysis`]: proxy A-distance, shift, reverse
//!   validation; [`selection`]: the paper's whole method on any pair (reverse validation,
//!   the source-only baseline, the PADs); [`experiments`]: the papers' moons and Amazon
//!   experiments.
//!
//! Model code is generic over burn's `Backend`; [`CpuBackend`] (burn's pure-Rust `flex`) is the
//! default, and CUDA is available with the `cuda` feature.
//!
//! ```
//! use dann::{Dann, DannConfig, TrainConfig, experiments::moons::MoonsConfig};
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

pub mod analysis;
mod backend;
pub mod baselines;
pub mod bench;
pub mod contain;
pub mod data;
pub mod deep;
mod error;
pub mod experiments;
pub mod files;
mod learner;
pub mod metrics;
pub mod nn;
pub mod problem;
pub mod representation;
pub mod run;
pub mod selection;
pub mod shallow;
pub mod table;
#[cfg(test)]
mod testing;
pub mod training;
mod tristate;

pub use backend::{CpuAutodiff, CpuBackend, is_cpu};
pub use data::Dataset;
pub use deep::{
    CHECKPOINT_FILE, Checkpoints, DannConfig, DannModel, FittedDann, ModelSpec, SPEC_FILE, Trainer,
    WEIGHTS_FILE,
};
pub use error::{Error, Result};
pub use learner::{Dann, fitted_from_shallow};
pub use problem::{Mode, Task, TrainingPair};
pub use representation::FeatureMap;
pub use training::{
    Cancel, Engine, MetricsRecord, OptimizerConfig, Standardize, StepOutput, TrainConfig,
    TrainListener,
};
