//! What training reports: each step's [`StepOutput`], and every `log_every` iterations a
//! [`MetricsRecord`] (a line of `metrics.jsonl`), both delivered to a [`TrainListener`].

use serde::{Deserialize, Serialize};

use super::schedule;
use crate::error::{Error, Result};
use crate::problem::Task;

/// What one training step measured (the losses are the batch means before the update).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepOutput {
    /// Cross-entropy of the label predictor on the source rows.
    pub label_loss: f64,
    /// Domain term of the objective, [`crate::nn::loss::domain_loss`]: mean logistic loss on the
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
/// measured at this iteration. In a regression the measure is R^2 instead of accuracy, and
/// the file names it so (`source_r2`, `target_r2` in place of `source_accuracy`,
/// `target_accuracy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "RecordLine", try_from = "RecordLine")]
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
    /// Accuracy (R^2 in a regression) on (up to `monitor_rows` of) the labelled source.
    pub source_accuracy: f64,
    /// Accuracy (R^2 in a regression) on the labelled target test set, when one was given.
    pub target_accuracy: Option<f64>,
    /// `lambda_p` of the last step.
    pub lambda: f64,
    /// `mu_p` of the last step.
    pub lr: f64,
    /// What was trained: the accuracies are R^2 in a regression.
    pub task: Task,
}

impl MetricsRecord {
    /// The record as one progress line, as `dann train` prints it: `iter N: label loss ...,
    /// domain loss ... acc ..., source acc ..., target acc ..., lambda ..., lr ...` (R^2 in
    /// place of acc for a regression; the domain and target parts only when measured).
    pub fn progress_line(&self) -> String {
        let measure = match self.task {
            crate::problem::Task::Classification => "acc",
            crate::problem::Task::Regression => "R^2",
        };
        let target = self
            .target_accuracy
            .map(|a| format!(", target {measure} {a:.3}"))
            .unwrap_or_default();
        let domain = match (self.domain_loss, self.domain_accuracy) {
            (Some(l), Some(a)) => format!(", domain loss {l:.4} acc {a:.3}"),
            _ => String::new(),
        };
        format!(
            "iter {:>7}: label loss {:.4}{domain}, source {measure} {:.3}{target}, lambda {:.3}, lr {:.2e}",
            self.iteration, self.label_loss, self.source_accuracy, self.lambda, self.lr
        )
    }

    /// What the source and target measures are called: `accuracy`, or `R^2`.
    pub fn measure(&self) -> &'static str {
        match self.task {
            Task::Classification => "accuracy",
            Task::Regression => "R^2",
        }
    }
}

/// [`MetricsRecord`] as a line of `metrics.jsonl`: the measures named by the task.
#[derive(Serialize, Deserialize)]
struct RecordLine {
    iteration: usize,
    progress: f64,
    label_loss: f64,
    domain_loss: Option<f64>,
    domain_accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target_accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_r2: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target_r2: Option<f64>,
    lambda: f64,
    lr: f64,
}

impl From<MetricsRecord> for RecordLine {
    fn from(r: MetricsRecord) -> Self {
        let regression = r.task == Task::Regression;
        let (source, target) = (Some(r.source_accuracy), r.target_accuracy);
        Self {
            iteration: r.iteration,
            progress: r.progress,
            label_loss: r.label_loss,
            domain_loss: r.domain_loss,
            domain_accuracy: r.domain_accuracy,
            source_accuracy: source.filter(|_| !regression),
            target_accuracy: target.filter(|_| !regression),
            source_r2: source.filter(|_| regression),
            target_r2: target.filter(|_| regression),
            lambda: r.lambda,
            lr: r.lr,
        }
    }
}

impl TryFrom<RecordLine> for MetricsRecord {
    type Error = &'static str;

    fn try_from(l: RecordLine) -> std::result::Result<Self, Self::Error> {
        let source = l
            .source_r2
            .or(l.source_accuracy)
            .ok_or("missing field `source_accuracy`")?;
        let task = match l.source_r2 {
            Some(_) => Task::Regression,
            None => Task::Classification,
        };
        Ok(Self {
            iteration: l.iteration,
            progress: l.progress,
            label_loss: l.label_loss,
            domain_loss: l.domain_loss,
            domain_accuracy: l.domain_accuracy,
            source_accuracy: source,
            target_accuracy: l.target_r2.or(l.target_accuracy),
            lambda: l.lambda,
            lr: l.lr,
            task,
        })
    }
}

/// Receives progress during [`crate::Dann::fit_with`].
pub trait TrainListener {
    /// After every step.
    fn on_step(&mut self, _iteration: usize, _total: usize, _output: &StepOutput) {}
    /// At every record (see [`TrainConfig::log_every`](super::TrainConfig::log_every)).
    fn on_record(&mut self, _record: &MetricsRecord) {}
    /// Asked after every step: `true` stops training with [`Error::Interrupted`] (e.g. the
    /// Python front's Ctrl-C). Keep it cheap.
    fn interrupted(&mut self) -> bool {
        false
    }
}

/// A listener that ignores everything.
impl TrainListener for () {}

/// Collects every record (handy in tests and scripts).
impl TrainListener for Vec<MetricsRecord> {
    fn on_record(&mut self, record: &MetricsRecord) {
        self.push(record.clone());
    }
}

/// A borrowed listener listens as the listener itself.
impl<L: TrainListener + ?Sized> TrainListener for &mut L {
    fn on_step(&mut self, iteration: usize, total: usize, output: &StepOutput) {
        (**self).on_step(iteration, total, output);
    }

    fn on_record(&mut self, record: &MetricsRecord) {
        (**self).on_record(record);
    }

    fn interrupted(&mut self) -> bool {
        (**self).interrupted()
    }
}

/// Sends every event to both listeners, the first one first.
impl<L1: TrainListener, L2: TrainListener> TrainListener for (L1, L2) {
    fn on_step(&mut self, iteration: usize, total: usize, output: &StepOutput) {
        self.0.on_step(iteration, total, output);
        self.1.on_step(iteration, total, output);
    }

    fn on_record(&mut self, record: &MetricsRecord) {
        self.0.on_record(record);
        self.1.on_record(record);
    }

    fn interrupted(&mut self) -> bool {
        self.0.interrupted() || self.1.interrupted()
    }
}

impl StepOutput {
    /// Fails when a loss is not finite: training diverged at iteration `it`.
    pub(crate) fn check_finite(&self, it: usize) -> Result<()> {
        // Not finite, or exploded: a mean cross-entropy above EXPLODED needs logits thousands
        // apart, which no converging run reaches (sigmoid units saturate instead of giving
        // NaN, so a diverged sigmoid network shows up here and not as NaN).
        let bad = |l: f64| !l.is_finite() || l > EXPLODED;
        if bad(self.label_loss) || self.domain_loss.is_some_and(bad) {
            let domain = self
                .domain_loss
                .map_or(String::new(), |l| format!(", domain loss {l:e}"));
            return Err(Error::Diverged {
                iteration: it,
                message: format!(
                    "label loss {:e}{domain}; lower the learning rate (train.lr) or standardise \
                     the inputs (train.standardize)",
                    self.label_loss
                ),
            });
        }
        Ok(())
    }
}

/// A loss above this is divergence (see [`StepOutput::check_finite`]).
pub(crate) const EXPLODED: f64 = 1e4;

/// Sums of the step outputs since the last record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct StepSums {
    n: usize,
    label_loss: f64,
    domain_loss: f64,
    domain_accuracy: f64,
}

impl StepSums {
    pub(crate) fn add(&mut self, out: &StepOutput) {
        self.n += 1;
        self.label_loss += out.label_loss;
        self.domain_loss += out.domain_loss.unwrap_or(0.0);
        self.domain_accuracy += out.domain_accuracy.unwrap_or(0.0);
    }

    /// Adds `n` steps whose mean output was `out`.
    pub(crate) fn add_steps(&mut self, out: &StepOutput, n: usize) {
        let w = n as f64;
        self.n += n;
        self.label_loss += out.label_loss * w;
        self.domain_loss += out.domain_loss.unwrap_or(0.0) * w;
        self.domain_accuracy += out.domain_accuracy.unwrap_or(0.0) * w;
    }

    pub(crate) fn record(
        &self,
        iteration: usize,
        total: usize,
        (source_accuracy, target_accuracy): (f64, Option<f64>),
        task: Task,
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
            task,
        }
    }
}
