//! Training settings of the burn model ([`TrainConfig`]) and its optimiser
//! ([`OptimizerConfig`]); the defaults are chosen by the tabular benchmark,
//! [`TrainConfig::paper`] is the paper's (sec. 5.2.2).

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::data::images::ImagePrep;
use crate::error::{Error, Result, non_negative};
use crate::problem::{Mode, Task};
use crate::training::schedule::{LambdaSchedule, LrSchedule};

/// Optimiser and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OptimizerConfig {
    /// SGD with (PyTorch-style, undampened) momentum, as in the paper.
    Sgd {
        /// Momentum (0.9 in the paper).
        #[serde(default = "default_momentum")]
        momentum: f64,
        /// L2 weight decay.
        #[serde(default)]
        weight_decay: f64,
    },
    /// Adam.
    Adam {
        /// First-moment decay.
        #[serde(default = "default_beta1")]
        beta1: f64,
        /// Second-moment decay.
        #[serde(default = "default_beta2")]
        beta2: f64,
        /// L2 weight decay.
        #[serde(default)]
        weight_decay: f64,
    },
}

impl OptimizerConfig {
    /// Its `kind`, as the config file spells it: `sgd`, `adam`.
    pub fn kind(&self) -> &'static str {
        match self {
            OptimizerConfig::Sgd { .. } => "sgd",
            OptimizerConfig::Adam { .. } => "adam",
        }
    }
}

fn default_momentum() -> f64 {
    0.9
}
fn default_beta1() -> f64 {
    0.9
}
fn default_beta2() -> f64 {
    0.999
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig::Sgd {
            momentum: 0.9,
            weight_decay: 0.0,
        }
    }
}

/// What runs the training: burn (any network, any backend) or the hand-written kernels (the
/// paper's shallow network on the CPU, sparse inputs kept sparse, many times faster). Both
/// follow the same steps: the same initial weights, batches, schedules and updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// The kernels when they can run the settings (`Dann::engine` decides), else burn.
    #[default]
    Auto,
    /// The hand-written kernels (module `shallow`); an error when they cannot run the
    /// settings.
    Shallow,
    /// burn, on the backend the caller chose.
    Burn,
}

/// Whether inputs are standardised: `"auto"`, `true` or `false` in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standardize {
    /// Dense rows of numbers are (CSV, Parquet, NPY), unless their columns are on one fixed
    /// scale ([`one_fixed_scale`](crate::data::one_fixed_scale): pixel
    /// intensities written as rows); images and sparse rows are not
    /// ([`Features::has_sparse_rows`](crate::data::Features::has_sparse_rows): SVMlight, a
    /// sparse matrix with most cells empty).
    #[default]
    Auto,
    /// Always (`true`); sparse rows are only scaled, not centred.
    Yes,
    /// Never (`false`): a column on a scale 1000 times another's gets a warning.
    No,
}

impl Standardize {
    /// Whether training on `data` standardises it.
    pub fn resolve(self, data: &Dataset) -> bool {
        match self {
            Standardize::Yes => true,
            Standardize::No => false,
            Standardize::Auto => {
                !data.features().has_sparse_rows()
                    && data.sample_shape().len() == 1
                    && !crate::data::one_fixed_scale(data)
            }
        }
    }
}

impl Serialize for Standardize {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let value = match self {
            Standardize::Auto => None,
            Standardize::Yes => Some(true),
            Standardize::No => Some(false),
        };
        crate::tristate::serialize(value, s)
    }
}

impl<'de> Deserialize<'de> for Standardize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(match crate::tristate::deserialize(d, "standardize")? {
            None => Standardize::Auto,
            Some(true) => Standardize::Yes,
            Some(false) => Standardize::No,
        })
    }
}

/// Training settings; the defaults are the benchmark's choice, [`TrainConfig::paper`] the
/// paper's (sec. 5.2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// What runs the training.
    pub engine: Engine,
    /// DANN or source-only.
    pub mode: Mode,
    /// What the label head learns: `"classification"` (the default) or `"regression"` (a
    /// numeric label, one output trained on the squared error of the standardised label;
    /// the burn engine only, no label-shift check).
    pub task: Task,
    /// Number of iterations (batches).
    pub iterations: usize,
    /// Rows per batch, source and target together.
    pub batch_size: usize,
    /// Fraction of each batch drawn from the source (0.5: half and half). In source-only mode
    /// the batch holds only these source rows.
    pub source_fraction: f64,
    /// Optimiser.
    pub optimizer: OptimizerConfig,
    /// Learning rate `mu_p`.
    pub lr: LrSchedule,
    /// Adaptation weight `lambda_p`.
    pub lambda: LambdaSchedule,
    /// Standardise inputs with statistics of the training rows (source and target), saved
    /// with the model: `"auto"` (the default) for dense rows of numbers (CSV, Parquet, NPY;
    /// not images, which `[train.images]` prepares, nor sparse rows); `true` or `false`.
    pub standardize: Standardize,
    /// The largest label shift at which DANN is kept (see
    /// [`label_shift`](crate::training::label_shift)): after DANN, the source-only network
    /// is trained with the same settings, and when its predicted class proportions on the
    /// target are further than this (total variation, 0 to 1) from the source's, and it is
    /// about as sure of the target as of the source, DANN's feature matching would put
    /// target rows in the wrong classes, so the run keeps the source-only model and says so
    /// (much less sure of the target: a shift in the features, and DANN is kept; see
    /// [`MIN_CONFIDENCE_RATIO`](crate::training::label_shift::MIN_CONFIDENCE_RATIO)). `1` never checks (no extra training); the check is
    /// also skipped in source-only mode, with `checkpoint_every`, and for a run that starts
    /// from a model (`--init`).
    pub max_label_shift: f64,
    /// Image preprocessing (channels, size, scale, mean subtraction), fitted on the training
    /// images and saved with the model; none by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<ImagePrep>,
    /// Seed of the initial weights and of the batch order.
    pub seed: u64,
    /// Record metrics every this many iterations (and at the last one); 0 for only the last.
    pub log_every: usize,
    /// At most this many source rows are used to measure source accuracy in the records (at
    /// least 1).
    pub monitor_rows: usize,
    /// Save a checkpoint every this many iterations (0: never), from which
    /// [`Trainer::resume`](crate::deep::Trainer::resume) (`dann train --resume`) continues to the
    /// same model as an uninterrupted run. Only the burn engine checkpoints.
    #[serde(skip_serializing_if = "is_zero")]
    pub checkpoint_every: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The largest `lambda_p` of the default schedule on dense rows: the paper's schedule rising
/// to 3 instead of 1 (on sparse rows the paper's 1), chosen by the tabular benchmark
/// (`benchmarks/tabular`, `results/tabular.md`).
pub const DEFAULT_LAMBDA_MAX: f64 = 3.0;

impl Default for TrainConfig {
    /// The defaults chosen by the tabular benchmark (`results/tabular.md`): the paper's
    /// settings (sec. 5.2.2) with dense rows standardised, `lambda_p` rising to
    /// [`DEFAULT_LAMBDA_MAX`] on dense rows and to the paper's 1 on sparse ones, and the
    /// label-shift check after DANN
    /// ([`max_label_shift`](Self::max_label_shift) 0.3). [`TrainConfig::paper`] is the
    /// paper's own.
    fn default() -> Self {
        Self {
            lambda: LambdaSchedule::Ganin {
                max: DEFAULT_LAMBDA_MAX,
                gamma: 10.0,
                max_sparse: Some(1.0),
            },
            standardize: Standardize::Auto,
            max_label_shift: 0.3,
            ..Self::paper()
        }
    }
}

impl TrainConfig {
    /// The paper's settings (JMLR 2016, sec. 5.2.2): SGD with momentum 0.9, `mu_p =
    /// 0.01 / (1 + 10 p)^0.75`, `lambda_p = 2 / (1 + exp(-10 p)) - 1`, batches of 64 half
    /// source, half target, 10 000 iterations, inputs as they are, no label-shift check: what
    /// the reproductions train with (`--preset paper`).
    pub fn paper() -> Self {
        Self {
            engine: Engine::Auto,
            mode: Mode::Dann,
            task: Task::Classification,
            iterations: 10_000,
            batch_size: 64,
            source_fraction: 0.5,
            optimizer: OptimizerConfig::default(),
            lr: LrSchedule::default(),
            lambda: LambdaSchedule::default(),
            standardize: Standardize::No,
            max_label_shift: 1.0,
            images: None,
            seed: 0,
            log_every: 500,
            monitor_rows: 5000,
            checkpoint_every: 0,
        }
    }

    /// Checks every setting before any work starts.
    pub fn check(&self) -> Result<()> {
        if self.iterations == 0 {
            return Err(Error::config("train.iterations", "must be at least 1"));
        }
        if self.monitor_rows == 0 {
            return Err(Error::config(
                "train.monitor_rows",
                "must be at least 1: the source rows whose accuracy each record measures (a \
                 value above the source's rows measures them all)",
            ));
        }
        if !(self.source_fraction > 0.0 && self.source_fraction < 1.0) {
            return Err(Error::config(
                "train.source_fraction",
                format!(
                    "must be strictly between 0 and 1, got {}",
                    self.source_fraction
                ),
            ));
        }
        let (ns, nt) = self.split_batch();
        if ns == 0 || (self.mode == Mode::Dann && nt == 0) {
            return Err(Error::config(
                "train.batch_size",
                format!(
                    "{} with source_fraction {} leaves {ns} source and {nt} target rows; both need at least 1",
                    self.batch_size, self.source_fraction
                ),
            ));
        }
        let (name, v) = match self.optimizer {
            OptimizerConfig::Sgd {
                momentum,
                weight_decay,
            } => {
                if !(0.0..1.0).contains(&momentum) {
                    return Err(Error::config(
                        "train.optimizer.momentum",
                        format!("must be in [0, 1), got {momentum}"),
                    ));
                }
                ("weight_decay", weight_decay)
            }
            OptimizerConfig::Adam {
                beta1,
                beta2,
                weight_decay,
            } => {
                for (n, b) in [("beta1", beta1), ("beta2", beta2)] {
                    if !(0.0..1.0).contains(&b) {
                        return Err(Error::config(
                            format!("train.optimizer.{n}"),
                            format!("must be in [0, 1), got {b}"),
                        ));
                    }
                }
                ("weight_decay", weight_decay)
            }
        };
        non_negative(&format!("train.optimizer.{name}"), v)?;
        if !(0.0..=1.0).contains(&self.max_label_shift) {
            return Err(Error::config(
                "train.max_label_shift",
                format!(
                    "must be in [0, 1] (a total variation distance; 1 never checks), got {}",
                    self.max_label_shift
                ),
            ));
        }
        if let Some(images) = &self.images {
            images.check()?;
        }
        self.lr.check("train.lr")?;
        self.lambda.check("train.lambda")
    }

    /// Whether a DANN run also trains the source-only network to check the label shift:
    /// not in source-only mode, not for a regression, with `max_label_shift = 1`, nor for a run that saves
    /// checkpoints (its resumed and uninterrupted runs give one model).
    pub fn checks_label_shift(&self) -> bool {
        self.mode == Mode::Dann
            && self.task == Task::Classification
            && self.max_label_shift < 1.0
            && self.checkpoint_every == 0
    }

    /// Whether iteration `it` (1-based) ends with a metrics record: every `log_every`
    /// iterations and at the last one.
    pub fn records_at(&self, it: usize) -> bool {
        it == self.iterations || (self.log_every > 0 && it.is_multiple_of(self.log_every))
    }

    /// Whether iteration `it` (1-based) ends with a checkpoint: every `checkpoint_every`
    /// iterations (`0`: never), except at the last one (the model is the result then).
    pub(crate) fn checkpoints_at(&self, it: usize) -> bool {
        let every = self.checkpoint_every;
        every > 0 && it.is_multiple_of(every) && it < self.iterations
    }

    /// Source and target rows per batch.
    pub fn split_batch(&self) -> (usize, usize) {
        let ns = ((self.batch_size as f64) * self.source_fraction).round() as usize;
        let ns = ns.min(self.batch_size);
        (ns, self.batch_size - ns)
    }
}
