//! Deep DANN on burn: the three-part network ([`DannModel`]: `G_f`, `G_y`, `G_d`), its
//! settings ([`Dann`](crate::Dann), [`TrainConfig`], the paper's [`schedule`]s), the training loop
//! ([`Trainer`]) and the trained model ([`FittedDann`]: predict, evaluate, save, load).
//! Everything is generic over burn's `Backend`.

mod batch;
mod checkpoint;
mod config;
mod deferred;
mod fitted;
mod listener;
mod model;
mod monitor;
mod optimizer;
pub mod schedule;
mod trainer;

pub use checkpoint::{CHECKPOINT_FILE, Checkpoints};
pub use config::{Engine, OptimizerConfig, TrainConfig};
pub use fitted::{FittedDann, ModelSpec, SPEC_FILE, WEIGHTS_FILE, WeightsCheck};
pub(crate) use listener::{EXPLODED, StepSums};
pub use listener::{MetricsRecord, StepOutput, TrainListener};
pub use model::{DannConfig, DannModel};
pub(crate) use monitor::Monitor;
pub use trainer::Trainer;
