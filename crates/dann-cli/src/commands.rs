//! Command-line interface: argument definitions and the commands.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, Parser, Subcommand, ValueEnum};
use dann::data::{self, Dataset, LoadOptions};
use dann::moons::MoonsConfig;
use dann::{Dann, DannConfig, FittedDann, Mode, TrainConfig};
use serde_json::json;

use crate::config::RunConfig;
use crate::progress::Reporter;

/// Domain-Adversarial Neural Networks (Ganin et al., JMLR 2016): train a model on labelled
/// source data and unlabelled target data so that it works on the target.
#[derive(Debug, Parser)]
#[command(name = "dann", version, about, long_about = None)]
pub struct Cli {
    /// Compute backend of the burn models (train, eval, predict, demo, shift --model, bench);
    /// `reproduce amazon` always runs the hand-written shallow kernels on the CPU.
    #[arg(long, value_enum, default_value_t = BackendKind::Flex, global = true)]
    pub backend: BackendKind,
    #[command(subcommand)]
    pub command: Command,
}

/// Compute backends compiled into this binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    /// burn's pure-Rust CPU backend.
    Flex,
    /// NVIDIA GPU through burn-cuda (binary built with `--features cuda`).
    #[cfg(feature = "cuda")]
    Cuda,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train DANN (or the source-only baseline) and write the model, the resolved config and
    /// metrics.jsonl into --out.
    Train(TrainArgs),
    /// Accuracy and per-class counts of a trained model on labelled data.
    Eval(EvalArgs),
    /// Predicted label and class probabilities for every row, as CSV.
    Predict(PredictArgs),
    /// Toy problems from the paper.
    #[command(subcommand)]
    Demo(Demo),
    /// Print the default run configuration (TOML) to start a --config file from.
    Config,
    /// How far apart two data sets are: proxy A-distance (PAD = 2(1 - 2 err) of a linear SVM
    /// telling their rows apart), on the raw inputs or on a model's features.
    Shift(ShiftArgs),
    /// Reproduce the papers' experiments.
    #[command(subcommand)]
    Reproduce(Reproduce),
    /// Speed measurements.
    #[command(subcommand)]
    Bench(Bench),
}

#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Shallow DANN update on Amazon reviews: sparse kernels vs burn's dense per-example
    /// update vs PyTorch (examples/s, one run).
    Shallow(crate::bench::BenchArgs),
}

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
    /// config.toml with --model, else the format's defaults).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seed of the half/half split.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Reproduce {
    /// JMLR 2016 Table 1a (and Figure 3 with --pad): DANN, NN and linear SVM on the Amazon
    /// reviews, 12 domain pairs, beside the paper's numbers; writes amazon.md and amazon.csv.
    Amazon(AmazonArgs),
}

#[derive(Debug, Args)]
pub struct AmazonArgs {
    /// `all` or a list like `books:kitchen,dvd:books`.
    #[arg(long, default_value = "all")]
    pairs: String,
    /// Folder holding amazon/*.svmlight.gz (default: $DANN_DATA_DIR, else ./data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Where to write amazon.md and amazon.csv.
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Also compute the proxy A-distance on raw inputs, NN and DANN features (Figure 3).
    #[arg(long)]
    pad: bool,
    /// Maximum epochs per model, early stopping may end sooner (default: 200, 20 for mSDA).
    #[arg(long)]
    epochs: Option<usize>,
    /// Learning rate of the shallow networks (default: the paper's 1e-3).
    #[arg(long)]
    lr: Option<f64>,
    /// Early-stopping horizon in epochs (see --stopping), 0: never stop early
    /// (default: 30, 5 for mSDA).
    #[arg(long)]
    patience: Option<usize>,
    /// Early-stopping rule: `growing` is the authors' (ties count as improvements, training
    /// goes on until epoch max(--patience, 1.5 x best epoch)); `fixed` stops --patience epochs
    /// after the first best epoch (default: growing, fixed for mSDA).
    #[arg(long, value_enum)]
    stopping: Option<StoppingArg>,
    /// Number of lambda values of the reverse-validation grid (log-spaced in [1e-2, 1]).
    #[arg(long)]
    lambdas: Option<usize>,
    /// Hidden sizes to try, e.g. 50,100.
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Input representation: the raw counts (Table 1a) or mSDA features (5 layers,
    /// corruption 0.5, fitted on all four domains' unlabelled training reviews).
    #[arg(long, value_enum, default_value_t = FeaturesArg::Raw)]
    features: FeaturesArg,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StoppingArg {
    Fixed,
    Growing,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FeaturesArg {
    Raw,
    Msda,
}

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
    mode: Option<ModeArg>,
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

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Dann,
    SourceOnly,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Model directory written by `dann train`.
    #[arg(long)]
    model: PathBuf,
    /// Labelled data.
    #[arg(long)]
    data: PathBuf,
    /// Config whose [data] section says how to read --data (default: the model's config.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Model directory written by `dann train`.
    #[arg(long)]
    model: PathBuf,
    /// Data (labels, if any, are ignored).
    #[arg(long)]
    data: PathBuf,
    /// Output CSV: row, label, probability, then one probability column per class.
    #[arg(long)]
    out: PathBuf,
    /// Config whose [data] section says how to read --data (default: the model's config.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Demo {
    /// Two inter-twinning moons, target rotated by 35 degrees (paper sec. 5.1): trains the
    /// source-only network and DANN and prints both target accuracies.
    Moons(MoonsArgs),
}

#[derive(Debug, Args)]
pub struct MoonsArgs {
    /// Number of seeds to run (seed, seed+1, ...); results are averaged.
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// First seed (of the data and of the training).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Training iterations per model.
    #[arg(long)]
    iterations: Option<usize>,
    /// Rotation of the target, degrees.
    #[arg(long, default_value_t = 35.0)]
    angle: f64,
    /// Examples per class.
    #[arg(long, default_value_t = 150)]
    n_per_class: usize,
    /// Run configuration overriding the demo's network and training settings.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.backend {
        BackendKind::Flex => run_on::<dann::CpuAutodiff>(cli.command, &Default::default()),
        #[cfg(feature = "cuda")]
        BackendKind::Cuda => {
            run_on::<burn::backend::Autodiff<burn::backend::Cuda>>(cli.command, &Default::default())
        }
    }
}

fn run_on<B: AutodiffBackend>(command: Command, device: &B::Device) -> Result<()> {
    match command {
        Command::Train(a) => train::<B>(a, device),
        Command::Eval(a) => eval::<B>(a, device),
        Command::Predict(a) => predict::<B>(a, device),
        Command::Demo(Demo::Moons(a)) => moons::<B>(a, device),
        Command::Shift(a) => shift::<B>(a, device),
        Command::Bench(Bench::Shallow(a)) => crate::bench::shallow::<B>(a, device),
        Command::Reproduce(Reproduce::Amazon(a)) => reproduce_amazon(a),
        Command::Config => {
            print!("{}", RunConfig::default().to_toml()?);
            Ok(())
        }
    }
}

fn load(path: &Path, options: &LoadOptions) -> Result<Dataset> {
    data::load(path, options).with_context(|| format!("cannot load {}", path.display()))
}

fn train<B: AutodiffBackend>(a: TrainArgs, device: &B::Device) -> Result<()> {
    let mut config = match &a.config {
        Some(p) => RunConfig::load(p)?,
        None => RunConfig::default(),
    };
    if let Some(m) = a.mode {
        config.train.mode = match m {
            ModeArg::Dann => Mode::Dann,
            ModeArg::SourceOnly => Mode::SourceOnly,
        };
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
    if a.out.join(dann::SPEC_FILE).exists() && !a.force {
        bail!(
            "{} already holds a model; pass --force to replace it or choose another --out",
            a.out.display()
        );
    }

    let source = load(&a.source, &config.data)?;
    let target = load(&a.target, &config.data)?.without_labels();
    // Sparse files may stop short of the last feature: pad both to the wider one.
    let width = source.n_features().max(target.n_features());
    let source = source.with_n_features(width)?;
    let target = target.with_n_features(width)?;
    let target_test = match &a.target_test {
        Some(p) => Some(load(p, &config.data)?),
        None => None,
    };

    fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    let config_path = a.out.join("config.toml");
    fs::write(&config_path, config.to_toml()?)
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    let metrics_path = a.out.join("metrics.jsonl");
    let metrics = fs::File::create(&metrics_path)
        .with_context(|| format!("cannot write {}", metrics_path.display()))?;
    let label = match config.train.mode {
        Mode::Dann => "dann",
        Mode::SourceOnly => "source-only",
    };
    let mut reporter = Reporter::new(
        config.train.iterations,
        a.quiet,
        label,
        Some(BufWriter::new(metrics)),
    );
    let mut records: Vec<dann::MetricsRecord> = Vec::new();
    let fitted = {
        let mut both = Tee(&mut reporter, &mut records);
        dann.fit_with::<B>(&source, &target, target_test.as_ref(), &mut both, device)?
    };
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
        eprintln!(
            "trained {label} for {} iterations: source accuracy {:.4}{target}; model in {}",
            last.iteration,
            last.source_accuracy,
            a.out.display()
        );
    }
    Ok(())
}

/// Sends every event to two listeners.
struct Tee<'a, A, B>(&'a mut A, &'a mut B);

impl<A: dann::TrainListener, B: dann::TrainListener> dann::TrainListener for Tee<'_, A, B> {
    fn on_step(&mut self, i: usize, n: usize, o: &dann::StepOutput) {
        self.0.on_step(i, n, o);
        self.1.on_step(i, n, o);
    }
    fn on_record(&mut self, r: &dann::MetricsRecord) {
        self.0.on_record(r);
        self.1.on_record(r);
    }
}

/// The model and the data options to read data for it: `--config`, else the `config.toml`
/// that `dann train` wrote beside the model, else the defaults.
fn load_model<B: AutodiffBackend>(
    dir: &Path,
    config: Option<&Path>,
    device: &B::Device,
) -> Result<(FittedDann<B::InnerBackend>, LoadOptions)> {
    let model = FittedDann::<B::InnerBackend>::load(dir, device)?;
    let beside = dir.join("config.toml");
    let options = match config {
        Some(p) => RunConfig::load(p)?.data,
        None if beside.exists() => RunConfig::load(&beside)?.data,
        None => LoadOptions::default(),
    };
    Ok((model, options))
}

fn eval<B: AutodiffBackend>(a: EvalArgs, device: &B::Device) -> Result<()> {
    let (model, options) = load_model::<B>(&a.model, a.config.as_deref(), device)?;
    let data = model.prepare(load(&a.data, &options)?)?;
    let e = model.evaluate(&data)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
    } else {
        println!("accuracy {:.4} ({} examples)", e.accuracy, e.n);
        println!(
            "{:<16} {:>9} {:>9} {:>9} {:>9}",
            "class", "support", "correct", "predicted", "recall"
        );
        for c in &e.per_class {
            let recall = if c.support == 0 {
                0.0
            } else {
                c.correct as f64 / c.support as f64
            };
            println!(
                "{:<16} {:>9} {:>9} {:>9} {:>9.4}",
                c.class, c.support, c.correct, c.predicted, recall
            );
        }
    }
    Ok(())
}

fn predict<B: AutodiffBackend>(a: PredictArgs, device: &B::Device) -> Result<()> {
    let (model, options) = load_model::<B>(&a.model, a.config.as_deref(), device)?;
    let data = load(&a.data, &options)?.without_labels();
    let data = model.prepare(data)?;
    let proba = model.predict_proba(&data)?;
    let write = || -> std::io::Result<()> {
        let mut w = BufWriter::new(fs::File::create(&a.out)?);
        write!(w, "row,label,probability")?;
        for c in model.class_names() {
            write!(w, ",p_{c}")?;
        }
        writeln!(w)?;
        for i in 0..proba.n_rows() {
            let row = proba.row(i);
            let best = dann::metrics::argmax(row);
            write!(w, "{i},{},{:.6}", model.class_names()[best], row[best])?;
            for v in row {
                write!(w, ",{v:.6}")?;
            }
            writeln!(w)?;
        }
        w.flush()
    };
    write().with_context(|| format!("cannot write {}", a.out.display()))
}

/// The demo's network and training: the paper's shallow network with 15 sigmoid hidden units.
pub fn moons_config() -> RunConfig {
    RunConfig {
        model: DannConfig::shallow(15),
        train: TrainConfig {
            iterations: 10_000,
            batch_size: 64,
            lr: dann::schedule::LrSchedule::Constant { value: 0.05 },
            lambda: dann::schedule::LambdaSchedule::Constant { value: 6.0 },
            log_every: 0,
            ..TrainConfig::default()
        },
        data: LoadOptions::default(),
    }
}

fn moons<B: AutodiffBackend>(a: MoonsArgs, device: &B::Device) -> Result<()> {
    let mut config = match &a.config {
        Some(p) => RunConfig::load(p)?,
        None => moons_config(),
    };
    if let Some(n) = a.iterations {
        config.train.iterations = n;
    }
    if a.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    config.dann().check()?;
    let seeds: Vec<u64> = (a.seed..a.seed + a.seeds).collect();
    let mut results = [(Mode::SourceOnly, Vec::new()), (Mode::Dann, Vec::new())];
    for &seed in &seeds {
        let problem = MoonsConfig {
            n_per_class: a.n_per_class,
            angle_degrees: a.angle,
            seed,
            ..MoonsConfig::default()
        }
        .generate()?;
        for (mode, accs) in &mut results {
            let dann = Dann {
                model: config.model.clone(),
                train: TrainConfig {
                    mode: *mode,
                    seed,
                    ..config.train.clone()
                },
            };
            let fitted = dann.fit::<B>(&problem.source, &problem.target, device)?;
            let source = fitted.evaluate(&problem.source)?.accuracy;
            let target = fitted.evaluate(&problem.target_test)?.accuracy;
            accs.push((source, target));
        }
    }
    let summary = |accs: &[(f64, f64)]| {
        let n = accs.len() as f64;
        json!({
            "target_accuracy": accs.iter().map(|a| a.1).sum::<f64>() / n,
            "source_accuracy": accs.iter().map(|a| a.0).sum::<f64>() / n,
            "target_accuracy_per_seed": accs.iter().map(|a| a.1).collect::<Vec<_>>(),
        })
    };
    let out = json!({
        "problem": "moons",
        "angle_degrees": a.angle,
        "n_per_class": a.n_per_class,
        "seeds": seeds,
        "source_only": summary(&results[0].1),
        "dann": summary(&results[1].1),
    });
    if a.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!(
            "two moons, target rotated {} degrees, {} per class, {} seed(s)",
            a.angle,
            a.n_per_class,
            seeds.len()
        );
        println!(
            "{:<12} {:>16} {:>16}",
            "", "source accuracy", "target accuracy"
        );
        for (name, key) in [("source-only", "source_only"), ("DANN", "dann")] {
            println!(
                "{:<12} {:>16.4} {:>16.4}",
                name,
                out[key]["source_accuracy"].as_f64().unwrap_or(f64::NAN),
                out[key]["target_accuracy"].as_f64().unwrap_or(f64::NAN)
            );
        }
    }
    Ok(())
}

fn shift<B: AutodiffBackend>(a: ShiftArgs, device: &B::Device) -> Result<()> {
    // With a model, the files are read as it was trained (its config.toml) unless --config
    // says otherwise; the config is read once.
    let (model, options) = match &a.model {
        Some(dir) => {
            let (model, options) = load_model::<B>(dir, a.config.as_deref(), device)?;
            (Some(model), options)
        }
        None => match &a.config {
            Some(p) => (None, RunConfig::load(p)?.data),
            None => (None, LoadOptions::default()),
        },
    };
    let source = load(&a.source, &options)?.without_labels();
    let target = load(&a.target, &options)?.without_labels();
    let (source, target, space) = match &model {
        Some(model) => {
            let to_features = |d: Dataset| -> Result<Dataset> {
                let m = model.features(&model.prepare(d)?)?;
                Ok(Dataset::unlabelled(data::Features::Dense(m)))
            };
            (to_features(source)?, to_features(target)?, "model features")
        }
        None => {
            let width = source.n_features().max(target.n_features());
            (
                source.with_n_features(width)?,
                target.with_n_features(width)?,
                "raw inputs",
            )
        }
    };
    let pad = dann::proxy_a_distance::proxy_a_distance(&source, &target, None, a.seed)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string(
                &json!({"space": space, "pad": pad.pad, "error": pad.error, "c": pad.c, "n_train": pad.n_train, "n_test": pad.n_test})
            )?
        );
    } else {
        println!(
            "proxy A-distance on {space}: {:.4} (domain classifier error {:.4}, C = {:.0e}, {} train / {} test rows)",
            pad.pad, pad.error, pad.c, pad.n_train, pad.n_test
        );
    }
    Ok(())
}

/// `--data-dir`, else `$DANN_DATA_DIR`, else `./data` (the repository's shipped data).
pub fn data_dir(arg: Option<PathBuf>) -> PathBuf {
    arg.unwrap_or_else(|| {
        std::env::var_os("DANN_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from)
    })
}

fn reproduce_amazon(a: AmazonArgs) -> Result<()> {
    let mut config = dann::amazon::AmazonConfig {
        pairs: dann::amazon::parse_pairs(&a.pairs)?,
        pad: a.pad,
        seed: a.seed,
        ..Default::default()
    }
    .with_features(match a.features {
        FeaturesArg::Raw => dann::amazon::FeatureSpace::Raw,
        FeaturesArg::Msda => dann::amazon::FeatureSpace::Msda,
    });
    config.data_dir = data_dir(a.data_dir);
    config.shallow.seed = a.seed;
    if let Some(e) = a.epochs {
        config.shallow.epochs = e;
    }
    if let Some(lr) = a.lr {
        config.shallow.lr = lr;
    }
    if let Some(p) = a.patience {
        config.shallow.patience = p;
    }
    if let Some(s) = a.stopping {
        config.shallow.stopping = match s {
            StoppingArg::Fixed => dann::shallow::Stopping::Fixed,
            StoppingArg::Growing => dann::shallow::Stopping::Growing,
        };
    }
    if let Some(n) = a.lambdas {
        if n == 0 {
            bail!("--lambdas must be at least 1");
        }
        config.lambdas = if n == 1 {
            vec![0.1]
        } else {
            (0..n)
                .map(|i| 10f64.powf(-2.0 + 2.0 * i as f64 / (n - 1) as f64))
                .collect()
        };
    }
    if let Some(h) = a.hidden {
        config.hidden = h;
    }
    config.shallow.check()?;
    if config.features == dann::amazon::FeatureSpace::Msda && !a.json {
        eprintln!(
            "fitting mSDA on the four domains' training reviews and transforming all reviews (a few minutes)"
        );
    }
    let start = std::time::Instant::now();
    let results = dann::amazon::run(&config, |r| {
        if !a.json {
            eprintln!(
                "{:>11} -> {:<11} DANN {:.3}  NN {:.3}  SVM {:.3}  ({:.0} s)",
                r.source, r.target, r.dann, r.nn, r.svm, r.seconds
            );
        }
    })
    .with_context(|| format!("Amazon data under {}", config.data_dir.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    let report = dann::amazon::Report::new(results, seconds);
    fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    for (name, text) in [
        ("amazon.md", report.markdown()),
        ("amazon.csv", report.csv()),
    ] {
        let path = a.out.join(name);
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.markdown());
        eprintln!("wrote {}/amazon.md and amazon.csv", a.out.display());
    }
    Ok(())
}
