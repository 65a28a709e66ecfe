//! `dann shift`: the proxy A-distance between two data sets, on the inputs or on a model's
//! features.

use std::path::PathBuf;

use anyhow::Result;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::analysis::shift::check_limit;
use dann::run::{DataOverrides, shift_files};

use crate::report::{ShiftContext, write_shift_page};

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
    /// config.toml with --model, else the format's defaults); without --model, its
    /// [train.images] (e.g. `size = [28, 28]`) brings images of two sizes to one.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seed of the subsampling, the half/half split, the bootstrap and the permutations.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print one JSON object: pad, pad_interval, auc, auc_interval, p_value, top_features,
    /// least_like_source, rows_per_domain, verdict, seconds.
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when the proxy A-distance exceeds this (an effect size in [0, 2]),
    /// to guard a data pipeline; errors keep status 2.
    #[arg(long, value_name = "PAD")]
    fail_above: Option<f64>,
    /// Also write the result as a self-contained HTML page (verdict, intervals, a bar per
    /// separating feature, the least source-like rows).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// How CSV and Parquet files are read (with --model, the model's label and ignored
    /// columns are used, and only --ignore-extra-columns applies).
    #[command(flatten)]
    data: DataOverrides,
}

/// The shift exceeded `--fail-above`: `main` exits with status 1 (not 2, which is for
/// errors).
#[derive(Debug)]
pub struct ShiftExceeded(pub String);

impl std::fmt::Display for ShiftExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShiftExceeded {}

pub fn run<B: AutodiffBackend>(a: ShiftArgs, device: &B::Device) -> Result<()> {
    check_limit(a.fail_above)?;
    let (shift, seconds) = shift_files::<B::InnerBackend>(
        &a.source,
        &a.target,
        a.model.as_deref(),
        a.config.as_deref(),
        &a.data,
        a.seed,
        device,
    )?;
    if let Some(path) = &a.html {
        let context = ShiftContext {
            source: &a.source,
            target: &a.target,
            model: a.model.as_deref(),
            seconds,
            fail_above: a.fail_above,
        };
        write_shift_page(&shift, &context, path)?;
        if !a.json {
            eprintln!("wrote {}", path.display());
        }
    }
    if a.json {
        println!("{}", serde_json::to_string(&shift.to_json(seconds)?)?);
    } else {
        print!("{}", shift.describe(seconds));
    }
    match shift.exceeds(a.fail_above) {
        Some(message) => Err(ShiftExceeded(message).into()),
        None => Ok(()),
    }
}
