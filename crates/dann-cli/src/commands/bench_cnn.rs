//! `dann bench cnn`: training steps per second of the paper's MNIST network (DANN, batch
//! `--batch` source + `--batch` target images of 3 x 28 x 28, SGD with momentum 0.9) with the
//! fused convolution kernels and with burn's own operations, inference images per second of
//! both, and the PyTorch CPU reference script at the same batch and thread count, in one run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::data::{Dataset, DenseMatrix, Features};
use dann::nn::conv::fused as fused_conv;
use dann::table::MarkdownTable;
use dann::{DannConfig, TrainConfig, Trainer};
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::bench::{Rate, rate};

#[derive(Debug, Args)]
pub struct CnnArgs {
    /// Source images per step (as many target images).
    #[arg(long, default_value_t = 128)]
    batch: usize,
    /// Timed steps per repetition.
    #[arg(long, default_value_t = 10)]
    steps: usize,
    /// Timed rounds (ours and the reference script alternate); the table shows the median
    /// and the range.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Also run this PyTorch reference (benchmarks/reference/cnn_step_torch.py) with the
    /// `python3` on PATH, at the same batch and thread count.
    #[arg(long)]
    torch_script: Option<PathBuf>,
    /// Skip burn's own operations (the slow path), e.g. for a quick check.
    #[arg(long)]
    skip_burn: bool,
    /// Steps before timing (building the model included; on a GPU also compiling and tuning
    /// the kernels), reported as the warm-up.
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// Device of the reference script (default: cpu on the CPU, cuda on a GPU).
    #[arg(long)]
    torch_device: Option<String>,
    /// Write the Markdown table here too.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print one JSON object (dann_steps_per_s, torch_steps_per_s, ...).
    #[arg(long)]
    json: bool,
}

/// `n` random images of 3 x 28 x 28 (labelled with 10 classes when `labelled`).
pub(super) fn images(n: usize, labelled: bool, seed: u64) -> Result<Dataset> {
    let rng = &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let values = (0..n * 2352)
        .map(|_| rng.random_range(0.0..1.0f32))
        .collect();
    let features = Features::Dense(DenseMatrix::new(n, 2352, values)?);
    let data = if labelled {
        let labels = (0..n).map(|i| i % 10).collect();
        Dataset::labelled(features, labels, (0..10).map(|c| c.to_string()).collect())?
    } else {
        Dataset::unlabelled(features)
    };
    Ok(data.with_sample_shape(vec![3, 28, 28])?)
}

pub fn cnn<B: AutodiffBackend>(a: CnnArgs, device: &B::Device) -> Result<()> {
    if a.batch == 0 || a.steps == 0 || a.repeats == 0 {
        bail!("--batch, --steps and --repeats must be at least 1");
    }
    let threads = rayon::current_num_threads();
    let source = images(4 * a.batch, true, 1)?;
    let target = images(4 * a.batch, false, 2)?;
    let config = TrainConfig {
        iterations: 1_000_000,
        batch_size: 2 * a.batch,
        ..dann::experiments::digits::preset("mnist:mnist-m".parse()?, Default::default()).train
    };
    let config = TrainConfig {
        images: None,
        log_every: config.iterations,
        ..config
    };
    let model = DannConfig::mnist();
    // Each round times `--steps` steps of ours and then, when given, one run of the reference
    // script (its own warm-up, `--steps` timed steps): the two alternate, so that a machine
    // that speeds up or slows down during the run affects both alike.
    let mut torch_rounds: Vec<f64> = Vec::new();
    let mut torch_version = String::new();
    let mut torch_warmup = None;
    let on_cpu = dann::is_cpu::<B::InnerBackend>();
    let torch_device = a
        .torch_device
        .clone()
        .unwrap_or_else(|| if on_cpu { "cpu" } else { "cuda" }.to_string());
    let sync = || B::sync(device).map_err(|e| anyhow::anyhow!("the device failed: {e:?}"));
    let mut measure = |fused: bool, with_torch: bool| -> Result<(Rate, Rate, f64)> {
        fused_conv::set_enabled(fused);
        // The warm-up: building the model and the first steps (on a GPU: compiling and
        // tuning the kernels), timed on its own.
        let start = Instant::now();
        let mut trainer = Trainer::<B>::new(&model, &config, &source, &target, device)?;
        trainer.run_until(a.warmup, &mut ())?;
        sync()?;
        let warmup = start.elapsed().as_secs_f64();
        let mut rounds = Vec::with_capacity(a.repeats);
        for _ in 0..a.repeats {
            let start = Instant::now();
            // Losses stay on a GPU until the round's end (one read, one wait).
            trainer.run_until(trainer.iteration() + a.steps, &mut ())?;
            sync()?;
            rounds.push(a.steps as f64 / start.elapsed().as_secs_f64());
            if with_torch && let Some(script) = &a.torch_script {
                let run = run_torch(script, a.batch, threads, a.steps, &torch_device)?;
                torch_rounds.push(run.steps_per_s);
                torch_warmup.get_or_insert(run.warmup_s);
                torch_version = run.version;
            }
        }
        let fitted = trainer.snapshot();
        fitted.predict(&source)?;
        let inference = rate(a.repeats, source.len(), || {
            fitted.predict(&source)?;
            Ok(())
        })?;
        Ok((Rate::of(rounds), inference, warmup))
    };
    // burn's own operations are what runs off the CPU anyway: measured once there.
    let burn = if a.skip_burn || !on_cpu {
        None
    } else {
        Some(measure(false, false)?)
    };
    let fused = measure(true, true)?;
    let torch = (!torch_rounds.is_empty()).then(|| (Rate::of(torch_rounds), torch_version.clone()));
    let images_per_step = (2 * a.batch) as f64;
    let mut table = MarkdownTable::new([
        "training step, paper's MNIST network".to_string(),
        format!("steps/s (median, range of {})", a.repeats),
        "images/s".into(),
        "vs PyTorch".into(),
        "inference images/s".into(),
    ]);
    let vs = |r: f64| {
        torch
            .as_ref()
            .map_or("-".into(), |t| format!("{:.2}x", r / t.0.median))
    };
    let mut row = |name: String, (s, i): (Rate, Option<Rate>)| {
        table.row([
            name,
            format!("{:.2} ({:.2}-{:.2})", s.median, s.low, s.high),
            format!("{:.0}", s.median * images_per_step),
            vs(s.median),
            i.map_or("-".into(), |i| format!("{:.0}", i.median)),
        ]);
    };
    row(
        if on_cpu {
            "dann, fused conv kernels (default)".into()
        } else {
            format!("dann on {torch_device} (burn's ops)")
        },
        (fused.0, Some(fused.1)),
    );
    if let Some(b) = burn {
        row("dann, burn flex's own ops".into(), (b.0, Some(b.1)));
    }
    if let Some((t, version)) = &torch {
        row(format!("PyTorch {version} CPU"), (*t, None));
    }
    let text = format!(
        "{}\nbatch {} source + {} target images of 3 x 28 x 28, SGD momentum 0.9, {threads} threads; \
         warm-up ({} steps, incl. building the model): dann {:.2} s{}\n",
        table.render(),
        a.batch,
        a.batch,
        a.warmup,
        fused.2,
        torch_warmup.map_or(String::new(), |w| format!(", PyTorch {w:.2} s"))
    );
    if let Some(out) = &a.out {
        std::fs::write(out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    }
    if a.json {
        println!(
            "{}",
            json!({
                "dann_steps_per_s": fused.0.median,
                "dann_steps_per_s_range": [fused.0.low, fused.0.high],
                "dann_inference_images_per_s": fused.1.median,
                "burn_steps_per_s": burn.map(|b| b.0.median),
                "burn_inference_images_per_s": burn.map(|b| b.1.median),
                "torch_steps_per_s": torch.as_ref().map(|t| t.0.median),
                "torch_steps_per_s_range": torch.as_ref().map(|t| [t.0.low, t.0.high]),
                "torch": torch.as_ref().map(|t| t.1.clone()),
                "ratio": torch.as_ref().map(|t| fused.0.median / t.0.median),
                "dann_warmup_s": fused.2,
                "torch_warmup_s": torch_warmup,
                "torch_device": torch.as_ref().map(|_| torch_device.clone()),
                "batch": a.batch,
                "threads": threads,
            })
        );
    } else {
        print!("{text}");
    }
    Ok(())
}

/// What one run of the reference script measured.
struct TorchRun {
    steps_per_s: f64,
    warmup_s: f64,
    version: String,
}

/// One run of the reference script (its warm-up, then one timed round of `steps` steps).
fn run_torch(
    script: &Path,
    batch: usize,
    threads: usize,
    steps: usize,
    device: &str,
) -> Result<TorchRun> {
    let (batch, threads, steps) = (batch.to_string(), threads.to_string(), steps.to_string());
    let args = [
        "--batch",
        &batch,
        "--threads",
        &threads,
        "--steps",
        &steps,
        "--repeats",
        "1",
        "--device",
        device,
    ];
    let v = super::bench::run_reference(script, args.iter().map(|a| a.as_ref()))?;
    Ok(TorchRun {
        steps_per_s: v["steps_per_s"]
            .as_f64()
            .context("no steps_per_s in the script's output")?,
        warmup_s: v["warmup_s"].as_f64().unwrap_or(f64::NAN),
        version: v["torch"].as_str().unwrap_or("?").to_string(),
    })
}
