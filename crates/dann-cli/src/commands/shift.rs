//! `dann shift`: the proxy A-distance between two data sets, on the inputs or on a model's
//! features.

use std::path::PathBuf;

use anyhow::Result;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::FeatureMap;
use dann::analysis::shift::measure_shift;
use dann::data::LoadOptions;
use serde_json::json;

use super::{load, load_model};
use crate::run_config::RunConfig;

#[derive(Debug, Args)]
pub struct ShiftArgs {
    /// First data set (labels ignored).
    #[arg(long)]
    source: PathBuf,
    /// Second data set (labels ignored).
    #[arg(long)]
    target: PathBuf,
    /// Measure on the features G_f(x) of this model (a `dann train` output directory).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Config whose [data] section says how to read the files (default: the model's
    /// config.toml with --model, else the format's defaults).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seed of the half/half split.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run<B: AutodiffBackend>(a: ShiftArgs, device: &B::Device) -> Result<()> {
    // With a model, the files are read as it was trained (its config.toml) unless --config
    // says otherwise; the config is read once.
    let (model, mut options) = match &a.model {
        Some(dir) => {
            let (model, options) = load_model::<B::InnerBackend>(dir, a.config.as_deref(), device)?;
            (Some(model), options)
        }
        None => match &a.config {
            Some(p) => (None, RunConfig::load(p)?.data),
            None => (None, LoadOptions::default()),
        },
    };
    // Both files read with one SVMlight index base (a model's config already fixes it).
    options.settle_index_base(&[a.source.as_path(), a.target.as_path()])?;
    let source = load(&a.source, &options)?.without_labels();
    let target = load(&a.target, &options)?.without_labels();
    let model = model.as_ref().map(|m| m as &dyn FeatureMap);
    let shift = measure_shift(source, target, model, a.seed)?;
    let (space, pad) = (shift.space.describe(), shift.pad);
    if a.json {
        println!(
            "{}",
            serde_json::to_string(
                &json!({"space": space, "pad": pad.pad, "error": pad.error, "c": pad.c, "n_train": pad.n_train, "n_test": pad.n_test})
            )?
        );
    } else {
        println!(
            "proxy A-distance on {space}: {:.4} (domain classifier error {:.4}, C = {:.0e}, {} train / {} test rows)",
            pad.pad, pad.error, pad.c, pad.n_train, pad.n_test
        );
    }
    Ok(())
}
