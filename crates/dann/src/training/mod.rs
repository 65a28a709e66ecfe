//! The training vocabulary both engines share, the burn [`deep`](crate::deep) trainer and the
//! [`shallow`](crate::shallow) kernels: the settings ([`TrainConfig`], [`Engine`],
//! [`OptimizerConfig`]), the paper's [`schedule`]s of `lambda_p` and `mu_p`, what a step and a
//! record report ([`StepOutput`], [`MetricsRecord`]) to a [`TrainListener`], and the rows the
//! records' accuracies are measured on, and the [`Cancel`] flag a front raises to stop early.

mod cancel;
pub(crate) mod config;
pub mod label_shift;
pub(crate) mod listener;
pub(crate) mod monitor;
pub mod schedule;

pub use cancel::Cancel;
pub use config::{DEFAULT_LAMBDA_MAX, Engine, OptimizerConfig, Standardize, TrainConfig};
pub use label_shift::LabelShiftCheck;
pub use listener::{MetricsRecord, StepOutput, TrainListener};
