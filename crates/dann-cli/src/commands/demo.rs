//! `dann demo moons`: the paper's two-moons result, source-only against DANN.

use std::path::PathBuf;

use anyhow::{Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::experiments::moons::{DemoResult, MoonsConfig, MoonsDemo};
use dann::run::Procedure;
use serde_json::json;

#[derive(Debug, Args)]
pub struct MoonsArgs {
    /// Number of seeds to run (seed, seed+1, ...); results are averaged.
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// First seed (of the data and of the training).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How each model trains: `authors` is the authors' `experiments_moons.py` (Algorithm 1,
    /// one source and one target example per plain SGD step, lr 0.05, 500 epochs);
    /// `iterations` trains batches of 32 + 32 with momentum 0.9 for 10,000 iterations, on
    /// either engine (`[train] engine = "burn"` in --config).
    #[arg(long, value_enum, default_value_t = Procedure::Authors)]
    procedure: Procedure,
    /// Training iterations per model (--procedure iterations).
    #[arg(long)]
    iterations: Option<usize>,
    /// Epochs per model (--procedure authors).
    #[arg(long)]
    epochs: Option<usize>,
    /// Rotation of the target, degrees.
    #[arg(long, default_value_t = 35.0)]
    angle: f64,
    /// Examples per class.
    #[arg(long, default_value_t = 150)]
    n_per_class: usize,
    /// Run configuration overriding the demo's settings: its [shallow] section for
    /// --procedure authors, its [model] and [train] for --procedure iterations.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Also draw the paper's Figure 2 for the first seed into this folder: the label
    /// classifier's decision of source-only and DANN over the plane with the points, their
    /// hidden features on two principal components, DANN's domain classifier (PNG and SVG).
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn moons<B: AutodiffBackend>(a: MoonsArgs, device: &B::Device) -> Result<()> {
    let procedure = a
        .procedure
        .settings(a.config.as_deref(), a.epochs, a.iterations)?;
    if a.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    let demo = MoonsDemo {
        problem: MoonsConfig {
            n_per_class: a.n_per_class,
            angle_degrees: a.angle,
            ..MoonsConfig::default()
        },
        procedure,
        seeds: (a.seed..a.seed + a.seeds).collect(),
    };
    let result = demo.run::<B>(device)?;
    if let Some(dir) = &a.plot {
        let (problem, models) = demo.fit_seed::<B>(a.seed, device)?;
        let stems = crate::report::moons_figure::write(dir, &problem, &models)?;
        if !a.json {
            eprintln!(
                "Figure 2 (seed {}): {} in {}",
                a.seed,
                stems.join(", "),
                dir.display()
            );
        }
    }
    print_result(&a, &demo, &result)
}

/// The accuracies, as a table or one JSON object.
fn print_result(a: &MoonsArgs, demo: &MoonsDemo, result: &DemoResult) -> Result<()> {
    if a.json {
        let out = json!({
            "problem": "moons",
            "angle_degrees": a.angle,
            "n_per_class": a.n_per_class,
            "seeds": demo.seeds,
            "procedure": a.procedure.name(),
            "source_only": result.source_only,
            "dann": result.dann,
        });
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
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
    Ok(())
}
