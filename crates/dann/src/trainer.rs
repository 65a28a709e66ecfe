//! Training: settings, one step, and the loop.
//!
//! Each iteration draws a batch of `batch_size` rows, a fraction `source_fraction` of them
//! from the labelled source and the rest from the unlabelled target, each from its own endless
//! shuffled stream. The loss is `L_y(source) + (L_d(source) + L_d(target)) / 2`, each a mean
//! over its rows (JMLR 2016 eq. (18), up to the factor 1/2), with the gradient reversal layer of weight `lambda_p` between
//! `G_f` and `G_d` (sec. 4.2): `G_d` descends the domain loss at full strength while `G_f`
//! ascends it with weight `lambda_p`. Source-only training (the paper's "NN" baseline) runs
//! through the same step with the domain term left out.

use burn::module::AutodiffModule;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{Adam, AdamConfig, GradientsParams, Optimizer, Sgd, SgdConfig};
use burn::tensor::{Tensor, backend::AutodiffBackend};
use serde::{Deserialize, Serialize};

use crate::batch::{input_tensor, label_tensor};
use crate::data::{Dataset, Standardizer};
use crate::fitted::FittedDann;
use crate::loss::{cross_entropy, domain_accuracy, domain_loss};
use crate::model::{DannConfig, DannModel};
use crate::sampler::EndlessSampler;
use crate::schedule::{LambdaSchedule, LrSchedule, progress};
use crate::{Error, Result};

/// DANN, or the same network trained on the source alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Domain-adversarial training.
    #[default]
    Dann,
    /// No domain term: the paper's "NN" baseline.
    SourceOnly,
}

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

/// Training settings; the defaults are the paper's (sec. 5.2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// DANN or source-only.
    pub mode: Mode,
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
    /// Standardise inputs with statistics of the training rows (source and target).
    pub standardize: bool,
    /// Seed of the initial weights and of the batch order.
    pub seed: u64,
    /// Record metrics every this many iterations (and at the last one); 0 for only the last.
    pub log_every: usize,
    /// At most this many source rows are used to measure source accuracy in the records.
    pub monitor_rows: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Dann,
            iterations: 10_000,
            batch_size: 64,
            source_fraction: 0.5,
            optimizer: OptimizerConfig::default(),
            lr: LrSchedule::default(),
            lambda: LambdaSchedule::default(),
            standardize: false,
            seed: 0,
            log_every: 500,
            monitor_rows: 5000,
        }
    }
}

impl TrainConfig {
    /// Checks every setting before any work starts.
    pub fn check(&self) -> Result<()> {
        if self.iterations == 0 {
            return Err(Error::config("train.iterations", "must be at least 1"));
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
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::config(
                format!("train.optimizer.{name}"),
                format!("must be >= 0, got {v}"),
            ));
        }
        self.lr.check("train.lr")?;
        self.lambda.check("train.lambda")
    }

    /// Source and target rows per batch.
    pub fn split_batch(&self) -> (usize, usize) {
        let ns = ((self.batch_size as f64) * self.source_fraction).round() as usize;
        let ns = ns.min(self.batch_size);
        (ns, self.batch_size - ns)
    }
}

/// What one training step measured (the losses are the batch means before the update).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepOutput {
    /// Cross-entropy of the label predictor on the source rows.
    pub label_loss: f64,
    /// Domain term of the objective, [`crate::loss::domain_loss`]: mean logistic loss on the
    /// source rows and on the target rows, averaged (`ln 2` at chance; `None` in source-only
    /// mode).
    pub domain_loss: Option<f64>,
    /// Domain classifier accuracy on the batch (`None` in source-only mode).
    pub domain_accuracy: Option<f64>,
    /// `lambda_p` used.
    pub lambda: f64,
    /// `mu_p` used.
    pub lr: f64,
}

/// A line of `metrics.jsonl`: means over the steps since the previous record, plus accuracies
/// measured at this iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsRecord {
    /// Iterations done.
    pub iteration: usize,
    /// `p`.
    pub progress: f64,
    /// Mean label loss.
    pub label_loss: f64,
    /// Mean domain loss.
    pub domain_loss: Option<f64>,
    /// Mean domain accuracy.
    pub domain_accuracy: Option<f64>,
    /// Accuracy on (up to `monitor_rows` of) the labelled source.
    pub source_accuracy: f64,
    /// Accuracy on the labelled target test set, when one was given.
    pub target_accuracy: Option<f64>,
    /// `lambda_p` of the last step.
    pub lambda: f64,
    /// `mu_p` of the last step.
    pub lr: f64,
}

/// Receives progress during [`crate::Dann::fit_with`].
pub trait TrainListener {
    /// After every step.
    fn on_step(&mut self, _iteration: usize, _total: usize, _output: &StepOutput) {}
    /// At every record (see [`TrainConfig::log_every`]).
    fn on_record(&mut self, _record: &MetricsRecord) {}
}

/// A listener that ignores everything.
impl TrainListener for () {}

/// Collects every record (handy in tests and scripts).
impl TrainListener for Vec<MetricsRecord> {
    fn on_record(&mut self, record: &MetricsRecord) {
        self.push(record.clone());
    }
}

enum AnyOptimizer<B: AutodiffBackend> {
    Sgd(OptimizerAdaptor<Sgd<B::InnerBackend>, DannModel<B>, B>),
    Adam(OptimizerAdaptor<Adam, DannModel<B>, B>),
}

impl<B: AutodiffBackend> AnyOptimizer<B> {
    fn new(config: &OptimizerConfig) -> Self {
        let decay = |w: f64| (w > 0.0).then(|| WeightDecayConfig::new(w as f32));
        match *config {
            OptimizerConfig::Sgd {
                momentum,
                weight_decay,
            } => {
                let momentum = (momentum > 0.0).then_some(MomentumConfig {
                    momentum,
                    dampening: 0.0,
                    nesterov: false,
                });
                AnyOptimizer::Sgd(
                    SgdConfig::new()
                        .with_momentum(momentum)
                        .with_weight_decay(decay(weight_decay))
                        .init(),
                )
            }
            OptimizerConfig::Adam {
                beta1,
                beta2,
                weight_decay,
            } => AnyOptimizer::Adam(
                AdamConfig::new()
                    .with_beta_1(beta1 as f32)
                    .with_beta_2(beta2 as f32)
                    .with_weight_decay(decay(weight_decay))
                    .init(),
            ),
        }
    }

    fn step(&mut self, lr: f64, model: DannModel<B>, grads: GradientsParams) -> DannModel<B> {
        match self {
            AnyOptimizer::Sgd(o) => o.step(lr, model, grads),
            AnyOptimizer::Adam(o) => o.step(lr, model, grads),
        }
    }
}

/// The training state: network, optimiser, batch streams. Built by [`Trainer::new`], advanced
/// by [`Trainer::step`]; [`crate::Dann::fit_with`] drives it.
pub struct Trainer<'a, B: AutodiffBackend> {
    model: Option<DannModel<B>>,
    optimizer: AnyOptimizer<B>,
    config: TrainConfig,
    model_config: DannConfig,
    source: &'a Dataset,
    target: &'a Dataset,
    source_labels: &'a [usize],
    standardizer: Option<Standardizer>,
    source_stream: EndlessSampler,
    target_stream: EndlessSampler,
    rows: Vec<usize>,
    iteration: usize,
    device: B::Device,
}

impl<'a, B: AutodiffBackend> Trainer<'a, B> {
    /// Checks settings and data and builds the initial network. `source` must be labelled
    /// with at least two classes; `target`'s labels, if any, are never read. Both must have
    /// the same number of features (see [`Dataset::with_n_features`]).
    pub fn new(
        model_config: &DannConfig,
        config: &TrainConfig,
        source: &'a Dataset,
        target: &'a Dataset,
        device: &B::Device,
    ) -> Result<Self> {
        model_config.check()?;
        config.check()?;
        let source_labels = check_training_data(source, target)?;
        let model = model_config.init::<B>(
            source.n_features(),
            source.class_names().len(),
            config.seed,
            device,
        )?;
        let standardizer = config
            .standardize
            .then(|| Standardizer::fit(&[source, target]));
        Ok(Self {
            model: Some(model),
            optimizer: AnyOptimizer::new(&config.optimizer),
            config: config.clone(),
            model_config: model_config.clone(),
            source,
            target,
            source_labels,
            standardizer,
            source_stream: EndlessSampler::new(source.len(), config.seed ^ 0x5eed_0001),
            target_stream: EndlessSampler::new(target.len(), config.seed ^ 0x5eed_0002),
            rows: Vec::new(),
            iteration: 0,
            device: device.clone(),
        })
    }

    /// Iterations done so far.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// One SGD step on a fresh batch.
    pub fn step(&mut self) -> StepOutput {
        let p = progress(self.iteration, self.config.iterations);
        let lambda = match self.config.mode {
            Mode::Dann => self.config.lambda.value(p),
            Mode::SourceOnly => 0.0,
        };
        let lr = self.config.lr.value(p);
        let (ns, nt) = self.config.split_batch();
        let model = self.model.take().expect("model is always put back");
        let std = self.standardizer.as_ref();

        self.source_stream.next_batch(ns, &mut self.rows);
        let xs = input_tensor::<B>(self.source, self.rows.iter().copied(), std, &self.device);
        let ys = label_tensor::<B>(self.source_labels, &self.rows, &self.device);

        let (loss, label_loss, domain) = match self.config.mode {
            Mode::SourceOnly => {
                let label_loss = cross_entropy(model.classify(model.features(xs)), ys);
                (label_loss.clone(), label_loss, None)
            }
            Mode::Dann => {
                self.target_stream.next_batch(nt, &mut self.rows);
                let xt =
                    input_tensor::<B>(self.target, self.rows.iter().copied(), std, &self.device);
                let h = model.features(Tensor::cat(vec![xs, xt], 0));
                let label_loss = cross_entropy(model.classify(h.clone().narrow(0, 0, ns)), ys);
                let logits = model.discriminate(h, lambda);
                let (zs, zt) = (logits.clone().narrow(0, 0, ns), logits.narrow(0, ns, nt));
                let d_acc = domain_accuracy(zs.clone().detach(), zt.clone().detach());
                let d_loss = domain_loss(zs, zt);
                (
                    label_loss.clone() + d_loss.clone(),
                    label_loss,
                    Some((d_loss, d_acc)),
                )
            }
        };
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.model = Some(self.optimizer.step(lr, model, grads));
        self.iteration += 1;
        StepOutput {
            label_loss: scalar(label_loss),
            domain_loss: domain.as_ref().map(|(l, _)| scalar(l.clone())),
            domain_accuracy: domain.map(|(_, a)| a),
            lambda,
            lr,
        }
    }

    /// The model as trained so far, detached from autodiff, for inference.
    pub fn snapshot(&self) -> FittedDann<B::InnerBackend> {
        let model = self
            .model
            .as_ref()
            .expect("model is always put back")
            .valid();
        FittedDann::new(
            model,
            self.model_config.clone(),
            self.source.n_features(),
            self.source.class_names().to_vec(),
            self.standardizer.clone(),
            self.device.clone(),
        )
    }

    /// The finished model.
    pub fn finish(self) -> FittedDann<B::InnerBackend> {
        self.snapshot()
    }
}

/// Checks a training pair and returns the source labels: the source is labelled, both have
/// rows, and both have the same number of features.
pub(crate) fn check_training_data<'a>(
    source: &'a Dataset,
    target: &Dataset,
) -> Result<&'a [usize]> {
    let labels = source.labels().ok_or_else(|| {
        Error::Data(format!(
            "{}: the source data must be labelled",
            source.display_name()
        ))
    })?;
    for (what, ds) in [("source", source), ("target", target)] {
        if ds.is_empty() {
            return Err(Error::Data(format!(
                "{}: the {what} data has no rows",
                ds.display_name()
            )));
        }
    }
    if source.n_features() != target.n_features() {
        return Err(Error::Data(format!(
            "source {} has {} features but target {} has {}",
            source.display_name(),
            source.n_features(),
            target.display_name(),
            target.n_features()
        )));
    }
    Ok(labels)
}

fn scalar<B: burn::tensor::backend::Backend>(t: Tensor<B, 1>) -> f64 {
    use burn::tensor::ElementConversion;
    t.into_scalar().elem::<f64>()
}
