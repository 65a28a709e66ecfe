//! Examples per second of the shallow DANN update (Algorithm 1, one source and one target
//! review per step, 100 hidden units) on the Amazon books -> kitchen data, for the sparse
//! kernels, burn's dense per-example update, and optionally the PyTorch CPU reference
//! script, all measured in one run; then, on dense inputs as wide as the mSDA features
//! (30,000), the per-example kernel against the blocked one.

use std::path::{Path, PathBuf};

use burn::tensor::backend::AutodiffBackend;
use rand::{Rng, SeedableRng};

use super::{rate, reference_number, run_reference};
use crate::data::{Dataset, DenseMatrix, EndlessSampler, Features, data_dir};
use crate::deep::{DannConfig, Trainer};
use crate::error::{Error, Result};
use crate::experiments::amazon::load_domain;
use crate::shallow::{Kernel, Scratch, ShallowConfig, ShallowDann};
use crate::table::MarkdownTable;
use crate::training::schedule::{LambdaSchedule, LrSchedule};
use crate::training::{OptimizerConfig, Standardize, TrainConfig};

const HIDDEN: usize = 100;
const LAMBDA: f32 = 0.1;
const LR: f32 = 0.01;

/// What to measure (the flags of `dann bench shallow`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ShallowBench {
    /// Folder holding amazon/*.svmlight.gz (default: $DANN_DATA_DIR, else ./data).
    #[cfg_attr(feature = "clap", arg(long))]
    pub data_dir: Option<PathBuf>,
    /// Steps of the sparse path.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 20_000))]
    pub sparse_steps: usize,
    /// Steps of burn's dense per-example update.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 300))]
    pub dense_steps: usize,
    /// Also run this PyTorch reference script (benchmarks/reference/shallow_dann_torch.py)
    /// with python3.
    #[cfg_attr(feature = "clap", arg(long))]
    pub torch_script: Option<PathBuf>,
    /// Steps of the PyTorch reference.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 2000))]
    pub torch_steps: usize,
    /// Timed repetitions of each measurement; the table shows the median rate.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 5))]
    pub repeats: usize,
    /// Width of the dense inputs of the blocked-kernel comparison (0: skip it).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 30_000))]
    pub dense_width: usize,
    /// Source rows (one epoch) of the blocked-kernel comparison.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 1000))]
    pub dense_rows: usize,
}

/// What [`ShallowBench::run`] measured, examples per second (medians).
#[derive(Debug, Clone, PartialEq)]
pub struct ShallowSpeeds {
    /// The sparse kernels.
    pub sparse: f64,
    /// burn's dense per-example update.
    pub dense: f64,
    /// PyTorch's rate and version, when its script ran.
    pub torch: Option<(f64, String)>,
    /// Width of the dense comparison.
    pub dense_width: usize,
    /// The per-example and the blocked kernel on dense inputs, when measured.
    pub wide: Option<(f64, f64)>,
}

impl ShallowBench {
    /// Measures, on `device` for burn's update.
    pub fn run<B: AutodiffBackend>(&self, device: &B::Device) -> Result<ShallowSpeeds> {
        if self.sparse_steps == 0 || self.dense_steps == 0 {
            return Err(Error::Data(
                "--sparse-steps and --dense-steps must be at least 1".into(),
            ));
        }
        let data_dir = data_dir(self.data_dir.clone());
        let source = load_domain(&data_dir, "books")?.train;
        let target = load_domain(&data_dir, "kitchen")?.train.without_labels();
        let repeats = self.repeats.max(1);
        let sparse = self.sparse(&source, &target, repeats)?;
        let dense = self.dense::<B>(&source, &target, repeats, device)?;
        let torch = match &self.torch_script {
            Some(script) => Some(run_torch(script, &data_dir, self.torch_steps)?),
            None => None,
        };
        let wide = if self.dense_width > 0 {
            Some(dense_wide(
                self.dense_width,
                self.dense_rows.max(1),
                repeats,
            )?)
        } else {
            None
        };
        Ok(ShallowSpeeds {
            sparse,
            dense,
            torch,
            dense_width: self.dense_width,
            wide,
        })
    }

    /// Algorithm 1's steps on the sparse kernels.
    fn sparse(&self, source: &Dataset, target: &Dataset, repeats: usize) -> Result<f64> {
        let labels = source.labels().unwrap_or_default().to_vec();
        let mut model = ShallowDann::new(source.n_features(), HIDDEN, 2, 0)?;
        let mut scratch = Scratch::default();
        let mut targets = EndlessSampler::new(target.len(), 1);
        let mut run_sparse = |steps: usize| {
            for i in 0..steps {
                let s = i % source.len();
                let t = targets.next().unwrap_or(0);
                model.sgd_step(
                    &[(source.row(s), labels[s])],
                    &[target.row(t)],
                    LAMBDA,
                    LR,
                    &mut scratch,
                );
            }
        };
        run_sparse(200);
        Ok(rate(repeats, self.sparse_steps, || {
            run_sparse(self.sparse_steps);
            Ok(())
        })?
        .median)
    }

    /// burn, dense per-example update on the same network.
    fn dense<B: AutodiffBackend>(
        &self,
        source: &Dataset,
        target: &Dataset,
        repeats: usize,
        device: &B::Device,
    ) -> Result<f64> {
        let config = TrainConfig {
            iterations: self.dense_steps + 20,
            batch_size: 2,
            source_fraction: 0.5,
            optimizer: OptimizerConfig::Sgd {
                momentum: 0.0,
                weight_decay: 0.0,
            },
            lr: LrSchedule::Constant {
                value: f64::from(LR),
            },
            lambda: LambdaSchedule::Constant {
                value: f64::from(LAMBDA),
            },
            // The kernels' side of the comparison reads the rows as they are.
            standardize: Standardize::No,
            ..TrainConfig::paper()
        };
        let model_config = DannConfig::shallow(HIDDEN);
        let mut trainer = Trainer::<B>::new(&model_config, &config, source, target, device)?;
        for _ in 0..20 {
            trainer.step();
        }
        Ok(rate(repeats, self.dense_steps, || {
            for _ in 0..self.dense_steps {
                trainer.step();
            }
            Ok(())
        })?
        .median)
    }
}

impl ShallowSpeeds {
    /// The speeds as Markdown tables.
    pub fn table(&self) -> String {
        let (sparse, dense) = (self.sparse, self.dense);
        let mut speed =
            MarkdownTable::new(["implementation", "examples/s", "sparse path is faster by"]);
        speed.row([
            "dann sparse kernels (Algorithm 1)".to_string(),
            format!("{sparse:.0}"),
            "1x".into(),
        ]);
        speed.row([
            "dann burn flex, dense per-example".to_string(),
            format!("{dense:.0}"),
            format!("{:.0}x", sparse / dense),
        ]);
        if let Some((t, version)) = &self.torch {
            speed.row([
                format!("PyTorch {version} CPU, dense per-example"),
                format!("{t:.0}"),
                format!("{:.0}x", sparse / t),
            ]);
        }
        let mut table = speed.render();
        if let Some((per_example, blocked)) = self.wide {
            let mut kernels = MarkdownTable::new([
                format!("dense inputs, {} features, Algorithm 1", self.dense_width),
                "examples/s".into(),
                "blocked kernel is faster by".into(),
            ]);
            kernels.row([
                "dann blocked kernel (gemm)".to_string(),
                format!("{blocked:.0}"),
                "1x".into(),
            ]);
            kernels.row([
                "dann per-example kernel".to_string(),
                format!("{per_example:.0}"),
                format!("{:.1}x", blocked / per_example),
            ]);
            table += "\n";
            table += &kernels.render();
        }
        table
    }

    /// The speeds as one JSON object.
    pub fn json(&self) -> serde_json::Value {
        let torch = self.torch.as_ref();
        serde_json::json!({"sparse_examples_per_s": self.sparse, "dense_burn_examples_per_s": self.dense,
               "torch_examples_per_s": torch.map(|t| t.0),
               "speedup_vs_dense": self.sparse / self.dense,
               "speedup_vs_torch": torch.map(|t| self.sparse / t.0),
               "dense_width": self.dense_width,
               "dense_per_example_examples_per_s": self.wide.map(|w| w.0),
               "dense_blocked_examples_per_s": self.wide.map(|w| w.1)})
    }
}

fn run_torch(script: &Path, data_dir: &Path, steps: usize) -> Result<(f64, String)> {
    let steps = steps.to_string();
    let v = run_reference(
        script,
        [
            "--data-dir".as_ref(),
            data_dir.as_os_str(),
            "--steps".as_ref(),
            steps.as_ref(),
        ],
    )?;
    let rate = reference_number(&v, "examples_per_s")?;
    Ok((rate, v["torch"].as_str().unwrap_or("?").to_string()))
}

/// Examples/s (source and target rows) of one epoch of Algorithm 1 on random dense inputs of
/// `width` features: `(per-example kernel, blocked kernel)`.
fn dense_wide(width: usize, rows: usize, repeats: usize) -> Result<(f64, f64)> {
    let rng = &mut rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let mut random = |n: usize| -> Result<Features> {
        let values = (0..n * width)
            .map(|_| rng.random_range(-1.0..1.0f32))
            .collect();
        Ok(Features::Dense(DenseMatrix::new(n, width, values)?))
    };
    let labels = (0..rows).map(|i| i % 2).collect();
    let source = Dataset::labelled(random(rows)?, labels, vec!["0".into(), "1".into()])?;
    let target = Dataset::unlabelled(random(rows)?);
    let kernel_rate = |kernel| -> Result<f64> {
        let config = ShallowConfig {
            hidden: 50,
            lambda: f64::from(LAMBDA),
            lr: f64::from(LR),
            epochs: 1,
            patience: 0,
            kernel,
            ..ShallowConfig::default()
        };
        Ok(rate(repeats, 2 * rows, || {
            config.fit(&source, &target, None)?;
            Ok(())
        })?
        .median)
    };
    Ok((kernel_rate(Kernel::Sparse)?, kernel_rate(Kernel::Blocked)?))
}
