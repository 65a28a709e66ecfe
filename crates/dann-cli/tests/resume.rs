//! Never lose work: a run killed with SIGKILL resumes to the model an uninterrupted run
//! gives, and a run that diverges after a checkpoint keeps the checkpoint's model.

mod common;

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{dann, train_cmd, write_moons};
use predicates::prelude::*;
use predicates::str::contains;

/// Burn engine (two hidden layers), many short iterations, a checkpoint every 500.
const CONFIG: &str = r#"
[model.feature]
hidden = [32, 16]
activation = "relu"

[train]
engine = "burn"
iterations = 40000
batch_size = 32
log_every = 1000
checkpoint_every = 500
"#;

fn predictions(model: &Path, data: &Path, out: &Path) -> String {
    dann()
        .args(["predict", "--model"])
        .arg(model)
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    fs::read_to_string(out).unwrap()
}

#[test]
fn a_killed_run_resumes_to_the_uninterrupted_model() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, test) = write_moons(dir.path());
    let config = dir.path().join("run.toml");
    fs::write(&config, CONFIG).unwrap();

    let full = dir.path().join("full");
    train_cmd(&source, &target, &full)
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    // A finished run leaves no checkpoint, and --resume says there is nothing to resume.
    assert!(!full.join("checkpoint").exists());
    dann()
        .args(["train", "--resume"])
        .arg(&full)
        .assert()
        .code(2)
        .stderr(contains("finished model"));

    // The same run, killed once its checkpoints pass iteration 5000 (well before 40000).
    let cut = dir.path().join("cut");
    let bin = assert_cmd::cargo::cargo_bin("dann");
    let mut child = std::process::Command::new(&bin)
        .args(["train", "--quiet", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&cut)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let state = cut.join("checkpoint").join("checkpoint.json");
    let start = Instant::now();
    let killed_at = loop {
        if let Ok(text) = fs::read_to_string(&state) {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let it = v["iteration"].as_u64().unwrap();
            if it >= 5000 {
                break it;
            }
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        assert!(start.elapsed() < Duration::from_secs(300), "no checkpoint");
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(killed_at < 40000);
    assert!(!cut.join("model.json").exists());

    // Without --resume, the interrupted run is not silently overwritten.
    train_cmd(&source, &target, &cut)
        .arg("--config")
        .arg(&config)
        .assert()
        .code(2)
        .stderr(contains("--resume"));

    dann()
        .args(["train", "--quiet", "--resume"])
        .arg(&cut)
        .assert()
        .success();
    assert!(!cut.join("checkpoint").exists());
    let a = predictions(&full, &test, &dir.path().join("full.csv"));
    let b = predictions(&cut, &test, &dir.path().join("cut.csv"));
    assert_eq!(a, b, "the resumed model predicts otherwise");
    // The metrics are those of the full run: one record per 1000 iterations, no gap or
    // repeat at the kill.
    let metrics = |d: &Path| -> Vec<u64> {
        fs::read_to_string(d.join("metrics.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["iteration"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(metrics(&cut), metrics(&full));
    assert_eq!(metrics(&full).len(), 40);
    assert_eq!(
        fs::read_to_string(full.join("config.toml")).unwrap(),
        fs::read_to_string(cut.join("config.toml")).unwrap()
    );
}

#[test]
fn resume_without_a_checkpoint_and_checkpoints_on_the_kernels_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    dann()
        .args(["train", "--resume"])
        .arg(dir.path().join("nothing"))
        .assert()
        .code(2)
        .stderr(contains("no run to resume"));
    // --resume takes everything from the run: other settings are refused by clap.
    dann()
        .args(["train", "--resume", "x", "--iterations", "5"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
    let config = dir.path().join("shallow.toml");
    fs::write(&config, "[train]\ncheckpoint_every = 10\n").unwrap();
    train_cmd(&source, &target, &dir.path().join("m"))
        .arg("--config")
        .arg(&config)
        .assert()
        .code(2)
        .stderr(contains("train.engine = \"burn\""));
    assert!(!dir.path().join("m").exists());
}

#[test]
fn a_run_diverging_after_a_checkpoint_keeps_the_checkpoints_model() {
    let dir = tempfile::tempdir().unwrap();
    // Two Gaussian classes; with a constant rate of 6 this ReLU network diverges at
    // iteration 11, after the checkpoint of iteration 10 (and at 8, before any checkpoint).
    let mut rng = 1u64;
    let mut uniform = || {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut s, mut t) = (String::from("x0,x1,label\n"), String::from("x0,x1\n"));
    for i in 0..300 {
        let y = (i % 2) as f64;
        s += &format!(
            "{},{},{}\n",
            y + 2.0 * uniform() - 1.0,
            -y + 2.0 * uniform() - 1.0,
            i % 2
        );
        t += &format!(
            "{},{}\n",
            0.5 + 2.0 * uniform() - 1.0,
            2.0 * uniform() - 1.0
        );
    }
    let (source, target) = (dir.path().join("s.csv"), dir.path().join("t.csv"));
    fs::write(&source, s).unwrap();
    fs::write(&target, t).unwrap();
    let config = |lr: f64| {
        let path = dir.path().join(format!("lr{lr}.toml"));
        fs::write(
            &path,
            format!(
                "[model.feature]\nhidden = [32, 16]\nactivation = \"relu\"\n[train]\n\
                 engine = \"burn\"\niterations = 2000\nbatch_size = 32\ncheckpoint_every = 10\n\
                 standardize = false\n\
                 lr = {{ kind = \"constant\", value = {lr} }}\n"
            ),
        )
        .unwrap();
        path
    };
    let out = dir.path().join("m");
    let err = train_cmd(&source, &target, &out)
        .arg("--config")
        .arg(config(6.0))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("training diverged at iteration"), "{err}");
    let kept = regex_iteration(&err);
    assert!(kept >= 10, "{err}");
    // The kept model is whole and usable; no checkpoint is left to resume.
    assert!(!out.join("checkpoint").exists());
    let eval = common::eval_json(&out, &source);
    assert!(eval["accuracy"].as_f64().unwrap() > 0.0);

    // Diverging before the first checkpoint leaves no model and nothing to resume.
    let early = dir.path().join("early");
    train_cmd(&source, &target, &early)
        .arg("--config")
        .arg(config(30.0))
        .assert()
        .code(2)
        .stderr(contains("training diverged").and(contains("kept").not()));
    assert!(!early.join("model.json").exists());
    assert!(!early.join("checkpoint").exists());
}

/// N in "kept the model of iteration N".
fn regex_iteration(err: &str) -> usize {
    let tail = err
        .split("kept the model of iteration ")
        .nth(1)
        .unwrap_or_else(|| panic!("no kept model in: {err}"));
    tail.split(',').next().unwrap().trim().parse().unwrap()
}
