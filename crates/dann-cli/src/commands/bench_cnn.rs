//! `dann bench cnn`: training steps per second of the paper's MNIST network (DANN, batch
//! `--batch` source + `--batch` target images of 3 x 28 x 28, SGD with momentum 0.9) with the
//! fused convolution kernels and with burn's own operations, inference images per second of
//! both, and the PyTorch CPU reference script at the same batch and thread count, in one run.

use std::path::PathBuf;

use anyhow::{Context, Result};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::bench::cnn::CnnBench;

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

pub fn cnn<B: AutodiffBackend>(a: CnnArgs, device: &B::Device) -> Result<()> {
    let bench = CnnBench {
        batch: a.batch,
        steps: a.steps,
        repeats: a.repeats,
        torch_script: a.torch_script,
        skip_burn: a.skip_burn,
        warmup: a.warmup,
        torch_device: a.torch_device,
    };
    let speeds = bench.run::<B>(device)?;
    let text = speeds.text();
    if let Some(out) = &a.out {
        std::fs::write(out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    }
    if a.json {
        println!("{}", speeds.json());
    } else {
        print!("{text}");
    }
    Ok(())
}
