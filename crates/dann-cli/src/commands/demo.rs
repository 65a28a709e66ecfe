//! `dann demo moons`: the paper's two-moons result, source-only against DANN.

use std::path::PathBuf;

use anyhow::{Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::experiments::moons::{MoonsConfig, MoonsDemo, demo_settings};
use serde_json::json;

use crate::run_config::RunConfig;

#[derive(Debug, Args)]
pub struct MoonsArgs {
    /// Number of seeds to run (seed, seed+1, ...); results are averaged.
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// First seed (of the data and of the training).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Training iterations per model.
    #[arg(long)]
    iterations: Option<usize>,
    /// Rotation of the target, degrees.
    #[arg(long, default_value_t = 35.0)]
    angle: f64,
    /// Examples per class.
    #[arg(long, default_value_t = 150)]
    n_per_class: usize,
    /// Run configuration overriding the demo's network and training settings.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn moons<B: AutodiffBackend>(a: MoonsArgs, device: &B::Device) -> Result<()> {
    let mut settings = match &a.config {
        Some(p) => RunConfig::load(p)?.dann(),
        None => demo_settings(),
    };
    if let Some(n) = a.iterations {
        settings.train.iterations = n;
    }
    if a.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    let demo = MoonsDemo {
        problem: MoonsConfig {
            n_per_class: a.n_per_class,
            angle_degrees: a.angle,
            ..MoonsConfig::default()
        },
        settings,
        seeds: (a.seed..a.seed + a.seeds).collect(),
    };
    let result = demo.run::<B>(device)?;
    if a.json {
        let out = json!({
            "problem": "moons",
            "angle_degrees": a.angle,
            "n_per_class": a.n_per_class,
            "seeds": demo.seeds,
            "source_only": result.source_only,
            "dann": result.dann,
        });
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!(
            "two moons, target rotated {} degrees, {} per class, {} seed(s)",
            a.angle,
            a.n_per_class,
            demo.seeds.len()
        );
        println!(
            "{:<12} {:>16} {:>16}",
            "", "source accuracy", "target accuracy"
        );
        for (name, acc) in [("source-only", &result.source_only), ("DANN", &result.dann)] {
            println!(
                "{:<12} {:>16.4} {:>16.4}",
                name, acc.source_accuracy, acc.target_accuracy
            );
        }
    }
    Ok(())
}
