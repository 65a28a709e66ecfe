//! `dann train`: fit DANN or the source-only network, write the model, config and metrics.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, ValueEnum};
use dann::data::HoldOut;
use dann::shallow::{Kernel, ShallowConfig};
use dann::{DannConfig, Dataset, Engine, MetricsRecord, Mode, fitted_from_shallow};

use super::{PairArgs, load, refuse_to_replace, write_file};
use crate::progress::Reporter;
use crate::run_config::RunConfig;

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pair: PairArgs,
    /// Labelled target data to report target accuracy on during training (never trained on).
    #[arg(long)]
    target_test: Option<PathBuf>,
    /// Run configuration (TOML; `dann config` prints the defaults). With a [shallow] section
    /// (`dann config --shallow`) train runs the paper's Algorithm 1 on the kernels: epochs with
    /// early stopping on held-out source rows, the way `dann select` trains each candidate.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Replace a model already in --out.
    #[arg(long)]
    force: bool,
    /// Override train.mode (and shallow.mode).
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

impl TrainArgs {
    /// The source, the target (labels dropped) and the labelled target test data, if any.
    /// Reads the files; first settles the SVMlight index base for all of them (stored in
    /// `config`, hence in the config.toml written beside the model).
    fn load(&self, config: &mut RunConfig) -> Result<(Dataset, Dataset, Option<Dataset>)> {
        let mut paths = vec![self.pair.source.as_path(), self.pair.target.as_path()];
        paths.extend(self.target_test.as_deref());
        config.data.settle_index_base(&paths)?;
        let (source, target) = self.pair.load(
            &config.data,
            config.train.images.is_some() && config.shallow.is_none(),
        )?;
        let test = match &self.target_test {
            Some(p) => Some(load(p, &config.data)?),
            None => None,
        };
        Ok((source, target, test))
    }
}

pub fn run<B: AutodiffBackend>(a: TrainArgs, device: &B::Device) -> Result<()> {
    let mut config = match &a.config {
        Some(p) => RunConfig::load(p)?,
        None => RunConfig::default(),
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
    if let Some(shallow) = config.shallow.clone() {
        return train_shallow::<B>(a, config, shallow, device);
    }
    let dann = config.dann();
    dann.check()?;
    let engine = dann.engine()?;
    refuse_to_replace(&a.out, a.force)?;
    let (source, target, target_test) = a.load(&mut config)?;

    fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    // Records stream into metrics.jsonl as they come, so that a long run's curve can be read
    // while it runs; when this run replaces a model (--force) they go to a temporary file
    // until the new model is saved, so that a failed or killed run leaves the old one whole.
    let metrics_path = a.out.join("metrics.jsonl");
    let replacing = a.out.join(dann::SPEC_FILE).exists();
    let stream_path = if replacing {
        dann::files::temp_beside(&metrics_path)
    } else {
        metrics_path.clone()
    };
    let metrics = fs::File::create(&stream_path)
        .with_context(|| format!("cannot write {}", stream_path.display()))?;
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
    );
    let finished = reporter
        .finish()
        .and_then(|w| w.map_or(Ok(()), |mut w| w.flush()));
    let fitted = match (fitted, finished) {
        (Ok(f), Ok(())) => f,
        (Err(e), _) => {
            if replacing {
                let _ = fs::remove_file(&stream_path);
            }
            return Err(e.into());
        }
        (_, Err(e)) => {
            return Err(e).with_context(|| format!("cannot write {}", stream_path.display()));
        }
    };
    fitted.save(&a.out)?;
    write_file(&a.out.join(RunConfig::FILE), &config.to_toml()?)?;
    if replacing {
        fs::rename(&stream_path, &metrics_path)
            .with_context(|| format!("cannot write {}", metrics_path.display()))?;
    }
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

/// `dann train` with a `[shallow]` section: Algorithm 1 on the kernels, epochs with early
/// stopping on the held-out source rows (`shallow.validation`), as `dann select` and
/// `dann reproduce amazon` train each candidate: the same settings and seed give the same
/// model.
fn train_shallow<B: AutodiffBackend>(
    a: TrainArgs,
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
    refuse_to_replace(&a.out, a.force)?;
    let (source, target, target_test) = a.load(&mut config)?;
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
    fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    let resolved = RunConfig {
        model: architecture,
        shallow: Some(shallow.clone()),
        ..config
    };
    fitted.save(&a.out)?;
    write_file(&a.out.join(RunConfig::FILE), &resolved.to_toml()?)?;
    let mut lines = String::new();
    for record in &fit.history {
        lines += &serde_json::to_string(record)?;
        lines.push('\n');
    }
    write_file(&a.out.join("metrics.jsonl"), &lines)?;
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
            a.out.display()
        );
    }
    Ok(())
}
