//! `dann reproduce digits`: the paper's Table 2 (MNIST -> MNIST-M) and MNIST <-> USPS, with
//! the t-SNE maps before and after adaptation.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::MetricsRecord;
use dann::experiments::digits::{
    self, DigitsData, DigitsReport, ModelKind, Pair, Variant, fit_model,
};

use super::tsne::Map;
use super::{DataDirArg, reproduction_out, write_file};
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub struct DigitsArgs {
    /// Source and target: mnist:mnist-m (the paper's Table 2), mnist:usps, usps:mnist, or any
    /// other two of mnist, mnist-m, usps.
    #[arg(long, default_value = "mnist:mnist-m", value_parser = parse_pair)]
    pair: Pair,
    /// Training recipe: the paper's (SGD, annealed learning rate) or batch norm + Adam.
    #[arg(long, value_enum, default_value_t = Variant::Paper)]
    variant: Variant,
    #[command(flatten)]
    data_dir: DataDirArg,
    /// Folder holding MNIST-M as IDX (mnist-m-{train,test}-{images-idx4,labels-idx1}-ubyte.gz,
    /// e.g. from `dann data mnist-m` or converted from Ganin's files); default: built from
    /// the data folder's mnist/ and bsds500/ with seed 0 (a few seconds).
    #[arg(long)]
    mnist_m: Option<PathBuf>,
    /// Where to write the report (<pair>.md, .json), the t-SNE maps and the metrics of each
    /// model (default: a fresh runs/digits-<pair>-<UTC time>). An earlier report of the same
    /// pair and variant there is refused unless --force.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an earlier report in --out.
    #[arg(long)]
    force: bool,
    /// Also save the trained models into this folder (one subfolder per model).
    #[arg(long)]
    models_out: Option<PathBuf>,
    /// Which models to train (comma-separated): source-only, dann, train-on-target.
    #[arg(long, value_delimiter = ',', default_value = "source-only,dann,train-on-target", value_parser = parse_model)]
    models: Vec<ModelKind>,
    /// Iterations per model (default: the preset's 10,000).
    #[arg(long)]
    iterations: Option<usize>,
    /// Train on at most this many images per domain (and test on at most as many), drawn
    /// with --seed: a quick check, not the experiment.
    #[arg(long)]
    subset: Option<usize>,
    /// Rows per domain in the t-SNE maps of the source-only and DANN models (0: no maps).
    #[arg(long, default_value_t = 1000)]
    tsne_n: usize,
    /// Seed of the weights, the batches and the subset draw.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// No progress bars.
    #[arg(long, short)]
    quiet: bool,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

fn parse_pair(s: &str) -> Result<Pair, String> {
    s.parse().map_err(|e: dann::Error| e.to_string())
}

fn parse_model(s: &str) -> Result<ModelKind, String> {
    ModelKind::ALL
        .into_iter()
        .find(|k| k.name() == s.trim())
        .ok_or_else(|| {
            format!("unknown model {s:?}; expected source-only, dann or train-on-target")
        })
}

pub fn run<B: AutodiffBackend>(a: DigitsArgs, device: &B::Device) -> Result<()> {
    let start = Instant::now();
    let mut settings = digits::preset(a.pair, a.variant);
    settings.train.seed = a.seed;
    if let Some(n) = a.iterations {
        settings.train.iterations = n;
        settings.train.log_every = settings.train.log_every.min(n.div_ceil(10).max(1));
    }
    settings.check()?;
    if a.subset == Some(0) {
        bail!("--subset must be at least 1");
    }
    if a.models.is_empty() {
        bail!("--models names no model");
    }
    let stem = match a.variant {
        Variant::Paper => format!("{}-{}", a.pair.source, a.pair.target),
        Variant::BnAdam => format!("{}-{}-bn-adam", a.pair.source, a.pair.target),
    };
    let out = reproduction_out(
        a.out.as_deref(),
        &format!("digits-{stem}"),
        &[format!("{stem}.md"), format!("{stem}.json")],
        a.force,
    )?;
    let data_dir = a.data_dir.resolve();
    let mut data = DigitsData::load(a.pair, &data_dir, a.mnist_m.as_deref(), 0)
        .with_context(|| format!("digits data under {}", data_dir.display()))?;
    if let Some(n) = a.subset {
        data = data.subset(n, a.seed);
    }
    let mut models = Vec::new();
    for kind in ModelKind::ALL.into_iter().filter(|k| a.models.contains(k)) {
        let mut reporter = Reporter::<std::io::Sink>::new(
            settings.train.iterations,
            a.quiet || a.json,
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
        if !a.json {
            eprintln!(
                "{:>15}: target accuracy {:.4}, source accuracy {:.4} ({:.0} s)",
                kind.name(),
                result.target_accuracy,
                result.source_accuracy,
                result.seconds
            );
        }
        if a.tsne_n > 0 && kind != ModelKind::TrainOnTarget {
            let png = out.join(format!("{stem}-tsne-{}.png", kind.name()));
            let map = Map {
                n: a.tsne_n,
                perplexity: 30.0,
                seed: a.seed,
            };
            map.write(&fitted, &data.source_test, &data.target_test, &png)?;
        }
        if let Some(dir) = &a.models_out {
            fitted.save(dir.join(kind.name()))?;
        }
        models.push(result);
    }
    let report = DigitsReport {
        pair: a.pair,
        variant: a.variant,
        seed: a.seed,
        iterations: settings.train.iterations,
        batch_size: settings.train.batch_size,
        subset: a.subset,
        train_images: [data.source.len(), data.target.len()],
        test_images: data.target_test.len(),
        models,
        published: digits::published(a.pair),
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
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.markdown(&command));
        eprintln!(
            "wrote {}/{stem}.md, .json, metrics and t-SNE maps",
            out.display()
        );
    }
    Ok(())
}
