//! [`Dann`]: the whole settings of a run, and `fit` on the engine they resolve to: burn's
//! [`Trainer`] or, for the paper's shallow network, the hand-written kernels
//! ([`shallow::fit_iterations`]). Either way the result is one [`FittedDann`], saved, loaded
//! and used the same way.

use burn::tensor::backend::{AutodiffBackend, Backend};
use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Schema, Standardizer};
use crate::deep::checkpoint::Checkpoints;
use crate::deep::fitted::FittedDann;
use crate::deep::model::DannConfig;
use crate::deep::trainer::Trainer;
use crate::error::{Error, Result};
use crate::metrics::argmax;
use crate::nn::mlp::linear_from_values;
use crate::problem::Mode;
use crate::shallow::{self, IterationsFit};
use crate::training::config::{Engine, TrainConfig};
use crate::training::label_shift::{Confidence, LabelShiftCheck};
use crate::training::listener::{MetricsRecord, StepOutput, TrainListener};

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

    /// The engine that trains these settings: [`Engine::Shallow`] or [`Engine::Burn`] (`Auto`
    /// resolved: the kernels whenever they can run the network and the optimiser, see
    /// [`shallow::unsupported`]). An explicit `shallow` the kernels cannot run is an error
    /// that says why.
    pub fn engine(&self) -> Result<Engine> {
        match self.train.engine {
            Engine::Burn => Ok(Engine::Burn),
            Engine::Shallow => {
                shallow::check_supported(&self.model, &self.train)?;
                Ok(Engine::Shallow)
            }
            Engine::Auto => match shallow::unsupported(&self.model, &self.train) {
                None => Ok(Engine::Shallow),
                Some(_) => Ok(Engine::Burn),
            },
        }
    }

    /// Checks that these settings can checkpoint when `train.checkpoint_every` asks for it:
    /// only the burn engine does.
    pub fn check_checkpoints(&self) -> Result<()> {
        if self.train.checkpoint_every > 0 && self.engine()? == Engine::Shallow {
            return Err(self.checkpoint_error());
        }
        Ok(())
    }

    fn checkpoint_error(&self) -> Error {
        Error::config(
            "train.checkpoint_every",
            "only the burn engine checkpoints, and these settings train on the shallow kernels \
             (which run the paper's network in seconds to minutes); set train.engine = \"burn\" \
             to checkpoint, or remove checkpoint_every",
        )
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
    /// `log_every` iterations a [`MetricsRecord`](crate::MetricsRecord) with source accuracy and, when `target_test`
    /// (labelled) is given, target accuracy. `target_test` is only measured, never trained on.
    pub fn fit_with<B: AutodiffBackend>(
        &self,
        source: &Dataset,
        target: &Dataset,
        target_test: Option<&Dataset>,
        listener: &mut dyn TrainListener,
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        self.fit_inner::<B>(source, target, target_test, listener, (None, None), device)
    }

    /// Like [`fit_with`](Self::fit_with), starting from `init`'s weights, input
    /// standardisation and image preprocessing (retraining a model when the target moves):
    /// `init` must have these settings' architecture, and `source` its inputs and classes
    /// (read it with [`FittedDann::read`] to get its columns). Trains on burn, whatever
    /// `train.engine` says, unless that is `shallow`, which is an error. With `checkpoints`,
    /// saves and resumes as [`fit_resumable`](Self::fit_resumable).
    #[allow(clippy::too_many_arguments)]
    pub fn fit_from<B: AutodiffBackend>(
        &self,
        init: &FittedDann<B::InnerBackend>,
        source: &Dataset,
        target: &Dataset,
        target_test: Option<&Dataset>,
        listener: &mut dyn TrainListener,
        checkpoints: Option<&Checkpoints>,
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        if self.train.engine == Engine::Shallow {
            return Err(Error::config(
                "train.engine",
                "is \"shallow\", but a run that starts from a model (--init) trains on burn: \
                 set it to \"auto\" or \"burn\"",
            ));
        }
        self.fit_inner::<B>(
            source,
            target,
            target_test,
            listener,
            (checkpoints, Some(init)),
            device,
        )
    }

    /// Like [`fit_with`](Self::fit_with), saving a checkpoint to `checkpoints` every
    /// `train.checkpoint_every` iterations and, when the folder already holds one (a run of
    /// the same settings on the same data that was stopped), continuing from it: the result
    /// is the model of an uninterrupted run. The listener hears only the iterations run
    /// now. Only the burn engine checkpoints: with the shallow kernels this is an error.
    pub fn fit_resumable<B: AutodiffBackend>(
        &self,
        source: &Dataset,
        target: &Dataset,
        target_test: Option<&Dataset>,
        listener: &mut dyn TrainListener,
        checkpoints: &Checkpoints,
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        self.fit_inner::<B>(
            source,
            target,
            target_test,
            listener,
            (Some(checkpoints), None),
            device,
        )
    }

    /// Trains as [`fit_plain`](Self::fit_plain) does, then the label-shift check when the
    /// settings ask for it (`train.max_label_shift < 1`, DANN mode, a fresh run): the
    /// source-only network with the same settings; when its predicted class proportions on
    /// the target are too far from the source's, it is the result instead of DANN.
    fn fit_inner<B: AutodiffBackend>(
        &self,
        source: &Dataset,
        target: &Dataset,
        target_test: Option<&Dataset>,
        listener: &mut dyn TrainListener,
        (checkpoints, init): (Option<&Checkpoints>, Option<&FittedDann<B::InnerBackend>>),
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        let start = (checkpoints, init);
        if !self.train.checks_label_shift() || checkpoints.is_some() || init.is_some() {
            return self.fit_plain::<B>(source, target, target_test, listener, start, device);
        }
        self.check()?;
        let labels = source.require_labels("the source data")?;
        // DANN first (a run that diverges stops here, as without the check), its steps heard
        // at once, its records held back until it is kept.
        let mut dann_listener = HeldRecords::new(listener);
        let fitted = self.fit_plain::<B>(
            source,
            target,
            target_test,
            &mut dann_listener,
            start,
            device,
        )?;
        let dann_records = dann_listener.records;
        let source_only = Dann {
            model: self.model.clone(),
            train: TrainConfig {
                mode: Mode::SourceOnly,
                ..self.train.clone()
            },
        };
        let mut records: Vec<MetricsRecord> = Vec::new();
        let baseline = source_only.fit_plain::<B>(
            source,
            target,
            target_test,
            &mut records,
            (None, None),
            device,
        )?;
        let k = source.class_names().len();
        let on_target = baseline.predict_proba(&baseline.prepare(target.clone())?)?;
        let on_source = baseline.predict_proba(&baseline.prepare(source.clone())?)?;
        let confidence = Confidence::of(on_source.as_slice(), on_target.as_slice(), k);
        let on_target: Vec<usize> = (0..on_target.n_rows())
            .map(|i| argmax(on_target.row(i)))
            .collect();
        let dann = fitted.predict(&fitted.prepare(target.clone())?)?;
        let threshold = self.train.max_label_shift;
        let check = LabelShiftCheck::new(labels, &on_target, k, threshold, Some(confidence))
            .with_dann(&dann, &on_target)
            .with_target_accuracy(
                last_target_accuracy(&dann_records),
                last_target_accuracy(&records),
            );
        let (model, kept) = if check.dann_kept {
            (fitted, dann_records)
        } else {
            (baseline, records)
        };
        for r in &kept {
            listener.on_record(r);
        }
        Ok(model.with_label_shift(Some(check)))
    }

    fn fit_plain<B: AutodiffBackend>(
        &self,
        source: &Dataset,
        target: &Dataset,
        target_test: Option<&Dataset>,
        listener: &mut dyn TrainListener,
        (checkpoints, init): (Option<&Checkpoints>, Option<&FittedDann<B::InnerBackend>>),
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        self.check()?;
        let schema = Schema::of(source);
        // Image preprocessing: fitted on the training images (or `init`'s), applied to every
        // set here and saved with the model (which applies it in `prepare`).
        let images = match (init, &self.train.images) {
            (Some(init), _) => init.spec().images.clone(),
            (None, Some(prep)) => Some(prep.fit(&[source, target])?),
            (None, None) => None,
        };
        let transformed = match &images {
            Some(prep) => Some((
                prep.transform(source)?,
                prep.transform(target)?,
                target_test.map(|t| prep.transform(t)).transpose()?,
            )),
            None => None,
        };
        let (source, target, target_test) = match &transformed {
            Some((s, t, tt)) => (s, t, tt.as_ref()),
            None => (source, target, target_test),
        };
        let engine = match init {
            Some(_) => Engine::Burn,
            None => self.engine()?,
        };
        let fitted = match engine {
            Engine::Shallow if checkpoints.is_some() => {
                return Err(self.checkpoint_error());
            }
            Engine::Shallow => {
                let fit = shallow::fit_iterations(
                    &self.model,
                    &self.train,
                    source,
                    target,
                    target_test,
                    listener,
                )?;
                into_fitted(fit, &self.model, source, device)?
            }
            _ => {
                let trainer = Trainer::<B>::new(&self.model, &self.train, source, target, device)?
                    .with_target_test(target_test)?
                    .with_images(images.clone());
                let trainer = match init {
                    Some(init) => trainer.with_init(init)?,
                    None => trainer,
                };
                match checkpoints {
                    Some(c) => trainer
                        .with_checkpoints(c.clone())
                        .resume()?
                        .fit(listener)?,
                    None => trainer.fit(listener)?,
                }
            }
        };
        Ok(fitted.with_images(images).with_schema(Some(schema)))
    }
}

/// Passes a run's steps on to `inner` at once and keeps its records.
struct HeldRecords<'a> {
    inner: &'a mut dyn TrainListener,
    records: Vec<MetricsRecord>,
}

impl<'a> HeldRecords<'a> {
    fn new(inner: &'a mut dyn TrainListener) -> Self {
        Self {
            inner,
            records: Vec::new(),
        }
    }
}

impl TrainListener for HeldRecords<'_> {
    fn on_step(&mut self, iteration: usize, total: usize, output: &StepOutput) {
        self.inner.on_step(iteration, total, output);
    }

    fn on_record(&mut self, record: &MetricsRecord) {
        self.records.push(record.clone());
    }

    fn interrupted(&mut self) -> bool {
        self.inner.interrupted()
    }
}

/// The kernels' network as the burn model it is (`DannConfig::shallow`: the weight layouts
/// agree), on `device`, with the standardisation it was trained behind.
fn into_fitted<B: Backend>(
    fit: IterationsFit,
    config: &DannConfig,
    source: &Dataset,
    device: &B::Device,
) -> Result<FittedDann<B>> {
    fitted_from_shallow(
        &fit.model,
        config,
        source.class_names().to_vec(),
        fit.standardizer,
        device,
    )
}

/// A shallow network ([`shallow::ShallowDann`], e.g. from
/// [`ShallowConfig::fit`](shallow::ShallowConfig::fit)) as a [`FittedDann`] of architecture
/// `config` (one sigmoid hidden layer of the network's size, as
/// [`DannConfig::shallow`]), saved, loaded and used as every trained model is.
/// `standardizer`, if any, is what the network's inputs went through.
pub fn fitted_from_shallow<B: Backend>(
    net: &shallow::ShallowDann,
    config: &DannConfig,
    class_names: Vec<String>,
    standardizer: Option<Standardizer>,
    device: &B::Device,
) -> Result<FittedDann<B>> {
    let (d, h, c) = (net.n_features(), net.hidden(), net.n_classes());
    shallow::check_supported(config, &TrainConfig::default())?;
    if config.feature.hidden != [h] {
        return Err(Error::config(
            "model.feature.hidden",
            format!(
                "is {:?}, the network has one layer of {h}",
                config.feature.hidden
            ),
        ));
    }
    if class_names.len() != c {
        return Err(Error::Data(format!(
            "{} class names for a network with {c} outputs",
            class_names.len()
        )));
    }
    let p = net.parameters();
    let mut model = config.init::<B>(d, c, 0, device)?;
    model.feature.layers[0] = linear_from_values(d, h, p.w.to_vec(), p.b.to_vec(), device);
    model.label_out = linear_from_values(h, c, p.v.to_vec(), p.c.to_vec(), device);
    model.domain_out = linear_from_values(h, 1, p.u.to_vec(), vec![p.d], device);
    Ok(FittedDann::new(
        model,
        config.clone(),
        d,
        class_names,
        standardizer,
        device.clone(),
    ))
}

/// The target accuracy of a run's last record, when it measured one.
fn last_target_accuracy(records: &[MetricsRecord]) -> Option<f64> {
    records.last().and_then(|r| r.target_accuracy)
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::backend::{CpuAutodiff, CpuBackend};
    use crate::data::{DenseMatrix, Features};
    use crate::testing::random_dense_labelled;

    /// `n` rows like [`random_dense_labelled`]'s, a share `positive` of them with a positive
    /// first feature (class `b`).
    fn shifted(n: usize, positive: f64, rng: &mut ChaCha8Rng) -> Dataset {
        let d = 3;
        let mut values = Vec::with_capacity(n * d);
        for _ in 0..n {
            let sign = if rng.random_bool(positive) { 1.0 } else { -1.0 };
            values.push(sign * rng.random_range(0.05..1.0f32));
            values.extend((1..d).map(|_| rng.random_range(-1.0..1.0f32)));
        }
        Dataset::unlabelled(Features::Dense(DenseMatrix::new(n, d, values).unwrap()))
    }

    fn settings(max_label_shift: f64) -> Dann {
        Dann {
            model: DannConfig::shallow(8),
            train: TrainConfig {
                iterations: 300,
                max_label_shift,
                ..TrainConfig::default()
            },
        }
    }

    #[test]
    fn a_label_shift_keeps_the_source_only_network_and_none_trains_dann() {
        let rng = &mut ChaCha8Rng::seed_from_u64(5);
        let source = random_dense_labelled(300, 3, rng);
        let device = Default::default();
        let fit = |dann: &Dann, target: &Dataset| {
            dann.fit::<CpuAutodiff>(&source, target, &device).unwrap()
        };
        let predict = |m: &FittedDann<CpuBackend>, data: &Dataset| {
            m.predict(&m.prepare(data.clone()).unwrap()).unwrap()
        };
        // 90% of the target in class b: the source-only network is the result.
        let target = shifted(300, 0.9, rng);
        let model = fit(&settings(0.3), &target);
        let check = model.label_shift().unwrap().clone();
        assert!(!check.dann_kept, "{check:?}");
        assert!(check.distance > 0.3, "{check:?}");
        assert!(check.confidence.is_some_and(|c| !c.dropped()), "{check:?}");
        let mut source_only = settings(0.3);
        source_only.train.mode = Mode::SourceOnly;
        let direct = fit(&source_only, &target);
        assert_eq!(predict(&model, &target), predict(&direct, &target));
        assert!(
            direct.label_shift().is_none(),
            "source-only mode checks nothing"
        );
        // The same target with the check off: DANN, another model.
        let dann = fit(&settings(1.0), &target);
        assert!(dann.label_shift().is_none());
        assert_ne!(predict(&dann, &target), predict(&direct, &target));
        // Classes in the source's proportions: DANN is trained, compared with source-only.
        let balanced = shifted(300, 0.5, rng);
        let model = fit(&settings(0.3), &balanced);
        let check = model.label_shift().unwrap();
        assert!(check.dann_kept, "{check:?}");
        assert!(check.distance <= 0.3);
        let agreement = check.agreement.unwrap();
        assert!((0.0..=1.0).contains(&agreement));
        let shares = check.dann_on_target.as_ref().unwrap();
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
}
