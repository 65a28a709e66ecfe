//! What `dann select` reports: the chosen models ([`SelectReport`], `select.json`), every
//! candidate as a table (`candidates.md`, `candidates.csv`) and a summary in words.

use std::path::PathBuf;

use serde::Serialize;

use super::{BaselineCandidate, Outcome, Pads, Verdict, VerdictKind};
use crate::analysis::reverse_validation::{Candidate, ReverseScore, RvScore};
use crate::data::HoldOut;
use crate::error::{Error, Result};
use crate::shallow::ShallowConfig;
use crate::table::MarkdownTable;

/// What `select.json` (and `dann select --json`) holds.
#[derive(Debug, Clone, Serialize)]
pub struct SelectReport {
    /// The chosen DANN.
    pub dann: Chosen,
    /// The chosen source-only baseline.
    pub source_only: Chosen,
    /// Is DANN expected to help?
    pub verdict: Verdict,
    /// What ranked the candidates.
    pub score: RvScore,
    /// Proxy A-distances, when measured.
    pub pad: Option<Pads>,
    /// Every DANN candidate.
    pub candidates: Vec<Candidate>,
    /// Every source-only candidate.
    pub source_only_candidates: Vec<BaselineCandidate>,
    /// Rows in each part of the split.
    pub held_out: HeldOutRows,
    /// Seconds the selection took.
    pub seconds: f64,
}

/// A chosen model's settings, reverse-validation scores and where it was written.
#[derive(Debug, Clone, Serialize)]
pub struct Chosen {
    /// lambda (0 for the baseline).
    pub lambda: f64,
    /// Hidden size.
    pub hidden: usize,
    /// Learning rate.
    pub lr: f64,
    /// Reverse-validation error.
    pub reverse_error: f64,
    /// Reverse-validation log loss.
    pub reverse_log_loss: f64,
    /// The model's folder.
    pub model: PathBuf,
}

impl Chosen {
    /// `cfg`'s settings with `reverse`'s scores, saved in `model`.
    pub fn new(cfg: &ShallowConfig, reverse: ReverseScore, model: PathBuf) -> Self {
        Self {
            lambda: cfg.lambda,
            hidden: cfg.hidden,
            lr: cfg.lr,
            reverse_error: reverse.error,
            reverse_log_loss: reverse.log_loss,
            model,
        }
    }
}

/// Rows in each part of the hold-out split.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct HeldOutRows {
    /// Source rows trained on.
    pub source_train: usize,
    /// Source rows held out.
    pub source_validation: usize,
    /// Target rows trained on.
    pub target_train: usize,
    /// Target rows held out.
    pub target_validation: usize,
}

impl From<&HoldOut> for HeldOutRows {
    fn from(p: &HoldOut) -> Self {
        Self {
            source_train: p.s_train.len(),
            source_validation: p.s_val.len(),
            target_train: p.t_train.len(),
            target_validation: p.t_val.len(),
        }
    }
}

impl SelectReport {
    /// The report of `outcome` on `parts`, the chosen models saved in `dann` and `baseline`
    /// with the settings `dann_cfg` and `baseline_cfg`.
    pub fn new(
        outcome: &Outcome,
        parts: &HoldOut,
        (dann_cfg, dann): (&ShallowConfig, PathBuf),
        (baseline_cfg, baseline): (&ShallowConfig, PathBuf),
        seconds: f64,
    ) -> Self {
        Self {
            dann: Chosen::new(dann_cfg, outcome.dann.winner().reverse, dann),
            source_only: Chosen::new(baseline_cfg, outcome.baseline.reverse, baseline),
            verdict: outcome.verdict(),
            score: outcome.score,
            pad: outcome.pad,
            candidates: outcome.dann.candidates.clone(),
            source_only_candidates: outcome.baseline.candidates.clone(),
            held_out: parts.into(),
            seconds,
        }
    }

    /// The outcome in a few lines of words: the two chosen models, the verdict, the PADs.
    pub fn summary(&self, outcome: &Outcome) -> String {
        let score = match self.score {
            RvScore::Error => "error",
            RvScore::LogLoss => "log loss",
        };
        let of = |c: &Chosen| match self.score {
            RvScore::Error => c.reverse_error,
            RvScore::LogLoss => c.reverse_log_loss,
        };
        let h = &self.held_out;
        let mut s = format!(
            "{} candidates in {:.1} s ({} source rows trained on, {} held out; {} target rows, {} held out)\n",
            self.candidates.len(),
            self.seconds,
            h.source_train,
            h.source_validation,
            h.target_train,
            h.target_validation
        );
        let (d, b) = (&self.dann, &self.source_only);
        s += &format!(
            "DANN:        lambda {:.4}, hidden {}, lr {}: reverse-validation {score} {:.4}\n",
            d.lambda,
            d.hidden,
            d.lr,
            of(d)
        );
        s += &format!(
            "source-only: hidden {}, lr {} (source validation error {:.4}): reverse-validation {score} {:.4}\n",
            b.hidden,
            b.lr,
            outcome.baseline.winner().validation_error,
            of(b)
        );
        let v = &self.verdict;
        let call = match v.kind {
            VerdictKind::Helps => "DANN is expected to help",
            VerdictKind::DoesNotHelp => "DANN is not expected to help",
            VerdictKind::TooCloseToCall => "too close to call whether DANN helps",
        };
        s += &format!(
            "{call}: reverse error {:.4} (source-only) - {:.4} (DANN) = {:+.4}, standard error {:.4}\n",
            b.reverse_error, d.reverse_error, v.difference, v.standard_error
        );
        if let Some(p) = &self.pad {
            s += &format!(
                "proxy A-distance (0: indistinguishable, 2: separable): inputs {:.3}, source-only features {:.3}, DANN features {:.3}\n",
                p.inputs, p.source_only, p.dann
            );
        }
        s
    }
}

/// One row of the candidates' tables, its cells unformatted.
struct Row {
    model: &'static str,
    /// DANN's lambda; none for the baseline (written `0`).
    lambda: Option<f64>,
    hidden: usize,
    lr: f64,
    epoch: usize,
    error: f64,
    reverse: Option<ReverseScore>,
    chosen: bool,
}

impl Outcome {
    /// Every candidate, DANN's then the baseline's (whose reverse scores only the chosen one
    /// has).
    fn rows(&self) -> Vec<Row> {
        let dann = self.dann.candidates.iter().enumerate().map(|(i, c)| Row {
            model: "dann",
            lambda: Some(c.lambda),
            hidden: c.hidden,
            lr: c.lr,
            epoch: c.epoch,
            error: c.forward_error,
            reverse: Some(c.reverse),
            chosen: i == self.dann.best,
        });
        let baseline = self.baseline.candidates.iter().enumerate().map(|(i, c)| {
            let chosen = i == self.baseline.best;
            Row {
                model: "source-only",
                lambda: None,
                hidden: c.hidden,
                lr: c.lr,
                epoch: c.epoch,
                error: c.validation_error,
                reverse: chosen.then_some(self.baseline.reverse),
                chosen,
            }
        });
        dann.chain(baseline).collect()
    }

    /// Every candidate as a Markdown table, the chosen ones marked (`candidates.md`).
    pub fn candidates_markdown(&self) -> String {
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
        for r in self.rows() {
            let reverse = |v: fn(&ReverseScore) -> f64| {
                r.reverse
                    .as_ref()
                    .map_or(String::new(), |s| format!("{:.4}", v(s)))
            };
            t.row([
                r.model.to_string(),
                r.lambda.map_or("0".into(), |l| format!("{l:.4}")),
                r.hidden.to_string(),
                r.lr.to_string(),
                r.epoch.to_string(),
                format!("{:.4}", r.error),
                reverse(|s| s.error),
                reverse(|s| s.log_loss),
                if r.chosen { "yes" } else { "" }.to_string(),
            ]);
        }
        t.render()
    }

    /// Every candidate as CSV (`candidates.csv`).
    pub fn candidates_csv(&self) -> Result<String> {
        let err = |e: &dyn std::fmt::Display| Error::Data(format!("cannot write the CSV: {e}"));
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
        ])
        .map_err(|e| err(&e))?;
        for r in self.rows() {
            let reverse = |v: fn(&ReverseScore) -> f64| {
                r.reverse
                    .as_ref()
                    .map_or(String::new(), |s| v(s).to_string())
            };
            w.write_record([
                r.model.to_string(),
                r.lambda.map_or("0".into(), |l| l.to_string()),
                r.hidden.to_string(),
                r.lr.to_string(),
                r.epoch.to_string(),
                r.error.to_string(),
                reverse(|s| s.error),
                reverse(|s| s.log_loss),
                r.chosen.to_string(),
            ])
            .map_err(|e| err(&e))?;
        }
        let bytes = w.into_inner().map_err(|e| err(&e))?;
        String::from_utf8(bytes).map_err(|e| err(&e))
    }
}
