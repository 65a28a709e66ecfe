//! The burn trainer's run on the kernels: for the shallow network, [`fit_iterations`] follows
//! [`crate::deep::Trainer`] step for step (the same initial weights, batch streams, lambda
//! and learning-rate schedules, SGD with momentum, input standardisation and metrics
//! records), with the sparse kernels instead of dense tensors.

use std::borrow::Cow;

use super::init::ShallowInit;
use super::model::ShallowDann;
use super::momentum::Momentum;
use super::sparse::Scratch;
use crate::data::{Dataset, EndlessSampler, Row, Standardizer};
use crate::deep::model::DannConfig;
use crate::error::{Error, Result};
use crate::nn::mlp::Activation;
use crate::problem::{Mode, TrainingPair};
use crate::training::config::{OptimizerConfig, TrainConfig};
use crate::training::listener::{StepOutput, StepSums, TrainListener};
use crate::training::monitor::Monitor;
use crate::training::schedule::progress;

/// Why the kernels cannot train `model` with `train`, or `None` when they can: they run one
/// sigmoid hidden layer without dropout, softmax and logistic heads directly on it, and
/// plain SGD with momentum.
pub fn unsupported(model: &DannConfig, train: &TrainConfig) -> Option<String> {
    if train.task == crate::problem::Task::Regression {
        return Some("train.task is regression: the kernels classify".into());
    }
    if model.conv.is_some() {
        return Some("model.conv is set: the kernels run no convolutions".into());
    }
    if model.feature.hidden.len() != 1 {
        return Some(format!(
            "model.feature.hidden has {} layers, the kernels run exactly 1",
            model.feature.hidden.len()
        ));
    }
    if model.feature.activation != Activation::Sigmoid {
        return Some("model.feature.activation is not sigmoid".into());
    }
    if model.feature.dropout != 0.0 {
        return Some("model.feature.dropout is not 0".into());
    }
    if !model.label.hidden.is_empty() || !model.domain.hidden.is_empty() {
        return Some("model.label or model.domain has hidden layers".into());
    }
    if train.images.as_ref().is_some_and(|p| p.noise > 0.0) {
        return Some("train.images.noise is not 0: the kernels add no input noise".into());
    }
    match train.optimizer {
        OptimizerConfig::Sgd { weight_decay, .. } if weight_decay != 0.0 => {
            Some("train.optimizer.weight_decay is not 0".into())
        }
        OptimizerConfig::Sgd { .. } => None,
        OptimizerConfig::Adam { .. } => Some("train.optimizer is adam, the kernels run sgd".into()),
    }
}

/// Fails, naming the setting, when the kernels cannot run these settings (see
/// [`unsupported`]).
pub fn check_supported(model: &DannConfig, train: &TrainConfig) -> Result<()> {
    match unsupported(model, train) {
        Some(why) => Err(Error::config(
            "train.engine",
            format!("the shallow engine cannot run these settings: {why}"),
        )),
        None => Ok(()),
    }
}

/// What [`fit_iterations`] trained: the network (on standardised inputs when the settings
/// standardise) and the standardisation.
#[derive(Debug, Clone)]
pub struct IterationsFit {
    /// The network.
    pub model: ShallowDann,
    /// Input standardisation fitted on the training rows, if any.
    pub standardizer: Option<Standardizer>,
}

/// Trains the shallow network `model` with `train` as [`crate::deep::Trainer`] would,
/// reporting to `listener` the same steps and records (accuracy on `target_test`, labelled,
/// when given). Fails as [`check_supported`] does.
pub fn fit_iterations(
    model: &DannConfig,
    train: &TrainConfig,
    source: &Dataset,
    target: &Dataset,
    target_test: Option<&Dataset>,
    listener: &mut dyn TrainListener,
) -> Result<IterationsFit> {
    model.check()?;
    train.check()?;
    check_supported(model, train)?;
    let pair = TrainingPair::new(source, target)?;
    let standardizer = train
        .standardize
        .resolve(source)
        .then(|| Standardizer::fit(&[source, target]));
    let (source_in, target_in): (Cow<'_, Dataset>, Cow<'_, Dataset>) = match &standardizer {
        Some(s) => (
            Cow::Owned(s.transform(source)?),
            Cow::Owned(s.transform(target)?),
        ),
        None => (Cow::Borrowed(source), Cow::Borrowed(target)),
    };
    let mut monitor = Monitor::new(source, train.monitor_rows, train.task)
        .with_target_test(source, target_test)?;
    if let Some(s) = &standardizer {
        monitor = monitor.map(|d| s.transform(d))?;
    }
    let mut net = ShallowDann::with_init(
        pair.n_features(),
        model.feature.hidden[0],
        pair.n_classes(),
        train.seed,
        ShallowInit::Burn,
    )?;
    let mut momentum = match train.optimizer {
        OptimizerConfig::Sgd { momentum, .. } if momentum > 0.0 => {
            Some(Momentum::new(&net, momentum))
        }
        _ => None,
    };
    // The burn trainer's streams: the same seeds give the same batches.
    let mut source_stream = EndlessSampler::new(source.len(), train.seed ^ 0x5eed_0001);
    let mut target_stream = EndlessSampler::new(target.len(), train.seed ^ 0x5eed_0002);
    let (ns, nt) = train.split_batch();
    let adversarial = train.mode == Mode::Dann;
    let labels = pair.source_labels();
    let total = train.iterations;
    let lambda_schedule = train.lambda.for_data(source);
    let (mut rows, mut src, mut tgt) = (Vec::new(), Vec::new(), Vec::<Row<'_>>::new());
    let mut scratch = Scratch::default();
    let mut sums = StepSums::default();
    for it in 1..=total {
        let p = progress(it - 1, total);
        let lambda = if adversarial {
            lambda_schedule.value(p)
        } else {
            0.0
        };
        let lr = train.lr.value(p);
        source_stream.next_batch(ns, &mut rows);
        src.clear();
        src.extend(rows.iter().map(|&i| (source_in.row(i), labels[i])));
        tgt.clear();
        if adversarial {
            target_stream.next_batch(nt, &mut rows);
            tgt.extend(rows.iter().map(|&i| target_in.row(i)));
        }
        let (label_loss, domain_loss) = match &mut momentum {
            Some(m) => m.step(&mut net, &src, &tgt, lambda as f32, lr as f32, &mut scratch),
            // The burn model's objective: reversal weight lambda, G_d on its plain gradient.
            None => net.step_with(&src, &tgt, lambda as f32, 1.0, lr as f32, &mut scratch),
        };
        let out = StepOutput {
            label_loss: f64::from(label_loss),
            domain_loss: adversarial.then_some(f64::from(domain_loss)),
            domain_accuracy: adversarial
                .then(|| scratch.domain_right as f64 / (src.len() + tgt.len()) as f64),
            lambda,
            lr,
        };
        out.check_finite(it)?;
        listener.on_step(it, total, &out);
        if listener.interrupted() {
            return Err(Error::Interrupted { iteration: it });
        }
        sums.add(&out);
        if train.records_at(it) {
            if let Some(m) = &mut momentum {
                m.sync_all(&mut net);
            }
            let (source_accuracy, target_accuracy) = monitor.accuracies(|d| Ok(net.predict(d)))?;
            let record = std::mem::take(&mut sums).record(
                it,
                total,
                (source_accuracy, target_accuracy),
                train.task,
                &out,
            );
            listener.on_record(&record);
        }
    }
    if let Some(m) = &mut momentum {
        m.sync_all(&mut net);
    }
    Ok(IterationsFit {
        model: net,
        standardizer,
    })
}
