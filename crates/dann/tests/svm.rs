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
            (norm - want_norm).abs() < 1e-5 * want_norm,
            "C={c}: |w| {norm} vs sklearn {want_norm}"
        );
        let bias = f64::from(svm.biases()[0]);
        // The bias is small (1e-3 at C = 1e-3): compared absolutely, at f32 precision.
        let want_bias = r["bias"].as_f64().unwrap();
        assert!(
            (bias - want_bias).abs() < 1e-6,
            "C={c}: bias {bias} vs sklearn {want_bias}"
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
                (got - want).abs() < 1e-5 * (1.0 + want.abs()),
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

/// The settings the proxy A-distance trains with (tol 1e-3, at most 200 epochs, the paper's
/// C grid) on a domain-classification split (500 books vs 500 kitchen reviews, even rows to
/// train, odd to test): the same held-out error as scikit-learn at those settings, and as
/// the converged solution, for every C; and `select_c` picks the C of lowest error.
#[test]
fn the_pad_settings_match_scikit_learn() {
    let text =
        std::fs::read_to_string(repo_data("../benchmarks/reference/svm_reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows: Vec<usize> = (0..500).collect();
    let (books, kitchen) = (
        amazon("books_train").subset(&rows),
        amazon("kitchen_train").subset(&rows),
    );
    let (mut indptr, mut indices, mut values) = (vec![0], Vec::new(), Vec::new());
    for d in [&books, &kitchen] {
        for i in 0..d.len() {
            d.row(i).for_each_nonzero(|k, x| {
                indices.push(k as u32);
                values.push(x);
            });
            indptr.push(indices.len());
        }
    }
    let features = dann::data::Features::Sparse(
        dann::data::CsrMatrix::new(5000, indptr, indices, values).unwrap(),
    );
    let labels = (0..1000).map(|i| usize::from(i >= 500)).collect();
    let both = dann::Dataset::labelled(features, labels, vec!["s".into(), "t".into()]).unwrap();
    let even: Vec<usize> = (0..1000).step_by(2).collect();
    let odd: Vec<usize> = (1..1000).step_by(2).collect();
    let (train, test) = (both.subset(&even), both.subset(&odd));
    let pad = LinearSvmConfig {
        max_iter: 200,
        tol: 1e-3,
        seed: 0,
        ..Default::default()
    };
    let grid = dann::baselines::svm::c_grid();
    let mut errors = Vec::new();
    for (r, &c) in reference["pad"].as_array().unwrap().iter().zip(&grid) {
        assert!((r["c"].as_f64().unwrap() - c).abs() < 1e-12 * c);
        let svm = LinearSvmConfig { c, ..pad.clone() }.fit(&train).unwrap();
        let err = 1.0 - accuracy(&svm.predict(&test).unwrap(), test.labels().unwrap());
        for which in ["pad_settings", "converged"] {
            let want = r[which]["error"].as_f64().unwrap();
            // One review of 500 either way: the early stop lands elsewhere in the dual.
            assert!(
                (err - want).abs() <= 0.002 + 1e-12,
                "C={c}: error {err} vs sklearn {which} {want}"
            );
        }
        errors.push(err);
    }
    let (err, c, _) = pad.select_c(&grid, &train, &test).unwrap().unwrap();
    let min = errors.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(err, min);
    assert_eq!(c, grid[errors.iter().position(|&e| e == min).unwrap()]);
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
