//! The inter-twinning moons toy problem (Ganin et al., JMLR 2016, sec. 5.1.1).
//!
//! Source: two moons (scikit-learn's `make_moons` construction), one class each, centred on
//! the source mean and scaled by 2 as in the authors' code. Target: a fresh sample with the
//! same transform, rotated by `angle_degrees` (35 in the paper) counter-clockwise around the
//! origin. The paper draws 150 examples per class; the official script draws 150 in total.

use burn::tensor::backend::AutodiffBackend;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::data::{Dataset, DenseMatrix, Features};
use crate::deep::fitted::FittedDann;
use crate::deep::model::DannConfig;
use crate::error::{Error, Result, non_negative};
use crate::learner::{Dann, fitted_from_shallow};
use crate::problem::Mode;
use crate::shallow::ShallowConfig;
use crate::training::config::{Standardize, TrainConfig};
use crate::training::schedule::{LambdaSchedule, LrSchedule};

/// Settings of the moons problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MoonsConfig {
    /// Examples per class in each sample.
    pub n_per_class: usize,
    /// Standard deviation of the Gaussian noise added to each coordinate.
    pub noise: f64,
    /// Rotation of the target domain, in degrees.
    pub angle_degrees: f64,
    /// Seed of the samples.
    pub seed: u64,
}

impl Default for MoonsConfig {
    fn default() -> Self {
        Self {
            n_per_class: 150,
            noise: 0.05,
            angle_degrees: 35.0,
            seed: 0,
        }
    }
}

/// Source (labelled), target (the unlabelled training sample) and target test (a further
/// labelled sample from the target distribution, for evaluation only).
#[derive(Debug, Clone)]
pub struct MoonsProblem {
    /// Labelled source sample.
    pub source: Dataset,
    /// Unlabelled target sample, seen during training.
    pub target: Dataset,
    /// Labelled target sample, never seen during training.
    pub target_test: Dataset,
}

impl MoonsConfig {
    /// Draws the three samples.
    pub fn generate(&self) -> Result<MoonsProblem> {
        if self.n_per_class == 0 {
            return Err(Error::config("moons.n_per_class", "must be at least 1"));
        }
        non_negative("moons.noise", self.noise)?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let (mut xs, ys) = make_moons(self.n_per_class, self.noise, &mut rng);
        let (mut xt, yt) = make_moons(self.n_per_class, self.noise, &mut rng);
        let (mut xv, yv) = make_moons(self.n_per_class, self.noise, &mut rng);
        let n = xs.len() as f64;
        let mean = [
            xs.iter().map(|p| p[0]).sum::<f64>() / n,
            xs.iter().map(|p| p[1]).sum::<f64>() / n,
        ];
        let (sin, cos) = self.angle_degrees.to_radians().sin_cos();
        for (points, rotate) in [(&mut xs, false), (&mut xt, true), (&mut xv, true)] {
            for p in points.iter_mut() {
                let (x, y) = (2.0 * (p[0] - mean[0]), 2.0 * (p[1] - mean[1]));
                *p = if rotate {
                    [cos * x - sin * y, sin * x + cos * y]
                } else {
                    [x, y]
                };
            }
        }
        let to_ds = |points: Vec<[f64; 2]>, labels: Vec<usize>| -> Result<Dataset> {
            let data = points
                .iter()
                .flat_map(|p| [p[0] as f32, p[1] as f32])
                .collect();
            let features = Features::Dense(DenseMatrix::new(points.len(), 2, data)?);
            Dataset::labelled(features, labels, vec!["0".into(), "1".into()])
        };
        Ok(MoonsProblem {
            source: to_ds(xs, ys)?,
            target: to_ds(xt, yt)?.without_labels(),
            target_test: to_ds(xv, yv)?,
        })
    }
}

/// Two interleaving half circles as in scikit-learn's `make_moons`: class 0 on the upper arc
/// `(cos t, sin t)`, class 1 on the lower arc `(1 - cos t, 1 - sin t - 0.5)`, `t` evenly
/// spaced in `[0, pi]`, plus Gaussian noise.
pub fn make_moons(
    n_per_class: usize,
    noise: f64,
    rng: &mut ChaCha8Rng,
) -> (Vec<[f64; 2]>, Vec<usize>) {
    let normal = Normal::new(0.0, noise.max(0.0)).expect("finite noise");
    let mut points = Vec::with_capacity(2 * n_per_class);
    let mut labels = Vec::with_capacity(2 * n_per_class);
    let denom = (n_per_class.max(2) - 1) as f64;
    for class in 0..2 {
        for i in 0..n_per_class {
            let t = std::f64::consts::PI * i as f64 / denom;
            let (x, y) = if class == 0 {
                (t.cos(), t.sin())
            } else {
                (1.0 - t.cos(), 1.0 - t.sin() - 0.5)
            };
            points.push([x + normal.sample(rng), y + normal.sample(rng)]);
            labels.push(class);
        }
    }
    (points, labels)
}

/// The authors' training for the moons (`experiments_moons.py`), the default of `dann demo
/// moons`: the paper's Algorithm 1 on the kernels, one source and one target example per
/// plain SGD step (learning rate 0.05, no momentum), 500 epochs over the source without
/// early stopping, their initialisation, 15 sigmoid hidden units, lambda = 6.
pub fn authors_settings() -> ShallowConfig {
    ShallowConfig {
        hidden: 15,
        lambda: 6.0,
        lr: 0.05,
        batch_size: 1,
        epochs: 500,
        ..ShallowConfig::default()
    }
}

/// How `dann demo moons` trains each model.
#[derive(Debug, Clone, PartialEq)]
pub enum MoonsProcedure {
    /// The authors' Algorithm 1 ([`authors_settings`]): epochs of single-example steps.
    Authors(ShallowConfig),
    /// Iterations of batches on either engine ([`demo_settings`]).
    Iterations(Box<Dann>),
}

/// The batched variant of `dann demo moons --procedure iterations`: the paper's shallow network with 15
/// sigmoid hidden units, SGD with learning rate 0.05 and momentum 0.9, batches of 32 source
/// and 32 target rows, 10,000 iterations, and a constant lambda = 6 (the authors' moons
/// script).
pub fn demo_settings() -> Dann {
    Dann {
        model: DannConfig::shallow(15),
        train: TrainConfig {
            iterations: 10_000,
            batch_size: 64,
            lr: LrSchedule::Constant { value: 0.05 },
            lambda: LambdaSchedule::Constant { value: 6.0 },
            log_every: 0,
            // The authors' script trains on the raw coordinates.
            standardize: Standardize::No,
            ..TrainConfig::paper()
        },
    }
}

/// The moons demo: for each seed, draw the problem and train the source-only network and
/// DANN on it (the seed of both the data and the training).
#[derive(Debug, Clone, PartialEq)]
pub struct MoonsDemo {
    /// The problem (its `seed` is replaced by each of `seeds`).
    pub problem: MoonsConfig,
    /// Network and training (their `mode` and `seed` are set per run).
    pub procedure: MoonsProcedure,
    /// Seeds to run.
    pub seeds: Vec<u64>,
}

/// Accuracies of one mode over the demo's seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoAccuracy {
    /// Mean accuracy on the labelled source.
    pub source_accuracy: f64,
    /// Mean accuracy on the target test sample.
    pub target_accuracy: f64,
    /// Target test accuracy per seed.
    pub target_accuracy_per_seed: Vec<f64>,
}

/// Result of [`MoonsDemo::run`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoResult {
    /// The network trained on the source alone.
    pub source_only: DemoAccuracy,
    /// DANN.
    pub dann: DemoAccuracy,
}

impl MoonsDemo {
    /// Checks the settings and that there is at least one seed.
    pub fn check(&self) -> Result<()> {
        if self.seeds.is_empty() {
            return Err(Error::config("seeds", "must be at least 1"));
        }
        match &self.procedure {
            MoonsProcedure::Authors(cfg) => cfg.check(),
            MoonsProcedure::Iterations(dann) => dann.check(),
        }
    }

    /// The problem of `seed` and the two models trained on it (source-only, then DANN), as
    /// [`run`](Self::run) trains them; e.g. to draw them.
    pub fn fit_seed<B: AutodiffBackend>(
        &self,
        seed: u64,
        device: &B::Device,
    ) -> Result<(MoonsProblem, [FittedDann<B::InnerBackend>; 2])> {
        self.check()?;
        let problem = MoonsConfig {
            seed,
            ..self.problem.clone()
        }
        .generate()?;
        let fit = |mode: Mode| self.fit_one::<B>(&problem, mode, seed, device);
        let models = [fit(Mode::SourceOnly)?, fit(Mode::Dann)?];
        Ok((problem, models))
    }

    fn fit_one<B: AutodiffBackend>(
        &self,
        problem: &MoonsProblem,
        mode: Mode,
        seed: u64,
        device: &B::Device,
    ) -> Result<FittedDann<B::InnerBackend>> {
        match &self.procedure {
            MoonsProcedure::Authors(cfg) => {
                let cfg = ShallowConfig {
                    mode,
                    seed,
                    ..cfg.clone()
                };
                let fit = cfg.fit(&problem.source, &problem.target, None)?;
                fitted_from_shallow::<B::InnerBackend>(
                    &fit.model,
                    &DannConfig::shallow(cfg.hidden),
                    problem.source.class_names().to_vec(),
                    None,
                    device,
                )
            }
            MoonsProcedure::Iterations(settings) => {
                let dann = Dann {
                    model: settings.model.clone(),
                    train: TrainConfig {
                        mode,
                        seed,
                        ..settings.train.clone()
                    },
                };
                dann.fit::<B>(&problem.source, &problem.target, device)
            }
        }
    }

    /// Trains both models on every seed's problem.
    pub fn run<B: AutodiffBackend>(&self, device: &B::Device) -> Result<DemoResult> {
        self.check()?;
        let mut results = [(Mode::SourceOnly, Vec::new()), (Mode::Dann, Vec::new())];
        for &seed in &self.seeds {
            let problem = MoonsConfig {
                seed,
                ..self.problem.clone()
            }
            .generate()?;
            for (mode, accs) in &mut results {
                let fitted = self.fit_one::<B>(&problem, *mode, seed, device)?;
                let source = fitted.evaluate(&problem.source)?.accuracy;
                let target = fitted.evaluate(&problem.target_test)?.accuracy;
                accs.push((source, target));
            }
        }
        let summary = |accs: &[(f64, f64)]| {
            let n = accs.len() as f64;
            DemoAccuracy {
                source_accuracy: accs.iter().map(|a| a.0).sum::<f64>() / n,
                target_accuracy: accs.iter().map(|a| a.1).sum::<f64>() / n,
                target_accuracy_per_seed: accs.iter().map(|a| a.1).collect(),
            }
        };
        Ok(DemoResult {
            source_only: summary(&results[0].1),
            dann: summary(&results[1].1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_is_the_rotated_source_distribution() {
        let cfg = MoonsConfig {
            noise: 0.0,
            ..Default::default()
        };
        let p = cfg.generate().unwrap();
        assert_eq!(p.source.len(), 300);
        assert_eq!(p.source.class_counts(), [150, 150]);
        assert!(p.target.labels().is_none());
        // Without noise the samples coincide, so each target point is a source point rotated
        // by 35 degrees: norms agree and the angle between them is 35 degrees.
        let mut s = [0.0f32; 2];
        let mut t = [0.0f32; 2];
        for i in [0, 77, 150, 299] {
            p.source.features().write_row(i, &mut s);
            p.target_test.features().write_row(i, &mut t);
            let (ns, nt) = (s[0].hypot(s[1]), t[0].hypot(t[1]));
            assert!((ns - nt).abs() < 1e-5);
            let angle = (t[1].atan2(t[0]) - s[1].atan2(s[0]))
                .to_degrees()
                .rem_euclid(360.0);
            assert!((angle - 35.0).abs() < 1e-3, "{angle}");
        }
    }

    #[test]
    fn seeds_are_reproducible() {
        let a = MoonsConfig::default().generate().unwrap();
        let b = MoonsConfig::default().generate().unwrap();
        let c = MoonsConfig {
            seed: 1,
            ..Default::default()
        }
        .generate()
        .unwrap();
        assert_eq!(a.source, b.source);
        assert_ne!(a.source, c.source);
    }
}
