//! The same seed and config give identical results on the CPU whatever the number of
//! threads: the deep trainer (burn flex), the shallow kernels, and `reproduce amazon` on one
//! pair.

mod common;

use std::path::{Path, PathBuf};

use common::{cnn_config, dann, repo_data, write_bars, write_moons};
use dann::FittedDann;

const THREADS: [&str; 2] = ["1", "3"];

/// `dann train` with `engine` and `threads` worker threads; the model's folder.
fn train(dir: &Path, engine: &str, threads: &str) -> PathBuf {
    let (source, target, _) = write_moons(dir);
    let out = dir.join(format!("m-{engine}-{threads}"));
    dann()
        .env("RAYON_NUM_THREADS", threads)
        .args([
            "train",
            "--quiet",
            "--iterations",
            "300",
            "--engine",
            engine,
            "--source",
        ])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn training_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, test) = write_moons(dir.path());
    // The weights file also holds burn's random parameter ids, so the models are compared by
    // what they compute: every probability and every feature, exactly.
    let outputs = |m: &Path| {
        let model = FittedDann::<dann::CpuBackend>::load(m, &Default::default()).unwrap();
        let data = dann::data::load(&test, &Default::default()).unwrap();
        let data = model.prepare(data).unwrap();
        (
            model.predict_proba(&data).unwrap(),
            model.features(&data).unwrap(),
        )
    };
    for engine in ["shallow", "burn"] {
        let [a, b] = THREADS.map(|t| outputs(&train(dir.path(), engine, t)));
        assert!(a == b, "{engine}: 1 and 3 threads give different models");
    }
}

/// The convolutional path (burn flex's convolutions and pooling) too.
#[test]
fn a_cnn_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let source = write_bars(dir.path(), "source", 80, 0, true);
    let target = write_bars(dir.path(), "target", 80, 40, false);
    let config = dir.path().join("cnn.toml");
    std::fs::write(
        &config,
        cnn_config(1) + "[train]\niterations = 40\nbatch_size = 32\nstandardize = true\n",
    )
    .unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(format!("cnn-{threads}"));
        dann()
            .env("RAYON_NUM_THREADS", threads)
            .args(["train", "--quiet", "--source"])
            .arg(&source)
            .arg("--target")
            .arg(&target)
            .arg("--config")
            .arg(&config)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let model = FittedDann::<dann::CpuBackend>::load(&out, &Default::default()).unwrap();
        let data = model
            .prepare(dann::data::load(&source, &Default::default()).unwrap())
            .unwrap();
        (
            model.predict_proba(&data).unwrap(),
            model.features(&data).unwrap(),
        )
    };
    let [a, b] = THREADS.map(run);
    assert!(a == b, "1 and 3 threads give different CNNs");
}

#[test]
fn reproduce_amazon_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str| -> serde_json::Value {
        let out = dann()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "reproduce",
                "amazon",
                "--json",
                "--pairs",
                "dvd:kitchen",
                "--lambdas",
                "2",
                "--hidden",
                "50",
                "--epochs",
                "3",
                "--data-dir",
            ])
            .arg(repo_data())
            .arg("--out")
            .arg(dir.path().join(threads))
            .assert()
            .success();
        let mut v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        // Wall times are the only thing allowed to differ.
        v["seconds"] = 0.into();
        for pair in v["pairs"].as_array_mut().unwrap() {
            pair["seconds"] = 0.into();
        }
        v
    };
    let [a, b] = THREADS.map(run);
    assert_eq!(a, b);
}
