//! Shared helpers for the integration tests.
#![allow(dead_code)]

use dann::Dann;
use dann::experiments::moons::{MoonsConfig, MoonsProblem, demo_settings};

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
/// moons script, SGD lr 0.05 with momentum 0.9) with `iterations` and `seed`.
pub fn moons_dann(iterations: usize, seed: u64) -> Dann {
    let mut dann = demo_settings();
    dann.train.iterations = iterations;
    dann.train.seed = seed;
    dann
}

/// The repository's `data/` directory (the Amazon reviews ship with the repo).
pub fn repo_data(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(rel)
}

/// Loads one of the shipped Amazon files with the paper's 5,000 features.
pub fn amazon(name: &str) -> dann::Dataset {
    let options = dann::data::LoadOptions {
        svmlight: dann::data::SvmLightOptions {
            n_features: Some(5000),
            ..Default::default()
        },
        ..Default::default()
    };
    dann::data::load(repo_data(&format!("amazon/{name}.svmlight.gz")), &options).unwrap()
}
