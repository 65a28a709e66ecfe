//! `dann selftest`: does the chosen `--device` compute what the CPU computes? The gradient
//! reversal layer's forward pass and gradient, and a few DANN training steps of the paper's
//! MNIST network (same seed, same batches) whose class probabilities afterwards must match
//! those trained with burn's own CPU operations. Meant for a GPU machine
//! (`benchmarks/gpu/run.sh` runs it first); on the CPU it checks the fused convolution kernels.

use anyhow::{Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::bench::selftest::selftest;
use serde_json::json;

#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// Training steps compared with the CPU.
    #[arg(long, default_value_t = 5)]
    steps: usize,
    /// Largest difference allowed between a class probability on the device and on the CPU.
    #[arg(long, default_value_t = 1e-3)]
    tolerance: f64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run<B: AutodiffBackend>(a: SelftestArgs, device: &B::Device) -> Result<()> {
    let t = selftest::<B>(a.steps, a.tolerance, device)?;
    let ok = t.ok();
    if a.json {
        println!(
            "{}",
            json!({"ok": ok, "grl_max_error": t.grl_error, "network_max_probability_error": t.network_error,
                   "steps": t.steps, "tolerance": t.tolerance, "seconds": t.seconds})
        );
    } else {
        println!(
            "gradient reversal: max error {:.2e} (forward = x, gradient = -lambda w)\n\
             {} training steps of the paper's MNIST network: class probabilities differ from \
             the CPU's by at most {:.2e} (tolerance {:.0e})\n{}",
            t.grl_error,
            t.steps,
            t.network_error,
            t.tolerance,
            if ok { "ok" } else { "MISMATCH" }
        );
    }
    if !ok {
        bail!(
            "the device does not compute what the CPU computes (GRL error {:.2e}, \
             probabilities {:.2e} > {:.0e})",
            t.grl_error,
            t.network_error,
            t.tolerance
        );
    }
    Ok(())
}
