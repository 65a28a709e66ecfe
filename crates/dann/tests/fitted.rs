//! Save/load round trip and the fitted model's outputs.

mod common;

use common::{B, moons, moons_dann};
use dann::FittedDann;

type Inner = dann::CpuBackend;

#[test]
fn save_load_round_trip_gives_the_same_predictions() {
    let p = moons(2);
    let mut dann = moons_dann(500, 1);
    dann.train.standardize = dann::Standardize::Yes;
    let fitted = dann
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    fitted.save(dir.path()).unwrap();
    let loaded = FittedDann::<Inner>::load(dir.path(), &Default::default()).unwrap();
    assert_eq!(loaded.spec(), fitted.spec());
    assert_eq!(
        loaded.predict_proba(&p.target_test).unwrap(),
        fitted.predict_proba(&p.target_test).unwrap()
    );
    assert_eq!(
        loaded.features(&p.source).unwrap(),
        fitted.features(&p.source).unwrap()
    );
    assert_eq!(
        loaded.predict(&p.source).unwrap(),
        fitted.predict(&p.source).unwrap()
    );
}

#[test]
fn outputs_have_the_documented_shapes() {
    let p = moons(0);
    let fitted = moons_dann(50, 0)
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    let proba = fitted.predict_proba(&p.source).unwrap();
    assert_eq!((proba.n_rows(), proba.n_cols()), (300, 2));
    for i in 0..proba.n_rows() {
        let s: f32 = proba.row(i).iter().sum();
        assert!((s - 1.0).abs() < 1e-5);
    }
    let feats = fitted.features(&p.source).unwrap();
    assert_eq!((feats.n_rows(), feats.n_cols()), (300, 15));
    assert!(
        feats.as_slice().iter().all(|&v| (0.0..=1.0).contains(&v)),
        "sigmoid features"
    );
    let d = fitted.domain_proba(&p.target).unwrap();
    assert_eq!(d.len(), 300);
}

#[test]
fn loading_broken_models_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let err = FittedDann::<Inner>::load(dir.path(), &Default::default()).unwrap_err();
    assert!(err.to_string().contains("model.json"), "{err}");

    std::fs::write(dir.path().join("model.json"), "{ not json").unwrap();
    let err = FittedDann::<Inner>::load(dir.path(), &Default::default()).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");

    let p = moons(0);
    let fitted = moons_dann(5, 0)
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    fitted.save(dir.path()).unwrap();
    let weights = std::fs::read(dir.path().join("model.mpk")).unwrap();
    let spec = std::fs::read_to_string(dir.path().join("model.json")).unwrap();
    let load = || {
        FittedDann::<Inner>::load(dir.path(), &Default::default())
            .unwrap_err()
            .to_string()
    };
    // Garbage, truncated weights: named, said to be truncated or corrupt.
    for bad in [&b"garbage"[..], &weights[..weights.len() / 2]] {
        std::fs::write(dir.path().join("model.mpk"), bad).unwrap();
        let err = load();
        assert!(
            err.contains("model.mpk") && err.contains("truncated or corrupt"),
            "{err}"
        );
    }
    // An edited n_features: the weights no longer fit the network the spec describes.
    std::fs::write(dir.path().join("model.mpk"), &weights).unwrap();
    let edited = spec.replace("\"n_features\": 2", "\"n_features\": 7");
    assert_ne!(edited, spec);
    std::fs::write(dir.path().join("model.json"), edited).unwrap();
    let err = load();
    assert!(err.contains("an edited model.json"), "{err}");
    // Weights from another save beside this spec (a save killed between its two renames).
    std::fs::write(dir.path().join("model.json"), &spec).unwrap();
    let other = moons_dann(5, 1)
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    other.save(other_dir.path()).unwrap();
    std::fs::copy(
        other_dir.path().join("model.mpk"),
        dir.path().join("model.mpk"),
    )
    .unwrap();
    assert!(load().contains("not from the save that wrote model.json"));
    // Restored, it loads; no temporary file was left by the saves.
    std::fs::write(dir.path().join("model.mpk"), &weights).unwrap();
    FittedDann::<Inner>::load(dir.path(), &Default::default()).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn prediction_checks_the_width() {
    let p = moons(0);
    let fitted = moons_dann(5, 0)
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    let wide = dann::Dataset::unlabelled(dann::data::Features::Dense(
        dann::data::DenseMatrix::new(1, 3, vec![0.0; 3]).unwrap(),
    ));
    assert!(fitted.predict(&wide).is_err());
    assert!(fitted.prepare(wide).is_err());
}

/// Inference runs in chunks of 1,024 rows: over several chunks every probability row sums to
/// 1, the predicted class is its argmax, the features of a row do not depend on its chunk, and
/// `evaluate` agrees with `predict`.
#[test]
fn predictions_over_several_chunks_agree() {
    use dann::experiments::moons::MoonsConfig;
    let p = MoonsConfig {
        n_per_class: 1300,
        seed: 4,
        ..Default::default()
    }
    .generate()
    .unwrap();
    let fitted = moons_dann(300, 0)
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    let data = &p.target_test;
    assert!(data.len() > 2 * 1024);
    let proba = fitted.predict_proba(data).unwrap();
    let predicted = fitted.predict(data).unwrap();
    assert_eq!((proba.n_rows(), predicted.len()), (data.len(), data.len()));
    for (i, &label) in predicted.iter().enumerate() {
        let row = proba.row(i);
        assert!(
            (row.iter().sum::<f32>() - 1.0).abs() < 1e-5,
            "row {i}: {row:?}"
        );
        assert_eq!(label, dann::metrics::argmax(row), "row {i}");
    }
    // Row 1500 alone gives the same features and probabilities as within its chunk.
    let one = data.subset(&[1500]);
    assert_eq!(fitted.predict_proba(&one).unwrap().row(0), proba.row(1500));
    assert_eq!(
        fitted.features(&one).unwrap().row(0),
        fitted.features(data).unwrap().row(1500)
    );
    let truth = data.labels().unwrap();
    let right = predicted.iter().zip(truth).filter(|(a, b)| a == b).count();
    let e = fitted.evaluate(data).unwrap();
    assert_eq!(e.n, data.len());
    assert!((e.accuracy - right as f64 / data.len() as f64).abs() < 1e-12);
}
