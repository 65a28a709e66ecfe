//! Shared helpers for the integration tests.
#![allow(dead_code)]

use dann::moons::{MoonsConfig, MoonsProblem};
use dann::schedule::{LambdaSchedule, LrSchedule};
use dann::{Dann, DannConfig, TrainConfig};

pub type B = dann::CpuAutodiff;

/// The moons problem for `seed`.
pub fn moons(seed: u64) -> MoonsProblem {
    MoonsConfig {
        seed,
        ..MoonsConfig::default()
    }
    .generate()
    .expect("valid moons config")
}

/// The `dann demo moons` settings (paper's 15 sigmoid units, lambda 6 as in the authors'
/// moons script, SGD lr 0.05 with momentum 0.9).
pub fn moons_dann(iterations: usize, seed: u64) -> Dann {
    Dann {
        model: DannConfig::shallow(15),
        train: TrainConfig {
            iterations,
            batch_size: 64,
            lr: LrSchedule::Constant { value: 0.05 },
            lambda: LambdaSchedule::Constant { value: 6.0 },
            log_every: 0,
            seed,
            ..TrainConfig::default()
        },
    }
}
