//! The training loop of the burn model: one step, and the run.
//!
//! Each iteration draws a batch of `batch_size` rows, a fraction `source_fraction` of them
//! from the labelled source and the rest from the unlabelled target, each from its own endless
//! shuffled stream. The loss is `L_y(source) + (L_d(source) + L_d(target)) / 2`, each a mean
//! over its rows (JMLR 2016 eq. (18), up to the factor 1/2), with the gradient reversal layer of weight `lambda_p` between
//! `G_f` and `G_d` (sec. 4.2): `G_d` descends the domain loss at full strength while `G_f`
//! ascends it with weight `lambda_p`. Source-only training (the paper's "NN" baseline) runs
//! through the same step with the domain term left out.

use burn::module::{AutodiffModule, Module, ModuleMapper, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use burn::tensor::backend::AutodiffBackend;

use super::batch::{InputNoise, input_tensor, label_tensor, value_tensor};
use super::checkpoint::Checkpoints;
use super::deferred::{StepTensors, Unread};
use super::fitted::FittedDann;
use super::model::{DannConfig, DannModel};
use super::optimizer::AnyOptimizer;
use crate::data::images::FittedImagePrep;
use crate::data::{Dataset, EndlessSampler, Schema, Standardizer};
use crate::error::{Error, Result};
use crate::nn::loss::{cross_entropy, domain_accuracy_tensor, domain_loss};
use crate::problem::{LabelScale, Mode, Task, TrainingPair};
use crate::training::config::TrainConfig;
use crate::training::listener::{MetricsRecord, StepOutput, StepSums, TrainListener};
use crate::training::monitor::Monitor;
use crate::training::schedule::progress;

/// The training state: network, optimiser, batch streams, iteration count and the metrics
/// accumulated since the last record, everything a run needs to go on. Built by
/// [`Trainer::new`]; [`Trainer::fit`] runs the loop (what [`crate::Dann::fit_with`]
/// does), [`Trainer::step`] advances it one batch at a time.
pub struct Trainer<'a, B: AutodiffBackend> {
    pub(super) model: Option<DannModel<B>>,
    pub(super) optimizer: AnyOptimizer<B>,
    pub(super) config: TrainConfig,
    pub(super) model_config: DannConfig,
    pub(super) data: TrainingPair<'a>,
    standardizer: Option<Standardizer>,
    /// A regression's source labels, scaled, and their scale.
    values: Option<(Vec<f32>, LabelScale)>,
    pub(super) source_stream: EndlessSampler,
    pub(super) target_stream: EndlessSampler,
    rows: Vec<usize>,
    /// `[train.images] noise`, if any.
    pub(super) noise: Option<InputNoise>,
    pub(super) iteration: usize,
    /// The rows the records' accuracies are measured on.
    monitor: Monitor,
    pub(super) sums: StepSums,
    /// Where checkpoints go, if anywhere.
    pub(super) checkpoints: Option<Checkpoints>,
    /// The image preprocessing the data went through, recorded in the model.
    images: Option<FittedImagePrep>,
    /// Read each step's losses back at once (CPU), or keep their sums on the device and read
    /// them at records and checkpoints only (GPU: every read waits for the device).
    read_every_step: bool,
    /// The device-side sums of the steps not read back yet.
    unread: Option<Unread<B::InnerBackend>>,
    pub(super) device: B::Device,
}

/// The labels of a batch's source rows: classes, or a regression's scaled numbers.
enum Truth<B: AutodiffBackend> {
    Classes(Tensor<B, 1, burn::tensor::Int>),
    Values(Tensor<B, 2>),
}

impl<B: AutodiffBackend> Truth<B> {
    /// The label loss of the label head's `outputs`: softmax cross-entropy, or the mean
    /// squared error.
    fn loss(self, outputs: Tensor<B, 2>) -> Tensor<B, 1> {
        match self {
            Truth::Classes(ys) => cross_entropy(outputs, ys),
            Truth::Values(ys) => (outputs - ys).powi_scalar(2).mean(),
        }
    }
}

/// Marks every float parameter as trained (gradients computed and applied).
struct Trainable;

impl<B: burn::tensor::backend::Backend> ModuleMapper<B> for Trainable {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        param.set_require_grad(true)
    }
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
        let data = TrainingPair::for_task(source, target, config.task)?;
        let values = match config.task {
            Task::Classification => None,
            Task::Regression => {
                let values = source.label_values()?;
                let scale = LabelScale::fit(&values).ok_or_else(|| {
                    source.error(
                        "every source row has the same label: a regression needs labels that vary",
                    )
                })?;
                Some((values.iter().map(|&v| scale.scale(v)).collect(), scale))
            }
        };
        let model = match config.task {
            Task::Classification => {
                model_config.init::<B>(data.n_features(), data.n_classes(), config.seed, device)?
            }
            Task::Regression => {
                model_config.init_outputs::<B>(data.n_features(), 1, config.seed, device)?
            }
        };
        let standardizer = config
            .standardize
            .resolve(source)
            .then(|| Standardizer::fit(&[source, target]));
        Ok(Self {
            model: Some(model),
            optimizer: AnyOptimizer::new(&config.optimizer),
            config: TrainConfig {
                lambda: config.lambda.for_data(source),
                ..config.clone()
            },
            model_config: model_config.clone(),
            data,
            standardizer,
            values,
            source_stream: EndlessSampler::new(source.len(), config.seed ^ 0x5eed_0001),
            target_stream: EndlessSampler::new(target.len(), config.seed ^ 0x5eed_0002),
            rows: Vec::new(),
            noise: config
                .images
                .as_ref()
                .and_then(|p| InputNoise::new(p.noise, config.seed ^ 0x5eed_0003)),
            iteration: 0,
            monitor: Monitor::new(source, config.monitor_rows, config.task),
            sums: StepSums::default(),
            checkpoints: None,
            images: None,
            read_every_step: crate::backend::is_cpu::<B::InnerBackend>(),
            unread: None,
            device: device.clone(),
        })
    }

    /// Whether [`fit`](Self::fit) reads each step's losses back at once (the default on the
    /// CPU, where that costs nothing) or keeps their sums on the device and reads them at
    /// records and checkpoints only (the default on other backends: on a GPU every read waits
    /// for the device). Then listeners hear `on_step` at those points only, with the mean of
    /// the steps since the last read, and divergence is noticed there. The records are the
    /// same either way, up to float rounding (the device sums in `f32`).
    pub fn with_reads_every_step(mut self, every_step: bool) -> Self {
        self.read_every_step = every_step;
        self
    }

    /// Records the image preprocessing the data went through in the models it makes.
    pub(crate) fn with_images(mut self, images: Option<FittedImagePrep>) -> Self {
        self.images = images;
        self
    }

    /// Starts from `init`'s weights and input standardisation instead of new ones (what
    /// `dann train --init` does when the target moves): its architecture, number of inputs
    /// and classes must be this run's, or the error says which differs. The optimiser and
    /// the schedules start afresh.
    pub fn with_init(mut self, init: &FittedDann<B::InnerBackend>) -> Result<Self> {
        let spec = init.spec();
        let classes = self.data.source().class_names();
        let task = self.config.task;
        spec.check_start(&self.model_config, self.data.n_features(), classes, task)?;
        // A model read from disk comes back with its parameters frozen: train them.
        let model = DannModel::from_inner(init.model().clone()).map(&mut Trainable);
        self.model = Some(model);
        self.standardizer = spec.standardizer.clone();
        Ok(self)
    }

    /// Saves a checkpoint to `checkpoints` every `train.checkpoint_every` iterations of
    /// [`fit`](Self::fit) (except at the last one: the model is the result then).
    pub fn with_checkpoints(mut self, checkpoints: Checkpoints) -> Self {
        self.checkpoints = Some(checkpoints);
        self
    }

    /// Also measures accuracy on labelled `target_test` at every record (it is never trained
    /// on); `None` changes nothing.
    pub fn with_target_test(mut self, target_test: Option<&Dataset>) -> Result<Self> {
        self.monitor = self
            .monitor
            .with_target_test(self.data.source(), target_test)?;
        Ok(self)
    }

    /// Runs the remaining iterations up to `iterations`, reporting every step and every
    /// `log_every` iterations a [`MetricsRecord`] to `listener`, and returns the model. Stops
    /// with an error when a loss stops being finite.
    pub fn fit(mut self, listener: &mut dyn TrainListener) -> Result<FittedDann<B::InnerBackend>> {
        self.run_until(self.config.iterations, listener)?;
        Ok(self.finish())
    }

    /// Runs [`fit`](Self::fit)'s loop (steps, records, checkpoints) up to iteration `stop`
    /// (at most `iterations`), leaving the trainer there.
    pub fn run_until(&mut self, stop: usize, listener: &mut dyn TrainListener) -> Result<()> {
        let total = self.config.iterations;
        let stop = stop.min(total);
        while self.iteration < stop {
            let out = if self.read_every_step {
                self.step()
            } else {
                let step = self.step_tensors();
                self.unread = Some(match self.unread.take() {
                    None => Unread::new(step),
                    Some(u) => u.add(step),
                });
                let it = self.iteration;
                if !(self.config.records_at(it) || self.config.checkpoints_at(it) || it == stop) {
                    // A step read later is still a step: the listener may stop it here.
                    if listener.interrupted() {
                        return Err(Error::Interrupted { iteration: it });
                    }
                    continue;
                }
                let (out, n) = self.unread.take().expect("added above").read();
                self.sums.add_steps(&out, n);
                out
            };
            let it = self.iteration;
            out.check_finite(it)?;
            listener.on_step(it, total, &out);
            if listener.interrupted() {
                return Err(Error::Interrupted { iteration: it });
            }
            if self.config.records_at(it) {
                listener.on_record(&self.record(&out)?);
            }
            if self.config.checkpoints_at(it) {
                self.save_checkpoint()?;
            }
        }
        Ok(())
    }

    /// The record of the steps since the last one, ending with `last`, with accuracies
    /// measured now; starts a new sum.
    fn record(&mut self, last: &StepOutput) -> Result<MetricsRecord> {
        let snapshot = self.snapshot();
        let (source_accuracy, target_accuracy) = match self.values {
            None => self.monitor.accuracies(|d| snapshot.predict(d))?,
            Some(_) => self.monitor.r2s(|d| snapshot.predict_values(d))?,
        };
        let sums = std::mem::take(&mut self.sums);
        Ok(sums.record(
            self.iteration,
            self.config.iterations,
            (source_accuracy, target_accuracy),
            self.config.task,
            last,
        ))
    }

    /// Iterations done so far.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// One SGD step on a fresh batch, its losses read back; its output counts towards the
    /// next record of [`fit`](Self::fit).
    pub fn step(&mut self) -> StepOutput {
        let out = self.step_tensors().read();
        self.sums.add(&out);
        out
    }

    /// One SGD step on a fresh batch; its losses stay on the device.
    fn step_tensors(&mut self) -> StepTensors<B::InnerBackend> {
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
        let xs = input_tensor::<B>(
            self.data.source(),
            self.rows.iter().copied(),
            std,
            self.noise.as_mut(),
            &self.device,
        );
        let ys = match &self.values {
            None => Truth::Classes(label_tensor::<B>(
                self.data.source_labels(),
                &self.rows,
                &self.device,
            )),
            Some((values, _)) => Truth::Values(value_tensor::<B>(values, &self.rows, &self.device)),
        };

        let (loss, label_loss, domain) = match self.config.mode {
            Mode::SourceOnly => {
                let label_loss = ys.loss(model.classify(model.features(xs)));
                (label_loss.clone(), label_loss, None)
            }
            Mode::Dann => {
                self.target_stream.next_batch(nt, &mut self.rows);
                let xt = input_tensor::<B>(
                    self.data.target(),
                    self.rows.iter().copied(),
                    std,
                    self.noise.as_mut(),
                    &self.device,
                );
                let h = model.features(Tensor::cat(vec![xs, xt], 0));
                let label_loss = ys.loss(model.classify(h.clone().narrow(0, 0, ns)));
                let logits = model.discriminate(h, lambda);
                let (zs, zt) = (logits.clone().narrow(0, 0, ns), logits.narrow(0, ns, nt));
                let d_acc = domain_accuracy_tensor(zs.clone().inner(), zt.clone().inner());
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
        StepTensors {
            label_loss: label_loss.inner(),
            domain: domain.map(|(l, a)| (l.inner(), a)),
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
            self.data.n_features(),
            self.data.source().class_names().to_vec(),
            self.standardizer.clone(),
            self.device.clone(),
        )
        .with_images(self.images.clone())
        .with_schema(Some(Schema::of(self.data.source())))
        .with_regression(self.values.as_ref().map(|(_, s)| *s))
    }

    /// The finished model.
    pub fn finish(self) -> FittedDann<B::InnerBackend> {
        self.snapshot()
    }
}
