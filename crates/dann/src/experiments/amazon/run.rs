//! Running the reproduction: each pair's splits, DANN by reverse validation, the NN and the
//! SVM, and the proxy A-distances.

use std::path::Path;

use rayon::prelude::*;

use super::config::{AmazonConfig, FeatureSpace};
use super::report::{PairPad, PairResult};
use super::tables::{DOMAINS, N_FEATURES, PAPER_TABLE_1A, PAPER_TABLE_1B};
use crate::analysis::proxy_a_distance::proxy_a_distance;
use crate::baselines::svm::{LinearSvm, LinearSvmConfig, c_grid};
use crate::data::{self, Dataset, LoadOptions, SvmLightOptions, split_validation};
use crate::error::{Error, Result};
use crate::metrics::{accuracy, lowest};
use crate::problem::Mode;
use crate::representation::FeatureMap;
use crate::shallow::{ShallowConfig, ShallowDann};

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
        Some(PairPad {
            raw: proxy_a_distance(&src, &target_unlabelled, None, seed)?.pad,
            nn: proxy_a_distance(
                &nn_model.feature_dataset(&src)?,
                &nn_model.feature_dataset(&target_unlabelled)?,
                None,
                seed,
            )?
            .pad,
            dann: proxy_a_distance(
                &dann_model.feature_dataset(&src)?,
                &dann_model.feature_dataset(&target_unlabelled)?,
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
