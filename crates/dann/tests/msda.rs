//! mSDA against a NumPy transcription of Chen et al.'s code
//! (benchmarks/reference/msda_reference.py; its output is benchmarks/reference/msda_reference.json
//! and its data tests/fixtures/msda_small.svm).

mod common;

use common::repo_data;
use dann::baselines::msda::MsdaConfig;
use dann::data::{Features, SvmLightOptions, load_svmlight};

#[test]
fn matches_the_numpy_reference() {
    let text =
        std::fs::read_to_string(repo_data("../benchmarks/reference/msda_reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/msda_small.svm");
    let options = SvmLightOptions {
        n_features: Some(30),
        ..Default::default()
    };
    let data = load_svmlight(fixture, &options).unwrap();
    let config = MsdaConfig {
        layers: 2,
        corruption: 0.5,
        reg: 1e-5,
    };
    let msda = config.fit(&[&data]).unwrap();
    assert_eq!(msda.output_width(), 90);
    let rep = msda.transform(&data).unwrap();
    let Features::Dense(m) = rep.features() else {
        panic!("dense output expected")
    };
    for (i, want_row) in reference["first_rows"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        for (j, want) in want_row.as_array().unwrap().iter().enumerate() {
            let want = want.as_f64().unwrap();
            let got = f64::from(m.row(i)[j]);
            assert!(
                (got - want).abs() < 1e-3,
                "row {i} col {j}: {got} vs numpy {want}"
            );
        }
    }
}

/// Fitted on two data sets at once (as for domain adaptation), 3 layers: each set's
/// representation, first rows and every column's mean, against NumPy.
#[test]
fn two_sets_fitted_together_match_the_numpy_reference() {
    let text =
        std::fs::read_to_string(repo_data("../benchmarks/reference/msda_reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let r = &reference["two_sets"];
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let options = SvmLightOptions {
        n_features: Some(30),
        ..Default::default()
    };
    let a = load_svmlight(fixtures.join("msda_small.svm"), &options).unwrap();
    let b = load_svmlight(fixtures.join("msda_small_b.svm"), &options).unwrap();
    let msda = MsdaConfig {
        layers: 3,
        corruption: 0.5,
        reg: 1e-5,
    }
    .fit(&[&a, &b])
    .unwrap();
    assert_eq!(msda.output_width(), 120);
    for (data, name) in [(&a, "a"), (&b, "b")] {
        let rep = msda.transform(data).unwrap();
        let Features::Dense(m) = rep.features() else {
            panic!("dense output expected")
        };
        let close = |got: f64, want: f64, what: String| {
            assert!((got - want).abs() < 1e-4, "{what}: {got} vs numpy {want}");
        };
        for (i, row) in r[format!("first_rows_{name}")]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            for (j, want) in row.as_array().unwrap().iter().enumerate() {
                close(
                    f64::from(m.row(i)[j]),
                    want.as_f64().unwrap(),
                    format!("set {name}, row {i}, col {j}"),
                );
            }
        }
        for (j, want) in r[format!("column_means_{name}")]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let mean =
                (0..m.n_rows()).map(|i| f64::from(m.row(i)[j])).sum::<f64>() / m.n_rows() as f64;
            close(
                mean,
                want.as_f64().unwrap(),
                format!("set {name}, mean of col {j}"),
            );
        }
    }
}

#[test]
fn rejects_bad_settings() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/msda_small.svm");
    let data = load_svmlight(fixture, &Default::default()).unwrap();
    assert!(
        MsdaConfig {
            layers: 0,
            ..Default::default()
        }
        .fit(&[&data])
        .is_err()
    );
    assert!(
        MsdaConfig {
            corruption: 1.0,
            ..Default::default()
        }
        .fit(&[&data])
        .is_err()
    );
    let msda = MsdaConfig {
        layers: 1,
        ..Default::default()
    }
    .fit(&[&data])
    .unwrap();
    let narrow = data.subset(&[0]);
    let wide = load_svmlight(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/msda_small.svm"),
        &SvmLightOptions {
            n_features: Some(31),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(msda.transform(&narrow).is_ok());
    assert!(msda.transform(&wide).is_err());
}
