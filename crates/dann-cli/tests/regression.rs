//! `[train] task = "regression"` from the command line (issue 24): train, eval (RMSE, MAE,
//! R^2), predict (the value), select (squared errors), and the settings that cannot train a
//! regression refused. The data is `dann::experiments::drift`'s drifted sensor, as CSV.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{dann, eval_json, refused, stdout_json, train_cmd};
use dann::experiments::drift::{N_INPUTS, drifted_sensor};

/// Writes the drifted-sensor problem as `a0..a5[,label]` CSV files into `dir`: source,
/// target (unlabelled), target test.
fn write_drift(dir: &Path, n: usize) -> (PathBuf, PathBuf, PathBuf) {
    let p = drifted_sensor(n, 5).unwrap();
    let write = |name: &str, ds: &dann::Dataset| {
        let values = ds.labels().map(|_| ds.label_values().unwrap());
        let names: Vec<String> = (0..N_INPUTS).map(|k| format!("a{k}")).collect();
        let mut text = names.join(",");
        text += if values.is_some() { ",label\n" } else { "\n" };
        let mut row = [0f32; N_INPUTS];
        for i in 0..ds.len() {
            ds.features().write_row(i, &mut row);
            let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
            text += &cells.join(",");
            if let Some(v) = &values {
                text += &format!(",{}", v[i]);
            }
            text += "\n";
        }
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    };
    (
        write("source.csv", &p.source),
        write("target.csv", &p.target),
        write("test.csv", &p.target_test),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn train_eval_predict_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, test) = write_drift(dir.path(), 400);
    let config = write(dir.path(), "reg.toml", "[train]\ntask = \"regression\"\n");
    let run = dir.path().join("run");
    let mut cmd = dann();
    cmd.args(["train", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--target-test")
        .arg(&test)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&run)
        .args(["--iterations", "400", "--log-every", "200"]);
    let out = cmd.assert().success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("source R^2"), "{stderr}");

    // The records name their measure.
    let metrics = fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(metrics.lines().last().unwrap()).unwrap();
    assert!(
        last["source_r2"].is_f64() && last["target_r2"].is_f64(),
        "{last}"
    );
    assert!(last.get("source_accuracy").is_none(), "{last}");
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.join("model.json")).unwrap()).unwrap();
    assert!(spec["regression"]["std"].as_f64().unwrap() > 0.0, "{spec}");

    // eval: RMSE, MAE and R^2, the last equal to the record's target R^2.
    let e = eval_json(&run, &test);
    let (rmse, mae, r2) = (
        e["rmse"].as_f64().unwrap(),
        e["mae"].as_f64().unwrap(),
        e["r2"].as_f64().unwrap(),
    );
    assert!(mae <= rmse && r2 < 1.0, "{e}");
    assert!(
        (r2 - last["target_r2"].as_f64().unwrap()).abs() < 1e-9,
        "{e} vs {last}"
    );

    // predict: one value per row, whose RMSE against the labels is eval's.
    let predictions = dir.path().join("p.csv");
    dann()
        .args(["predict", "--model"])
        .arg(&run)
        .arg("--data")
        .arg(&test)
        .arg("--out")
        .arg(&predictions)
        .assert()
        .success();
    let text = fs::read_to_string(&predictions).unwrap();
    assert_eq!(text.lines().next(), Some("row,value"));
    let values: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let truth: Vec<f64> = fs::read_to_string(&test)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(values.len(), truth.len());
    let mse = values
        .iter()
        .zip(&truth)
        .map(|(v, t)| (v - t).powi(2))
        .sum::<f64>()
        / truth.len() as f64;
    assert!(
        (mse.sqrt() - rmse).abs() < 1e-4 * (1.0 + rmse),
        "{mse} vs {rmse}"
    );
}

#[test]
fn select_a_regression_by_squared_error() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_drift(dir.path(), 300);
    let config = write(
        dir.path(),
        "sel.toml",
        "[train]\ntask = \"regression\"\niterations = 200\n\
         [select]\nlambdas = [0.1, 1.0]\nhidden = [16]\n",
    );
    let out = dir.path().join("sel");
    let assert = dann()
        .args(["select", "--quiet", "--json", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let report = stdout_json(&assert);
    assert_eq!(report["engine"], "burn", "auto is burn for a regression");
    assert_eq!(report["task"], "regression");
    let candidates = report["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2);
    assert!(
        candidates
            .iter()
            .all(|c| c["reverse"]["error_variance"].is_f64())
    );
    // The chosen model is a regression model.
    let e = eval_json(&out, &source);
    assert!(e["rmse"].is_f64(), "{e}");
}

#[test]
fn settings_that_cannot_train_a_regression_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_drift(dir.path(), 50);
    let out = dir.path().join("run");
    // Numeric labels without the task: the error says how to ask for a regression.
    let mut cmd = train_cmd(&source, &target, &out);
    cmd.args(["--iterations", "10"]);
    refused(cmd, &["fractional number", "task = \"regression\""]);
    for (name, text, needle) in [
        (
            "shallow.toml",
            "[train]\ntask = \"regression\"\nengine = \"shallow\"\n",
            "the kernels classify",
        ),
        (
            "section.toml",
            "[train]\ntask = \"regression\"\n[shallow]\nhidden = 10\n",
            "remove [shallow]",
        ),
        ("typo.toml", "[train]\ntask = \"regresion\"\n", "regression"),
    ] {
        let config = write(dir.path(), name, text);
        let mut cmd = train_cmd(&source, &target, &out);
        cmd.arg("--config").arg(&config);
        refused(cmd, &[needle]);
    }
    assert!(!out.join("model.json").exists());
}

/// `dann predict --out - | head -1`: when the reader goes away the command stops quietly,
/// exit 0, nothing on stderr (a regression model's 8,000 rows of output fill the pipe).
#[test]
fn predict_into_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_drift(dir.path(), 8000);
    let config = write(dir.path(), "reg.toml", "[train]\ntask = \"regression\"\n");
    let run = dir.path().join("run");
    train_cmd(&source, &target, &run)
        .args(["--iterations", "20", "--config"])
        .arg(&config)
        .assert()
        .success();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("dann"))
        .args(["predict", "--out", "-", "--model"])
        .arg(&run)
        .arg("--data")
        .arg(&target)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim(), "row,value");
    // The reader is dropped here: the pipe closes with rows still to write.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "{stderr}");
}
