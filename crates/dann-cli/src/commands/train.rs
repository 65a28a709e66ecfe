//! `dann train`: fit DANN or the source-only network, write the model, config and metrics.

use std::path::PathBuf;

use anyhow::{Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::Engine;
use dann::analysis::tsne::TsneMap;
use dann::run::{
    BurnRun, Job, PendingRun, RunDir, ShallowRun, Start, TrainOverrides, train_burn, train_shallow,
};
use dann::shallow::Kernel;

use super::RunArgs;
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Continue the interrupted run in DIR (its --out) from its last checkpoint, with the
    /// files and settings it was started with: the model is the one the run would have
    /// given without the interruption. (`checkpoint_every = N` in [train] saves a
    /// checkpoint every N iterations, burn engine, into OUT/checkpoint.)
    #[arg(long, value_name = "DIR", conflicts_with_all = [
        "source", "target", "target_test", "config", "out", "force", "mode", "engine",
        "iterations", "seed", "log_every", "label_column", "ignore_columns",
        "ignore_extra_columns", "init", "preset",
    ])]
    resume: Option<PathBuf>,
    /// Start from the trained model in DIR (retraining when the target moves): its weights,
    /// input standardisation and columns, on the new --source/--target, for this run's
    /// --iterations (schedules and optimiser start afresh). Without --config the settings
    /// are the model's own (DIR/config.toml); with one, its architecture must be the
    /// model's. Trains on burn.
    #[arg(long, value_name = "DIR", conflicts_with = "preset")]
    init: Option<PathBuf>,
    #[command(flatten)]
    overrides: TrainOverrides,
    /// No progress bar or summary.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run<B: AutodiffBackend>(a: TrainArgs, device: &B::Device) -> Result<()> {
    if let Some(path) = &a.resume {
        let dir = RunDir::new(path);
        let job = Job::load(&dir)?;
        return burn::<B>(job, &dir, Start::Resume, a.quiet, device);
    }
    let base = match &a.init {
        Some(dir) => dann::run::RunConfig::for_init(dir)?,
        None => dann::run::RunConfig::preset(a.run.preset),
    };
    let (config, files) = a.run.resolve_over(&base)?;
    let (source, target, out) = files.required(", or --resume DIR")?;
    let config = a.overrides.apply(&config)?;
    let job = Job::new(source, target, files.target_test.as_deref(), config)
        .with_config_file(a.run.config_file())
        .with_init(a.init.as_deref());
    let dir = RunDir::new(out);
    if job.config.shallow.is_some() && job.init.is_none() {
        a.overrides.check_shallow()?;
        let mut run = train_shallow::<B::InnerBackend>(job, &dir, a.run.force, device)?;
        finish(&dir, &run.dir, &run.warnings, run.tsne.as_ref(), a.quiet);
        run.dir.commit()?;
        if !a.quiet {
            eprintln!("{}", shallow_summary(&run, &dir));
        }
        return Ok(());
    }
    burn::<B>(
        job,
        &dir,
        Start::Fresh { force: a.run.force },
        a.quiet,
        device,
    )
}

/// Trains `job` on burn with a progress bar, then the report; a run that kept its last
/// checkpoint's model after diverging fails after the report.
fn burn<B: AutodiffBackend>(
    job: Job,
    dir: &RunDir,
    start: Start,
    quiet: bool,
    device: &B::Device,
) -> Result<()> {
    let label = job.config.train.mode.name();
    let mut reporter = Reporter::new(job.config.train.iterations, quiet, label);
    let run = train_burn::<B>(job, dir, start, &mut reporter, device);
    reporter.finish();
    let mut run = run?;
    finish(dir, &run.dir, &run.warnings, run.tsne.as_ref(), quiet);
    run.dir.commit()?;
    if let Some(k) = &run.kept {
        bail!(
            "{}; kept the model of iteration {}, the last checkpoint, in {}",
            k.error,
            k.iteration,
            dir.path().display()
        );
    }
    if !quiet && let Some(line) = burn_summary(&run, label, dir) {
        eprintln!("{line}");
    }
    Ok(())
}

/// The run's warnings, and its t-SNE picture and report (plots, report.html) written into
/// the staging folder `pending` of the run going to `dir`; a failure there is a warning,
/// the model is saved.
fn finish(
    dir: &RunDir,
    pending: &PendingRun,
    warnings: &[String],
    tsne: Option<&TsneMap>,
    quiet: bool,
) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
    if let Some(map) = tsne
        && let Err(e) = crate::report::draw_tsne(map, &pending.path().join("tsne.png"))
    {
        eprintln!("warning: no t-SNE map for the report: {e:#}");
    }
    match crate::report::write(pending.path(), dir.path()) {
        Ok(path) if !quiet => eprintln!("report: {}", path.display()),
        Ok(_) => {}
        Err(e) => eprintln!("warning: no report for {}: {e:#}", dir.path().display()),
    }
}

/// The line that ends a burn run: iterations, source and target accuracy, where the model is.
fn burn_summary<B: burn::tensor::backend::Backend>(
    run: &BurnRun<B>,
    label: &str,
    dir: &RunDir,
) -> Option<String> {
    let last = run.records.last()?;
    let measure = last.measure();
    let target = last
        .target_accuracy
        .map(|t| format!(", target {measure} {t:.4}"))
        .unwrap_or_default();
    let engine = match run.engine {
        Engine::Shallow => "the shallow kernels",
        _ => "burn",
    };
    let resumed = if run.resumed_from > 0 {
        format!(" (resumed at iteration {})", run.resumed_from)
    } else {
        String::new()
    };
    let (label, check) = match run.fitted.label_shift() {
        Some(c) if !c.dann_kept => ("source-only (DANN not kept: label shift)", String::new()),
        Some(c) => (label, format!("\n{}", c.summary())),
        None => (label, String::new()),
    };
    Some(format!(
        "trained {label} on {engine} for {} iterations{resumed} in {:.2} s: source {measure} {:.4}{target}; model in {}{check}",
        last.iteration,
        run.seconds,
        last.source_accuracy,
        dir.path().display()
    ))
}

/// The line that ends a `[shallow]` run: epochs, examples per second, the epoch kept.
fn shallow_summary<B: burn::tensor::backend::Backend>(run: &ShallowRun<B>, dir: &RunDir) -> String {
    let kernel = match run.kernel {
        Kernel::Blocked => "blocked dense",
        _ => "sparse",
    };
    let fit = &run.fit;
    let examples = run.trained_on * fit.history.len();
    let stopped = match fit.validation_error() {
        Some(err) => format!(
            ", kept epoch {} (source validation error {err:.4})",
            fit.best_epoch
        ),
        None => String::new(),
    };
    let target = run
        .target_accuracy
        .map(|a| format!(", target accuracy {a:.4}"))
        .unwrap_or_default();
    let mode = run.settings.mode.name();
    format!(
        "trained {mode} on the shallow kernels (Algorithm 1, {kernel} kernel): {} epochs{stopped}, \
         {examples} source examples (each with a target example) in {:.2} s, \
         {:.0} examples/s{target}; model in {}",
        fit.history.len(),
        run.seconds,
        examples as f64 / run.seconds.max(1e-9),
        dir.path().display()
    )
}
