//! `dann bench shallow`: examples per second of the shallow DANN update (Algorithm 1, one
//! source and one target review per step, 100 hidden units) on the Amazon books -> kitchen
//! data, for the sparse kernels, burn's dense per-example update, and optionally the PyTorch
//! CPU reference script, all measured in one run; then, on dense inputs as wide as the mSDA
//! features (30,000), the per-example kernel against the blocked one.

use std::path::PathBuf;

use anyhow::{Context, Result};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::bench::shallow::ShallowBench;

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

pub fn shallow<B: AutodiffBackend>(a: BenchArgs, device: &B::Device) -> Result<()> {
    let bench = ShallowBench {
        data_dir: a.data_dir.resolve(),
        sparse_steps: a.sparse_steps,
        dense_steps: a.dense_steps,
        torch_script: a.torch_script,
        torch_steps: a.torch_steps,
        repeats: a.repeats,
        dense_width: a.dense_width,
        dense_rows: a.dense_rows,
    };
    let speeds = bench.run::<B>(device)?;
    let table = speeds.table();
    if let Some(out) = &a.out {
        std::fs::write(out, &table).with_context(|| format!("cannot write {}", out.display()))?;
    }
    if a.json {
        println!("{}", speeds.json());
    } else {
        print!("{table}");
    }
    Ok(())
}
