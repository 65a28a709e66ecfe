//! `dann shift`: the proxy A-distance between two data sets, on the inputs or on a model's
//! features.

use std::path::PathBuf;

use anyhow::Result;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::Dataset;
use dann::FeatureMap;
use dann::analysis::shift::measure_shift;
use dann::data::LoadOptions;
use serde_json::json;

use super::{load, load_model};
use crate::report::{ShiftContext, write_shift_page};
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
    // With a model, the files are read as it was trained (its config.toml) unless --config
    // says otherwise; the config is read once.
    let (model, mut options, images) = match &a.model {
        Some(dir) => {
            let (model, options) = load_model::<B::InnerBackend>(dir, a.config.as_deref(), device)?;
            (Some(model), options, None)
        }
        None => match &a.config {
            Some(p) => {
                let config = RunConfig::load(p)?;
                (None, config.data, config.train.images)
            }
            None => (None, LoadOptions::default(), None),
        },
    };
    // Both files read with one SVMlight index base (a model's config already fixes it).
    options.settle_index_base(&[a.source.as_path(), a.target.as_path()])?;
    let source = named(
        load(&a.source, &options)?.without_labels(),
        &a.source,
        &options,
    )?;
    let target = named(
        load(&a.target, &options)?.without_labels(),
        &a.target,
        &options,
    )?;
    // Images of two sizes or colourings meet through the config's [train.images], as in
    // training (the model, when given, applies its own).
    let (source, target) = match images {
        Some(prep) => {
            let fitted = prep.fit(&[&source, &target])?;
            (fitted.transform(&source)?, fitted.transform(&target)?)
        }
        None => (source, target),
    };
    let model = model.as_ref().map(|m| m as &dyn FeatureMap);
    if let Some(limit) = a.fail_above
        && !(0.0..=2.0).contains(&limit)
    {
        anyhow::bail!("--fail-above {limit}: a proxy A-distance is between 0 and 2");
    }
    let start = std::time::Instant::now();
    let shift = measure_shift(source, target, model, a.seed)?;
    let seconds = start.elapsed().as_secs_f64();
    let verdict = shift.verdict();
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
        let mut v = serde_json::to_value(&shift)?;
        v["space"] = json!(shift.space.describe());
        v["pad"] = json!(shift.pad.pad);
        v["error"] = json!(shift.pad.error);
        v["c"] = json!(shift.pad.c);
        v["n_train"] = json!(shift.pad.n_train);
        v["n_test"] = json!(shift.pad.n_test);
        // Effect sizes as plain numbers (what a pipeline compares), intervals beside them.
        v["auc"] = json!(shift.auc.value);
        v["auc_interval"] = json!([shift.auc.low, shift.auc.high]);
        v["pad_interval"] = json!([shift.pad_interval.low, shift.pad_interval.high]);
        v["verdict"] = json!(verdict);
        v["seconds"] = json!(seconds);
        println!("{}", serde_json::to_string(&v)?);
    } else {
        println!("{verdict}");
        println!(
            "  {} rows per domain (the larger set subsampled), domain classifier trained on {}, \
             tested on {} (error {:.4}, C = {:.0e}); {seconds:.2} s",
            shift.rows_per_domain,
            shift.pad.n_train,
            shift.pad.n_test,
            shift.pad.error,
            shift.pad.c
        );
        if !shift.top_features.is_empty() {
            println!(
                "  features that separate the domains most (|weight| x sd; mean source -> target, standardized difference):"
            );
            for f in &shift.top_features {
                println!(
                    "    {:<24} {:>9.4}   {:.4} -> {:.4} ({:+.2} sd)",
                    f.name, f.importance, f.mean_source, f.mean_target, f.standardized_difference
                );
            }
        }
        if !shift.least_like_source.is_empty() {
            let rows: Vec<String> = shift
                .least_like_source
                .iter()
                .map(|i| (i + 1).to_string())
                .collect();
            println!(
                "  target rows least like the source (1-based, held-out half): {}",
                rows.join(", ")
            );
        }
    }
    if let Some(limit) = a.fail_above
        && shift.pad.pad > limit
    {
        return Err(ShiftExceeded(format!(
            "shift above the limit: PAD {:.3} > --fail-above {limit}",
            shift.pad.pad
        ))
        .into());
    }
    Ok(())
}

/// SVMlight features named by their index as written in the file (`index 17`), in the base
/// the files were read with; other data keeps its names (a CSV header's) or `column k`.
fn named(data: Dataset, path: &std::path::Path, options: &LoadOptions) -> Result<Dataset> {
    use dann::data::{Format, IndexBase};
    if data.has_feature_names() || options.resolve_format(path)? != Format::Svmlight {
        return Ok(data);
    }
    let base = usize::from(options.svmlight.index_base == IndexBase::One);
    let names = (0..data.n_features())
        .map(|k| format!("index {}", k + base))
        .collect();
    Ok(data.with_feature_names(names)?)
}
