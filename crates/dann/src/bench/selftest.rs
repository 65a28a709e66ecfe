//! Does a device compute what the CPU computes? The gradient reversal layer's forward pass
//! and gradient, and a few DANN training steps of the paper's MNIST network (same seed, same
//! batches) whose class probabilities afterwards must match those trained with burn's own
//! CPU operations. Meant for a GPU machine; on the CPU it checks the fused convolution
//! kernels.

use std::time::Instant;

use burn::tensor::Tensor;
use burn::tensor::backend::AutodiffBackend;

use super::random_images;
use crate::backend::CpuAutodiff;
use crate::deep::{DannConfig, Trainer};
use crate::error::{Error, Result, non_negative};
use crate::nn::conv;
use crate::nn::grl::reverse_gradient;
use crate::training::TrainConfig;

/// What [`selftest`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selftest {
    /// Largest error of the GRL's forward pass (`x`) and gradient (`-lambda w`).
    pub grl_error: f64,
    /// Largest difference of a class probability after the training steps.
    pub network_error: f64,
    /// Training steps compared.
    pub steps: usize,
    /// The tolerance of `network_error`.
    pub tolerance: f64,
    /// Seconds it took.
    pub seconds: f64,
}

impl Selftest {
    /// Whether the device agrees with the CPU: GRL error at most 1e-6, probabilities within
    /// the tolerance.
    pub fn ok(&self) -> bool {
        self.grl_error <= 1e-6 && self.network_error <= self.tolerance
    }
}

/// Runs the GRL check and `steps` training steps on `device` and on the CPU with burn's own
/// operations, comparing the class probabilities within `tolerance`; `steps` 0 or a
/// tolerance that is negative or not a number is an error (naming `dann selftest`'s flag).
pub fn selftest<B: AutodiffBackend>(
    steps: usize,
    tolerance: f64,
    device: &B::Device,
) -> Result<Selftest> {
    if steps == 0 {
        return Err(Error::config("--steps", "must be at least 1"));
    }
    non_negative("--tolerance", tolerance)?;
    let start = Instant::now();
    let grl_error = grl_error::<B>(device);
    // A few training steps of the paper's MNIST network, here and on the CPU.
    let source = random_images(64, true, 1)?;
    let target = random_images(64, false, 2)?;
    let config = TrainConfig {
        iterations: steps.max(1),
        batch_size: 32,
        log_every: 0,
        ..TrainConfig::paper()
    };
    let model = DannConfig::mnist();
    let here = Trainer::<B>::new(&model, &config, &source, &target, device)?.fit(&mut ())?;
    // The reference runs burn's own CPU operations, so that on the CPU the fused convolution
    // kernels are what is checked.
    let fused = conv::fused::enabled();
    conv::fused::set_enabled(false);
    let cpu = Trainer::<CpuAutodiff>::new(&model, &config, &source, &target, &Default::default())
        .and_then(|t| t.fit(&mut ()));
    conv::fused::set_enabled(fused);
    let cpu = cpu?;
    let (p, q) = (here.predict_proba(&target)?, cpu.predict_proba(&target)?);
    let network_error = p
        .as_slice()
        .iter()
        .zip(q.as_slice())
        .map(|(a, b)| f64::from((a - b).abs()))
        .fold(0.0, f64::max);
    Ok(Selftest {
        grl_error,
        network_error,
        steps: config.iterations,
        tolerance,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The GRL: identity forward, -lambda times the upstream gradient backward; the largest
/// error of either (infinite when there is no gradient).
fn grl_error<B: AutodiffBackend>(device: &B::Device) -> f64 {
    let x = Tensor::<B, 1>::from_floats([1.0, -2.0, 0.5], device).require_grad();
    let w = Tensor::<B, 1>::from_floats([0.3, 0.7, -1.1], device);
    let y = reverse_gradient(x.clone(), 0.5);
    let forward: Vec<f32> = y.to_data().to_vec().unwrap_or_default();
    let grads = (y * w).sum().backward();
    let gradient: Vec<f32> = x
        .grad(&grads)
        .map(|g| g.to_data().to_vec().unwrap_or_default())
        .unwrap_or_default();
    let start = if gradient.len() == 3 {
        0.0
    } else {
        f64::INFINITY
    };
    forward
        .iter()
        .zip([1.0, -2.0, 0.5])
        .chain(gradient.iter().zip([-0.15, -0.35, 0.55]))
        .map(|(got, want)| f64::from((got - want).abs()))
        .fold(start, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gradient_reversal_layer_passes_on_the_cpu() {
        assert!(grl_error::<CpuAutodiff>(&Default::default()) <= 1e-6);
    }

    #[test]
    fn no_steps_or_a_bad_tolerance_is_refused_up_front() {
        let device = Default::default();
        let err = selftest::<CpuAutodiff>(0, 1e-3, &device).unwrap_err();
        assert!(
            err.to_string().contains("`--steps`: must be at least 1"),
            "{err}"
        );
        for tolerance in [f64::NAN, -1.0, f64::INFINITY] {
            let err = selftest::<CpuAutodiff>(1, tolerance, &device).unwrap_err();
            assert!(
                err.to_string().contains("`--tolerance`: must be >= 0"),
                "{err}"
            );
        }
    }
}
