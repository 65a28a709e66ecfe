//! `dann select` on a run directory: the whole method ([`select`](crate::selection::select))
//! on the user's pair, the two chosen models saved with the configs that retrain them, the
//! candidates' tables and `select.json`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::tensor::backend::{AutodiffBackend, Backend};

use super::config::RunConfig;
use super::dir::{BASELINE_DIR, RunDir};
use super::pending::PendingRun;
use crate::analysis::reverse_validation::{ReverseScore, RvScore};
use crate::data::{Dataset, HoldOut, Schema};
use crate::deep::DannConfig;
use crate::error::{Error, Result};
use crate::learner::fitted_from_shallow;
use crate::selection::{
    DeepBaselineCandidate, DeepCandidate, Outcome, SelectConfig, SelectReport, Verdict,
    VerdictKind, select, select_deep,
};
use crate::shallow::{ShallowConfig, ShallowDann};
use crate::table::MarkdownTable;
use crate::training::Cancel;

/// Runs the selection with the shared settings `base` over `grid` on `source` and `target`
/// (`config` says how they were read), and writes into the run `dir` (begun with
/// [`RunDir::begin`] before the data was read, put in place here as a whole): the chosen DANN
/// (model and the `config.toml` that retrains it), the chosen baseline in [`BASELINE_DIR`],
/// `candidates.md`, `candidates.csv` and `select.json` (the report, also returned).
pub fn select_into<B: Backend>(
    mut dir: PendingRun,
    config: &RunConfig,
    (base, grid): (&ShallowConfig, &SelectConfig),
    (source, target): (&Dataset, &Dataset),
    cancel: &Cancel,
    device: &B::Device,
) -> Result<(SelectReport, Outcome)> {
    let start = Instant::now();
    let parts = HoldOut::new(source, target, base.validation, base.seed)?;
    let outcome = select(base, grid, &parts, (source, target), base.seed, cancel)?;
    let seconds = start.elapsed().as_secs_f64();
    let baseline_dir = dir.path().join(BASELINE_DIR);
    let dann_cfg = outcome.dann_config(base);
    let baseline_cfg = outcome.baseline_config(base);
    for (path, cfg, net) in [
        (dir.path(), &dann_cfg, outcome.dann.best_model()),
        (
            baseline_dir.as_path(),
            &baseline_cfg,
            &outcome.baseline.model,
        ),
    ] {
        let resolved = RunConfig {
            model: DannConfig::shallow(cfg.hidden),
            shallow: Some(cfg.clone()),
            select: grid.clone(),
            ..config.clone()
        };
        save_model::<B>(path, &resolved, net, source, device)?;
    }
    dir.write("candidates.md", &outcome.candidates_markdown())?;
    dir.write("candidates.csv", &outcome.candidates_csv()?)?;
    let report = SelectReport::new(
        &outcome,
        &parts,
        (&dann_cfg, dir.out().to_path_buf()),
        (&baseline_cfg, dir.out().join(BASELINE_DIR)),
        seconds,
    );
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| Error::Data(format!("cannot serialise the report: {e}")))?;
    dir.write("select.json", &(json + "\n"))?;
    dir.commit()?;
    Ok((report, outcome))
}

/// Saves `net` as a model in `dir` with `config`, which retrains it (`dann train --config
/// dir/config.toml` on the same files gives the same model).
fn save_model<B: Backend>(
    dir: &Path,
    config: &RunConfig,
    net: &ShallowDann,
    source: &Dataset,
    device: &B::Device,
) -> Result<()> {
    let fitted = fitted_from_shallow::<B>(
        net,
        &config.model,
        source.class_names().to_vec(),
        None,
        device,
    )?
    .with_schema(Some(Schema::of(source)));
    let run = RunDir::new(dir);
    run.create()?;
    run.write(RunConfig::FILE, &config.to_toml()?)?;
    fitted.save(dir)
}

/// What `dann select` over deep (burn) candidates wrote into `select.json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DeepSelectReport {
    /// Always `"burn"`.
    pub engine: String,
    /// What was selected: for a regression every error is a mean squared error.
    #[serde(default)]
    pub task: crate::problem::Task,
    /// What ranked DANN's candidates.
    pub score: RvScore,
    /// DANN's candidates, in grid order.
    pub candidates: Vec<DeepCandidate>,
    /// Index of DANN's winner in `candidates`.
    pub chosen: usize,
    /// The source-only candidates.
    pub source_only_candidates: Vec<DeepBaselineCandidate>,
    /// Index of the source-only winner.
    pub source_only_chosen: usize,
    /// The source-only winner's reverse-validation scores (DANN's winner as the reverse
    /// learner).
    pub source_only_reverse: ReverseScore,
    /// Is DANN expected to help?
    pub verdict: Verdict,
    /// Source rows held out (`S_v`), on which every score is measured.
    pub validation_rows: usize,
    /// Where the chosen DANN and the source-only baseline were saved.
    pub dann_dir: PathBuf,
    /// The source-only baseline's folder.
    pub source_only_dir: PathBuf,
    /// Seconds the selection took.
    pub seconds: f64,
}

impl DeepSelectReport {
    /// The lines `dann select` prints.
    pub fn summary(&self) -> String {
        let w = &self.candidates[self.chosen];
        let b = &self.source_only_candidates[self.source_only_chosen];
        let v = &self.verdict;
        let call = match v.kind {
            VerdictKind::Helps => "DANN is expected to help",
            VerdictKind::DoesNotHelp => "DANN is not expected to help",
            VerdictKind::TooCloseToCall => "too close to call",
        };
        let error = match self.task {
            crate::problem::Task::Classification => "error",
            crate::problem::Task::Regression => "mean squared error",
        };
        format!(
            "{} deep (burn) candidates in {:.1} s ({} source rows held out)\n\
             DANN:        lambda {:.4}, hidden {}, lr {}, {}: reverse-validation {error} {:.4}\n\
             source-only: hidden {}, lr {}, {} (source validation {error} {:.4}): reverse-validation \
             {error} {:.4}\n\
             verdict: {call} (difference {:+.4}, standard error {:.4})\n",
            self.candidates.len(),
            self.seconds,
            self.validation_rows,
            w.lambda,
            w.hidden,
            w.lr,
            w.optimizer.kind(),
            w.reverse.error,
            b.hidden,
            b.lr,
            b.optimizer.kind(),
            b.validation_error,
            self.source_only_reverse.error,
            v.difference,
            v.standard_error
        )
    }

    /// Every candidate as a Markdown table.
    pub fn candidates_markdown(&self) -> String {
        let mut t = MarkdownTable::new([
            "model",
            "lambda",
            "hidden",
            "lr",
            "optimizer",
            "forward error (S_v)",
            "reverse error",
            "reverse log loss",
            "chosen",
        ]);
        for (i, c) in self.candidates.iter().enumerate() {
            t.row([
                "dann".to_string(),
                format!("{:.4}", c.lambda),
                c.hidden.to_string(),
                c.lr.to_string(),
                c.optimizer.kind().to_string(),
                format!("{:.4}", c.forward_error),
                format!("{:.4}", c.reverse.error),
                format!("{:.4}", c.reverse.log_loss),
                if i == self.chosen { "yes" } else { "" }.to_string(),
            ]);
        }
        for (i, c) in self.source_only_candidates.iter().enumerate() {
            let chosen = i == self.source_only_chosen;
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
                c.optimizer.kind().to_string(),
                format!("{:.4}", c.validation_error),
                reverse(self.source_only_reverse.error),
                reverse(self.source_only_reverse.log_loss),
                if chosen { "yes" } else { "" }.to_string(),
            ]);
        }
        t.render()
    }

    /// Every candidate as CSV, the columns of the Markdown table.
    pub fn candidates_csv(&self) -> Result<String> {
        let err = |e: &dyn std::fmt::Display| Error::Data(format!("cannot write the CSV: {e}"));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "model",
            "lambda",
            "hidden",
            "lr",
            "optimizer",
            "forward_error",
            "reverse_error",
            "reverse_log_loss",
            "chosen",
        ])
        .map_err(|e| err(&e))?;
        for (i, c) in self.candidates.iter().enumerate() {
            w.write_record([
                "dann".to_string(),
                c.lambda.to_string(),
                c.hidden.to_string(),
                c.lr.to_string(),
                c.optimizer.kind().to_string(),
                c.forward_error.to_string(),
                c.reverse.error.to_string(),
                c.reverse.log_loss.to_string(),
                (i == self.chosen).to_string(),
            ])
            .map_err(|e| err(&e))?;
        }
        for (i, c) in self.source_only_candidates.iter().enumerate() {
            let chosen = i == self.source_only_chosen;
            let reverse = |v: f64| if chosen { v.to_string() } else { String::new() };
            w.write_record([
                "source-only".to_string(),
                "0".to_string(),
                c.hidden.to_string(),
                c.lr.to_string(),
                c.optimizer.kind().to_string(),
                c.validation_error.to_string(),
                reverse(self.source_only_reverse.error),
                reverse(self.source_only_reverse.log_loss),
                chosen.to_string(),
            ])
            .map_err(|e| err(&e))?;
        }
        let bytes = w.into_inner().map_err(|e| err(&e))?;
        String::from_utf8(bytes).map_err(|e| err(&e))
    }
}

/// [`select_into`] over deep candidates ([`select_deep`]: the run's `[model]` and `[train]`
/// with the grid's lambdas, hidden widths, learning rates and optimisers, trained with
/// burn): the same files, the chosen DANN and baseline each saved with the `config.toml` that retrains it.
pub fn select_deep_into<B: AutodiffBackend>(
    mut dir: PendingRun,
    config: &RunConfig,
    grid: &SelectConfig,
    (source, target): (&Dataset, &Dataset),
    cancel: &Cancel,
    device: &B::Device,
) -> Result<DeepSelectReport> {
    let start = Instant::now();
    let validation = config.shallow.as_ref().map_or(0.1, |s| s.validation);
    let parts = HoldOut::new(source, target, validation, config.train.seed)?;
    let outcome = select_deep::<B>(&config.dann(), grid, &parts, cancel, device)?;
    let seconds = start.elapsed().as_secs_f64();
    let baseline_dir = dir.path().join(BASELINE_DIR);
    for (path, dann, model) in [
        (dir.path(), &outcome.dann, &outcome.dann_model),
        (
            baseline_dir.as_path(),
            &outcome.baseline,
            &outcome.baseline_model,
        ),
    ] {
        let resolved = RunConfig {
            model: dann.model.clone(),
            train: dann.train.clone(),
            shallow: None,
            select: grid.clone(),
            ..config.clone()
        };
        let run = RunDir::new(path);
        run.create()?;
        run.write(RunConfig::FILE, &resolved.to_toml()?)?;
        model.save(path)?;
    }
    let report = DeepSelectReport {
        engine: "burn".into(),
        task: config.train.task,
        score: outcome.score,
        candidates: outcome.candidates.clone(),
        chosen: outcome.best,
        source_only_candidates: outcome.baseline_candidates.clone(),
        source_only_chosen: outcome.baseline_best,
        source_only_reverse: outcome.baseline_reverse,
        verdict: outcome.verdict(),
        validation_rows: outcome.validation_rows,
        dann_dir: dir.out().to_path_buf(),
        source_only_dir: dir.out().join(BASELINE_DIR),
        seconds,
    };
    dir.write("candidates.md", &report.candidates_markdown())?;
    dir.write("candidates.csv", &report.candidates_csv()?)?;
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| Error::Data(format!("cannot serialise the report: {e}")))?;
    dir.write("select.json", &(json + "\n"))?;
    dir.commit()?;
    Ok(report)
}
