//! `reproduce amazon --features msda` end to end on a small pair: every tenth review of the
//! shipped files (200 training reviews per domain), one mSDA layer, a short grid.

mod common;

use std::fs;
use std::io::{BufRead, Write};
use std::path::Path;

use common::{dann, repo_data};

/// Every tenth line of each shipped Amazon file, under `dir/amazon`.
fn every_tenth_review(dir: &Path) {
    let out = dir.join("amazon");
    fs::create_dir_all(&out).unwrap();
    for entry in fs::read_dir(repo_data().join("amazon")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".svmlight.gz") {
            continue;
        }
        let reader = dann::data::open_maybe_gz(&path).unwrap();
        // Written plain under the .gz name: the loaders tell gzip by its content.
        let mut file = std::io::BufWriter::new(fs::File::create(out.join(&name)).unwrap());
        for line in reader.lines().step_by(10) {
            writeln!(file, "{}", line.unwrap()).unwrap();
        }
    }
}

fn run(data: &Path, out: &Path, features: &[&str]) -> serde_json::Value {
    let assert = dann()
        .args(["reproduce", "amazon", "--json", "--pairs", "books:kitchen"])
        .args([
            "--epochs",
            "20",
            "--lr",
            "0.01",
            "--lambdas",
            "2",
            "--hidden",
            "20",
        ])
        .args(features)
        .arg("--data-dir")
        .arg(data)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    v["pairs"][0].clone()
}

#[test]
fn msda_features_run_through_the_whole_protocol() {
    let dir = tempfile::tempdir().unwrap();
    every_tenth_review(dir.path());
    let msda = run(
        dir.path(),
        &dir.path().join("msda"),
        &["--features", "msda", "--msda-layers", "1"],
    );
    let raw = run(dir.path(), &dir.path().join("raw"), &[]);
    for model in ["dann", "nn", "svm"] {
        let acc = msda[model].as_f64().unwrap();
        assert!(acc > 0.6, "{model} on mSDA features: {acc}");
    }
    // The mSDA table compares with the paper's Table 1b, the raw one with Table 1a.
    assert_ne!(msda["paper"], raw["paper"]);
    // The features changed the models (the SVM is deterministic given its inputs).
    assert_ne!(msda["svm"], raw["svm"], "{msda}\n{raw}");
    let table = fs::read_to_string(dir.path().join("msda/amazon.md")).unwrap();
    assert!(table.contains("books -> kitchen"), "{table}");
    // --msda-layers without mSDA is a mistake, said so.
    dann()
        .args(["reproduce", "amazon", "--msda-layers", "2"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--features msda"));
}
