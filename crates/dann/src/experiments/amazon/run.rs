//! Running the reproduction: each pair through [`crate::selection::select`] (DANN by reverse
//! validation, the NN, the proxy A-distances) beside the SVM, tested on the target test set.

use std::path::Path;

use super::config::{AmazonConfig, FeatureSpace};
use super::report::{PairPad, PairResult, ScoredCandidate};
use super::tables::{DOMAINS, N_FEATURES, PAPER_TABLE_1A, PAPER_TABLE_1B};
use crate::baselines::svm::{LinearSvm, LinearSvmConfig, c_grid};
use crate::data::{self, Dataset, HoldOut, LoadOptions, SvmLightOptions};
use crate::error::{Error, Result};
use crate::metrics::accuracy;
use crate::selection::select;
use crate::shallow::ShallowDann;
use crate::training::Cancel;

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

/// Runs one pair (domains already loaded): [`crate::selection::select`] on the pair's
/// held-out parts (DANN by reverse validation, the NN on the source validation part, the
/// PADs), the SVM beside it, then every model's target test accuracy.
pub fn run_pair(
    config: &AmazonConfig,
    source_name: &str,
    target_name: &str,
    source: &Domain,
    target: &Domain,
) -> Result<PairResult> {
    let start = std::time::Instant::now();
    let seed = config.seed;
    let parts = HoldOut::new(
        &source.train,
        &target.train,
        config.shallow.validation,
        seed,
    )?;
    let test = target
        .test
        .clone()
        .align_classes(source.train.class_names())?;
    let truth = test.labels().unwrap_or_default();

    let (outcome, svm_fit) = rayon::join(
        || {
            select(
                &config.shallow,
                &config.select_config(),
                &parts,
                (&source.train, &target.train),
                seed,
                &Cancel::default(),
            )
        },
        || fit_svm(&parts.s_train, &parts.s_val, seed),
    );
    let outcome = outcome?;
    let (svm_model, svm_c) = svm_fit?;
    let test_accuracy = |m: &ShallowDann| accuracy(&m.predict(&test), truth);
    let candidates: Vec<ScoredCandidate> = outcome
        .dann
        .candidates
        .iter()
        .zip(&outcome.dann.forward_models)
        .map(|(c, m)| ScoredCandidate {
            candidate: c.clone(),
            test_accuracy: test_accuracy(m),
        })
        .collect();
    let table = match config.features {
        FeatureSpace::Raw => &PAPER_TABLE_1A,
        FeatureSpace::Msda => &PAPER_TABLE_1B,
    };
    let paper = table
        .iter()
        .find(|p| p.0 == source_name && p.1 == target_name)
        .map_or((f64::NAN, f64::NAN, f64::NAN), |p| (p.2, p.3, p.4));
    let winner = outcome.dann.winner();
    Ok(PairResult {
        source: source_name.to_string(),
        target: target_name.to_string(),
        dann: candidates[outcome.dann.best].test_accuracy,
        nn: test_accuracy(&outcome.baseline.model),
        svm: accuracy(&svm_model.predict(&test)?, truth),
        paper,
        dann_lambda: winner.lambda,
        dann_hidden: winner.hidden,
        nn_hidden: outcome.baseline.winner().hidden,
        svm_c,
        pad: outcome.pad.map(|p| PairPad {
            raw: p.inputs,
            nn: p.source_only,
            dann: p.dann,
        }),
        dann_reverse: winner.reverse,
        nn_reverse: outcome.baseline.reverse,
        candidates,
        seconds: start.elapsed().as_secs_f64(),
    })
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
