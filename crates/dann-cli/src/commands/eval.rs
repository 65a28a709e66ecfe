//! `dann eval`: accuracy and per-class counts of a trained model on labelled data (RMSE, MAE
//! and R^2 for a regression model).

use std::path::PathBuf;

use anyhow::Result;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::run::RunConfig;

use crate::output::noted;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Model directory written by `dann train`.
    #[arg(long)]
    model: PathBuf,
    /// Labelled data.
    #[arg(long)]
    data: PathBuf,
    /// Config whose [data] section says how to read --data (default: the model's config.toml).
    /// The columns are the model's, matched by name: their order does not matter.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Skip columns the model does not have instead of refusing the file ([data]
    /// ignore_extra_columns).
    #[arg(long)]
    ignore_extra_columns: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run<B: AutodiffBackend>(a: EvalArgs, device: &B::Device) -> Result<()> {
    let (model, mut options) =
        RunConfig::load_model::<B::InnerBackend>(&a.model, a.config.as_deref(), device)?;
    options.ignore_extra_columns |= a.ignore_extra_columns;
    let data = model.prepare(noted(&a.data, model.read(&a.data, &options)?))?;
    if model.task() == dann::Task::Regression {
        let e = model.evaluate_values(&data)?;
        if a.json {
            println!("{}", serde_json::to_string_pretty(&e)?);
        } else {
            println!(
                "RMSE {:.4}, MAE {:.4}, R^2 {:.4} ({} examples)",
                e.rmse, e.mae, e.r2, e.n
            );
        }
        return Ok(());
    }
    let e = model.evaluate(&data)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
    } else {
        println!("accuracy {:.4} ({} examples)", e.accuracy, e.n);
        println!(
            "{:<16} {:>9} {:>9} {:>9} {:>9}",
            "class", "support", "correct", "predicted", "recall"
        );
        for c in &e.per_class {
            println!(
                "{:<16} {:>9} {:>9} {:>9} {:>9.4}",
                c.class,
                c.support,
                c.correct,
                c.predicted,
                c.recall()
            );
        }
    }
    Ok(())
}
