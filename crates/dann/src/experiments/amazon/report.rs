//! Results of the Amazon reproduction: one [`PairResult`] per pair and the [`Report`] of a
//! run, as Markdown (ours beside the paper's) and CSV.

use serde::{Deserialize, Serialize};

use crate::analysis::reverse_validation::{Candidate, ReverseScore};
use crate::error::{Error, Result};
use crate::table::MarkdownTable;

/// Proxy A-distances of one pair (Figure 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairPad {
    /// On the raw inputs.
    pub raw: f64,
    /// On the hidden layer of the NN.
    pub nn: f64,
    /// On the hidden layer of DANN.
    pub dann: f64,
}

/// Results of one pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairResult {
    /// Source domain.
    pub source: String,
    /// Target domain.
    pub target: String,
    /// Target test accuracy of DANN.
    pub dann: f64,
    /// Target test accuracy of the NN.
    pub nn: f64,
    /// Target test accuracy of the SVM.
    pub svm: f64,
    /// The paper's `(DANN, NN, SVM)` (NaN where not transcribed, e.g. for mSDA features).
    pub paper: (f64, f64, f64),
    /// lambda chosen by reverse validation.
    pub dann_lambda: f64,
    /// Hidden size chosen for DANN.
    pub dann_hidden: usize,
    /// Hidden size chosen for the NN.
    pub nn_hidden: usize,
    /// `C` chosen for the SVM.
    pub svm_c: f64,
    /// Proxy A-distances, when asked for.
    pub pad: Option<PairPad>,
    /// The chosen DANN's reverse-validation scores.
    pub dann_reverse: ReverseScore,
    /// The NN's reverse-validation scores (DANN is expected to help where its score is lower).
    pub nn_reverse: ReverseScore,
    /// Every reverse-validation candidate with its target test accuracy (measured for the
    /// report only: the selection never sees target labels).
    pub candidates: Vec<ScoredCandidate>,
    /// Seconds spent on the pair.
    pub seconds: f64,
}

/// A reverse-validation candidate and its forward model's target test accuracy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredCandidate {
    /// Settings and scores.
    #[serde(flatten)]
    pub candidate: Candidate,
    /// Target test accuracy of its forward model.
    pub test_accuracy: f64,
}

/// The table of a run: every pair, means, and the wall time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// One entry per pair.
    pub pairs: Vec<PairResult>,
    /// Mean `(DANN, NN, SVM)` accuracy over the pairs.
    pub mean: (f64, f64, f64),
    /// The paper's means over the same pairs.
    pub paper_mean: (f64, f64, f64),
    /// Wall time of the whole run, seconds.
    pub seconds: f64,
}

impl Report {
    /// Summarises `pairs`.
    pub fn new(pairs: Vec<PairResult>, seconds: f64) -> Self {
        let n = pairs.len().max(1) as f64;
        let mean = |f: &dyn Fn(&PairResult) -> f64| pairs.iter().map(f).sum::<f64>() / n;
        Self {
            mean: (mean(&|r| r.dann), mean(&|r| r.nn), mean(&|r| r.svm)),
            paper_mean: (
                mean(&|r| r.paper.0),
                mean(&|r| r.paper.1),
                mean(&|r| r.paper.2),
            ),
            pairs,
            seconds,
        }
    }

    /// Markdown table, ours beside the paper's (`n/a` where the paper's number is unknown),
    /// then the proxy A-distances when they were measured, then the wall time.
    pub fn markdown(&self) -> String {
        let f = |v: f64| {
            if v.is_nan() {
                "n/a".to_string()
            } else {
                format!("{v:.3}")
            }
        };
        let mut table = MarkdownTable::new([
            "source -> target",
            "DANN",
            "NN",
            "SVM",
            "paper DANN",
            "paper NN",
            "paper SVM",
            "lambda",
            "hidden",
        ]);
        for r in &self.pairs {
            table.row([
                format!("{} -> {}", r.source, r.target),
                format!("{:.3}", r.dann),
                format!("{:.3}", r.nn),
                format!("{:.3}", r.svm),
                f(r.paper.0),
                f(r.paper.1),
                f(r.paper.2),
                format!("{:.3}", r.dann_lambda),
                r.dann_hidden.to_string(),
            ]);
        }
        let (m, p) = (self.mean, self.paper_mean);
        table.row([
            "**mean**".to_string(),
            format!("**{:.3}**", m.0),
            format!("**{:.3}**", m.1),
            format!("**{:.3}**", m.2),
            f(p.0),
            f(p.1),
            f(p.2),
            String::new(),
            String::new(),
        ]);
        let mut s = table.render();
        if self.pairs.iter().any(|r| r.pad.is_some()) {
            let mut pad = MarkdownTable::new(["source -> target", "PAD raw", "PAD NN", "PAD DANN"]);
            for r in &self.pairs {
                if let Some(p) = &r.pad {
                    pad.row([
                        format!("{} -> {}", r.source, r.target),
                        format!("{:.3}", p.raw),
                        format!("{:.3}", p.nn),
                        format!("{:.3}", p.dann),
                    ]);
                }
            }
            s += "\n";
            s += &pad.render();
        }
        s += &format!("\nWall time: {:.0} s.\n", self.seconds);
        s
    }

    /// CSV, one row per pair (empty PAD fields when not measured).
    pub fn csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "source",
            "target",
            "dann",
            "nn",
            "svm",
            "paper_dann",
            "paper_nn",
            "paper_svm",
            "dann_lambda",
            "dann_hidden",
            "nn_hidden",
            "svm_c",
            "pad_raw",
            "pad_nn",
            "pad_dann",
            "seconds",
        ])
        .map_err(csv_error)?;
        for r in &self.pairs {
            let pad = r
                .pad
                .as_ref()
                .map_or([None; 3], |p| [Some(p.raw), Some(p.nn), Some(p.dann)]);
            let mut record = vec![
                r.source.clone(),
                r.target.clone(),
                r.dann.to_string(),
                r.nn.to_string(),
                r.svm.to_string(),
                r.paper.0.to_string(),
                r.paper.1.to_string(),
                r.paper.2.to_string(),
                r.dann_lambda.to_string(),
                r.dann_hidden.to_string(),
                r.nn_hidden.to_string(),
                r.svm_c.to_string(),
            ];
            record.extend(pad.map(|v| v.map_or_else(String::new, |v| v.to_string())));
            record.push(r.seconds.to_string());
            w.write_record(&record).map_err(csv_error)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| csv_error(e.into_error().into()))?;
        String::from_utf8(bytes).map_err(|e| Error::Data(e.to_string()))
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Data(format!("cannot write the CSV table: {e}"))
}
