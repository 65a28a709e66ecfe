//! `dann select`: the paper's whole method on the user's own pair, without target labels:
//! reverse validation over a grid, the source-only baseline, the comparison and the PADs.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use burn::tensor::backend::{AutodiffBackend, Backend};
use clap::Args;
use dann::analysis::reverse_validation::RvScore;
use dann::data::HoldOut;
use dann::selection::{Outcome, Pads, SelectConfig, Verdict, VerdictKind, select};
use dann::shallow::{ShallowConfig, ShallowDann};
use dann::table::MarkdownTable;
use dann::{DannConfig, Dataset, fitted_from_shallow};
use serde::Serialize;

use super::{PairArgs, refuse_to_replace, write_file};
use crate::run_config::RunConfig;

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Labelled source data (CSV, SVMlight, IDX, NPY or an image folder; optionally .gz);
    /// or `source` in the config's [files].
    #[arg(long)]
    source: Option<PathBuf>,
    /// Target data; its labels, if any, are never read (or `target` in [files]).
    #[arg(long)]
    target: Option<PathBuf>,
    /// Run configuration: [shallow] holds the training settings every candidate shares
    /// (default: the paper's Algorithm 1 with the authors' settings), [select] the grid
    /// (default: the paper's 9 lambdas x hidden 50, 100 at lr 1e-3), [data] how to read the
    /// files.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output directory: the chosen DANN (model, config.toml), source-only/ (the baseline),
    /// candidates.md, candidates.csv, select.json (or `out` in [files]).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace a model already in --out.
    #[arg(long)]
    force: bool,
    /// Override select.lambdas, e.g. 0.01,0.1,1.
    #[arg(long, value_delimiter = ',')]
    lambdas: Option<Vec<f64>>,
    /// Override select.hidden, e.g. 50,100.
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Override select.lrs, e.g. 1e-3,1e-2.
    #[arg(long, value_delimiter = ',')]
    lrs: Option<Vec<f64>>,
    /// Override select.score: what ranks the candidates, the reverse model's error on the
    /// held-out source rows (the paper's) or its log loss there.
    #[arg(long, value_enum)]
    score: Option<RvScore>,
    /// Override select.splits: hold-out splits each candidate's reverse validation is
    /// averaged over (1: the paper's; each extra split trains every candidate once more).
    #[arg(long)]
    splits: Option<usize>,
    /// Skip the proxy A-distances.
    #[arg(long)]
    no_pad: bool,
    /// Override shallow.seed (training and the held-out split).
    #[arg(long)]
    seed: Option<u64>,
    /// Print the outcome as one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// No summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// What `select.json` (and `--json`) holds.
#[derive(Debug, Serialize)]
struct Report<'a> {
    dann: Chosen,
    source_only: Chosen,
    verdict: Verdict,
    score: RvScore,
    pad: Option<Pads>,
    candidates: &'a [dann::analysis::reverse_validation::Candidate],
    source_only_candidates: &'a [dann::selection::BaselineCandidate],
    held_out: HeldOut,
    seconds: f64,
}

/// A chosen model's settings, reverse-validation scores and where it was written.
#[derive(Debug, Serialize)]
struct Chosen {
    lambda: f64,
    hidden: usize,
    lr: f64,
    reverse_error: f64,
    reverse_log_loss: f64,
    model: PathBuf,
}

/// Rows in each part of the split.
#[derive(Debug, Serialize)]
struct HeldOut {
    source_train: usize,
    source_validation: usize,
    target_train: usize,
    target_validation: usize,
}

pub fn run<B: AutodiffBackend>(a: SelectArgs, device: &B::Device) -> Result<()> {
    let mut config = match &a.config {
        Some(p) => RunConfig::load(p)?,
        None => RunConfig::default(),
    };
    let mut base = config.shallow.clone().unwrap_or_default();
    if let Some(s) = a.seed {
        base.seed = s;
    }
    let mut grid = config.select.clone();
    if let Some(l) = &a.lambdas {
        grid.lambdas = l.clone();
    }
    if let Some(h) = &a.hidden {
        grid.hidden = h.clone();
    }
    if let Some(l) = &a.lrs {
        grid.lrs = l.clone();
    }
    if let Some(s) = a.score {
        grid.score = s;
    }
    if a.no_pad {
        grid.pad = false;
    }
    if let Some(n) = a.splits {
        grid.splits = n;
    }
    grid.check(&base)?;
    // The files: flags first, then the config's [files] (not kept in the written configs).
    let files = std::mem::take(&mut config.files);
    let (Some(source), Some(target), Some(out)) = (
        a.source.clone().or(files.source),
        a.target.clone().or(files.target),
        a.out.clone().or(files.out),
    ) else {
        anyhow::bail!(
            "--source, --target and --out are needed (as flags or in the config's [files])"
        );
    };
    let pair = PairArgs { source, target };
    refuse_to_replace(&out, a.force)?;
    config
        .data
        .settle_index_base(&[pair.source.as_path(), pair.target.as_path()])?;
    let (source, target) = pair.load(&config.data, false)?;
    if !a.quiet {
        let n = grid.lambdas.len() * grid.hidden.len() * grid.lrs.len();
        eprintln!(
            "scoring {n} DANN candidates x {} hold-out split(s) by reverse validation (2 networks \
             each) and {} source-only candidates, on {} threads",
            grid.splits,
            grid.hidden.len() * grid.lrs.len(),
            rayon::current_num_threads()
        );
    }
    let start = Instant::now();
    let parts = HoldOut::new(&source, &target, base.validation, base.seed)?;
    let outcome = select(&base, &grid, &parts, &source, &target, base.seed)?;
    let seconds = start.elapsed().as_secs_f64();

    fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let baseline_dir = out.join("source-only");
    let dann_cfg = outcome.dann_config(&base);
    let baseline_cfg = outcome.baseline_config(&base);
    for (dir, cfg, net) in [
        (&out, &dann_cfg, outcome.dann.best_model()),
        (&baseline_dir, &baseline_cfg, &outcome.baseline.model),
    ] {
        save_model::<B::InnerBackend>(dir, &config, &grid, cfg, net, &source, device)?;
    }
    write_file(&out.join("candidates.md"), &candidates_markdown(&outcome))?;
    write_file(&out.join("candidates.csv"), &candidates_csv(&outcome)?)?;
    let chosen = |cfg: &ShallowConfig,
                  reverse: dann::analysis::reverse_validation::ReverseScore,
                  dir: &Path| Chosen {
        lambda: cfg.lambda,
        hidden: cfg.hidden,
        lr: cfg.lr,
        reverse_error: reverse.error,
        reverse_log_loss: reverse.log_loss,
        model: dir.to_path_buf(),
    };
    let report = Report {
        dann: chosen(&dann_cfg, outcome.dann.winner().reverse, &out),
        source_only: chosen(&baseline_cfg, outcome.baseline.reverse, &baseline_dir),
        verdict: outcome.verdict(),
        score: outcome.score,
        pad: outcome.pad,
        candidates: &outcome.dann.candidates,
        source_only_candidates: &outcome.baseline.candidates,
        held_out: HeldOut {
            source_train: parts.s_train.len(),
            source_validation: parts.s_val.len(),
            target_train: parts.t_train.len(),
            target_validation: parts.t_val.len(),
        },
        seconds,
    };
    let json = serde_json::to_string_pretty(&report)?;
    write_file(&out.join("select.json"), &(json.clone() + "\n"))?;
    if a.json {
        println!("{json}");
    }
    if !a.quiet {
        eprint!("{}", summary(&report, &outcome));
        eprintln!(
            "wrote {} (candidates.md, select.json, source-only/)",
            out.display()
        );
    }
    Ok(())
}

/// Saves `net` as a model in `dir` with the config that retrains it (`dann train --config
/// dir/config.toml` on the same files gives the same model).
fn save_model<B: Backend>(
    dir: &Path,
    config: &RunConfig,
    grid: &SelectConfig,
    cfg: &ShallowConfig,
    net: &ShallowDann,
    source: &Dataset,
    device: &B::Device,
) -> Result<()> {
    let architecture = DannConfig::shallow(cfg.hidden);
    let fitted = fitted_from_shallow::<B>(
        net,
        &architecture,
        source.class_names().to_vec(),
        None,
        device,
    )?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let resolved = RunConfig {
        model: architecture,
        shallow: Some(cfg.clone()),
        select: grid.clone(),
        ..config.clone()
    };
    write_file(&dir.join(RunConfig::FILE), &resolved.to_toml()?)?;
    fitted.save(dir)?;
    Ok(())
}

fn summary(r: &Report<'_>, outcome: &Outcome) -> String {
    let score = match r.score {
        RvScore::Error => "error",
        RvScore::LogLoss => "log loss",
    };
    let of = |c: &Chosen| match r.score {
        RvScore::Error => c.reverse_error,
        RvScore::LogLoss => c.reverse_log_loss,
    };
    let mut s = format!(
        "{} candidates in {:.1} s ({} source rows trained on, {} held out; {} target rows, {} held out)\n",
        outcome.dann.candidates.len(),
        r.seconds,
        r.held_out.source_train,
        r.held_out.source_validation,
        r.held_out.target_train,
        r.held_out.target_validation
    );
    s += &format!(
        "DANN:        lambda {:.4}, hidden {}, lr {}: reverse-validation {score} {:.4}\n",
        r.dann.lambda,
        r.dann.hidden,
        r.dann.lr,
        of(&r.dann)
    );
    s += &format!(
        "source-only: hidden {}, lr {} (source validation error {:.4}): reverse-validation {score} {:.4}\n",
        r.source_only.hidden,
        r.source_only.lr,
        outcome.baseline.winner().validation_error,
        of(&r.source_only)
    );
    let v = &r.verdict;
    let call = match v.kind {
        VerdictKind::Helps => "DANN is expected to help",
        VerdictKind::DoesNotHelp => "DANN is not expected to help",
        VerdictKind::TooCloseToCall => "too close to call whether DANN helps",
    };
    s += &format!(
        "{call}: reverse error {:.4} (source-only) - {:.4} (DANN) = {:+.4}, standard error {:.4}\n",
        r.source_only.reverse_error, r.dann.reverse_error, v.difference, v.standard_error
    );
    if let Some(p) = &r.pad {
        s += &format!(
            "proxy A-distance (0: indistinguishable, 2: separable): inputs {:.3}, source-only features {:.3}, DANN features {:.3}\n",
            p.inputs, p.source_only, p.dann
        );
    }
    s
}

/// Every candidate, DANN's then the baseline's, the chosen ones marked.
fn candidates_markdown(o: &Outcome) -> String {
    let mut t = MarkdownTable::new([
        "model",
        "lambda",
        "hidden",
        "lr",
        "epoch",
        "forward error (S_v)",
        "reverse error",
        "reverse log loss",
        "chosen",
    ]);
    for (i, c) in o.dann.candidates.iter().enumerate() {
        t.row([
            "dann".to_string(),
            format!("{:.4}", c.lambda),
            c.hidden.to_string(),
            c.lr.to_string(),
            c.epoch.to_string(),
            format!("{:.4}", c.forward_error),
            format!("{:.4}", c.reverse.error),
            format!("{:.4}", c.reverse.log_loss),
            if i == o.dann.best { "yes" } else { "" }.to_string(),
        ]);
    }
    for (i, c) in o.baseline.candidates.iter().enumerate() {
        let chosen = i == o.baseline.best;
        let reverse = |v: f64| {
            if chosen {
                format!("{v:.4}")
            } else {
                String::new()
            }
        };
        t.row([
            "source-only".to_string(),
            "0".to_string(),
            c.hidden.to_string(),
            c.lr.to_string(),
            c.epoch.to_string(),
            format!("{:.4}", c.validation_error),
            reverse(o.baseline.reverse.error),
            reverse(o.baseline.reverse.log_loss),
            if chosen { "yes" } else { "" }.to_string(),
        ]);
    }
    t.render()
}

fn candidates_csv(o: &Outcome) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "model",
        "lambda",
        "hidden",
        "lr",
        "epoch",
        "forward_error",
        "reverse_error",
        "reverse_log_loss",
        "chosen",
    ])?;
    for (i, c) in o.dann.candidates.iter().enumerate() {
        w.write_record([
            "dann".to_string(),
            c.lambda.to_string(),
            c.hidden.to_string(),
            c.lr.to_string(),
            c.epoch.to_string(),
            c.forward_error.to_string(),
            c.reverse.error.to_string(),
            c.reverse.log_loss.to_string(),
            (i == o.dann.best).to_string(),
        ])?;
    }
    for (i, c) in o.baseline.candidates.iter().enumerate() {
        let chosen = i == o.baseline.best;
        let reverse = |v: f64| if chosen { v.to_string() } else { String::new() };
        w.write_record([
            "source-only".to_string(),
            "0".to_string(),
            c.hidden.to_string(),
            c.lr.to_string(),
            c.epoch.to_string(),
            c.validation_error.to_string(),
            reverse(o.baseline.reverse.error),
            reverse(o.baseline.reverse.log_loss),
            chosen.to_string(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
