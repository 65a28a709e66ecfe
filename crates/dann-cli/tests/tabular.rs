//! Your own table (issue 23): label and ID columns by flag, an unlabelled target without the
//! label column (or with it empty), columns matched by name in every later command, the same
//! model from CSV and Parquet. The fixtures are `crates/dann/tests/fixtures/tabular`.

mod common;

use std::path::{Path, PathBuf};

use common::{dann, train_cmd};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dann/tests/fixtures/tabular")
        .join(name)
}

/// `--label-column y --ignore-columns id`, missing values imputed, a short run.
fn train(source: &Path, target: &Path, out: &Path, config: &Path) -> assert_cmd::assert::Assert {
    train_cmd(source, target, out)
        .args([
            "--label-column",
            "y",
            "--ignore-columns",
            "id",
            "--iterations",
            "300",
        ])
        .arg("--config")
        .arg(config)
        .assert()
}

fn predict(model: &Path, data: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    dann()
        .args(["predict", "--model"])
        .arg(model)
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

/// The CSV `text` with its columns in the order `order` (names from its header), plus an ID
/// column when `id` is given.
fn reorder(text: &str, order: &[&str], id: Option<&str>) -> String {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at: Vec<usize> = order
        .iter()
        .map(|n| header.iter().position(|h| h == n).unwrap())
        .collect();
    let mut out = String::new();
    let head: Vec<&str> = order.to_vec();
    out.push_str(&head.join(","));
    if let Some(id) = id {
        out.push_str(&format!(",{id}"));
    }
    out.push('\n');
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let row: Vec<&str> = at.iter().map(|&k| cells[k]).collect();
        out.push_str(&row.join(","));
        if id.is_some() {
            out.push_str(&format!(",row{i}"));
        }
        out.push('\n');
    }
    out
}

#[test]
fn columns_by_name_unlabelled_targets_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("c.toml");
    std::fs::write(&config, "[data]\nmissing = \"impute\"\n").unwrap();
    // The target has no `y` column (and its columns in another order).
    let model = d.join("m");
    train(
        &fixture("source.csv"),
        &fixture("target.csv"),
        &model,
        &config,
    )
    .success();
    let spec = std::fs::read_to_string(model.join("model.json")).unwrap();
    for needle in [
        "\"schema\"",
        "\"colour\"",
        "\"categories\"",
        "\"median\"",
        "\"id\"",
    ] {
        assert!(spec.contains(needle), "{needle} not in model.json: {spec}");
    }
    // ... or its `y` cells empty.
    train(
        &fixture("source.csv"),
        &fixture("target_empty_y.csv"),
        &d.join("m2"),
        &config,
    )
    .success();

    // The source's rows, with columns shuffled, the label moved, another ID column added:
    // the same predictions, without naming the label or ignored columns again.
    let text = std::fs::read_to_string(fixture("source.csv")).unwrap();
    let shuffled = d.join("shuffled.csv");
    std::fs::write(
        &shuffled,
        reorder(&text, &["y", "colour", "b", "id", "c", "a"], Some("row_id")),
    )
    .unwrap();
    let (p1, p2) = (d.join("p1.csv"), d.join("p2.csv"));
    predict(&model, &fixture("source.csv"), &p1, &[]).success();
    // An extra column is refused, naming it, unless let through.
    let refused = predict(&model, &shuffled, &p2, &[]).failure().code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(err.contains("column `row_id` not in the model"), "{err}");
    assert!(err.contains("--ignore-extra-columns"), "{err}");
    predict(&model, &shuffled, &p2, &["--ignore-extra-columns"]).success();
    let (a, b) = (
        std::fs::read_to_string(&p1).unwrap(),
        std::fs::read_to_string(&p2).unwrap(),
    );
    assert_eq!(a, b);
    // Rows count from 1.
    assert!(a.lines().nth(1).unwrap().starts_with("1,"), "{a}");
    // eval finds the label column by name in the shuffled file too.
    let out = dann()
        .args(["eval", "--json", "--ignore-extra-columns", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&shuffled)
        .assert()
        .success();
    let eval: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(eval["n"], 240);

    // A dropped column: exit 2, naming it.
    let dropped = d.join("dropped.csv");
    std::fs::write(
        &dropped,
        reorder(&text, &["id", "a", "c", "colour", "y"], None),
    )
    .unwrap();
    let out = predict(&model, &dropped, &d.join("p3.csv"), &[])
        .failure()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("missing column `b`"), "{err}");
    assert!(!d.join("p3.csv").exists());

    // The same rows from Parquet train the same model.
    let from_parquet = d.join("mp");
    train(
        &fixture("source.parquet"),
        &fixture("target.parquet"),
        &from_parquet,
        &config,
    )
    .success();
    let p4 = d.join("p4.csv");
    predict(&from_parquet, &fixture("source.csv"), &p4, &[]).success();
    assert_eq!(a, std::fs::read_to_string(&p4).unwrap());
}

/// Without `[data] missing = "impute"`, a missing value is refused with its line, column and
/// the setting; `data info` describes the columns and says "unlabelled" for a target.
#[test]
fn missing_values_are_refused_by_default_and_info_describes_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = train_cmd(
        &fixture("source.csv"),
        &fixture("target.csv"),
        &dir.path().join("m"),
    )
    .args(["--label-column", "y", "--ignore-columns", "id"])
    .assert()
    .failure()
    .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("source.csv:"), "{err}");
    assert!(err.contains("column `c`: missing value"), "{err}");
    assert!(err.contains("[data] missing = \"impute\""), "{err}");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "[data]\nmissing = \"impute\"\n").unwrap();
    let out = dann()
        .args([
            "data",
            "info",
            "--ignore-columns",
            "id",
            "--label-column",
            "y",
            "--config",
        ])
        .arg(&config)
        .arg(fixture("source.csv"))
        .arg(fixture("target_empty_y.csv"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("2 classes [no: 127, yes: 113]"), "{text}");
    assert!(lines[0].contains("label column `y`"), "{text}");
    assert!(
        lines[0].contains("colour (3 categories, some missing)"),
        "{text}"
    );
    assert!(lines[1].contains("unlabelled"), "{text}");
    // A file that cannot be read between two that can: both good ones are described, then
    // the error, and the exit status says so.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "a,b\n1,2\n3\n").unwrap();
    let out = dann()
        .args([
            "data",
            "info",
            "--label-column",
            "y",
            "--ignore-columns",
            "id",
            "--config",
        ])
        .arg(&config)
        .arg(fixture("source.csv"))
        .arg(&bad)
        .arg(fixture("target_empty_y.csv"))
        .assert()
        .code(2);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(
        text.lines().filter(|l| l.contains(".csv")).count(),
        2,
        "{text}"
    );
    assert!(text.contains("unlabelled"), "{text}");
    assert!(err.contains("bad.csv"), "{err}");
    assert!(err.contains("2 of 3 files read"), "{err}");
    // `dann config` explains the column settings.
    let out = dann().arg("config").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("# label_column = \"y\""), "{text}");
    assert!(text.contains("# ignore_columns = [\"id\"]"), "{text}");
}

/// A model saved before schemas were kept (no `schema` in model.json) still loads; its files
/// are read by position, and a note says so.
#[test]
fn a_model_without_a_schema_reads_by_position_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = d.join("s.csv");
    let t = d.join("t.csv");
    std::fs::write(&s, "a,b,label\n0,1,x\n1,0,y\n0,2,x\n2,0,y\n").unwrap();
    std::fs::write(&t, "a,b\n1,1\n2,2\n").unwrap();
    let model = d.join("m");
    train_cmd(&s, &t, &model)
        .args(["--iterations", "20"])
        .assert()
        .success();
    let spec_path = model.join("model.json");
    let mut spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&spec_path).unwrap()).unwrap();
    assert!(spec.as_object_mut().unwrap().remove("schema").is_some());
    std::fs::write(&spec_path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
    let out = predict(&model, &t, &d.join("p.csv"), &[]).success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("kept no schema"), "{err}");
    assert!(err.contains("taken by position"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("p.csv"))
            .unwrap()
            .lines()
            .count(),
        3
    );
}

/// A damaged Parquet file on which the parquet crate panics (byte 4296 of `types.parquet`
/// changed: a column chunk's dictionary page goes missing) is refused like any unreadable
/// file: exit 2, the file named, no panic message.
#[test]
fn a_parquet_file_the_reader_panics_on_is_refused_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(fixture("types.parquet")).unwrap();
    bytes[4296] = 166;
    let damaged = dir.path().join("damaged.parquet");
    std::fs::write(&damaged, bytes).unwrap();
    let out = dann()
        .args(["data", "info"])
        .arg(&damaged)
        .assert()
        .failure()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("damaged.parquet"), "{err}");
    assert!(err.contains("stopped on damaged data"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// At the defaults, a target whose classes come in other proportions (here most target rows
/// lie where the source's rare class is) keeps the source-only network: a warning says why,
/// the summary names it, `model.json` and the report keep the check. `--preset paper`
/// trains DANN without the check.
#[test]
fn a_label_shift_keeps_the_source_only_network_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = |n: usize, from: f64, labelled: bool| {
        let mut text = String::from(if labelled { "x0,x1,label\n" } else { "x0,x1\n" });
        for i in 0..n {
            let x0 = from + i as f64 / n as f64;
            let x1 = ((i * 7919) % 101) as f64 / 101.0;
            let label = if x0 > 0.8 { "rare" } else { "common" };
            text += &format!("{x0:.4},{x1:.4}");
            if labelled {
                text += &format!(",{label}");
            }
            text.push('\n');
        }
        text
    };
    let (source, target) = (d.join("s.csv"), d.join("t.csv"));
    std::fs::write(&source, rows(300, 0.0, true)).unwrap();
    std::fs::write(&target, rows(300, 0.6, false)).unwrap();
    let test = d.join("tt.csv");
    std::fs::write(&test, rows(300, 0.6, true)).unwrap();
    let out = d.join("m");
    let run = dann()
        .args(["train", "--iterations", "1500", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--target-test")
        .arg(&test)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let err = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(err.contains("warning: DANN was not kept"), "{err}");
    assert!(err.contains("trained source-only (DANN not kept"), "{err}");
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    let check = &spec["label_shift"];
    assert_eq!(check["dann_kept"], false, "{check}");
    assert!(check["distance"].as_f64().unwrap() > 0.3, "{check}");
    // Both networks' accuracy on the labelled target rows, in the check and the headline.
    for net in ["dann", "source_only"] {
        let acc = check["target_accuracy"][net].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc), "{check}");
    }
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("id=\"label-shift\""));
    assert!(report.contains("<strong>Source-only kept"), "{report}");
    // The paper's settings: no check, DANN trained.
    let paper = d.join("p");
    let run = dann()
        .args([
            "train",
            "--preset",
            "paper",
            "--iterations",
            "300",
            "--source",
        ])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--out")
        .arg(&paper)
        .assert()
        .success();
    let err = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(err.contains("trained dann"), "{err}");
    let spec = std::fs::read_to_string(paper.join("model.json")).unwrap();
    assert!(!spec.contains("label_shift"), "{spec}");
    let config = std::fs::read_to_string(paper.join("config.toml")).unwrap();
    assert!(config.contains("max_label_shift = 1.0"), "{config}");
}
