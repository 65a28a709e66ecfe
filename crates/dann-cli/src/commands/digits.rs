//! `dann reproduce digits`: the paper's Table 2 (MNIST -> MNIST-M) and MNIST <-> USPS, with
//! the t-SNE maps before and after adaptation.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::MetricsRecord;
use dann::experiments::digits::{self, DigitsData, DigitsReport, ModelKind, Variant, fit_model};

use super::tsne::Map;
use super::{reproduction_out, write_file};
use crate::progress::Reporter;
use crate::reproduce_config::{DigitsOptions, ReproduceConfig};
use crate::run_config::RunConfig;

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
    let file = match &args.config {
        Some(path) => RunConfig::load(path)?.reproduce.digits,
        None => DigitsOptions::default(),
    };
    let a = args.options.clone().or(file);
    let pair = a.pair.unwrap_or("mnist:mnist-m".parse()?);
    let variant = a.variant.unwrap_or_default();
    let seed = a.seed.unwrap_or(0);
    let tsne_n = a.tsne_n.unwrap_or(1000);
    let chosen = a.models.clone().unwrap_or_else(|| ModelKind::ALL.to_vec());
    let mut settings = digits::preset(pair, variant);
    settings.train.seed = seed;
    if let Some(n) = a.iterations {
        settings.train.iterations = n;
        settings.train.log_every = settings.train.log_every.min(n.div_ceil(10).max(1));
    }
    settings.check()?;
    if a.subset == Some(0) {
        bail!("--subset must be at least 1");
    }
    if chosen.is_empty() {
        bail!("--models names no model");
    }
    let stem = match variant {
        Variant::Paper => format!("{}-{}", pair.source, pair.target),
        Variant::BnAdam => format!("{}-{}-bn-adam", pair.source, pair.target),
    };
    let out = reproduction_out(
        a.out.as_deref(),
        &format!("digits-{stem}"),
        &[
            format!("{stem}.md"),
            format!("{stem}.json"),
            format!("{stem}.html"),
        ],
        args.force,
    )?;
    super::reproduce::write_resolved(
        &out,
        ReproduceConfig {
            digits: a.clone(),
            ..Default::default()
        },
    )?;
    let data_dir = dann::data::data_dir(a.data_dir.clone());
    let mut data = DigitsData::load(pair, &data_dir, a.mnist_m.as_deref(), 0)
        .with_context(|| format!("digits data under {}", data_dir.display()))?;
    if let Some(n) = a.subset {
        data = data.subset(n, seed);
    }
    let mut models = Vec::new();
    for kind in ModelKind::ALL.into_iter().filter(|k| chosen.contains(k)) {
        let mut reporter = Reporter::<std::io::Sink>::new(
            settings.train.iterations,
            args.quiet || args.json,
            kind.name(),
            None,
        );
        let mut records: Vec<MetricsRecord> = Vec::new();
        let (fitted, result) = fit_model::<B>(
            kind,
            &settings,
            &data,
            &mut (&mut reporter, &mut records),
            device,
        )?;
        reporter.finish()?;
        let mut lines = String::new();
        for r in &records {
            lines += &serde_json::to_string(r)?;
            lines.push('\n');
        }
        write_file(
            &out.join(format!("{stem}-metrics-{}.jsonl", kind.name())),
            &lines,
        )?;
        if !args.json {
            eprintln!(
                "{:>15}: target accuracy {:.4}, source accuracy {:.4} ({:.0} s)",
                kind.name(),
                result.target_accuracy,
                result.source_accuracy,
                result.seconds
            );
        }
        if tsne_n > 0 && kind != ModelKind::TrainOnTarget {
            let png = out.join(format!("{stem}-tsne-{}.png", kind.name()));
            let map = Map {
                n: tsne_n,
                perplexity: 30.0,
                seed,
            };
            map.write(&fitted, &data.source_test, &data.target_test, &png)?;
        }
        if let Some(dir) = &a.models_out {
            fitted.save(dir.join(kind.name()))?;
        }
        models.push(result);
    }
    let report = DigitsReport {
        pair,
        variant,
        seed,
        iterations: settings.train.iterations,
        batch_size: settings.train.batch_size,
        subset: a.subset,
        train_images: [data.source.len(), data.target.len()],
        test_images: data.target_test.len(),
        models,
        published: digits::published(pair),
        seconds: start.elapsed().as_secs_f64(),
    };
    let command = std::env::args()
        .enumerate()
        .map(|(i, s)| if i == 0 { "dann".into() } else { s })
        .collect::<Vec<_>>()
        .join(" ");
    let json = serde_json::to_string_pretty(&report)?;
    write_file(&out.join(format!("{stem}.json")), &json)?;
    write_file(&out.join(format!("{stem}.md")), &report.markdown(&command))?;
    crate::report::write_digits_page(&report, &stem, &out, &command)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.markdown(&command));
        eprintln!(
            "wrote {}/{stem}.md, .json, .html, metrics and t-SNE maps",
            out.display()
        );
    }
    Ok(())
}
