//! The DANN paper's sentiment experiment (Ganin et al., JMLR 2016, sec. 5.1.2-5.1.3, Table 1a
//! and Figure 3) on the Amazon reviews of Blitzer et al. (2007) as preprocessed by the authors:
//! 5,000 unigram/bigram count features, 4 domains, 2,000 labelled training reviews each.
//!
//! For every ordered pair of domains: the source's training reviews are the labelled source,
//! the target's training reviews (labels dropped) the unlabelled target, and the target's test
//! reviews measure accuracy. Model selection never looks at target labels:
//! - DANN (shallow, [`crate::shallow`]): lambda and the hidden size by reverse validation
//!   ([`crate::reverse_validation`]), early stopping on the source validation part;
//! - NN (the same network without the domain term): hidden size and early stopping on the
//!   source validation part;
//! - linear SVM: `C` over the paper's grid on the source validation part.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{self, Dataset, LoadOptions, SvmLightOptions};
use crate::metrics::{accuracy, lowest};
use crate::msda::MsdaConfig;
use crate::proxy_a_distance::proxy_a_distance;
use crate::reverse_validation::{ReverseValidation, split_validation};
use crate::shallow::{ShallowConfig, ShallowDann, Stopping};
use crate::svm::{LinearSvm, LinearSvmConfig, c_grid};
use crate::trainer::Mode;
use crate::{Error, Result};

/// The four domains.
pub const DOMAINS: [&str; 4] = ["books", "dvd", "electronics", "kitchen"];

/// The paper's Table 1a (raw features): `(source, target, DANN, NN, SVM)` target accuracy.
/// Every entry agrees with a second, independent copy of the table; the means of the
/// columns are 0.763, 0.761 and 0.760 (the paper's text rounds the SVM's to 0.762).
pub const PAPER_TABLE_1A: [(&str, &str, f64, f64, f64); 12] = [
    ("books", "dvd", 0.784, 0.790, 0.799),
    ("books", "electronics", 0.733, 0.747, 0.748),
    ("books", "kitchen", 0.779, 0.778, 0.769),
    ("dvd", "books", 0.723, 0.720, 0.743),
    ("dvd", "electronics", 0.754, 0.732, 0.748),
    ("dvd", "kitchen", 0.783, 0.778, 0.746),
    ("electronics", "books", 0.713, 0.709, 0.705),
    ("electronics", "dvd", 0.738, 0.733, 0.726),
    ("electronics", "kitchen", 0.854, 0.854, 0.847),
    ("kitchen", "books", 0.709, 0.708, 0.707),
    ("kitchen", "dvd", 0.740, 0.739, 0.736),
    ("kitchen", "electronics", 0.843, 0.841, 0.842),
];

/// The paper's Table 1b (mSDA features): `(source, target, DANN, NN, SVM)` target accuracy.
/// Means over the 12 pairs: 0.813, 0.803, 0.802 (the issue that asked for this quoted 0.820
/// for DANN; the per-pair entries, identical in two independent copies of the table, average
/// to 0.813).
pub const PAPER_TABLE_1B: [(&str, &str, f64, f64, f64); 12] = [
    ("books", "dvd", 0.829, 0.824, 0.830),
    ("books", "electronics", 0.804, 0.770, 0.766),
    ("books", "kitchen", 0.843, 0.842, 0.821),
    ("dvd", "books", 0.825, 0.823, 0.826),
    ("dvd", "electronics", 0.809, 0.768, 0.739),
    ("dvd", "kitchen", 0.849, 0.853, 0.842),
    ("electronics", "books", 0.774, 0.770, 0.762),
    ("electronics", "dvd", 0.781, 0.759, 0.770),
    ("electronics", "kitchen", 0.881, 0.863, 0.847),
    ("kitchen", "books", 0.718, 0.721, 0.769),
    ("kitchen", "dvd", 0.789, 0.789, 0.788),
    ("kitchen", "electronics", 0.856, 0.850, 0.861),
];

/// Number of features of the authors' files.
pub const N_FEATURES: usize = 5000;

/// Settings of the reproduction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmazonConfig {
    /// Folder holding `amazon/<domain>_{train,test}.svmlight.gz`.
    pub data_dir: PathBuf,
    /// `(source, target)` pairs; all 12 by default.
    pub pairs: Vec<(String, String)>,
    /// lambda grid of the reverse validation (paper: 9 values log-spaced in [1e-2, 1]).
    pub lambdas: Vec<f64>,
    /// Hidden sizes tried (paper: 50 and 100).
    pub hidden: Vec<usize>,
    /// Shallow training (lr, epochs, patience, batch size); lambda, hidden and mode are set
    /// per run.
    pub shallow: ShallowConfig,
    /// Also compute the proxy A-distance on raw inputs and on NN and DANN hidden features
    /// (Figure 3).
    pub pad: bool,
    /// Seed of the splits and of training.
    pub seed: u64,
    /// Input representation.
    pub features: FeatureSpace,
    /// mSDA settings, for `features = msda`.
    pub msda: MsdaConfig,
}

/// Input representation of the Amazon experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FeatureSpace {
    /// The 5,000 raw count features (Table 1a).
    #[default]
    Raw,
    /// `[x, h_1..h_5]` of an mSDA fitted on the unlabelled training reviews of all four
    /// domains (Table 1b's mSDA column; test reviews are never used).
    Msda,
}

impl Default for AmazonConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            pairs: all_pairs(),
            lambdas: (0..9)
                .map(|i| 10f64.powf(-2.0 + 2.0 * i as f64 / 8.0))
                .collect(),
            hidden: vec![50, 100],
            // As the authors' code (`DANN.py`): mu = 1e-3, their initialisation (zero domain
            // classifier), at most 200 epochs and their early stopping (ties count as
            // improvements; training goes on until epoch max(30, 1.5 x best)).
            shallow: ShallowConfig {
                lr: 1e-3,
                epochs: 200,
                patience: 30,
                stopping: Stopping::Growing,
                batch_size: 1,
                init: crate::shallow::ShallowInit::Glorot,
                ..ShallowConfig::default()
            },
            pad: false,
            seed: 0,
            features: FeatureSpace::Raw,
            msda: MsdaConfig::default(),
        }
    }
}

impl AmazonConfig {
    /// Selects the input representation, with training budgets that fit it: on mSDA's 30,000
    /// dense dimensions an epoch costs about 15 times more than on the sparse raw counts, so
    /// runs stop 5 epochs after the first best validation epoch ([`Stopping::Fixed`]) and
    /// after 20 at most (instead of the authors' rule and 200); one pair with these settings
    /// matches the paper and the full table in `results/msda` was made with them (README).
    pub fn with_features(mut self, features: FeatureSpace) -> Self {
        self.features = features;
        if features == FeatureSpace::Msda {
            self.shallow.epochs = 20;
            self.shallow.patience = 5;
            self.shallow.stopping = Stopping::Fixed;
        }
        self
    }

    /// DANN's reverse validation over `lambdas x hidden` with the `shallow` settings.
    pub fn reverse_validation(&self) -> ReverseValidation {
        ReverseValidation {
            base: self.shallow.clone(),
            lambdas: self.lambdas.clone(),
            hidden: self.hidden.clone(),
        }
    }
}

/// All 12 ordered pairs of distinct domains, in the paper's order.
pub fn all_pairs() -> Vec<(String, String)> {
    PAPER_TABLE_1A
        .iter()
        .map(|p| (p.0.to_string(), p.1.to_string()))
        .collect()
}

/// Parses `books:kitchen,dvd:books` (or `all`).
pub fn parse_pairs(spec: &str) -> Result<Vec<(String, String)>> {
    if spec.trim() == "all" {
        return Ok(all_pairs());
    }
    spec.split(',')
        .map(|p| {
            let (s, t) = p
                .trim()
                .split_once(':')
                .ok_or_else(|| Error::config("pairs", format!("`{p}` is not `source:target`")))?;
            for d in [s, t] {
                if !DOMAINS.contains(&d) {
                    return Err(Error::config(
                        "pairs",
                        format!(
                            "unknown domain `{d}` (expected one of {})",
                            DOMAINS.join(", ")
                        ),
                    ));
                }
            }
            if s == t {
                return Err(Error::config(
                    "pairs",
                    format!("`{p}`: source and target are the same"),
                ));
            }
            Ok((s.to_string(), t.to_string()))
        })
        .collect()
}

/// Train and test sets of one domain.
#[derive(Debug, Clone)]
pub struct Domain {
    /// 2,000 labelled training reviews.
    pub train: Dataset,
    /// The test reviews.
    pub test: Dataset,
}

/// Loads `<data_dir>/amazon/<name>_{train,test}.svmlight.gz`.
pub fn load_domain(data_dir: &Path, name: &str) -> Result<Domain> {
    let options = LoadOptions {
        svmlight: SvmLightOptions {
            n_features: Some(N_FEATURES),
            ..Default::default()
        },
        ..Default::default()
    };
    let load = |split: &str| {
        data::load(
            data_dir.join(format!("amazon/{name}_{split}.svmlight.gz")),
            &options,
        )
    };
    Ok(Domain {
        train: load("train")?,
        test: load("test")?,
    })
}

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
    /// Seconds spent on the pair.
    pub seconds: f64,
}

/// The parts of one pair that [`run_pair`] trains, selects and tests on.
#[derive(Debug, Clone)]
pub struct PairSplits {
    /// 90% of the source training reviews (`S'`).
    pub s_train: Dataset,
    /// The other 10% (`S_v`): early stopping and model selection.
    pub s_val: Dataset,
    /// 90% of the target training reviews, unlabelled (`T'`).
    pub t_train: Dataset,
    /// The other 10%, unlabelled (`T_v`).
    pub t_val: Dataset,
    /// The target test reviews, labelled with the source's class order.
    pub test: Dataset,
}

impl PairSplits {
    /// Splits a pair for `seed` (the same parts for every method).
    pub fn new(source: &Domain, target: &Domain, seed: u64) -> Result<Self> {
        let (s_train, s_val) = split_validation(&source.train, 0.1, seed);
        let (t_train, t_val) =
            split_validation(&target.train.clone().without_labels(), 0.1, seed ^ 1);
        let test = target
            .test
            .clone()
            .align_classes(source.train.class_names())?;
        Ok(Self {
            s_train,
            s_val,
            t_train,
            t_val,
            test,
        })
    }
}

/// Runs one pair (domains already loaded).
pub fn run_pair(
    config: &AmazonConfig,
    source_name: &str,
    target_name: &str,
    source: &Domain,
    target: &Domain,
) -> Result<PairResult> {
    let start = std::time::Instant::now();
    let seed = config.seed;
    let PairSplits {
        s_train,
        s_val,
        t_train,
        t_val,
        test,
    } = PairSplits::new(source, target, seed)?;
    let truth = test.labels().unwrap_or_default();

    // DANN (reverse validation over lambda x hidden), NN and SVM, side by side on all cores.
    let rv = config.reverse_validation();
    let (selection, (nn_fit, svm_fit)) = rayon::join(
        || rv.select(&s_train, &s_val, &t_train, &t_val),
        || {
            rayon::join(
                || fit_nn(config, &s_train, &t_train, &s_val),
                || fit_svm(&s_train, &s_val, seed),
            )
        },
    );
    let selection = selection?;
    let dann_model = selection.best_model();
    let dann = accuracy(&dann_model.predict(&test), truth);
    let (nn_model, nn_hidden) = nn_fit?;
    let nn = accuracy(&nn_model.predict(&test), truth);
    let (svm_model, svm_c) = svm_fit?;
    let svm = accuracy(&svm_model.predict(&test)?, truth);

    let pad = if config.pad {
        let src = source.train.clone().without_labels();
        let target_unlabelled = target.train.clone().without_labels();
        let hidden = |m: &ShallowDann, d: &Dataset| -> Result<Dataset> {
            let feats = m.features(d);
            Ok(Dataset::unlabelled(data::Features::Dense(
                data::DenseMatrix::new(d.len(), m.hidden(), feats)?,
            )))
        };
        Some(PairPad {
            raw: proxy_a_distance(&src, &target_unlabelled, None, seed)?.pad,
            nn: proxy_a_distance(
                &hidden(&nn_model, &src)?,
                &hidden(&nn_model, &target_unlabelled)?,
                None,
                seed,
            )?
            .pad,
            dann: proxy_a_distance(
                &hidden(dann_model, &src)?,
                &hidden(dann_model, &target_unlabelled)?,
                None,
                seed,
            )?
            .pad,
        })
    } else {
        None
    };
    let table = match config.features {
        FeatureSpace::Raw => &PAPER_TABLE_1A,
        FeatureSpace::Msda => &PAPER_TABLE_1B,
    };
    let paper = table
        .iter()
        .find(|p| p.0 == source_name && p.1 == target_name)
        .map_or((f64::NAN, f64::NAN, f64::NAN), |p| (p.2, p.3, p.4));
    Ok(PairResult {
        source: source_name.to_string(),
        target: target_name.to_string(),
        dann,
        nn,
        svm,
        paper,
        dann_lambda: selection.winner().lambda,
        dann_hidden: selection.winner().hidden,
        nn_hidden,
        svm_c,
        pad,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The NN: hidden size and early stopping on the source validation part.
fn fit_nn(
    config: &AmazonConfig,
    s_train: &Dataset,
    t_train: &Dataset,
    s_val: &Dataset,
) -> Result<(ShallowDann, usize)> {
    let fits: Vec<(f64, ShallowDann, usize)> = config
        .hidden
        .par_iter()
        .map(|&h| {
            let fit = ShallowConfig {
                mode: Mode::SourceOnly,
                hidden: h,
                lambda: 0.0,
                ..config.shallow.clone()
            }
            .fit(s_train, t_train, Some(s_val))?;
            // Recorded by `fit` for the kept epoch (always there: it validated on s_val).
            let err = fit.validation_error().unwrap_or(f64::INFINITY);
            Ok((err, fit.model, h))
        })
        .collect::<Result<_>>()?;
    // The lowest validation error wins; ties go to the earlier size.
    lowest(fits, |f| f.0)
        .map(|(_, m, h)| (m, h))
        .ok_or_else(|| Error::config("hidden", "needs at least one size"))
}

/// The linear SVM: `C` over the paper's grid, chosen on the source validation part.
fn fit_svm(s_train: &Dataset, s_val: &Dataset, seed: u64) -> Result<(LinearSvm, f64)> {
    let config = LinearSvmConfig {
        seed,
        ..Default::default()
    };
    config
        .select_c(&c_grid(), s_train, s_val)?
        .map(|(_, c, m)| (m, c))
        .ok_or_else(|| Error::Data("empty C grid".into()))
}

/// Runs every pair of `config`, loading each domain once; `on_pair` sees each result as it
/// comes.
pub fn run(config: &AmazonConfig, mut on_pair: impl FnMut(&PairResult)) -> Result<Vec<PairResult>> {
    let mut cache: Vec<(String, Domain)> = Vec::new();
    if config.features == FeatureSpace::Msda {
        for name in DOMAINS {
            cache.push((name.to_string(), load_domain(&config.data_dir, name)?));
        }
        let train: Vec<Dataset> = cache
            .iter()
            .map(|(_, d)| d.train.clone().without_labels())
            .collect();
        let msda = config.msda.fit(&train.iter().collect::<Vec<_>>())?;
        for (_, domain) in &mut cache {
            domain.train = msda.transform(&domain.train)?;
            domain.test = msda.transform(&domain.test)?;
        }
    }
    let mut results = Vec::new();
    for (s, t) in &config.pairs {
        for name in [s, t] {
            if !cache.iter().any(|(n, _)| n == name) {
                cache.push((name.clone(), load_domain(&config.data_dir, name)?));
            }
        }
        let get = |n: &str| &cache.iter().find(|(m, _)| m == n).expect("loaded above").1;
        let r = run_pair(config, s, t, get(s), get(t))?;
        on_pair(&r);
        results.push(r);
    }
    Ok(results)
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

    /// Markdown table, ours beside the paper's (`n/a` where the paper's number is unknown).
    pub fn markdown(&self) -> String {
        let f = |v: f64| {
            if v.is_nan() {
                "n/a".to_string()
            } else {
                format!("{v:.3}")
            }
        };
        let mut s = String::from(
            "| source -> target | DANN | NN | SVM | paper DANN | paper NN | paper SVM | lambda | hidden |\n|---|---|---|---|---|---|---|---|---|\n",
        );
        for r in &self.pairs {
            s += &format!(
                "| {} -> {} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {:.3} | {} |\n",
                r.source,
                r.target,
                r.dann,
                r.nn,
                r.svm,
                f(r.paper.0),
                f(r.paper.1),
                f(r.paper.2),
                r.dann_lambda,
                r.dann_hidden
            );
        }
        let (m, p) = (self.mean, self.paper_mean);
        s += &format!(
            "| **mean** | **{:.3}** | **{:.3}** | **{:.3}** | {} | {} | {} | | |\n",
            m.0,
            m.1,
            m.2,
            f(p.0),
            f(p.1),
            f(p.2)
        );
        if self.pairs.iter().any(|r| r.pad.is_some()) {
            s += "\n| source -> target | PAD raw | PAD NN | PAD DANN |\n|---|---|---|---|\n";
            for r in &self.pairs {
                if let Some(p) = &r.pad {
                    s += &format!(
                        "| {} -> {} | {:.3} | {:.3} | {:.3} |\n",
                        r.source, r.target, p.raw, p.nn, p.dann
                    );
                }
            }
        }
        s += &format!("\nWall time: {:.0} s.\n", self.seconds);
        s
    }

    /// CSV, one row per pair.
    pub fn csv(&self) -> String {
        let mut s = String::from(
            "source,target,dann,nn,svm,paper_dann,paper_nn,paper_svm,dann_lambda,dann_hidden,nn_hidden,svm_c,pad_raw,pad_nn,pad_dann,seconds\n",
        );
        for r in &self.pairs {
            let pad = r.pad.as_ref().map_or(",,".to_string(), |p| {
                format!("{},{},{}", p.raw, p.nn, p.dann)
            });
            s += &format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                r.source,
                r.target,
                r.dann,
                r.nn,
                r.svm,
                r.paper.0,
                r.paper.1,
                r.paper.2,
                r.dann_lambda,
                r.dann_hidden,
                r.nn_hidden,
                r.svm_c,
                pad,
                r.seconds
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn means(table: &[(&str, &str, f64, f64, f64)]) -> (f64, f64, f64) {
        let n = table.len() as f64;
        let col = |f: fn(&(&str, &str, f64, f64, f64)) -> f64| table.iter().map(f).sum::<f64>() / n;
        (col(|r| r.2), col(|r| r.3), col(|r| r.4))
    }

    #[test]
    fn msda_gets_its_own_training_budget() {
        let raw = AmazonConfig::default().with_features(FeatureSpace::Raw);
        assert_eq!(raw, AmazonConfig::default());
        let msda = AmazonConfig::default().with_features(FeatureSpace::Msda);
        assert_eq!(msda.features, FeatureSpace::Msda);
        assert_eq!((msda.shallow.epochs, msda.shallow.patience), (20, 5));
        assert_eq!(
            (raw.shallow.stopping, msda.shallow.stopping),
            (Stopping::Growing, Stopping::Fixed)
        );
        assert_eq!(msda.shallow.lr, raw.shallow.lr);
    }

    /// The transcribed tables cover the 12 pairs in the same order and average to the means
    /// stated in their docs (a guard against typos).
    #[test]
    fn paper_tables_cover_all_pairs_and_match_their_means() {
        for (table, want) in [
            (&PAPER_TABLE_1A, (0.763, 0.761, 0.760)),
            (&PAPER_TABLE_1B, (0.813, 0.803, 0.802)),
        ] {
            let pairs: Vec<(String, String)> = table
                .iter()
                .map(|p| (p.0.to_string(), p.1.to_string()))
                .collect();
            assert_eq!(pairs, all_pairs());
            let got = means(table);
            for (g, w) in [(got.0, want.0), (got.1, want.1), (got.2, want.2)] {
                assert!((g - w).abs() < 0.0005, "{got:?} vs {want:?}");
            }
        }
    }
}
