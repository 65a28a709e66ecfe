//! `dann bench shallow`: examples per second of the shallow DANN update (Algorithm 1, one
//! source and one target review per step, 100 hidden units) on the Amazon books -> kitchen
//! data, for the sparse kernels, burn's dense per-example update, and optionally the PyTorch
//! CPU reference script, all measured in one run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::data::Row;
use dann::schedule::{LambdaSchedule, LrSchedule};
use dann::shallow::{Scratch, ShallowDann};
use dann::{DannConfig, OptimizerConfig, TrainConfig, Trainer};
use serde_json::json;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Folder holding amazon/*.svmlight.gz (default: $DANN_DATA_DIR, else ./data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
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
    let data_dir = crate::commands::data_dir(a.data_dir.clone());
    let source = dann::amazon::load_domain(&data_dir, "books")
        .with_context(|| format!("Amazon data under {}", data_dir.display()))?
        .train;
    let target = dann::amazon::load_domain(&data_dir, "kitchen")?
        .train
        .without_labels();
    let labels = source.labels().unwrap_or_default().to_vec();

    // Sparse kernels: Algorithm 1 steps.
    let mut model = ShallowDann::new(source.n_features(), HIDDEN, 2, 0)?;
    let mut scratch = Scratch::default();
    let mut targets = dann::sampler::EndlessSampler::new(target.len(), 1);
    let mut run_sparse = |steps: usize| {
        for i in 0..steps {
            let s = i % source.len();
            let t = targets.next().unwrap_or(0);
            model.sgd_step(
                &[(Row::of(&source, s), labels[s])],
                &[Row::of(&target, t)],
                LAMBDA,
                LR,
                &mut scratch,
            );
        }
    };
    run_sparse(200);
    let start = Instant::now();
    run_sparse(a.sparse_steps);
    let sparse = a.sparse_steps as f64 / start.elapsed().as_secs_f64();

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
    let start = Instant::now();
    for _ in 0..a.dense_steps {
        trainer.step();
    }
    let dense = a.dense_steps as f64 / start.elapsed().as_secs_f64();

    let torch = match &a.torch_script {
        Some(script) => Some(run_torch(script, &data_dir, a.torch_steps)?),
        None => None,
    };
    let mut table =
        String::from("| implementation | examples/s | sparse path is faster by |\n|---|---|---|\n");
    table += &format!("| dann sparse kernels (Algorithm 1) | {sparse:.0} | 1x |\n");
    table += &format!(
        "| dann burn flex, dense per-example | {dense:.0} | {:.0}x |\n",
        sparse / dense
    );
    if let Some((t, version)) = &torch {
        table += &format!(
            "| PyTorch {version} CPU, dense per-example | {t:.0} | {:.0}x |\n",
            sparse / t
        );
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
                   "speedup_vs_torch": torch.as_ref().map(|t| sparse / t.0)})
        );
    } else {
        print!("{table}");
    }
    Ok(())
}

fn run_torch(script: &Path, data_dir: &Path, steps: usize) -> Result<(f64, String)> {
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--steps")
        .arg(steps.to_string())
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
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("{} printed no JSON", script.display()))?;
    let rate = v["examples_per_s"]
        .as_f64()
        .context("no examples_per_s in the script's output")?;
    Ok((rate, v["torch"].as_str().unwrap_or("?").to_string()))
}
