//! A run as the fronts (the `dann` command line, the Python package) drive it: the run
//! configuration file ([`RunConfig`], `run.toml`), settings given on the command line merged
//! over it ([`overlay`]), the settings of the reproductions ([`ReproduceConfig`]), the run
//! directory ([`RunDir`]: the model, its config, the streaming metrics file, the checkpoints
//! and the job a resumed run continues) and the training of `dann train` on either engine
//! ([`train_burn`], [`train_shallow`]) with the measurements saved beside the model.

mod annotate;
mod config;
mod digits;
mod dir;
mod job;
mod merge;
mod moons;
mod network;
mod outputs;
mod overrides;
mod pending;
mod reproduce;
mod select;
mod select_run;
mod shift;
mod train;

pub use config::{Files, Preset, RunConfig};
pub use digits::DigitsModel;
pub use dir::{
    BASELINE_DIR, CHECKPOINT_DIR, METRICS_FILE, MetricsStream, RunDir, fresh_dir, utc_stamp,
};
pub use job::{Digest, Job};
pub use merge::overlay;
pub use moons::Procedure;
pub use network::Network;
pub use outputs::{SHIFT_ROWS, TSNE_ROWS, shift_summary, tsne_settings};
pub use overrides::{DataOverrides, SelectOverrides, TrainOverrides};
pub use pending::{LOCK_FILE, PendingRun};
pub use reproduce::{AmazonOptions, DigitsOptions, DigitsPlan, ReproduceConfig};
pub use select::{DeepSelectReport, select_deep_into, select_into};
pub use select_run::{SelectRun, select_run};
pub use shift::shift_files;
pub use train::{BurnRun, KeptCheckpoint, ShallowRun, Start, train_burn, train_shallow};
