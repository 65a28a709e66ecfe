//! The command line: global options, the command tree, and dispatch onto a backend.

use std::ffi::OsString;

use anyhow::Result;
use burn::tensor::backend::AutodiffBackend;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands::{
    bench, bench_cnn, config, demo, digits, eval, make_data, predict, report, reproduce, select,
    selftest, shift, train, tsne,
};

/// Domain-Adversarial Neural Networks (Ganin et al., JMLR 2016): train a model on labelled
/// source data and unlabelled target data so that it works on the target.
#[derive(Debug, Parser)]
#[command(name = "dann", version, about, long_about = None, after_help = DEVICES)]
pub struct Cli {
    /// cpu, cuda or cuda:N: where burn models run (every command takes it; details: dann --help)
    #[arg(long, default_value = "cpu", global = true, value_parser = parse_device)]
    pub device: DeviceArg,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command tree as parsed: every command takes a negative number as a flag's value
    /// (`--seed -1`, `--fail-above -1`), so that the flag's own check answers it instead of
    /// clap's "unexpected argument".
    pub fn command_tree() -> clap::Command {
        fn negatives(cmd: clap::Command) -> clap::Command {
            cmd.allow_negative_numbers(true).mut_subcommands(negatives)
        }
        negatives(Cli::command())
    }

    /// Parses `args` (the program name first) with [`Cli::command_tree`]; a negative number
    /// given to a flag that takes a whole number >= 0 is told so.
    pub fn try_parse_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut cmd = Self::command_tree();
        let matches = cmd
            .try_get_matches_from_mut(args)
            .map_err(explain_negative)?;
        Self::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
    }
}

/// clap's "invalid digit found in string" for `--seed -1` becomes "must be a whole number
/// >= 0".
fn explain_negative(err: clap::Error) -> clap::Error {
    if err.kind() != ErrorKind::ValueValidation {
        return err;
    }
    let (Some(ContextValue::String(arg)), Some(ContextValue::String(value))) = (
        err.get(ContextKind::InvalidArg),
        err.get(ContextKind::InvalidValue),
    ) else {
        return err;
    };
    if !value.starts_with('-') || value.parse::<f64>().is_err() {
        return err;
    }
    let flag = arg.split_whitespace().next().unwrap_or(arg);
    clap::Error::raw(
        ErrorKind::ValueValidation,
        format!("{flag} {value}: must be a whole number >= 0 (see --help)\n"),
    )
}

/// `--device`, said once, under `dann --help`.
const DEVICES: &str = "--device: where the burn models train and predict (train, eval, predict, \
tsne, select, shift --model, demo, reproduce digits, bench): cpu (burn's pure-Rust backend, with \
the fused convolution kernels), or cuda / cuda:N (an NVIDIA GPU; needs a binary built with \
--features cuda and the NVIDIA driver). reproduce amazon always runs the hand-written shallow \
kernels on the CPU.";

/// A compute device named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceArg {
    /// burn's pure-Rust CPU backend.
    Cpu,
    /// The NVIDIA GPU of this index.
    Cuda(usize),
}

fn parse_device(s: &str) -> Result<DeviceArg, String> {
    match s.trim() {
        "cpu" => Ok(DeviceArg::Cpu),
        "cuda" | "gpu" => Ok(DeviceArg::Cuda(0)),
        other => other
            .strip_prefix("cuda:")
            .and_then(|n| n.parse().ok())
            .map(DeviceArg::Cuda)
            .ok_or_else(|| format!("{other:?}: expected cpu, cuda or cuda:N (N = 0, 1, ...)")),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train DANN (or the source-only baseline) and write the model, the resolved config and
    /// metrics.jsonl into --out.
    Train(train::TrainArgs),
    /// Accuracy and per-class counts of a trained model on labelled data (RMSE, MAE and R^2
    /// for a regression).
    Eval(eval::EvalArgs),
    /// Predicted label and class probabilities for every row (the value, for a regression),
    /// as CSV.
    Predict(predict::PredictArgs),
    /// Toy problems from the paper.
    #[command(subcommand)]
    Demo(Demo),
    /// Print the default run configuration (TOML) to start a --config file from.
    Config(config::ConfigArgs),
    /// Choose DANN's lambda, hidden size and learning rate without target labels (reverse
    /// validation over the config's [select] grid), choose the source-only baseline on held-out
    /// source rows, compare the two and measure the shift (PAD); writes the chosen model, its
    /// config, the baseline and a table of every candidate into --out.
    Select(select::SelectArgs),
    /// (Re)build a training run's plots (PNG, SVG) and its self-contained report.html.
    Report(report::ReportArgs),
    /// Several training runs side by side: their last records in one table and, per metric,
    /// one chart with a curve per run (compare.html and plots in --out).
    Compare(report::CompareArgs),
    /// How far apart two data sets are: proxy A-distance (PAD = 2(1 - 2 err) of a linear SVM
    /// telling their rows apart), on the raw inputs or on a model's features.
    Shift(shift::ShiftArgs),
    /// Build data sets from raw parts, or describe data files.
    #[command(subcommand)]
    Data(Data),
    /// t-SNE map of a model's features for source and target rows (two colours, PNG + CSV),
    /// like the paper's MNIST -> MNIST-M figure.
    Tsne(tsne::TsneArgs),
    /// Reproduce the papers' experiments.
    #[command(subcommand)]
    Reproduce(Reproduce),
    /// Speed measurements.
    #[command(subcommand)]
    Bench(Bench),
    /// Does the chosen --device compute what the CPU computes? The gradient reversal layer
    /// and a few training steps of the paper's MNIST network, compared with burn's CPU
    /// backend (exit 2 on a mismatch).
    Selftest(selftest::SelftestArgs),
}

#[derive(Debug, Subcommand)]
pub enum Demo {
    /// Two inter-twinning moons, target rotated by 35 degrees (paper sec. 5.1): trains the
    /// source-only network and DANN and prints both target accuracies.
    Moons(demo::MoonsArgs),
}

#[derive(Debug, Subcommand)]
pub enum Data {
    /// MNIST-M by the paper's recipe (JMLR 2016 sec. 5.2.2): each MNIST digit blended with a
    /// random patch of a BSDS500 colour photo, |patch - digit| per channel; gzipped IDX with
    /// MNIST's labels, the same bytes for the same seed.
    MnistM(make_data::MnistMArgs),
    /// Read data files as `train` would and describe each: format, rows, features, sparsity,
    /// classes and their counts, memory, read time; and the process's peak resident memory.
    Info(make_data::InfoArgs),
}

#[derive(Debug, Subcommand)]
pub enum Reproduce {
    /// JMLR 2016 Table 1a (and Figure 3 with --pad): DANN, NN and linear SVM on the Amazon
    /// reviews, 12 domain pairs, beside the paper's numbers; writes amazon.md and amazon.csv.
    Amazon(reproduce::AmazonArgs),
    /// JMLR 2016 Table 2 and MNIST <-> USPS: source-only, DANN and train-on-target with the
    /// paper's MNIST network, target test accuracy beside the published numbers; writes
    /// <pair>.md and .json, each model's metrics and the t-SNE maps before (source-only) and
    /// after (DANN) adaptation.
    Digits(digits::DigitsArgs),
}

#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Shallow DANN update on Amazon reviews: sparse kernels vs burn's dense per-example
    /// update vs PyTorch (examples/s, one run).
    Shallow(bench::BenchArgs),
    /// The paper's MNIST network, one DANN training step on the CPU (batch 128 + 128 by
    /// default): the fused convolution kernels, burn's own operations and the PyTorch CPU
    /// reference script in one run (steps/s, images/s, ratio; inference images/s).
    Cnn(bench_cnn::CnnArgs),
}

/// Runs the command on the chosen device.
pub fn run(cli: Cli) -> Result<()> {
    match cli.device {
        DeviceArg::Cpu => run_on::<dann::CpuAutodiff>(cli.command, &Default::default()),
        DeviceArg::Cuda(index) => cuda(cli.command, index),
    }
}

#[cfg(feature = "cuda")]
fn cuda(command: Command, index: usize) -> Result<()> {
    let device = crate::gpu::open(index)?;
    run_on::<burn::backend::Autodiff<burn::backend::Cuda>>(command, &device)
}

#[cfg(not(feature = "cuda"))]
fn cuda(_: Command, index: usize) -> Result<()> {
    anyhow::bail!(
        "--device cuda:{index}: this dann was built without GPU support; build it with \
         `CUDARC_CUDA_VERSION=13000 cargo build --release -p dann-cli --features cuda` \
         (the machine then needs the NVIDIA driver; docs/gpu.md)"
    )
}

fn run_on<B: AutodiffBackend>(command: Command, device: &B::Device) -> Result<()> {
    match command {
        Command::Train(a) => train::run::<B>(a, device),
        Command::Eval(a) => eval::run::<B>(a, device),
        Command::Predict(a) => predict::run::<B>(a, device),
        Command::Demo(Demo::Moons(a)) => demo::moons::<B>(a, device),
        Command::Shift(a) => shift::run::<B>(a, device),
        Command::Report(a) => report::run(a),
        Command::Compare(a) => report::compare(a),
        Command::Bench(Bench::Shallow(a)) => bench::shallow::<B>(a, device),
        Command::Bench(Bench::Cnn(a)) => bench_cnn::cnn::<B>(a, device),
        Command::Reproduce(Reproduce::Amazon(a)) => reproduce::amazon(a),
        Command::Reproduce(Reproduce::Digits(a)) => digits::run::<B>(a, device),
        Command::Config(a) => config::run(a),
        Command::Tsne(a) => tsne::run::<B>(a, device),
        Command::Data(Data::MnistM(a)) => make_data::mnist_m(a),
        Command::Data(Data::Info(a)) => make_data::info(a),
        Command::Select(a) => select::run::<B>(a, device),
        Command::Selftest(a) => selftest::run::<B>(a, device),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flags flattened in from the library's settings (files, overrides, reproduce options,
    /// benches) must not clash with a command's own: clap checks the whole tree here.
    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command_tree().debug_assert();
    }

    /// Every command's help, as `--help` prints it, is plain text: no rustdoc links or paths
    /// (they come from doc comments shared with the library).
    #[test]
    fn help_has_no_rustdoc_syntax() {
        fn check(cmd: &mut clap::Command, path: &str, seen: &mut usize) {
            let help = cmd.render_long_help().to_string();
            for bad in ["[`", "`](", "crate::", "Self::"] {
                assert!(!help.contains(bad), "`{path} --help` shows {bad}:\n{help}");
            }
            *seen += 1;
            for sub in cmd.get_subcommands_mut() {
                let path = format!("{path} {}", sub.get_name());
                check(sub, &path, seen);
            }
        }
        let mut seen = 0;
        check(&mut Cli::command_tree(), "dann", &mut seen);
        assert!(seen > 20, "{seen} commands");
    }

    #[test]
    fn a_negative_number_is_a_value_with_a_clear_error() {
        let err = Cli::try_parse_args([
            "dann", "shift", "--source", "a", "--target", "b", "--seed", "-1",
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("--seed -1: must be a whole number >= 0"),
            "{err}"
        );
        assert!(!err.contains("unexpected argument"), "{err}");
        // A negative float reaches the command's own check.
        let cli = Cli::try_parse_args([
            "dann",
            "shift",
            "--source",
            "a",
            "--target",
            "b",
            "--fail-above",
            "-1",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::Shift(_)));
    }

    #[test]
    fn train_takes_the_files_and_overrides_as_before() {
        let cli = Cli::try_parse_args([
            "dann",
            "train",
            "--source",
            "s.csv",
            "--target",
            "t.csv",
            "--out",
            "o",
            "--mode",
            "source-only",
            "--iterations",
            "5",
            "--seed",
            "3",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::Train(_)));
        let clash = Cli::try_parse_args(["dann", "train", "--resume", "o", "--seed", "3"]);
        assert!(clash.is_err(), "--resume takes the run's own settings");
    }
}
