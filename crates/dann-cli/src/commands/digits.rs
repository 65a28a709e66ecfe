//! `dann reproduce digits`: the paper's Table 2 (MNIST -> MNIST-M) and MNIST <-> USPS, with
//! the t-SNE maps before and after adaptation.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::experiments::digits::{DigitsData, DigitsReport, ModelResult};
use dann::run::{DigitsOptions, DigitsPlan, ReproduceConfig, RunConfig, fresh_dir, overlay};

use super::write_file;
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub struct DigitsArgs {
    #[command(flatten)]
    options: DigitsOptions,
    /// Run configuration whose `[reproduce.digits]` section holds any of these settings (same
    /// names, e.g. `pair = "mnist:usps"`, `models = ["dann"]`); a flag overrides the file.
    /// The resolved settings are written to --out as reproduce.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Replace an earlier report in --out.
    #[arg(long)]
    force: bool,
    /// No progress bars.
    #[arg(long, short)]
    quiet: bool,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run<B: AutodiffBackend>(args: DigitsArgs, device: &B::Device) -> Result<()> {
    let start = Instant::now();
    let file = RunConfig::load_or_default(args.config.as_deref())?.reproduce;
    let options = overlay(&file.digits, &args.options)?;
    let plan = options.plan()?;
    let stem = plan.stem();
    let files = ["md", "json", "html"].map(|ext| format!("{stem}.{ext}"));
    let out = fresh_dir(
        options.out.as_deref(),
        &format!("digits-{stem}"),
        &files,
        args.force,
    )?;
    let resolved = ReproduceConfig {
        digits: options,
        ..Default::default()
    };
    resolved.write_resolved(&out)?;
    let data = plan
        .load_data()
        .with_context(|| format!("digits data under {}", plan.data_dir.display()))?;
    let models = fit_models::<B>(&plan, &data, &out, &args, device)?;
    let report = plan.report(&data, models, start.elapsed().as_secs_f64());
    write_report(&report, &stem, &out, args.json)
}

/// Trains the plan's models one after the other, each with its progress bar, its line and
/// its t-SNE picture.
fn fit_models<B: AutodiffBackend>(
    plan: &DigitsPlan,
    data: &DigitsData,
    out: &Path,
    args: &DigitsArgs,
    device: &B::Device,
) -> Result<Vec<ModelResult>> {
    let mut results = Vec::new();
    for &kind in &plan.models {
        let iterations = plan.settings.train.iterations;
        let mut reporter = Reporter::new(iterations, args.quiet || args.json, kind.name());
        let model = plan.fit_model::<B>(kind, data, out, &mut reporter, device);
        reporter.finish();
        let model = model?;
        let r = &model.result;
        if !args.json {
            eprintln!(
                "{:>15}: target accuracy {:.4}, source accuracy {:.4} ({:.0} s)",
                kind.name(),
                r.target_accuracy,
                r.source_accuracy,
                r.seconds
            );
        }
        if let Some(map) = &model.tsne {
            crate::report::draw_tsne(map, &plan.model_file(out, "tsne", kind, "png"))?;
        }
        results.push(model.result);
    }
    Ok(results)
}

/// Writes `<stem>.json`, `.md` and `.html` and prints the table (or the JSON).
fn write_report(report: &DigitsReport, stem: &str, out: &Path, json: bool) -> Result<()> {
    let command = std::env::args()
        .enumerate()
        .map(|(i, s)| if i == 0 { "dann".into() } else { s })
        .collect::<Vec<_>>()
        .join(" ");
    let pretty = serde_json::to_string_pretty(report)?;
    write_file(&out.join(format!("{stem}.json")), &pretty)?;
    write_file(&out.join(format!("{stem}.md")), &report.markdown(&command))?;
    crate::report::write_digits_page(report, stem, out, &command)?;
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        print!("{}", report.markdown(&command));
        eprintln!(
            "wrote {}/{stem}.md, .json, .html, metrics and t-SNE maps",
            out.display()
        );
    }
    Ok(())
}
