//! `dann bench cnn`: training steps per second of the paper's MNIST network (DANN, batch
//! `--batch` source + `--batch` target images of 3 x 28 x 28, SGD with momentum 0.9) with the
//! fused convolution kernels and with burn's own operations, inference images per second of
//! both, and the PyTorch CPU reference script at the same batch and thread count, in one run.

use std::path::PathBuf;

use anyhow::Result;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::bench::cnn::CnnBench;

use super::bench::emit;

#[derive(Debug, Args)]
pub struct CnnArgs {
    #[command(flatten)]
    bench: CnnBench,
    /// Write the Markdown table here too.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print one JSON object (dann_steps_per_s, torch_steps_per_s, ...).
    #[arg(long)]
    json: bool,
}

pub fn cnn<B: AutodiffBackend>(a: CnnArgs, device: &B::Device) -> Result<()> {
    let speeds = a.bench.run::<B>(device)?;
    emit(&speeds.text(), &speeds.json(), a.out.as_deref(), a.json)
}
