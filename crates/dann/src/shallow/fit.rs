//! Training the shallow network: epochs over the source, each source example paired with a
//! target example, either kernel, early stopping on a validation set.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::blocked;
use super::init::ShallowInit;
use super::model::ShallowDann;
use super::sparse::{Inputs, Scratch, Step};
use super::stopping::Stopping;
use crate::data::{Dataset, EndlessSampler, Features, Row};
use crate::error::{Error, Result, non_negative, positive};
use crate::metrics::accuracy;
use crate::problem::{Mode, TrainingPair};
use crate::training::Cancel;
use crate::training::listener::EXPLODED;

/// Settings of [`ShallowConfig::fit`]: the paper's Algorithm 1 when `batch_size == 1`. The
/// defaults are the authors' Amazon settings (their `DANN.py`): `mu = 1e-3`, their
/// initialisation (zero domain classifier), at most 200 epochs and their early stopping (ties
/// count as improvements; training goes on until epoch `max(30, 1.5 x best)`), 10% of the
/// source held out to stop on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShallowConfig {
    /// DANN or source-only (the paper's NN).
    pub mode: Mode,
    /// Hidden units.
    pub hidden: usize,
    /// Adaptation weight `lambda` of Algorithm 1 (constant).
    pub lambda: f64,
    /// Learning rate `mu` (constant, 1e-3 in the paper's Amazon experiment).
    pub lr: f64,
    /// Source examples per step (1: Algorithm 1); each is paired with a random target example.
    pub batch_size: usize,
    /// Passes over the source (upper bound when early stopping).
    pub epochs: usize,
    /// Early-stopping horizon in epochs (0: never stop early); how it is used depends on
    /// `stopping`.
    pub patience: usize,
    /// Early-stopping rule, when validating.
    pub stopping: Stopping,
    /// Seed of the initial weights and of the example order (and, in `dann train` and
    /// `dann select`, of the held-out split).
    pub seed: u64,
    /// How steps update the input weights (the result is the same up to float rounding).
    pub kernel: Kernel,
    /// Initial weights.
    pub init: ShallowInit,
    /// Fraction of the source (and of the target) that `dann train` and `dann select` hold
    /// out for early stopping and model selection (see [`crate::data::HoldOut`]); 0 trains
    /// on every row for `epochs` epochs. `fit` itself validates on the set it is given.
    pub validation: f64,
}

/// How [`ShallowConfig::fit`] updates the input weights `W`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// `Blocked` when source and target are dense with at least [`Kernel::BLOCKED_MIN_FEATURES`]
    /// features, else `Sparse`.
    #[default]
    Auto,
    /// Per step, touch the weight rows of each input's non-zero features: `O(nnz x hidden)`.
    Sparse,
    /// The same updates a block of steps at a time with dense matrix products (faer gemm);
    /// for dense, wide inputs such as mSDA features.
    Blocked,
}

impl Kernel {
    /// Input width from which `Auto` picks `Blocked` for dense data.
    pub const BLOCKED_MIN_FEATURES: usize = 256;

    /// The kernel `Auto` stands for on these data sets (others stand for themselves).
    pub fn resolve(self, source: &Dataset, target: &Dataset) -> Kernel {
        let dense = |d: &Dataset| matches!(d.features(), Features::Dense(_));
        match self {
            Kernel::Auto
                if dense(source)
                    && dense(target)
                    && source.n_features() >= Self::BLOCKED_MIN_FEATURES =>
            {
                Kernel::Blocked
            }
            Kernel::Auto => Kernel::Sparse,
            k => k,
        }
    }
}

impl Default for ShallowConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Dann,
            hidden: 100,
            lambda: 0.1,
            lr: 1e-3,
            batch_size: 1,
            epochs: 200,
            patience: 30,
            stopping: Stopping::Growing,
            seed: 0,
            kernel: Kernel::Auto,
            init: ShallowInit::Glorot,
            validation: 0.1,
        }
    }
}

impl ShallowConfig {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if self.hidden == 0 {
            return Err(Error::config("shallow.hidden", "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::config("shallow.batch_size", "must be at least 1"));
        }
        if self.epochs == 0 {
            return Err(Error::config("shallow.epochs", "must be at least 1"));
        }
        positive("shallow.lr", self.lr)?;
        non_negative("shallow.lambda", self.lambda)?;
        if !(0.0..1.0).contains(&self.validation) {
            return Err(Error::config(
                "shallow.validation",
                format!("must be in [0, 1), got {}", self.validation),
            ));
        }
        Ok(())
    }

    /// These settings for one DANN candidate: `mode = dann` with this hidden size, learning
    /// rate and lambda.
    pub fn dann_candidate(&self, hidden: usize, lr: f64, lambda: f64) -> Self {
        Self {
            mode: Mode::Dann,
            hidden,
            lr,
            lambda,
            ..self.clone()
        }
    }

    /// These settings for one source-only candidate: `mode = source_only`, `lambda = 0`, with
    /// this hidden size and learning rate.
    pub fn source_only_candidate(&self, hidden: usize, lr: f64) -> Self {
        Self {
            mode: Mode::SourceOnly,
            hidden,
            lr,
            lambda: 0.0,
            ..self.clone()
        }
    }

    /// Trains on labelled `source` and unlabelled `target`. With `validation` (labelled), the
    /// weights of the epoch with the lowest validation error are kept and training stops early
    /// as `stopping` says.
    pub fn fit(
        &self,
        source: &Dataset,
        target: &Dataset,
        validation: Option<&Dataset>,
    ) -> Result<ShallowFit> {
        self.fit_cancellable(source, target, validation, &Cancel::default())
    }

    /// [`fit`](Self::fit), stopping with [`Error::Cancelled`] at the first epoch that starts
    /// after `cancel` was raised.
    pub fn fit_cancellable(
        &self,
        source: &Dataset,
        target: &Dataset,
        validation: Option<&Dataset>,
        cancel: &Cancel,
    ) -> Result<ShallowFit> {
        self.check()?;
        let labels = TrainingPair::new(source, target)?.source_labels();
        let mut model = ShallowDann::with_init(
            source.n_features(),
            self.hidden,
            source.class_names().len(),
            self.seed,
            self.init,
        )?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x5ba1_1000);
        let mut targets = EndlessSampler::new(target.len(), self.seed ^ 0x5ba1_1001);
        let mut order: Vec<usize> = (0..source.len()).collect();
        let mut scratch = Scratch::default();
        let (lambda, domain_step) = match self.mode {
            Mode::Dann => (2.0 * self.lambda as f32, 2.0 * self.lambda as f32),
            Mode::SourceOnly => (0.0, 0.0),
        };
        let mut best: Option<(f64, ShallowDann, usize)> = None;
        let mut history = Vec::new();
        let kernel = self.kernel.resolve(source, target);
        let adversarial = self.mode == Mode::Dann;
        let rows_per_step = self.batch_size * if adversarial { 2 } else { 1 };
        let steps_per_block = match kernel {
            Kernel::Blocked => (blocked::BLOCK_ROWS / rows_per_step).max(1),
            _ => 1,
        };
        let inputs = Inputs {
            source,
            labels,
            target,
            lambda,
            domain_step,
            lr: self.lr as f32,
        };
        let mut blocks = blocked::Blocked::default();
        let mut src: Vec<(Row<'_>, usize)> = Vec::with_capacity(self.batch_size);
        let mut tgt: Vec<Row<'_>> = Vec::with_capacity(self.batch_size);
        let mut target_idx: Vec<usize> = Vec::new();
        // SGD steps over all epochs, for the iteration a divergence names.
        let mut iteration = 0usize;
        for epoch in 1..=self.epochs {
            cancel.check("training")?;
            order.shuffle(&mut rng);
            let (mut label_sum, mut domain_sum, mut steps) = (0.0f64, 0.0f64, 0usize);
            let mut on_step = |l: f32, d: f32| {
                iteration += 1;
                let bad = |v: f32| !v.is_finite() || f64::from(v) > EXPLODED;
                if bad(l) || bad(d) {
                    return Err(Error::Diverged {
                        iteration,
                        message: format!(
                            "shallow training, epoch {epoch}: label loss {l:e}, domain loss \
                             {d:e}; lower the learning rate (shallow.lr)"
                        ),
                    });
                }
                label_sum += f64::from(l);
                domain_sum += f64::from(d);
                steps += 1;
                Ok(())
            };
            for block in order.chunks(self.batch_size * steps_per_block) {
                // Reused across steps: this is the hot loop. Targets are drawn per step, in
                // the same order for both kernels.
                target_idx.clear();
                if adversarial {
                    target_idx.extend((0..block.len()).map(|_| targets.next().unwrap_or(0)));
                }
                if kernel == Kernel::Blocked {
                    let steps: Vec<Step<'_>> = block
                        .chunks(self.batch_size)
                        .enumerate()
                        .map(|(k, chunk)| Step {
                            source: chunk,
                            target: target_idx
                                .get(k * self.batch_size..k * self.batch_size + chunk.len())
                                .unwrap_or_default(),
                        })
                        .collect();
                    blocks.run(&mut model, &steps, &inputs, &mut scratch, &mut on_step)?;
                    continue;
                }
                let step = Step {
                    source: block,
                    target: &target_idx,
                };
                inputs.rows(&step, &mut src, &mut tgt);
                let (l, d) = model.step_with(
                    &src,
                    &tgt,
                    lambda,
                    domain_step,
                    self.lr as f32,
                    &mut scratch,
                );
                on_step(l, d)?;
            }
            let validation_error = validation.map(|v| {
                let truth = v.labels().unwrap_or_default();
                1.0 - accuracy(&model.predict(v), truth)
            });
            history.push(EpochRecord {
                epoch,
                label_loss: label_sum / steps as f64,
                domain_loss: (self.mode == Mode::Dann).then(|| domain_sum / steps as f64),
                validation_error,
            });
            if let Some(err) = validation_error {
                match &best {
                    Some((b, _, _)) if !self.stopping.improves(err, *b) => {}
                    _ => best = Some((err, model.clone(), epoch)),
                }
                let best_epoch = best.as_ref().map_or(epoch, |b| b.2);
                if self.stopping.stops(self.patience, epoch, best_epoch) {
                    break;
                }
            }
        }
        let (model, best_epoch) = match best {
            Some((_, m, e)) => (m, e),
            None => (model, history.len()),
        };
        Ok(ShallowFit {
            model,
            best_epoch,
            history,
        })
    }
}

/// Per-epoch training record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean label loss over the epoch's steps.
    pub label_loss: f64,
    /// Mean domain loss (DANN only).
    pub domain_loss: Option<f64>,
    /// Validation error after the epoch, when validating.
    pub validation_error: Option<f64>,
}

/// Result of [`ShallowConfig::fit`].
#[derive(Debug, Clone)]
pub struct ShallowFit {
    /// The kept model (best validation epoch, else the last).
    pub model: ShallowDann,
    /// Epoch the model comes from.
    pub best_epoch: usize,
    /// One record per epoch run.
    pub history: Vec<EpochRecord>,
}

impl ShallowFit {
    /// Validation error of the kept model, as recorded after its epoch (`None` without
    /// validation).
    pub fn validation_error(&self) -> Option<f64> {
        self.history
            .get(self.best_epoch.checked_sub(1)?)?
            .validation_error
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::testing::{random_dense_labelled, random_sparse};

    #[test]
    fn algorithm_1_learns_a_separable_task() {
        let rng = &mut ChaCha8Rng::seed_from_u64(5);
        let data = random_sparse(200, 20, rng);
        let labels: Vec<usize> = (0..200)
            .map(|i| {
                let mut row = [0.0; 20];
                data.features().write_row(i, &mut row);
                usize::from(row[0] + row[1] > row[2] + row[3])
            })
            .collect();
        let source = Dataset::labelled(
            data.features().clone(),
            labels,
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        let cfg = ShallowConfig {
            hidden: 20,
            lr: 0.05,
            epochs: 30,
            patience: 0,
            lambda: 0.05,
            ..Default::default()
        };
        let fit = cfg.fit(&source, &data, None).unwrap();
        let acc = crate::metrics::accuracy(&fit.model.predict(&source), source.labels().unwrap());
        assert!(acc > 0.9, "training accuracy {acc}");
        assert_eq!(fit.history.len(), 30);
        assert!(fit.history[29].label_loss < fit.history[0].label_loss);
    }

    /// `fit` keeps the epoch each rule names and stops where it says: the first lowest
    /// validation error (fixed) or the last (growing, ties included).
    #[test]
    fn fit_keeps_and_stops_as_the_rule_says() {
        let rng = &mut ChaCha8Rng::seed_from_u64(5);
        let source = random_dense_labelled(60, 8, rng);
        let target = random_dense_labelled(60, 8, rng).without_labels();
        // A small validation set: its error takes few values, so ties happen.
        let validation = random_dense_labelled(15, 8, rng);
        let mut saw_tie_after_best = false;
        for stopping in [Stopping::Fixed, Stopping::Growing] {
            let fit = ShallowConfig {
                hidden: 4,
                lr: 0.2,
                epochs: 60,
                patience: 8,
                stopping,
                ..Default::default()
            }
            .fit(&source, &target, Some(&validation))
            .unwrap();
            let errors: Vec<f64> = fit
                .history
                .iter()
                .map(|r| r.validation_error.unwrap())
                .collect();
            let min = errors.iter().copied().fold(f64::INFINITY, f64::min);
            let at_min: Vec<usize> = (1..=errors.len())
                .filter(|&e| errors[e - 1] == min)
                .collect();
            let expected_best = match stopping {
                Stopping::Fixed => at_min[0],
                Stopping::Growing => *at_min.last().unwrap(),
            };
            assert_eq!(fit.best_epoch, expected_best, "{stopping:?} {errors:?}");
            saw_tie_after_best |= at_min.len() > 1;
            // The run ends at the first epoch the rule stops at (or at `epochs`).
            let mut best = (f64::INFINITY, 0);
            let mut stop = 60;
            for (i, &err) in errors.iter().enumerate() {
                if stopping.improves(err, best.0) {
                    best = (err, i + 1);
                }
                if stopping.stops(8, i + 1, best.1) {
                    stop = i + 1;
                    break;
                }
            }
            assert_eq!(fit.history.len(), stop, "{stopping:?}");
            let kept = 1.0
                - crate::metrics::accuracy(
                    &fit.model.predict(&validation),
                    validation.labels().unwrap(),
                );
            assert_eq!(kept, min);
            assert_eq!(fit.validation_error(), Some(min));
        }
        assert!(saw_tie_after_best, "the data should produce a tie");
    }
}
