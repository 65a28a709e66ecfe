//! `dann train` on either engine: the run directory filled as one unit (the model, its
//! config, its metrics, the report's measurements), checkpoints and resumes on burn, and the
//! last checkpoint's model kept when a run diverges after it.

use std::time::Instant;

use burn::tensor::backend::{AutodiffBackend, Backend};

use super::config::RunConfig;
use super::dir::RunDir;
use super::job::Job;
use super::outputs::{shift_summary, tsne_settings};
use super::pending::PendingRun;
use crate::analysis::tsne::TsneMap;
use crate::data::{Dataset, HoldOut, Schema, one_fixed_scale, scale_warning};
use crate::deep::{DannConfig, FittedDann};
use crate::error::{Error, Result};
use crate::learner::fitted_from_shallow;
use crate::shallow::{Kernel, ShallowConfig, ShallowFit};
use crate::training::{Engine, MetricsRecord, Standardize, TrainListener};

/// How a burn run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A new run; `force` replaces a model or an interrupted run already in the folder.
    Fresh {
        /// Replace what the folder holds.
        force: bool,
    },
    /// The interrupted run in the folder, from its last checkpoint.
    Resume,
}

/// The model of the last checkpoint, kept because the run diverged after it.
#[derive(Debug)]
pub struct KeptCheckpoint {
    /// The divergence.
    pub error: Error,
    /// The checkpoint's iteration.
    pub iteration: usize,
}

/// What a burn run wrote, and what the front reports. Its files are in [`dir`](Self::dir),
/// the staging folder: the front adds its own (pictures, the report) and calls
/// [`PendingRun::commit`] to put the run in place as a whole.
#[derive(Debug)]
#[must_use = "the run is put in place by `run.dir.commit()`"]
pub struct BurnRun<B: Backend> {
    /// The run's files, to be put in place.
    pub dir: PendingRun,
    /// The model saved.
    pub fitted: FittedDann<B>,
    /// Every metrics record of this run (a resumed run: since the checkpoint).
    pub records: Vec<MetricsRecord>,
    /// The engine the settings resolved to.
    pub engine: Engine,
    /// The iteration a resumed run continued from (0: from the start).
    pub resumed_from: usize,
    /// Set when the run diverged after a checkpoint: the saved model is that checkpoint's.
    pub kept: Option<KeptCheckpoint>,
    /// The report's t-SNE map (also in `tsne.csv`), for dense inputs.
    pub tsne: Option<TsneMap>,
    /// Measurements for the report that failed (the model is saved all the same).
    pub warnings: Vec<String>,
    /// Training time (the fit alone: not reading the data, saving or the report's
    /// measurements), this session's part for a resumed run.
    pub seconds: f64,
}

/// What a `[shallow]` run wrote, and what the front reports; as [`BurnRun`], the front
/// calls `dir.commit()` to put the run in place.
#[derive(Debug)]
#[must_use = "the run is put in place by `run.dir.commit()`"]
pub struct ShallowRun<B: Backend> {
    /// The run's files, to be put in place.
    pub dir: PendingRun,
    /// The model saved.
    pub fitted: FittedDann<B>,
    /// The fit: its epochs, the epoch kept.
    pub fit: ShallowFit,
    /// Source rows trained on (the rest held out for early stopping).
    pub trained_on: usize,
    /// The settings trained with.
    pub settings: ShallowConfig,
    /// The kernel that ran.
    pub kernel: Kernel,
    /// Training time.
    pub seconds: f64,
    /// Accuracy on the job's labelled target test data, if given.
    pub target_accuracy: Option<f64>,
    /// The report's t-SNE map (also in `tsne.csv`), for dense inputs.
    pub tsne: Option<TsneMap>,
    /// Measurements for the report that failed (the model is saved all the same).
    pub warnings: Vec<String>,
}

/// Trains `job` on burn into `dir`, which it locks ([`RunDir::begin`]: a folder another run
/// writes, or one holding the run's inputs or files a run does not write, is refused): the
/// metrics stream into `metrics.jsonl` as they come ([`RunDir::open_metrics`]), checkpoints
/// are saved when `train.checkpoint_every` is set, then the model, its config, the report's
/// measurements and the metrics are written into the staging folder ([`BurnRun::dir`]),
/// which the front puts in place. A fresh start refuses a folder holding a model or an
/// interrupted run unless forced, and checks the settings and reads the data before it
/// removes anything; a resume checks that its inputs are those the run started with and
/// continues from the last checkpoint. A run that diverges after a checkpoint keeps that
/// checkpoint's model ([`BurnRun::kept`]); one that fails otherwise leaves the folder as it
/// was.
pub fn train_burn<B: AutodiffBackend>(
    mut job: Job,
    dir: &RunDir,
    start: Start,
    listener: &mut dyn TrainListener,
    device: &B::Device,
) -> Result<BurnRun<B::InnerBackend>> {
    let resuming = start == Start::Resume;
    if !resuming {
        let dann = job.config.dann();
        dann.check()?;
        if job.init.is_none() {
            dann.check_checkpoints()?;
        }
    }
    let init = match &job.init {
        Some(path) => Some(load_init::<B::InnerBackend>(path, &job.config, device)?),
        None => None,
    };
    let pending = dir.begin(&job.inputs())?;
    let mut warnings = Vec::new();
    match start {
        Start::Fresh { force } => {
            dir.refuse_to_replace(force)?;
            dir.refuse_interrupted(force)?;
        }
        Start::Resume => warnings.extend(job.check_digests()?),
    }
    let schema = init.as_ref().and_then(FittedDann::schema);
    let data = job.load_data(job.trains_images(), schema)?;
    warnings.extend(notes(&job, [Some(&data.0), Some(&data.1), data.2.as_ref()]));
    if !job.config.train.standardize.resolve(&data.0) && data.0.sample_shape().len() == 1 {
        warnings.extend(scale_warning(&data.0));
        if job.config.train.standardize == Standardize::Auto && one_fixed_scale(&data.0) {
            warnings.push(
                "the source's columns share one fixed scale (most span exactly the same \
                 minimum and maximum, as pixel intensities do): standardize = \"auto\" leaves \
                 them as they are; set [train] standardize = true to standardise them"
                    .into(),
            );
        }
    }
    if !resuming {
        // The inputs are good: an old run's checkpoint may go now (--force).
        dir.checkpoints().remove()?;
    }
    let start = (resuming, init.as_ref());
    let mut run = fit_burn::<B>(&job, dir, pending, data, start, listener, device)?;
    warnings.append(&mut run.warnings);
    run.warnings = warnings;
    Ok(run)
}

fn fit_burn<B: AutodiffBackend>(
    job: &Job,
    dir: &RunDir,
    pending: PendingRun,
    (source, target, target_test): (Dataset, Dataset, Option<Dataset>),
    (resuming, init): (bool, Option<&FittedDann<B::InnerBackend>>),
    listener: &mut dyn TrainListener,
    device: &B::Device,
) -> Result<BurnRun<B::InnerBackend>> {
    let config = &job.config;
    let dann = config.dann();
    let engine = match init {
        Some(_) => Engine::Burn,
        None => dann.engine()?,
    };
    let checkpoints = (resuming || config.train.checkpoint_every > 0).then(|| dir.checkpoints());
    if let Some(c) = &checkpoints
        && !resuming
    {
        job.save(c)?;
    }
    let from = match &checkpoints {
        Some(c) => c.iteration()?.unwrap_or(0),
        None => 0,
    };
    // Before the run's folder gets its first file (images are checked once prepared).
    if let Some(init) = init
        && config.train.images.is_none()
    {
        let spec = init.spec();
        let (n, classes) = (source.n_features(), source.class_names());
        spec.check_start(&config.model, n, classes, config.train.task)?;
    }
    let mut metrics = dir.open_metrics(from)?;
    let mut records: Vec<MetricsRecord> = Vec::new();
    let clock = Instant::now();
    let fitted = {
        let listener = &mut (&mut metrics, (listener, &mut records));
        let test = target_test.as_ref();
        match (init, &checkpoints) {
            (Some(init), c) => {
                dann.fit_from::<B>(init, &source, &target, test, listener, c.as_ref(), device)
            }
            (None, Some(c)) => dann.fit_resumable::<B>(&source, &target, test, listener, c, device),
            (None, None) => dann.fit_with::<B>(&source, &target, test, listener, device),
        }
    };
    let seconds = clock.elapsed().as_secs_f64();
    let finished = metrics.finish();
    let (fitted, kept) = match (fitted, finished) {
        (Ok(f), Ok(())) => (f, None),
        (Err(error @ Error::Diverged { .. }), _)
            if checkpoints.as_ref().is_some_and(|c| c.exists()) =>
        {
            let c = checkpoints.as_ref().expect("checked");
            let iteration = c.iteration()?.unwrap_or(0);
            let kept = KeptCheckpoint { error, iteration };
            (c.load_model::<B::InnerBackend>(device)?, Some(kept))
        }
        (Err(e), _) => {
            let diverged = matches!(e, Error::Diverged { .. });
            if diverged && let Some(c) = &checkpoints {
                // Before the first checkpoint: a resumed run would diverge again.
                c.remove()?;
            }
            if checkpoints.is_none() || diverged {
                metrics.discard();
            }
            return Err(e);
        }
        (_, Err(e)) => return Err(e),
    };
    fitted.save(pending.path())?;
    pending.write(RunConfig::FILE, &config.to_toml()?)?;
    let (tsne, mut warnings) = measure_beside(&pending, &fitted, &source, &target);
    if let Some(check) = fitted.label_shift()
        && !check.dann_kept
    {
        warnings.insert(0, check.summary());
    }
    // The checkpoints stay until the swap takes them away with the old folder: a run killed
    // before it still resumes.
    metrics.commit(pending.path())?;
    Ok(BurnRun {
        dir: pending,
        fitted,
        records,
        engine,
        resumed_from: from,
        kept,
        tsne,
        warnings,
        seconds,
    })
}

/// The model a run starts from (`--init DIR`), refused with the reason when it cannot be:
/// no model there, or (with the shallow kernels asked for) an engine that cannot start from
/// weights.
fn load_init<B: Backend>(
    path: &std::path::Path,
    config: &RunConfig,
    device: &B::Device,
) -> Result<FittedDann<B>> {
    if config.shallow.is_some() {
        return Err(Error::config(
            "--init",
            "a [shallow] run trains the paper's Algorithm 1 from new weights; remove the \
             [shallow] section to start from a model",
        ));
    }
    if config.train.engine == Engine::Shallow {
        return Err(Error::config(
            "train.engine",
            "is \"shallow\", but a run that starts from a model (--init) trains on burn: set \
             it to \"auto\" or \"burn\"",
        ));
    }
    FittedDann::<B>::load(path, device).map_err(|e| {
        Error::config(
            "--init",
            format!("{}: not a model to start from: {e}", path.display()),
        )
    })
}

/// Trains `job`'s `[shallow]` settings: the paper's Algorithm 1 on the kernels, epochs with
/// early stopping on the held-out source rows (`shallow.validation`), as `dann select` and
/// `dann reproduce amazon` train each candidate (the same settings and seed give the same
/// model); saves the model, the resolved config, the report's measurements and the epochs'
/// records into the staging folder of `dir` ([`ShallowRun::dir`], to be put in place by the
/// front), refusing a folder that holds a model or an interrupted run unless `force` (and
/// what [`RunDir::begin`] refuses).
pub fn train_shallow<B: Backend>(
    mut job: Job,
    dir: &RunDir,
    force: bool,
    device: &B::Device,
) -> Result<ShallowRun<B>> {
    let shallow = job
        .config
        .shallow
        .clone()
        .ok_or_else(|| Error::config("shallow", "train_shallow needs a [shallow] section"))?;
    shallow.check()?;
    if job.config.train.task == crate::problem::Task::Regression {
        return Err(Error::config(
            "train.task",
            "is regression, but a [shallow] section trains the paper's classifier (Algorithm \
             1): remove [shallow] to train the regression on burn",
        ));
    }
    let pending = dir.begin(&job.inputs())?;
    dir.refuse_to_replace(force)?;
    dir.refuse_interrupted(force)?;
    let (source, target, target_test) = job.load_data(false, None)?;
    let mut notes = notes(&job, [Some(&source), Some(&target), target_test.as_ref()]);
    // The paper's Algorithm 1 trains on the inputs as they are.
    notes.extend(scale_warning(&source));
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
    let fitted = fitted_from_shallow::<B>(
        &fit.model,
        &architecture,
        source.class_names().to_vec(),
        None,
        device,
    )?
    .with_schema(Some(Schema::of(&source)));
    let resolved = RunConfig {
        model: architecture,
        shallow: Some(shallow.clone()),
        ..job.config
    };
    fitted.save(pending.path())?;
    pending.write(RunConfig::FILE, &resolved.to_toml()?)?;
    let (tsne, mut warnings) = measure_beside(&pending, &fitted, &source, &target);
    warnings.splice(0..0, notes);
    pending.write(super::dir::METRICS_FILE, &super::dir::jsonl(&fit.history)?)?;
    let target_accuracy = match &target_test {
        Some(t) => Some(fitted.evaluate(&fitted.prepare(t.clone())?)?.accuracy),
        None => None,
    };
    Ok(ShallowRun {
        dir: pending,
        fitted,
        kernel: shallow.kernel.resolve(&source, &target),
        settings: shallow,
        fit,
        trained_on,
        seconds,
        target_accuracy,
        tsne,
        warnings,
    })
}

/// What the readers of the job's files decided that the user should know, each line naming
/// its file.
fn notes(job: &Job, data: [Option<&Dataset>; 3]) -> Vec<String> {
    let paths = [
        Some(&job.source),
        Some(&job.target),
        job.target_test.as_ref(),
    ];
    let mut notes = Vec::new();
    for (path, data) in paths.into_iter().zip(data) {
        if let (Some(path), Some(data)) = (path, data) {
            notes.extend(
                data.notes()
                    .iter()
                    .map(|n| format!("{}: {n}", path.display())),
            );
        }
    }
    notes
}

/// Writes the report's measurements beside the model: `shift.json` and, for dense inputs,
/// `tsne.csv` (the map is returned for the front to draw). A failure is a warning.
fn measure_beside<B: Backend>(
    dir: &PendingRun,
    fitted: &FittedDann<B>,
    source: &Dataset,
    target: &Dataset,
) -> (Option<TsneMap>, Vec<String>) {
    let mut warnings = Vec::new();
    let shift = shift_summary(fitted, source, target).and_then(|v| {
        let text = serde_json::to_string_pretty(&v)
            .map_err(|e| Error::Data(format!("cannot serialise the shift: {e}")))?;
        dir.write("shift.json", &text)
    });
    if let Err(e) = shift {
        warnings.push(format!("no shift measurement for the report: {e}"));
    }
    let tsne = tsne_settings(source).and_then(|settings| {
        let map = settings
            .embed(fitted, source, target)
            .and_then(|map| dir.write("tsne.csv", &map.csv()).map(|()| map));
        map.map_err(|e| warnings.push(format!("no t-SNE map for the report: {e}")))
            .ok()
    });
    (tsne, warnings)
}
