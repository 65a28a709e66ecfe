//! Regression (`[train] task = "regression"`): DANN beats source-only on a shifted regression
//! problem, the model predicts, evaluates, saves and loads numbers, reverse validation
//! scores squared errors, and labels that are not numbers are refused.

mod common;

use common::B;
use dann::data::{Dataset, DenseMatrix, Features, HoldOut};
use dann::experiments::drift::{DriftProblem, drifted_sensor};
use dann::selection::{SelectConfig, select_deep};
use dann::{Dann, FittedDann, Mode, Task, TrainConfig};

/// The default settings with `task = "regression"`, `mode` and `seed`.
fn regression(mode: Mode, seed: u64) -> Dann {
    Dann {
        train: TrainConfig {
            task: Task::Regression,
            mode,
            seed,
            ..TrainConfig::default()
        },
        ..Dann::default()
    }
}

fn target_r2(dann: &Dann, p: &DriftProblem) -> f64 {
    let fitted = dann
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    fitted
        .evaluate_values(&fitted.prepare(p.target_test.clone()).unwrap())
        .unwrap()
        .r2
}

/// The drifted-sensor problem (`dann::experiments::drift`): over three seeds DANN's target
/// R^2 is above source-only's on every seed, and by more than 0.03 on average.
#[test]
fn dann_beats_source_only_on_a_shifted_regression() {
    let p = drifted_sensor(1500, 1).unwrap();
    let (mut dann, mut source_only) = (Vec::new(), Vec::new());
    for seed in 0..3 {
        dann.push(target_r2(&regression(Mode::Dann, seed), &p));
        source_only.push(target_r2(&regression(Mode::SourceOnly, seed), &p));
    }
    for (d, s) in dann.iter().zip(&source_only) {
        assert!(d > s, "DANN {dann:?} vs source-only {source_only:?}");
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(
        mean(&dann) > mean(&source_only) + 0.03,
        "DANN {dann:?} vs source-only {source_only:?}"
    );
}

#[test]
fn a_regression_model_predicts_saves_and_loads_numbers() {
    let p = drifted_sensor(300, 2).unwrap();
    let mut dann = regression(Mode::Dann, 0);
    dann.train.iterations = 300;
    let fitted = dann
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    assert_eq!(fitted.task(), Task::Regression);
    let test = fitted.prepare(p.target_test.clone()).unwrap();
    let values = fitted.predict_values(&test).unwrap();
    assert_eq!(values.len(), test.len());
    let truth = test.label_values().unwrap();
    let e = fitted.evaluate_values(&test).unwrap();
    let mse = values
        .iter()
        .zip(&truth)
        .map(|(v, &t)| (v - f64::from(t)).powi(2))
        .sum::<f64>()
        / values.len() as f64;
    assert!((e.rmse - mse.sqrt()).abs() < 1e-9, "{e:?} vs {mse}");
    assert!(e.mae <= e.rmse && e.r2 < 1.0, "{e:?}");
    // The labels were scaled for training: the predictions are on the labels' scale.
    let spread = values.iter().map(|v| v.abs()).fold(0.0, f64::max);
    assert!(spread > 1.0, "predictions on the label scale: {spread}");
    // Classes are not what it predicts.
    let err = fitted.predict(&test).unwrap_err().to_string();
    assert!(err.contains("regression"), "{err}");
    assert!(fitted.evaluate(&test).is_err());

    let dir = tempfile::tempdir().unwrap();
    fitted.save(dir.path()).unwrap();
    let back = FittedDann::<dann::CpuBackend>::load(dir.path(), &Default::default()).unwrap();
    assert_eq!(back.task(), Task::Regression);
    assert_eq!(back.predict_values(&test).unwrap(), values);
}

#[test]
fn labels_that_are_not_numbers_or_do_not_vary_are_refused() {
    let rows = |n: usize| Features::Dense(DenseMatrix::new(n, 2, vec![0.5; n * 2]).unwrap());
    let target = Dataset::unlabelled(rows(4));
    let words =
        Dataset::from_raw_labels(rows(4), ["1.5", "2", "cat", "3"].map(String::from).to_vec())
            .unwrap();
    let err = regression(Mode::Dann, 0)
        .fit::<B>(&words, &target, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`cat`") && err.contains("row 3"), "{err}");
    let same = Dataset::from_raw_labels(rows(4), vec!["2.5".to_string(); 4]).unwrap();
    let err = regression(Mode::Dann, 0)
        .fit::<B>(&same, &target, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("vary"), "{err}");
    // A classification of fractional labels points at the task.
    let fractions = Dataset::from_raw_labels(
        rows(4),
        ["1.5", "2.25", "1.5", "3"].map(String::from).to_vec(),
    )
    .unwrap();
    let err = Dann::default()
        .fit::<B>(&fractions, &target, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("task = \"regression\""), "{err}");
    // The shallow kernels classify.
    let mut shallow = regression(Mode::Dann, 0);
    shallow.train.engine = dann::Engine::Shallow;
    let err = shallow.engine().unwrap_err().to_string();
    assert!(err.contains("regression"), "{err}");
    assert_eq!(
        regression(Mode::Dann, 0).engine().unwrap(),
        dann::Engine::Burn
    );
}

/// Reverse validation of a regression grid: every score is a mean squared error on the held
/// out source rows (checked against the model saved), with its variance for the verdict.
#[test]
fn reverse_validation_scores_squared_errors() {
    let p = drifted_sensor(400, 3).unwrap();
    let mut base = regression(Mode::Dann, 0);
    base.train.iterations = 300;
    let grid = SelectConfig {
        lambdas: vec![0.1, 1.0],
        hidden: vec![16],
        ..SelectConfig::default()
    };
    let parts = HoldOut::new(&p.source, &p.target, 0.2, 0).unwrap();
    let outcome = select_deep::<B>(
        &base,
        &grid,
        &parts,
        &Default::default(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(outcome.candidates.len(), 2);
    let s_val = outcome.dann_model.prepare(parts.s_val.clone()).unwrap();
    let forward = outcome.dann_model.evaluate_values(&s_val).unwrap();
    let w = outcome.winner();
    assert!(
        (w.forward_error - forward.rmse.powi(2)).abs() < 1e-6 * (1.0 + w.forward_error),
        "forward error {} is the MSE {}",
        w.forward_error,
        forward.rmse.powi(2)
    );
    for c in &outcome.candidates {
        assert!(c.reverse.error > 0.0 && c.reverse.error_variance.is_some());
    }
    let v = outcome.verdict();
    assert!(
        v.standard_error > 0.0 && v.standard_error.is_finite(),
        "{v:?}"
    );
}
