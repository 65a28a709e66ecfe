//! `dann bench shallow`: examples per second of the shallow DANN update (Algorithm 1, one
//! source and one target review per step, 100 hidden units) on the Amazon books -> kitchen
//! data, for the sparse kernels, burn's dense per-example update, and optionally the PyTorch
//! CPU reference script, all measured in one run; then, on dense inputs as wide as the mSDA
//! features (30,000), the per-example kernel against the blocked one.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::shallow::{Scratch, ShallowDann};
use dann::table::MarkdownTable;
use dann::training::schedule::{LambdaSchedule, LrSchedule};
use dann::{DannConfig, OptimizerConfig, TrainConfig, Trainer};
use serde_json::json;

use super::DataDirArg;

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    data_dir: DataDirArg,
    /// Steps of the sparse path.
    #[arg(long, default_value_t = 20_000)]
    sparse_steps: usize,
    /// Steps of burn's dense per-example update.
    #[arg(long, default_value_t = 300)]
    dense_steps: usize,
    /// Also run this PyTorch reference script (benchmarks/reference/shallow_dann_torch.py)
    /// with python3.
    #[arg(long)]
    torch_script: Option<PathBuf>,
    /// Steps of the PyTorch reference.
    #[arg(long, default_value_t = 2000)]
    torch_steps: usize,
    /// Timed repetitions of each measurement; the table shows the median rate.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Width of the dense inputs of the blocked-kernel comparison (0: skip it).
    #[arg(long, default_value_t = 30_000)]
    dense_width: usize,
    /// Source rows (one epoch) of the blocked-kernel comparison.
    #[arg(long, default_value_t = 1000)]
    dense_rows: usize,
    /// Write the Markdown table here too.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

const HIDDEN: usize = 100;
const LAMBDA: f32 = 0.1;
const LR: f32 = 0.01;

pub fn shallow<B: AutodiffBackend>(a: BenchArgs, device: &B::Device) -> Result<()> {
    if a.sparse_steps == 0 || a.dense_steps == 0 {
        bail!("--sparse-steps and --dense-steps must be at least 1");
    }
    let data_dir = a.data_dir.resolve();
    let source = dann::experiments::amazon::load_domain(&data_dir, "books")
        .with_context(|| format!("Amazon data under {}", data_dir.display()))?
        .train;
    let target = dann::experiments::amazon::load_domain(&data_dir, "kitchen")?
        .train
        .without_labels();
    let labels = source.labels().unwrap_or_default().to_vec();

    // Sparse kernels: Algorithm 1 steps.
    let mut model = ShallowDann::new(source.n_features(), HIDDEN, 2, 0)?;
    let mut scratch = Scratch::default();
    let mut targets = dann::data::EndlessSampler::new(target.len(), 1);
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
    let repeats = a.repeats.max(1);
    let sparse = rate(repeats, a.sparse_steps, || {
        run_sparse(a.sparse_steps);
        Ok(())
    })?
    .median;

    // burn, dense per-example update on the same network.
    let config = TrainConfig {
        iterations: a.dense_steps + 20,
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
        ..TrainConfig::default()
    };
    let model_config = DannConfig::shallow(HIDDEN);
    let mut trainer = Trainer::<B>::new(&model_config, &config, &source, &target, device)?;
    for _ in 0..20 {
        trainer.step();
    }
    let dense = rate(repeats, a.dense_steps, || {
        for _ in 0..a.dense_steps {
            trainer.step();
        }
        Ok(())
    })?
    .median;

    let torch = match &a.torch_script {
        Some(script) => Some(run_torch(script, &data_dir, a.torch_steps)?),
        None => None,
    };
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
    if let Some((t, version)) = &torch {
        speed.row([
            format!("PyTorch {version} CPU, dense per-example"),
            format!("{t:.0}"),
            format!("{:.0}x", sparse / t),
        ]);
    }
    let mut table = speed.render();
    let wide = if a.dense_width > 0 {
        Some(dense_wide(a.dense_width, a.dense_rows.max(1), repeats)?)
    } else {
        None
    };
    if let Some((per_example, blocked)) = wide {
        let mut kernels = MarkdownTable::new([
            format!("dense inputs, {} features, Algorithm 1", a.dense_width),
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
    if let Some(out) = &a.out {
        std::fs::write(out, &table).with_context(|| format!("cannot write {}", out.display()))?;
    }
    if a.json {
        println!(
            "{}",
            json!({"sparse_examples_per_s": sparse, "dense_burn_examples_per_s": dense,
                   "torch_examples_per_s": torch.as_ref().map(|t| t.0),
                   "speedup_vs_dense": sparse / dense,
                   "speedup_vs_torch": torch.as_ref().map(|t| sparse / t.0),
                   "dense_width": a.dense_width,
                   "dense_per_example_examples_per_s": wide.map(|w| w.0),
                   "dense_blocked_examples_per_s": wide.map(|w| w.1)})
        );
    } else {
        print!("{table}");
    }
    Ok(())
}

/// Median and range of a rate over repeated timings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rate {
    pub(super) median: f64,
    pub(super) low: f64,
    pub(super) high: f64,
}

impl Rate {
    /// Of these rates (at least one).
    pub(super) fn of(mut rates: Vec<f64>) -> Self {
        rates.sort_by(f64::total_cmp);
        Rate {
            median: rates[rates.len() / 2],
            low: rates[0],
            high: rates[rates.len() - 1],
        }
    }
}

/// `work / seconds` of `repeats` timings of `run` (the first error stops it).
pub(super) fn rate(
    repeats: usize,
    work: usize,
    mut run: impl FnMut() -> Result<()>,
) -> Result<Rate> {
    let rates = (0..repeats.max(1))
        .map(|_| {
            let start = Instant::now();
            run()?;
            Ok(work as f64 / start.elapsed().as_secs_f64())
        })
        .collect::<Result<_>>()?;
    Ok(Rate::of(rates))
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
    let rate = v["examples_per_s"]
        .as_f64()
        .context("no examples_per_s in the script's output")?;
    Ok((rate, v["torch"].as_str().unwrap_or("?").to_string()))
}

/// Runs a reference script with `python3` (the first on PATH) and `args`; its stdout must be
/// one JSON object. A failure names the script and its last line of stderr.
pub(super) fn run_reference<'a>(
    script: &Path,
    args: impl IntoIterator<Item = &'a std::ffi::OsStr>,
) -> Result<serde_json::Value> {
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .with_context(|| format!("cannot run python3 {}", script.display()))?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    serde_json::from_slice(&out.stdout)
        .with_context(|| format!("{} printed no JSON", script.display()))
}

/// Examples/s (source and target rows) of one epoch of Algorithm 1 on random dense inputs of
/// `width` features: `(per-example kernel, blocked kernel)`.
fn dense_wide(width: usize, rows: usize, repeats: usize) -> Result<(f64, f64)> {
    use dann::data::{Dataset, DenseMatrix, Features};
    use dann::shallow::{Kernel, ShallowConfig};
    use rand::{Rng, SeedableRng};
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
