//! `dann train --init MODEL`: a run that starts from a trained model's weights, input
//! standardisation and columns (issue 24), refused with the reason when the model cannot be
//! started from. The fixtures are `crates/dann/tests/fixtures/tabular`.

mod common;

use std::path::{Path, PathBuf};

use common::{dann, train_cmd};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dann/tests/fixtures/tabular")
        .join(name)
}

/// Every predicted probability of `model` on `data`, row by row.
fn probabilities(model: &Path, data: &Path, dir: &Path) -> Vec<f64> {
    let out = dir.join("p.csv");
    let _ = std::fs::remove_file(&out);
    dann()
        .args(["predict", "--model"])
        .arg(model)
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    text.lines()
        .skip(1)
        .flat_map(|l| {
            l.split(',')
                .skip(3)
                .map(|v| v.parse::<f64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn largest_difference(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn a_run_starts_from_the_model_and_refuses_one_it_cannot_start_from() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("c.toml");
    std::fs::write(&config, "[data]\nmissing = \"impute\"\n").unwrap();
    let (source, target) = (fixture("source.csv"), fixture("target.csv"));
    let first = d.join("first");
    train_cmd(&source, &target, &first)
        .args([
            "--label-column",
            "y",
            "--ignore-columns",
            "id",
            "--iterations",
            "300",
        ])
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    // One step at a tiny learning rate from the model: its predictions, nearly unchanged.
    // The model's own settings (label and ID columns, missing values) come with it.
    let tiny = d.join("tiny.toml");
    std::fs::write(&tiny, "[train.lr]\nkind = \"constant\"\nvalue = 1e-9\n").unwrap();
    let again = d.join("again");
    train_cmd(&source, &target, &again)
        .arg("--init")
        .arg(&first)
        .args(["--iterations", "1", "--config"])
        .arg(&tiny)
        .assert()
        .success();
    let test = fixture("target.csv");
    let before = probabilities(&first, &test, d);
    let after = probabilities(&again, &test, d);
    assert!(largest_difference(&before, &after) < 1e-4);
    // The same step from new weights: other predictions (the comparison can fail).
    let fresh = d.join("fresh");
    train_cmd(&source, &target, &fresh)
        .args([
            "--label-column",
            "y",
            "--ignore-columns",
            "id",
            "--iterations",
            "1",
        ])
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    let new = probabilities(&fresh, &test, d);
    assert!(largest_difference(&before, &new) > 1e-2);
    // More iterations from the model move it.
    let moved = d.join("moved");
    train_cmd(&source, &target, &moved)
        .arg("--init")
        .arg(&first)
        .args(["--iterations", "50"])
        .assert()
        .success();
    assert!(largest_difference(&before, &probabilities(&moved, &test, d)) > 1e-6);

    // Another architecture: refused, saying so.
    let wider = d.join("wider.toml");
    std::fs::write(&wider, "[model.feature]\nhidden = [7]\n").unwrap();
    let out = train_cmd(&source, &target, &d.join("no1"))
        .arg("--init")
        .arg(&first)
        .arg("--config")
        .arg(&wider)
        .assert()
        .failure()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("--init") && err.contains("architecture"),
        "{err}"
    );
    // A folder without a model.
    let out = train_cmd(&source, &target, &d.join("no2"))
        .arg("--init")
        .arg(d)
        .assert()
        .failure()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("not a model to start from"), "{err}");
    // The shallow kernels cannot start from weights.
    let out = train_cmd(&source, &target, &d.join("no3"))
        .arg("--init")
        .arg(&first)
        .args(["--engine", "shallow"])
        .assert()
        .failure()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("burn"), "{err}");
    for no in ["no1", "no2", "no3"] {
        assert!(!d.join(no).exists(), "{no}");
    }
}
