//! The dual coordinate descent SVM against scikit-learn's LinearSVC on the same data
//! (expected numbers: benchmarks/reference/svm_reference.py, output checked in as
//! benchmarks/reference/svm_reference.json).

mod common;

use common::{amazon, repo_data};
use dann::baselines::svm::LinearSvmConfig;
use dann::metrics::accuracy;

#[test]
fn matches_scikit_learn_linear_svc() {
    let text =
        std::fs::read_to_string(repo_data("../benchmarks/reference/svm_reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let source = amazon("books_train");
    let source = source.subset(&(0..1000).collect::<Vec<_>>());
    let test = amazon("kitchen_test");
    let test = test.subset(&(0..2000).collect::<Vec<_>>());
    for r in reference["results"].as_array().unwrap() {
        let c = r["c"].as_f64().unwrap();
        let svm = LinearSvmConfig {
            c,
            tol: 1e-5,
            max_iter: 5000,
            seed: 0,
        }
        .fit(&source)
        .unwrap();
        let norm: f64 = svm.weights()[0]
            .iter()
            .map(|&w| f64::from(w) * f64::from(w))
            .sum::<f64>()
            .sqrt();
        let want_norm = r["weight_norm"].as_f64().unwrap();
        assert!(
            (norm - want_norm).abs() < 2e-3 * want_norm,
            "C={c}: |w| {norm} vs sklearn {want_norm}"
        );
        let bias = f64::from(svm.biases()[0]);
        assert!(
            (bias - r["bias"].as_f64().unwrap()).abs() < 2e-3 * want_norm.max(1.0),
            "C={c}: bias {bias}"
        );
        let dec = svm.decision_function(&test).unwrap();
        for (i, want) in r["decision_first_10"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let want = want.as_f64().unwrap();
            let got = f64::from(dec[i][0]);
            assert!(
                (got - want).abs() < 2e-3 * (1.0 + want.abs()),
                "C={c}, row {i}: {got} vs {want}"
            );
        }
        let acc = accuracy(&svm.predict(&test).unwrap(), test.labels().unwrap());
        let want_acc = r["accuracy"].as_f64().unwrap();
        assert!(
            (acc - want_acc).abs() <= 0.002,
            "C={c}: accuracy {acc} vs sklearn {want_acc}"
        );
    }
}

#[test]
fn rejects_bad_settings_and_data() {
    let source = amazon("kitchen_train").subset(&[0, 1, 2, 1500]);
    assert!(
        LinearSvmConfig {
            c: 0.0,
            ..Default::default()
        }
        .fit(&source)
        .is_err()
    );
    assert!(
        LinearSvmConfig::default()
            .fit(&source.clone().without_labels())
            .is_err()
    );
    let grid = dann::baselines::svm::c_grid();
    assert_eq!(grid.len(), 10);
    assert!((grid[0] - 1e-5).abs() < 1e-18 && (grid[9] - 1.0).abs() < 1e-12);
}
