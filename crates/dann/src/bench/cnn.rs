//! Training steps per second of the paper's MNIST network (DANN, batch `batch` source +
//! `batch` target images of 3 x 28 x 28, SGD with momentum 0.9) with the fused convolution
//! kernels and with burn's own operations, inference images per second of both, and the
//! PyTorch reference script at the same batch and thread count, in one run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::tensor::backend::AutodiffBackend;

use super::{Rate, random_images, rate, reference_number, run_reference};
use crate::backend::is_cpu;
use crate::data::Dataset;
use crate::deep::{DannConfig, Trainer};
use crate::error::{Error, Result};
use crate::experiments::digits::preset;
use crate::nn::conv;
use crate::table::MarkdownTable;
use crate::training::TrainConfig;

/// What to measure (the flags of `dann bench cnn`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct CnnBench {
    /// Source images per step (as many target images).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 128))]
    pub batch: usize,
    /// Timed steps per repetition.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 10))]
    pub steps: usize,
    /// Timed rounds (ours and the reference script alternate); the table shows the median
    /// and the range.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 5))]
    pub repeats: usize,
    /// Also run this PyTorch reference (benchmarks/reference/cnn_step_torch.py) with the
    /// `python3` on PATH, at the same batch and thread count.
    #[cfg_attr(feature = "clap", arg(long))]
    pub torch_script: Option<PathBuf>,
    /// Skip burn's own operations (the slow path), e.g. for a quick check.
    #[cfg_attr(feature = "clap", arg(long))]
    pub skip_burn: bool,
    /// Steps before timing (building the model included; on a GPU also compiling and tuning
    /// the kernels), reported as the warm-up.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 3))]
    pub warmup: usize,
    /// Device of the reference script (default: cpu on the CPU, cuda on a GPU).
    #[cfg_attr(feature = "clap", arg(long))]
    pub torch_device: Option<String>,
}

/// One path's speed: training steps per second, inference images per second, and the
/// warm-up in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathSpeed {
    /// Training steps per second over the rounds.
    pub steps: Rate,
    /// Inference images per second.
    pub inference: Rate,
    /// Seconds of the warm-up (building the model and the first steps).
    pub warmup: f64,
}

/// What [`CnnBench::run`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct CnnSpeeds {
    /// The settings.
    pub bench: CnnBench,
    /// Threads of the CPU paths.
    pub threads: usize,
    /// Whether the backend is the CPU's.
    pub on_cpu: bool,
    /// The device the reference script ran on.
    pub torch_device: String,
    /// The default path (the fused kernels on the CPU).
    pub fused: PathSpeed,
    /// burn's own operations, when measured.
    pub burn: Option<PathSpeed>,
    /// PyTorch's steps per second and version, when its script ran.
    pub torch: Option<(Rate, String)>,
    /// PyTorch's warm-up in seconds.
    pub torch_warmup: Option<f64>,
}

impl CnnBench {
    /// Measures on `device`.
    pub fn run<B: AutodiffBackend>(&self, device: &B::Device) -> Result<CnnSpeeds> {
        if self.batch == 0 || self.steps == 0 || self.repeats == 0 {
            return Err(Error::Data(
                "--batch, --steps and --repeats must be at least 1".into(),
            ));
        }
        let threads = rayon::current_num_threads();
        let source = random_images(4 * self.batch, true, 1)?;
        let target = random_images(4 * self.batch, false, 2)?;
        let on_cpu = is_cpu::<B::InnerBackend>();
        let torch_device = self
            .torch_device
            .clone()
            .unwrap_or_else(|| if on_cpu { "cpu" } else { "cuda" }.to_string());
        let mut torch = TorchRounds::default();
        let data = (&source, &target);
        // burn's own operations are what runs off the CPU anyway: measured once there.
        let burn = if self.skip_burn || !on_cpu {
            None
        } else {
            Some(self.measure::<B>(false, data, None, device)?)
        };
        let with_torch = self
            .torch_script
            .as_deref()
            .map(|s| (s, threads, torch_device.as_str(), &mut torch));
        let fused = self.measure::<B>(true, data, with_torch, device)?;
        let torch_warmup = torch.warmup;
        let torch = (!torch.rounds.is_empty()).then(|| (Rate::of(torch.rounds), torch.version));
        Ok(CnnSpeeds {
            bench: self.clone(),
            threads,
            on_cpu,
            torch_device,
            fused,
            burn,
            torch,
            torch_warmup,
        })
    }

    /// The settings: the paper's MNIST preset at this batch, never stopping.
    fn config() -> Result<TrainConfig> {
        let train = preset("mnist:mnist-m".parse()?, Default::default()).train;
        Ok(TrainConfig {
            iterations: 1_000_000,
            images: None,
            log_every: 1_000_000,
            ..train
        })
    }

    /// One path: the warm-up, then `repeats` rounds of `steps` steps, each followed, when
    /// `torch` is given, by one run of the reference script (so that a machine that speeds
    /// up or slows down during the run affects both alike); then inference.
    fn measure<B: AutodiffBackend>(
        &self,
        fused: bool,
        (source, target): (&Dataset, &Dataset),
        mut torch: Option<(&Path, usize, &str, &mut TorchRounds)>,
        device: &B::Device,
    ) -> Result<PathSpeed> {
        let config = TrainConfig {
            batch_size: 2 * self.batch,
            ..Self::config()?
        };
        let sync = || B::sync(device).map_err(|e| Error::Data(format!("the device failed: {e:?}")));
        conv::fused::set_enabled(fused);
        // The warm-up: building the model and the first steps (on a GPU: compiling and
        // tuning the kernels), timed on its own.
        let start = Instant::now();
        let mut trainer = Trainer::<B>::new(&DannConfig::mnist(), &config, source, target, device)?;
        trainer.run_until(self.warmup, &mut ())?;
        sync()?;
        let warmup = start.elapsed().as_secs_f64();
        let mut rounds = Vec::with_capacity(self.repeats);
        for _ in 0..self.repeats {
            let start = Instant::now();
            // Losses stay on a GPU until the round's end (one read, one wait).
            trainer.run_until(trainer.iteration() + self.steps, &mut ())?;
            sync()?;
            rounds.push(self.steps as f64 / start.elapsed().as_secs_f64());
            if let Some((script, threads, device, runs)) = &mut torch {
                runs.add(run_torch(script, self.batch, *threads, self.steps, device)?);
            }
        }
        let fitted = trainer.snapshot();
        fitted.predict(source)?;
        let inference = rate(self.repeats, source.len(), || {
            fitted.predict(source)?;
            Ok(())
        })?;
        Ok(PathSpeed {
            steps: Rate::of(rounds),
            inference,
            warmup,
        })
    }
}

impl CnnSpeeds {
    /// The speeds as a Markdown table and a line on the settings and the warm-ups.
    pub fn text(&self) -> String {
        let b = &self.bench;
        let images_per_step = (2 * b.batch) as f64;
        let mut table = MarkdownTable::new([
            "training step, paper's MNIST network".to_string(),
            format!("steps/s (median, range of {})", b.repeats),
            "images/s".into(),
            "vs PyTorch".into(),
            "inference images/s".into(),
        ]);
        let vs = |r: f64| {
            self.torch
                .as_ref()
                .map_or("-".into(), |t| format!("{:.2}x", r / t.0.median))
        };
        let mut row = |name: String, s: Rate, i: Option<Rate>| {
            table.row([
                name,
                format!("{:.2} ({:.2}-{:.2})", s.median, s.low, s.high),
                format!("{:.0}", s.median * images_per_step),
                vs(s.median),
                i.map_or("-".into(), |i| format!("{:.0}", i.median)),
            ]);
        };
        let name = if self.on_cpu {
            "dann, fused conv kernels (default)".into()
        } else {
            format!("dann on {} (burn's ops)", self.torch_device)
        };
        row(name, self.fused.steps, Some(self.fused.inference));
        if let Some(p) = &self.burn {
            row(
                "dann, burn flex's own ops".into(),
                p.steps,
                Some(p.inference),
            );
        }
        if let Some((t, version)) = &self.torch {
            row(format!("PyTorch {version} CPU"), *t, None);
        }
        format!(
            "{}\nbatch {} source + {} target images of 3 x 28 x 28, SGD momentum 0.9, {} threads; \
             warm-up ({} steps, incl. building the model): dann {:.2} s{}\n",
            table.render(),
            b.batch,
            b.batch,
            self.threads,
            b.warmup,
            self.fused.warmup,
            self.torch_warmup
                .map_or(String::new(), |w| format!(", PyTorch {w:.2} s"))
        )
    }

    /// The speeds as one JSON object.
    pub fn json(&self) -> serde_json::Value {
        let torch = self.torch.as_ref();
        serde_json::json!({
            "dann_steps_per_s": self.fused.steps.median,
            "dann_steps_per_s_range": [self.fused.steps.low, self.fused.steps.high],
            "dann_inference_images_per_s": self.fused.inference.median,
            "burn_steps_per_s": self.burn.map(|b| b.steps.median),
            "burn_inference_images_per_s": self.burn.map(|b| b.inference.median),
            "torch_steps_per_s": torch.map(|t| t.0.median),
            "torch_steps_per_s_range": torch.map(|t| [t.0.low, t.0.high]),
            "torch": torch.map(|t| t.1.clone()),
            "ratio": torch.map(|t| self.fused.steps.median / t.0.median),
            "dann_warmup_s": self.fused.warmup,
            "torch_warmup_s": self.torch_warmup,
            "torch_device": torch.map(|_| self.torch_device.clone()),
            "batch": self.bench.batch,
            "threads": self.threads,
        })
    }
}

/// The reference script's rounds so far.
#[derive(Debug, Default)]
struct TorchRounds {
    rounds: Vec<f64>,
    warmup: Option<f64>,
    version: String,
}

impl TorchRounds {
    fn add(&mut self, (steps_per_s, warmup_s, version): (f64, f64, String)) {
        self.rounds.push(steps_per_s);
        self.warmup.get_or_insert(warmup_s);
        self.version = version;
    }
}

/// One run of the reference script (its warm-up, then one timed round of `steps` steps):
/// steps per second, warm-up seconds, torch's version.
fn run_torch(
    script: &Path,
    batch: usize,
    threads: usize,
    steps: usize,
    device: &str,
) -> Result<(f64, f64, String)> {
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
    let v = run_reference(script, args.iter().map(|a| a.as_ref()))?;
    Ok((
        reference_number(&v, "steps_per_s")?,
        v["warmup_s"].as_f64().unwrap_or(f64::NAN),
        v["torch"].as_str().unwrap_or("?").to_string(),
    ))
}
