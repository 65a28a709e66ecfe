//! A wrong flag or setting is an error that names it as the user typed it, says what is wrong
//! and what is valid, with exit status 2, and comes before any work (issue 22, "unclear"):
//! one test per group.

mod common;

use std::fs;

use common::{dann, refused, train_cmd, write_moons};

/// `-1` is a value, not an unknown argument: a whole-number flag says it must be >= 0; a
/// number flag reaches its own range check.
#[test]
fn negative_numbers_are_values_with_a_range_error() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let shift = || {
        let mut cmd = dann();
        cmd.args(["shift", "--source"])
            .arg(&source)
            .arg("--target")
            .arg(&target);
        cmd
    };
    let mut cmd = shift();
    cmd.args(["--seed", "-1"]);
    refused(cmd, &["--seed -1: must be a whole number >= 0"]);
    let mut cmd = train_cmd(&source, &target, &dir.path().join("run"));
    cmd.args(["--seed", "-1"]);
    refused(cmd, &["--seed -1: must be a whole number >= 0"]);
    let mut cmd = shift();
    cmd.args(["--fail-above", "-1"]);
    refused(cmd, &["--fail-above -1", "between 0 and 2"]);
    assert!(!dir.path().join("run").exists(), "train wrote --out");
}

#[test]
fn monitor_rows_0_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let config = dir.path().join("run.toml");
    fs::write(&config, "[train]\nmonitor_rows = 0\n").unwrap();
    let mut cmd = train_cmd(&source, &target, &dir.path().join("run"));
    cmd.arg("--config").arg(&config);
    refused(cmd, &["train.monitor_rows", "must be at least 1"]);
}

#[test]
fn tsne_perplexity_and_out_are_checked_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let tsne = |perplexity: &str, out: &str| {
        let mut cmd = dann();
        // No model, no data: the flags are refused before they are read.
        cmd.args([
            "tsne", "--model", "no-model", "--source", "s.csv", "--target", "t.csv",
        ])
        .arg("--out")
        .arg(dir.path().join(out))
        .args(["--perplexity", perplexity]);
        cmd
    };
    for p in ["0", "nan", "0.5", "-3"] {
        refused(
            tsne(p, "map.png"),
            &[
                &format!("--perplexity {}", p.replace("nan", "NaN")),
                "must be a number >= 1",
            ],
        );
    }
    for out in ["map.jpg", "map", "map.png.txt"] {
        refused(tsne("30", out), &["--out", out, "ending in .png"]);
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn selftest_steps_0_and_a_bad_tolerance_are_refused() {
    let selftest = |flags: &[&str]| {
        let mut cmd = dann();
        cmd.arg("selftest").args(flags);
        cmd
    };
    refused(
        selftest(&["--steps", "0"]),
        &["`--steps`", "must be at least 1"],
    );
    for t in ["nan", "-1", "inf"] {
        let out = selftest(&["--tolerance", t]).assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains("`--tolerance`: must be >= 0"),
            "{t}: {stderr}"
        );
        assert!(!stderr.contains("does not compute"), "{t}: {stderr}");
    }
}

#[test]
fn select_grid_flags_are_named_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let select = |flags: &[&str]| {
        let mut cmd = dann();
        cmd.args(["select", "--source"])
            .arg(&source)
            .arg("--target")
            .arg(&target)
            .arg("--out")
            .arg(dir.path().join("sel"))
            .args(flags);
        cmd
    };
    refused(
        select(&["--lambdas", "0.1,nan"]),
        &["`--lambdas`", "must be a number >= 0, got NaN"],
    );
    refused(
        select(&["--lrs", "0"]),
        &["`--lrs`", "must be a number > 0, got 0"],
    );
    refused(select(&["--hidden", "0"]), &["`--hidden`", "at least 1"]);
    // From the config file, the key is named.
    let config = dir.path().join("grid.toml");
    fs::write(&config, "[select]\nlrs = [0.01, -1.0]\n").unwrap();
    let mut cmd = select(&[]);
    cmd.arg("--config").arg(&config);
    refused(cmd, &["`select.lrs`", "got -1"]);
    assert!(!dir.path().join("sel").exists());
}
