//! `dann train`: fit DANN or the source-only network, write the model, config and metrics.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, ValueEnum};
use dann::problem::align_widths;
use dann::{Engine, MetricsRecord, Mode};

use super::load;
use crate::progress::Reporter;
use crate::run_config::RunConfig;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled source data (CSV or SVMlight, optionally .gz).
    #[arg(long)]
    source: PathBuf,
    /// Target data; its labels, if any, are never read.
    #[arg(long)]
    target: PathBuf,
    /// Labelled target data to report target accuracy on during training (never trained on).
    #[arg(long)]
    target_test: Option<PathBuf>,
    /// Run configuration (TOML; `dann config` prints the defaults).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Replace a model already in --out.
    #[arg(long)]
    force: bool,
    /// Override train.mode.
    #[arg(long, value_enum)]
    mode: Option<Mode>,
    /// Override train.engine: `shallow` runs the paper's one-hidden-layer network on the
    /// hand-written CPU kernels (sparse inputs stay sparse), `burn` any network on --backend;
    /// `auto` picks the kernels whenever they can run the settings.
    #[arg(long, value_enum)]
    engine: Option<Engine>,
    /// Override train.iterations.
    #[arg(long)]
    iterations: Option<usize>,
    /// Override train.seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override train.log_every (iterations between metrics records).
    #[arg(long)]
    log_every: Option<usize>,
    /// No progress bar or summary.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run<B: AutodiffBackend>(a: TrainArgs, device: &B::Device) -> Result<()> {
    let mut config = match &a.config {
        Some(p) => RunConfig::load(p)?,
        None => RunConfig::default(),
    };
    if let Some(m) = a.mode {
        config.train.mode = m;
    }
    if let Some(e) = a.engine {
        config.train.engine = e;
    }
    if let Some(n) = a.iterations {
        config.train.iterations = n;
    }
    if let Some(s) = a.seed {
        config.train.seed = s;
    }
    if let Some(l) = a.log_every {
        config.train.log_every = l;
    }
    let dann = config.dann();
    dann.check()?;
    let engine = dann.engine()?;
    if a.out.join(dann::SPEC_FILE).exists() && !a.force {
        bail!(
            "{} already holds a model; pass --force to replace it or choose another --out",
            a.out.display()
        );
    }

    let source = load(&a.source, &config.data)?;
    let target = load(&a.target, &config.data)?.without_labels();
    let (source, target) = align_widths(source, target)?;
    let target_test = match &a.target_test {
        Some(p) => Some(load(p, &config.data)?),
        None => None,
    };

    fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    let config_path = a.out.join(RunConfig::FILE);
    fs::write(&config_path, config.to_toml()?)
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    let metrics_path = a.out.join("metrics.jsonl");
    let metrics = fs::File::create(&metrics_path)
        .with_context(|| format!("cannot write {}", metrics_path.display()))?;
    let mode = config.train.mode.to_possible_value();
    let label = mode.as_ref().map_or("dann", |v| v.get_name());
    let mut reporter = Reporter::new(
        config.train.iterations,
        a.quiet,
        label,
        Some(BufWriter::new(metrics)),
    );
    let mut records: Vec<MetricsRecord> = Vec::new();
    let fitted = dann.fit_with::<B>(
        &source,
        &target,
        target_test.as_ref(),
        &mut (&mut reporter, &mut records),
        device,
    )?;
    if let Some(mut w) = reporter
        .finish()
        .with_context(|| format!("cannot write {}", metrics_path.display()))?
    {
        w.flush()
            .with_context(|| format!("cannot write {}", metrics_path.display()))?;
    }
    fitted.save(&a.out)?;
    if !a.quiet
        && let Some(last) = records.last()
    {
        let target = last
            .target_accuracy
            .map(|t| format!(", target accuracy {t:.4}"))
            .unwrap_or_default();
        let engine = match engine {
            Engine::Shallow => "the shallow kernels",
            _ => "burn",
        };
        eprintln!(
            "trained {label} on {engine} for {} iterations: source accuracy {:.4}{target}; model in {}",
            last.iteration,
            last.source_accuracy,
            a.out.display()
        );
    }
    Ok(())
}
