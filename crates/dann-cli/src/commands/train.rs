//! `dann train`: fit DANN or the source-only network, write the model, config and metrics.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, ValueEnum};
use dann::data::HoldOut;
use dann::shallow::{Kernel, ShallowConfig};
use dann::{DannConfig, Dataset, Engine, MetricsRecord, Mode, fitted_from_shallow};

use super::resume::{self, Job};
use super::{PairArgs, load, refuse_to_replace, write_file};
use crate::progress::Reporter;
use crate::run_config::RunConfig;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled source data (CSV, SVMlight, IDX, NPY or an image folder; optionally .gz);
    /// or `source` in the config's [files].
    #[arg(long)]
    source: Option<PathBuf>,
    /// Target data; its labels, if any, are never read (or `target` in [files]).
    #[arg(long)]
    target: Option<PathBuf>,
    /// Labelled target data to report target accuracy on during training (never trained on;
    /// or `target_test` in [files]).
    #[arg(long)]
    target_test: Option<PathBuf>,
    /// Run configuration (TOML; `dann config` prints the defaults). With a [shallow] section
    /// (`dann config --shallow`) train runs the paper's Algorithm 1 on the kernels: epochs with
    /// early stopping on held-out source rows, the way `dann select` trains each candidate.
    /// `checkpoint_every = N` in [train] saves a checkpoint every N iterations (burn engine)
    /// into OUT/checkpoint, which `--resume` continues from. Every setting can live in the
    /// file, the data files and --out too ([files]: source, target, target_test, out,
    /// relative to the file's folder); a flag overrides the file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output directory (or `out` in [files]).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace a model (or an interrupted run's checkpoint) already in --out.
    #[arg(long)]
    force: bool,
    /// Continue the interrupted run in DIR (its --out) from its last checkpoint, with the
    /// files and settings it was started with: the model is the one the run would have
    /// given without the interruption.
    #[arg(long, value_name = "DIR", conflicts_with_all = [
        "source", "target", "target_test", "config", "out", "force", "mode", "engine",
        "iterations", "seed", "log_every",
    ])]
    resume: Option<PathBuf>,
    /// Override train.mode (and shallow.mode).
    #[arg(long, value_enum)]
    mode: Option<Mode>,
    /// Override train.engine: `shallow` runs the paper's one-hidden-layer network on the
    /// hand-written CPU kernels (sparse inputs stay sparse), `burn` any network on --device;
    /// `auto` picks the kernels whenever they can run the settings.
    #[arg(long, value_enum)]
    engine: Option<Engine>,
    /// Override train.iterations.
    #[arg(long)]
    iterations: Option<usize>,
    /// Override train.seed (and shallow.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Override train.log_every (iterations between metrics records).
    #[arg(long)]
    log_every: Option<usize>,
    /// No progress bar or summary.
    #[arg(long, short)]
    quiet: bool,
}

/// The files of a run: read with the index base settled once for all of them (stored in
/// `config`, hence in the config.toml written beside the model).
fn load_inputs(
    source: &Path,
    target: &Path,
    target_test: Option<&Path>,
    config: &mut RunConfig,
) -> Result<(Dataset, Dataset, Option<Dataset>)> {
    let mut paths = vec![source, target];
    paths.extend(target_test);
    config.data.settle_index_base(&paths)?;
    let pair = PairArgs {
        source: source.to_path_buf(),
        target: target.to_path_buf(),
    };
    let (source, target) = pair.load(
        &config.data,
        config.train.images.is_some() && config.shallow.is_none(),
    )?;
    let test = match target_test {
        Some(p) => Some(load(p, &config.data)?),
        None => None,
    };
    Ok((source, target, test))
}

pub fn run<B: AutodiffBackend>(a: TrainArgs, device: &B::Device) -> Result<()> {
    if let Some(dir) = &a.resume {
        let mut job = Job::load(dir)?;
        let data = load_inputs(
            &job.source,
            &job.target,
            job.target_test.as_deref(),
            &mut job.config,
        )?;
        return train_burn::<B>(job, dir, a.quiet, data, true, device);
    }
    let mut config = match &a.config {
        Some(p) => RunConfig::load(p)?,
        None => RunConfig::default(),
    };
    // The files: flags first, then the config's [files] (not kept in the written config).
    let files = std::mem::take(&mut config.files);
    let mut a = a;
    a.source = a.source.or(files.source);
    a.target = a.target.or(files.target);
    a.target_test = a.target_test.or(files.target_test);
    a.out = a.out.or(files.out);
    let (Some(source), Some(target), Some(out)) = (&a.source, &a.target, &a.out) else {
        bail!(
            "--source, --target and --out are needed (as flags or in the config's [files]), \
             or --resume DIR"
        );
    };
    if let Some(m) = a.mode {
        config.train.mode = m;
        if let Some(s) = &mut config.shallow {
            s.mode = m;
        }
    }
    if let Some(e) = a.engine {
        config.train.engine = e;
    }
    if let Some(n) = a.iterations {
        config.train.iterations = n;
    }
    if let Some(s) = a.seed {
        config.train.seed = s;
        if let Some(sh) = &mut config.shallow {
            sh.seed = s;
        }
    }
    if let Some(l) = a.log_every {
        config.train.log_every = l;
    }
    refuse_to_replace(out, a.force)?;
    let checkpoints = resume::checkpoints(out);
    if checkpoints.dir().exists() && !a.force {
        let at = match checkpoints.iteration() {
            Ok(Some(it)) => format!(" (last checkpoint at iteration {it})"),
            _ => String::new(),
        };
        bail!(
            "{} holds an interrupted run{at}; `dann train --resume {}` continues it, --force \
             starts over",
            out.display(),
            out.display()
        );
    }
    if let Some(shallow) = config.shallow.clone() {
        return train_shallow::<B>(&a, out, config, shallow, device);
    }
    let dann = config.dann();
    dann.check()?;
    dann.check_checkpoints()?;
    let data = load_inputs(source, target, a.target_test.as_deref(), &mut config)?;
    // The inputs are good: an old run's checkpoint may go now (--force).
    checkpoints.remove()?;
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let job = Job {
        source: absolute(source),
        target: absolute(target),
        target_test: a.target_test.as_deref().map(absolute),
        config,
    };
    train_burn::<B>(job, out, a.quiet, data, false, device)
}

/// Trains `job` on burn into `out`: streams the metrics, checkpoints when
/// `train.checkpoint_every` is set (continuing from the last checkpoint when `resuming`),
/// then saves the model, its config and metrics and drops the checkpoints. A run that
/// diverges after a checkpoint keeps that checkpoint's model.
fn train_burn<B: AutodiffBackend>(
    job: Job,
    out: &Path,
    quiet: bool,
    (source, target, target_test): (Dataset, Dataset, Option<Dataset>),
    resuming: bool,
    device: &B::Device,
) -> Result<()> {
    let config = &job.config;
    let dann = config.dann();
    let engine = dann.engine()?;
    let checkpoints =
        (resuming || config.train.checkpoint_every > 0).then(|| resume::checkpoints(out));
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    if let Some(c) = &checkpoints
        && !resuming
    {
        job.save(c)?;
    }
    // Records stream into metrics.jsonl as they come, so that a long run's curve can be read
    // while it runs; when this run replaces a model (--force) they go to a hidden file until
    // the new model is saved, so that a failed or killed run leaves the old one whole.
    let metrics_path = out.join("metrics.jsonl");
    let replacing = out.join(dann::SPEC_FILE).exists();
    let stream_path = if replacing {
        out.join(".metrics.jsonl.partial")
    } else {
        metrics_path.clone()
    };
    let from = match &checkpoints {
        Some(c) => c.iteration()?.unwrap_or(0),
        None => 0,
    };
    let metrics = resume::open_metrics(&stream_path, from)?;
    let mode = config.train.mode.to_possible_value();
    let label = mode.as_ref().map_or("dann", |v| v.get_name());
    let mut reporter = Reporter::new(
        config.train.iterations,
        quiet,
        label,
        Some(BufWriter::new(metrics)),
    );
    let mut records: Vec<MetricsRecord> = Vec::new();
    let listener = &mut (&mut reporter, &mut records);
    let fitted = match &checkpoints {
        Some(c) => {
            dann.fit_resumable::<B>(&source, &target, target_test.as_ref(), listener, c, device)
        }
        None => dann.fit_with::<B>(&source, &target, target_test.as_ref(), listener, device),
    };
    let finished = reporter
        .finish()
        .and_then(|w| w.map_or(Ok(()), |mut w| w.flush()));
    let (fitted, kept) = match (fitted, finished) {
        (Ok(f), Ok(())) => (f, None),
        (Err(e @ dann::Error::Diverged { .. }), _)
            if checkpoints.as_ref().is_some_and(|c| c.exists()) =>
        {
            let c = checkpoints.as_ref().expect("checked");
            let it = c.iteration()?.unwrap_or(0);
            (c.load_model::<B::InnerBackend>(device)?, Some((e, it)))
        }
        (Err(e), _) => {
            let diverged = matches!(e, dann::Error::Diverged { .. });
            if diverged && let Some(c) = &checkpoints {
                // Before the first checkpoint: a resumed run would diverge again.
                c.remove()?;
            }
            if replacing && (checkpoints.is_none() || diverged) {
                let _ = fs::remove_file(&stream_path);
            }
            return Err(e.into());
        }
        (_, Err(e)) => {
            return Err(e).with_context(|| format!("cannot write {}", stream_path.display()));
        }
    };
    fitted.save(out)?;
    write_file(&out.join(RunConfig::FILE), &config.to_toml()?)?;
    write_shift(out, &fitted, &source, &target);
    write_tsne(out, &fitted, &source, &target);
    if replacing {
        fs::rename(&stream_path, &metrics_path)
            .with_context(|| format!("cannot write {}", metrics_path.display()))?;
    }
    if let Some(c) = &checkpoints {
        c.remove()?;
    }
    report(out, quiet);
    if let Some((e, it)) = kept {
        bail!(
            "{e}; kept the model of iteration {it}, the last checkpoint, in {}",
            out.display()
        );
    }
    if !quiet && let Some(last) = records.last() {
        let target = last
            .target_accuracy
            .map(|t| format!(", target accuracy {t:.4}"))
            .unwrap_or_default();
        let engine = match engine {
            Engine::Shallow => "the shallow kernels",
            _ => "burn",
        };
        let resumed = if from > 0 {
            format!(" (resumed at iteration {from})")
        } else {
            String::new()
        };
        eprintln!(
            "trained {label} on {engine} for {} iterations{resumed}: source accuracy {:.4}{target}; model in {}",
            last.iteration,
            last.source_accuracy,
            out.display()
        );
    }
    Ok(())
}

/// `dann train` with a `[shallow]` section: Algorithm 1 on the kernels, epochs with early
/// stopping on the held-out source rows (`shallow.validation`), as `dann select` and
/// `dann reproduce amazon` train each candidate: the same settings and seed give the same
/// model.
fn train_shallow<B: AutodiffBackend>(
    a: &TrainArgs,
    out: &Path,
    mut config: RunConfig,
    shallow: ShallowConfig,
    device: &B::Device,
) -> Result<()> {
    if a.engine == Some(Engine::Burn) {
        bail!("[shallow] trains on the kernels; remove the [shallow] section to train with burn");
    }
    if a.iterations.is_some() || a.log_every.is_some() {
        bail!(
            "--iterations and --log-every set [train]; with [shallow] training runs by epochs \
             (shallow.epochs, with early stopping: shallow.patience, shallow.stopping)"
        );
    }
    shallow.check()?;
    let (Some(source), Some(target)) = (&a.source, &a.target) else {
        bail!("--source and --target are needed");
    };
    let (source, target, target_test) =
        load_inputs(source, target, a.target_test.as_deref(), &mut config)?;
    let start = Instant::now();
    let (fit, trained_on) = if shallow.validation > 0.0 {
        let parts = HoldOut::new(&source, &target, shallow.validation, shallow.seed)?;
        let fit = shallow.fit(&parts.s_train, &parts.t_train, Some(&parts.s_val))?;
        (fit, parts.s_train.len())
    } else {
        (shallow.fit(&source, &target, None)?, source.len())
    };
    let seconds = start.elapsed().as_secs_f64();
    let architecture = DannConfig::shallow(shallow.hidden);
    let fitted = fitted_from_shallow::<B::InnerBackend>(
        &fit.model,
        &architecture,
        source.class_names().to_vec(),
        None,
        device,
    )?;
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let resolved = RunConfig {
        model: architecture,
        shallow: Some(shallow.clone()),
        ..config
    };
    fitted.save(out)?;
    write_file(&out.join(RunConfig::FILE), &resolved.to_toml()?)?;
    write_shift(out, &fitted, &source, &target);
    write_tsne(out, &fitted, &source, &target);
    let mut lines = String::new();
    for record in &fit.history {
        lines += &serde_json::to_string(record)?;
        lines.push('\n');
    }
    write_file(&out.join("metrics.jsonl"), &lines)?;
    report(out, a.quiet);
    if !a.quiet {
        let kernel = match shallow.kernel.resolve(&source, &target) {
            Kernel::Blocked => "blocked dense",
            _ => "sparse",
        };
        let examples = trained_on * fit.history.len();
        let stopped = match fit.validation_error() {
            Some(err) => format!(
                ", kept epoch {} (source validation error {err:.4})",
                fit.best_epoch
            ),
            None => String::new(),
        };
        let target = match &target_test {
            Some(t) => format!(
                ", target accuracy {:.4}",
                fitted.evaluate(&fitted.prepare(t.clone())?)?.accuracy
            ),
            None => String::new(),
        };
        let mode = shallow.mode.to_possible_value();
        eprintln!(
            "trained {} on the shallow kernels (Algorithm 1, {kernel} kernel): {} epochs{stopped}, \
             {examples} source examples (each with a target example) in {seconds:.2} s, \
             {:.0} examples/s{target}; model in {}",
            mode.as_ref().map_or("dann", |v| v.get_name()),
            fit.history.len(),
            examples as f64 / seconds.max(1e-9),
            out.display()
        );
    }
    Ok(())
}

/// Writes the run's plots and report.html; a failure there is a warning, the model is saved.
fn report(out: &Path, quiet: bool) {
    match crate::report::write(out) {
        Ok(path) if !quiet => eprintln!("report: {}", path.display()),
        Ok(_) => {}
        Err(e) => eprintln!("warning: no report for {}: {e:#}", out.display()),
    }
}

/// Rows per domain the report's shift is measured on (a seeded sample of each set).
const SHIFT_ROWS: usize = 2000;

/// Writes `shift.json`: the shift between source and target on the model's inputs (after its
/// preprocessing) and on its features `G_f(x)`, for the report; a failure is a warning.
fn write_shift<B: burn::tensor::backend::Backend>(
    out: &Path,
    fitted: &dann::FittedDann<B>,
    source: &Dataset,
    target: &Dataset,
) {
    let measure = || -> Result<serde_json::Value> {
        let sample = |d: &Dataset, seed: u64| -> Result<Dataset> {
            use rand::SeedableRng;
            use rand::seq::SliceRandom;
            let mut idx: Vec<usize> = (0..d.len()).collect();
            idx.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
            idx.truncate(SHIFT_ROWS);
            idx.sort_unstable();
            Ok(fitted.prepare(d.subset(&idx).without_labels())?)
        };
        let (s, t) = (sample(source, 1)?, sample(target, 2)?);
        let inputs = dann::analysis::shift::measure_shift(s.clone(), t.clone(), None, 0)?;
        let features = dann::analysis::shift::measure_shift(s, t, Some(fitted), 0)?;
        let summary = |m: &dann::analysis::shift::Shift| {
            serde_json::json!({
                "pad": m.pad_interval, "auc": m.auc, "p_value": m.p_value,
                "rows_per_domain": m.rows_per_domain, "verdict": m.verdict(),
            })
        };
        Ok(serde_json::json!({ "inputs": summary(&inputs), "features": summary(&features) }))
    };
    let written = measure()
        .and_then(|v| write_file(&out.join("shift.json"), &serde_json::to_string_pretty(&v)?));
    if let Err(e) = written {
        eprintln!("warning: no shift measurement for the report: {e:#}");
    }
}

/// Rows per domain of the report's t-SNE map.
const TSNE_ROWS: usize = 500;

/// Writes `tsne.png` and `tsne.csv`, the t-SNE map of the model's features of both domains,
/// when the inputs are images or dense feature vectors (at least 16 columns: not the toy 2-d
/// problems, not sparse counts); a failure is a warning.
fn write_tsne<B: burn::tensor::backend::Backend>(
    out: &Path,
    fitted: &dann::FittedDann<B>,
    source: &Dataset,
    target: &Dataset,
) {
    let dense = matches!(source.features(), dann::data::Features::Dense(_));
    if !dense || source.n_features() < 16 {
        return;
    }
    let map = super::tsne::Map {
        n: TSNE_ROWS,
        perplexity: 30.0,
        seed: 0,
    };
    if let Err(e) = map.write(fitted, source, target, &out.join("tsne.png")) {
        eprintln!("warning: no t-SNE map for the report: {e:#}");
    }
}
