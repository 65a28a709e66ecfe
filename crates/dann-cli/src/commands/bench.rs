//! `dann bench shallow`: examples per second of the shallow DANN update (Algorithm 1, one
//! source and one target review per step, 100 hidden units) on the Amazon books -> kitchen
//! data, for the sparse kernels, burn's dense per-example update, and optionally the PyTorch
//! CPU reference script, all measured in one run; then, on dense inputs as wide as the mSDA
//! features (30,000), the per-example kernel against the blocked one.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::bench::shallow::ShallowBench;

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    bench: ShallowBench,
    /// Write the Markdown table here too.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn shallow<B: AutodiffBackend>(a: BenchArgs, device: &B::Device) -> Result<()> {
    let speeds = a.bench.run::<B>(device)?;
    emit(&speeds.table(), &speeds.json(), a.out.as_deref(), a.json)
}

/// A bench's output: `text` into `out` when given, then `json` or `text` on stdout.
pub(super) fn emit(
    text: &str,
    json: &serde_json::Value,
    out: Option<&Path>,
    as_json: bool,
) -> Result<()> {
    if let Some(out) = out {
        std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))?;
    }
    if as_json {
        println!("{json}");
    } else {
        print!("{text}");
    }
    Ok(())
}
