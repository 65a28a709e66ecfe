//! `dann selftest`: does the chosen `--device` compute what the CPU computes? The gradient
//! reversal layer's forward pass and gradient, and a few DANN training steps of the paper's
//! MNIST network (same seed, same batches) whose class probabilities afterwards must match
//! those trained with burn's own CPU operations. Meant for a GPU machine
//! (`benchmarks/gpu/run.sh` runs it first); on the CPU it checks the fused convolution kernels.

use anyhow::{Result, bail};
use burn::tensor::Tensor;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::nn::grl::reverse_gradient;
use dann::{DannConfig, TrainConfig, Trainer};
use serde_json::json;

use super::bench_cnn::images;

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
    let start = std::time::Instant::now();
    // The GRL: identity forward, -lambda times the upstream gradient backward.
    let x = Tensor::<B, 1>::from_floats([1.0, -2.0, 0.5], device).require_grad();
    let w = Tensor::<B, 1>::from_floats([0.3, 0.7, -1.1], device);
    let y = reverse_gradient(x.clone(), 0.5);
    let forward: Vec<f32> = y.to_data().to_vec().unwrap_or_default();
    let grads = (y * w).sum().backward();
    let gradient: Vec<f32> = x
        .grad(&grads)
        .map(|g| g.to_data().to_vec().unwrap_or_default())
        .unwrap_or_default();
    let grl_error = forward
        .iter()
        .zip([1.0, -2.0, 0.5])
        .chain(gradient.iter().zip([-0.15, -0.35, 0.55]))
        .map(|(got, want)| f64::from((got - want).abs()))
        .fold(
            if gradient.len() == 3 {
                0.0
            } else {
                f64::INFINITY
            },
            f64::max,
        );

    // A few training steps of the paper's MNIST network, here and on the CPU.
    let source = images(64, true, 1)?;
    let target = images(64, false, 2)?;
    let config = TrainConfig {
        iterations: a.steps.max(1),
        batch_size: 32,
        log_every: 0,
        ..TrainConfig::default()
    };
    let model = DannConfig::mnist();
    let here = Trainer::<B>::new(&model, &config, &source, &target, device)?.fit(&mut ())?;
    // The reference runs burn's own CPU operations, so that on the CPU the fused convolution
    // kernels are what is checked.
    let fused = dann::nn::conv::fused::enabled();
    dann::nn::conv::fused::set_enabled(false);
    let cpu =
        Trainer::<dann::CpuAutodiff>::new(&model, &config, &source, &target, &Default::default())
            .and_then(|t| t.fit(&mut ()));
    dann::nn::conv::fused::set_enabled(fused);
    let cpu = cpu?;
    let (p, q) = (here.predict_proba(&target)?, cpu.predict_proba(&target)?);
    let network_error = p
        .as_slice()
        .iter()
        .zip(q.as_slice())
        .map(|(a, b)| f64::from((a - b).abs()))
        .fold(0.0, f64::max);
    let ok = grl_error <= 1e-6 && network_error <= a.tolerance;
    if a.json {
        println!(
            "{}",
            json!({"ok": ok, "grl_max_error": grl_error, "network_max_probability_error": network_error,
                   "steps": config.iterations, "tolerance": a.tolerance,
                   "seconds": start.elapsed().as_secs_f64()})
        );
    } else {
        println!(
            "gradient reversal: max error {grl_error:.2e} (forward = x, gradient = -lambda w)\n\
             {} training steps of the paper's MNIST network: class probabilities differ from \
             the CPU's by at most {network_error:.2e} (tolerance {:.0e})\n{}",
            config.iterations,
            a.tolerance,
            if ok { "ok" } else { "MISMATCH" }
        );
    }
    if !ok {
        bail!(
            "the device does not compute what the CPU computes (GRL error {grl_error:.2e}, \
             probabilities {network_error:.2e} > {:.0e})",
            a.tolerance
        );
    }
    Ok(())
}
