//! A reduced run of the paper's Amazon experiment (Table 1a / Figure 3) on the data shipped in
//! the repository: one pair, a smaller grid and fewer epochs than `dann reproduce amazon`.

mod common;

use common::repo_data;
use dann::analysis::reverse_validation::ReverseScore;
use dann::experiments::amazon::{AmazonConfig, parse_pairs, run};

#[test]
fn dann_keeps_up_with_nn_and_shrinks_the_proxy_a_distance() {
    let mut config = AmazonConfig {
        data_dir: repo_data(""),
        pairs: parse_pairs("books:electronics").unwrap(),
        lambdas: vec![0.1, 1.0],
        hidden: vec![50],
        pad: true,
        ..AmazonConfig::default()
    };
    config.shallow.epochs = 25;
    let results = run(&config, |_| {}).unwrap();
    let r = &results[0];
    eprintln!("{r:?}");
    assert!(r.dann >= r.nn - 0.01, "DANN {} vs NN {}", r.dann, r.nn);
    // The paper reports 0.733 / 0.747 / 0.748 (DANN, NN, SVM) on this pair.
    for acc in [r.dann, r.nn, r.svm] {
        assert!(acc > 0.70, "{r:?}");
    }
    let pad = r.pad.as_ref().unwrap();
    assert!(
        pad.dann < pad.raw,
        "PAD on DANN features {} should be below raw {}",
        pad.dann,
        pad.raw
    );
    // Figure 3b: DANN's hidden layer is harder to tell apart by domain than the NN's. On
    // books -> electronics the full run shows a wide margin (0.47 vs 1.36; books -> kitchen,
    // tested here before, tied at 1.308), so a tie fails.
    assert!(pad.dann < pad.nn - 0.3, "{pad:?}");
    // Every candidate is reported; DANN's accuracy is that of the lowest reverse error (the
    // first on ties), whose scores are DANN's.
    assert_eq!(r.candidates.len(), 2);
    let best = (0..2)
        .reduce(|a, b| {
            let e = |i: usize| r.candidates[i].candidate.reverse.error;
            if e(b) < e(a) { b } else { a }
        })
        .unwrap();
    assert_eq!(r.dann, r.candidates[best].test_accuracy);
    assert_eq!(r.dann_reverse, r.candidates[best].candidate.reverse);
    assert_eq!(r.dann_lambda, r.candidates[best].candidate.lambda);
}

#[test]
fn pair_specs_are_checked() {
    assert_eq!(parse_pairs("all").unwrap().len(), 12);
    assert_eq!(
        parse_pairs("dvd:books, kitchen:electronics").unwrap(),
        [
            ("dvd".to_string(), "books".to_string()),
            ("kitchen".to_string(), "electronics".to_string())
        ]
    );
    for bad in ["books", "books:music", "dvd:dvd", ""] {
        assert!(parse_pairs(bad).is_err(), "{bad}");
    }
}

#[test]
fn report_marks_unknown_paper_numbers() {
    let pair = dann::experiments::amazon::PairResult {
        source: "books".into(),
        target: "kitchen".into(),
        dann: 0.8,
        nn: 0.7,
        svm: 0.6,
        paper: (f64::NAN, f64::NAN, f64::NAN),
        dann_lambda: 0.1,
        dann_hidden: 50,
        nn_hidden: 50,
        svm_c: 1.0,
        pad: None,
        dann_reverse: ReverseScore {
            error: 0.2,
            log_loss: 0.5,
            error_variance: None,
        },
        nn_reverse: ReverseScore {
            error: 0.25,
            log_loss: 0.6,
            error_variance: None,
        },
        candidates: Vec::new(),
        seconds: 1.0,
    };
    let report = dann::experiments::amazon::Report::new(vec![pair.clone(), pair], 2.0);
    assert!((report.mean.0 - 0.8).abs() < 1e-12);
    let md = report.markdown();
    assert!(
        md.contains("| books -> kitchen | 0.800 | 0.700 | 0.600 | n/a | n/a | n/a |"),
        "{md}"
    );
    assert_eq!(report.csv().unwrap().lines().count(), 3);
}
