//! End-to-end tests of the `dann` binary in temporary directories.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{dann, eval_json, repo_data, train_cmd, write_moons};
use predicates::prelude::*;

mod common;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

const SMALL_RUN: &str = r#"
[model.feature]
hidden = [15]
[train]
iterations = 400
log_every = 100
[train.lr]
kind = "constant"
value = 0.05
[train.lambda]
kind = "constant"
value = 1.0
"#;

#[test]
fn train_eval_predict_on_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, test) = write_moons(dir.path());
    let config = dir.path().join("run.toml");
    fs::write(&config, SMALL_RUN).unwrap();
    let out = dir.path().join("model");
    dann()
        .args(["train", "--quiet", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--target-test")
        .arg(&test)
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    for f in ["model.json", "model.mpk", "config.toml", "metrics.jsonl"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let metrics = fs::read_to_string(out.join("metrics.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = metrics
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 4);
    for key in [
        "label_loss",
        "domain_loss",
        "domain_accuracy",
        "source_accuracy",
        "target_accuracy",
        "lambda",
        "lr",
    ] {
        assert!(records[3][key].is_number(), "{key} in {}", records[3]);
    }
    assert_eq!(records[3]["iteration"], 400);
    // The resolved config is complete and reloadable as a run config.
    let resolved = fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(resolved.contains("iterations = 400"), "{resolved}");

    let e = eval_json(&out, &source);
    assert_eq!(e["n"], 300);
    assert!(e["accuracy"].as_f64().unwrap() > 0.8, "{e}");
    let classes: Vec<&str> = e["per_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes, ["lower", "upper"]);

    dann()
        .args(["eval", "--model"])
        .arg(&out)
        .arg("--data")
        .arg(&test)
        .assert()
        .success()
        .stdout(predicate::str::contains("accuracy").and(predicate::str::contains("upper")));

    let preds = dir.path().join("preds.csv");
    dann()
        .args(["predict", "--model"])
        .arg(&out)
        .arg("--data")
        .arg(&target)
        .arg("--out")
        .arg(&preds)
        .assert()
        .success();
    let text = fs::read_to_string(&preds).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "row,label,probability,p_lower,p_upper");
    assert_eq!(lines.len(), 301);
    let fields: Vec<&str> = lines[1].split(',').collect();
    assert!(fields[1] == "lower" || fields[1] == "upper");
    let p: f64 = fields[2].parse().unwrap();
    assert!((0.5..=1.0).contains(&p));

    // predict never replaces a file unless --force.
    dann()
        .args(["predict", "--model"])
        .arg(&out)
        .arg("--data")
        .arg(&target)
        .arg("--out")
        .arg(&preds)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(fs::read_to_string(&preds).unwrap(), text);

    // A second run into the same directory must not silently replace the model.
    dann()
        .args(["train", "--quiet", "--iterations", "5", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    // With --force, a run that fails (bad input, or diverging in training) leaves the old
    // model, its config and its metrics as they were, and no temporary file.
    let snapshot = |dir: &Path| {
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_file())
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&out);
    let diverging = dir.path().join("diverging.toml");
    fs::write(
        &diverging,
        "[model.feature]\nhidden = [8]\nactivation = \"relu\"\n[train]\niterations = 50\n\
         [train.lr]\nkind = \"constant\"\nvalue = 1e30\n",
    )
    .unwrap();
    for (target, config) in [
        (dir.path().join("missing.csv"), None),
        (target, Some(&diverging)),
    ] {
        let mut cmd = dann();
        cmd.args(["train", "--quiet", "--force", "--source"])
            .arg(&source)
            .arg("--target")
            .arg(&target)
            .arg("--out")
            .arg(&out);
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        cmd.assert().code(2);
        assert!(
            snapshot(&out) == before,
            "--force run changed {}",
            out.display()
        );
    }
}

#[test]
fn train_on_sparse_svmlight_source_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    dann()
        .args([
            "train",
            "--quiet",
            "--mode",
            "source-only",
            "--iterations",
            "50",
            "--log-every",
            "25",
            "--source",
        ])
        .arg(fixture("source.svm"))
        .arg("--target")
        .arg(fixture("target.svm"))
        .arg("--target-test")
        .arg(fixture("target.svm"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert_eq!(spec["n_features"], 5, "source padded to the target's width");
    assert_eq!(spec["class_names"], serde_json::json!(["-1", "1"]));
    let metrics = fs::read_to_string(out.join("metrics.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(metrics.lines().last().unwrap()).unwrap();
    assert!(
        last["domain_loss"].is_null(),
        "no domain term in source-only mode"
    );
}

#[test]
fn malformed_data_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fixture("bad_value.svm");
    dann()
        .args(["train", "--quiet", "--source"])
        .arg(&bad)
        .arg("--target")
        .arg(fixture("target.svm"))
        .arg("--out")
        .arg(dir.path().join("m"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}:4: value `oops`",
            bad.display()
        )));
    assert!(
        !dir.path().join("m").exists(),
        "nothing written on bad input"
    );
}

#[test]
fn bad_config_names_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("run.toml");
    fs::write(&config, "[train]\niterations = 10\nbatch_sise = 3\n").unwrap();
    dann()
        .args([
            "train", "--source", "s", "--target", "t", "--out", "o", "--config",
        ])
        .arg(&config)
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(":3:").and(predicate::str::contains("batch_sise")));

    fs::write(&config, "[train]\nsource_fraction = 1.5\n").unwrap();
    dann()
        .args([
            "train", "--source", "s", "--target", "t", "--out", "o", "--config",
        ])
        .arg(&config)
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("train.source_fraction"));
    assert!(!dir.path().join("o").exists(), "bad settings write nothing");
}

#[test]
fn missing_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    dann()
        .args([
            "train",
            "--source",
            "/no/such/file.svm",
            "--target",
            "t.svm",
            "--out",
        ])
        .arg(dir.path().join("m"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/file.svm"));
    dann()
        .args(["eval", "--model"])
        .arg(dir.path())
        .args(["--data", "x.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("model.json"));
}

#[test]
fn default_config_round_trips() {
    let out = dann().arg("config").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("[train]") && text.contains("[model.feature]"),
        "{text}"
    );
    // [shallow] switches train to Algorithm 1, so only --shallow prints it.
    assert!(
        text.contains("[select]") && !text.contains("[shallow]"),
        "{text}"
    );
    let out = dann().args(["config", "--shallow"]).assert().success();
    let shallow = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        shallow.contains("[shallow]") && shallow.contains("validation = 0.1"),
        "{shallow}"
    );
    // The paper's image networks, each with its input size.
    let mut networks = Vec::new();
    for (network, input) in [("mnist", "28"), ("svhn", "32"), ("gtsrb", "40")] {
        let out = dann()
            .args(["config", "--network", network])
            .assert()
            .success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(
            text.contains("[model.conv]") && text.contains(&format!("{input},\n]")),
            "{network}: {text}"
        );
        networks.push((format!("{network}.toml"), text));
    }
    // Every printed config is accepted as a config file (train fails fast on the missing data).
    let dir = tempfile::tempdir().unwrap();
    let printed = [
        ("run.toml".to_string(), text),
        ("shallow.toml".into(), shallow),
    ];
    for (name, config) in printed.iter().chain(&networks) {
        let path = dir.path().join(name);
        fs::write(&path, config).unwrap();
        dann()
            .args([
                "train",
                "--source",
                "/no/source.svm",
                "--target",
                "t",
                "--out",
            ])
            .arg(dir.path().join("m"))
            .arg("--config")
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("/no/source.svm"));
    }
}

#[test]
fn demo_moons_json() {
    let out = dann()
        .args(["demo", "moons", "--json", "--seeds", "1", "--epochs", "20"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    for key in ["source_only", "dann"] {
        let acc = v[key]["target_accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc), "{v}");
    }
    assert_eq!(v["seeds"], serde_json::json!([0]));
    assert_eq!(v["procedure"], "authors");
    // --plot draws Figure 2: decisions, features on two principal components, the domain.
    let dir = tempfile::tempdir().unwrap();
    dann()
        .args(["demo", "moons", "--seeds", "1", "--epochs", "20", "--plot"])
        .arg(dir.path())
        .assert()
        .success();
    for stem in [
        "label_nn",
        "label_dann",
        "features_nn",
        "features_dann",
        "domain_dann",
    ] {
        let png = image::open(dir.path().join(format!("{stem}.png"))).unwrap();
        assert_eq!((png.width(), png.height()), (700, 520), "{stem}");
        let mut colours: Vec<[u8; 3]> = png.to_rgb8().pixels().map(|p| p.0).collect();
        colours.sort_unstable();
        colours.dedup();
        assert!(colours.len() > 20, "{stem} looks blank");
        // A figure fit for a paper: small enough to embed, with its axes and legend named.
        let svg = std::fs::read_to_string(dir.path().join(format!("{stem}.svg"))).unwrap();
        assert!(svg.len() < 200_000, "{stem}.svg: {} bytes", svg.len());
        let axes = if stem.starts_with("features") {
            ["PC 1", "PC 2"]
        } else {
            ["x0", "x1"]
        };
        for words in axes.into_iter().chain(["source", "target"]) {
            assert!(svg.contains(words), "{stem}.svg lacks {words}");
        }
    }
    // The batched procedure takes --iterations, and each refuses the other's budget.
    dann()
        .args([
            "demo",
            "moons",
            "--json",
            "--seeds",
            "1",
            "--procedure",
            "iterations",
        ])
        .args(["--iterations", "300"])
        .assert()
        .success();
    dann()
        .args(["demo", "moons", "--iterations", "300"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--procedure iterations"));
}

#[test]
fn help_documents_every_command() {
    let out = dann().arg("--help").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for cmd in [
        "train",
        "eval",
        "predict",
        "demo",
        "config",
        "select",
        "shift",
        "reproduce",
        "bench",
    ] {
        assert!(text.contains(cmd), "{cmd} missing from --help");
    }
}

/// `dann shift --source S --target T [--model M]`; callers add flags.
fn shift_cmd(source: &Path, target: &Path, model: Option<&Path>) -> Command {
    let mut cmd = dann();
    cmd.args(["shift", "--source"])
        .arg(source)
        .arg("--target")
        .arg(target);
    if let Some(m) = model {
        cmd.arg("--model").arg(m);
    }
    cmd
}

/// `shift --model` reads the files the way the model's training did (its `config.toml`), here
/// semicolon-separated CSV, which the defaults cannot read.
#[test]
fn shift_reads_files_as_the_model_was_trained() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let semicolons = |path: &Path, name: &str| {
        let out = dir.path().join(name);
        fs::write(&out, fs::read_to_string(path).unwrap().replace(',', ";")).unwrap();
        out
    };
    let (source, target) = (semicolons(&source, "s.csv"), semicolons(&target, "t.csv"));
    let config = dir.path().join("run.toml");
    fs::write(
        &config,
        format!("{SMALL_RUN}\n[data.csv]\ndelimiter = \";\"\n"),
    )
    .unwrap();
    let model = dir.path().join("m");
    train_cmd(&source, &target, &model)
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    let out = shift_cmd(&source, &target, Some(&model))
        .arg("--json")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["space"], "model features");
    // Without the model (or a config) the default comma delimiter cannot read them.
    shift_cmd(&source, &target, None)
        .assert()
        .failure()
        .stderr(predicate::str::contains("s.csv"));
}

#[test]
fn shift_measures_raw_and_model_space() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let out = shift_cmd(&source, &target, None)
        .arg("--json")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let pad = v["pad"].as_f64().unwrap();
    assert!((0.0..=2.0).contains(&pad), "{v}");
    assert_eq!(v["space"], "raw inputs");
    assert_eq!(
        v["n_train"].as_u64().unwrap() + v["n_test"].as_u64().unwrap(),
        600
    );

    let model = dir.path().join("m");
    train_cmd(&source, &target, &model)
        .args(["--iterations", "50"])
        .assert()
        .success();
    shift_cmd(&source, &target, Some(&model))
        .assert()
        .success()
        .stdout(predicate::str::contains("on model features"));
}

#[test]
fn reproduce_amazon_small_run_writes_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dann()
        .args([
            "reproduce",
            "amazon",
            "--json",
            "--pairs",
            "electronics:kitchen",
            "--lambdas",
            "1",
            "--hidden",
            "50",
            "--epochs",
            "3",
            "--lr",
            "1e-2",
            "--patience",
            "2",
            "--stopping",
            "fixed",
            "--pad",
            "--data-dir",
        ])
        .arg(repo_data())
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let pair = &v["pairs"][0];
    // The page: the table beside the paper's, and Figure 3's scatters.
    let html = fs::read_to_string(dir.path().join("amazon.html")).unwrap();
    let dann_acc = format!("<td>{:.3}</td>", pair["dann"].as_f64().unwrap());
    assert!(
        html.contains("electronics &rarr; kitchen") && html.contains(&dann_acc),
        "{html}"
    );
    for stem in ["pad_raw_vs_dann", "pad_nn_vs_dann"] {
        assert!(
            dir.path().join(format!("plots/{stem}.png")).exists(),
            "{stem}"
        );
        assert!(html.contains(&format!("id=\"plot-{stem}\"")), "{stem}");
    }
    assert_eq!(pair["source"], "electronics");
    assert_eq!(pair["paper"], serde_json::json!([0.854, 0.854, 0.847]));
    for key in ["dann", "nn", "svm"] {
        assert!(pair[key].as_f64().unwrap() > 0.6, "{pair}");
    }
    let md = fs::read_to_string(dir.path().join("amazon.md")).unwrap();
    assert!(md.contains("| electronics -> kitchen |"), "{md}");
    let csv = fs::read_to_string(dir.path().join("amazon.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2);
    // A second run into the same folder never replaces the first one's tables unless --force.
    dann()
        .args(["reproduce", "amazon", "--pairs", "books:kitchen", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("amazon.md from an earlier run")
                .and(predicate::str::contains("--force")),
        );
    assert_eq!(
        fs::read_to_string(dir.path().join("amazon.md")).unwrap(),
        md
    );

    dann()
        .args(["reproduce", "amazon", "--pairs", "books:music"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown domain `music`"));
    dann()
        .args(["reproduce", "amazon", "--stopping", "never"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values: fixed, growing"));
    dann()
        .args(["reproduce", "amazon", "--lr", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`--lr`: must be > 0, got 0"));
    // Into a temporary folder: a run that fails on its data has already made its --out.
    let tmp = tempfile::tempdir().unwrap();
    dann()
        .args([
            "reproduce",
            "amazon",
            "--pairs",
            "books:dvd",
            "--data-dir",
            "/no/such/dir",
            "--out",
        ])
        .arg(tmp.path().join("amazon"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/dir"));
}

#[test]
fn bench_shallow_reports_speedups() {
    let out = dann()
        .args([
            "bench",
            "shallow",
            "--json",
            "--sparse-steps",
            "500",
            "--dense-steps",
            "5",
            "--repeats",
            "1",
            "--dense-width",
            "600",
            "--dense-rows",
            "40",
            "--data-dir",
        ])
        .arg(repo_data())
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(v["sparse_examples_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["dense_burn_examples_per_s"].as_f64().unwrap() > 0.0);
    assert_eq!(v["dense_width"], 600);
    assert!(v["dense_blocked_examples_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["dense_per_example_examples_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["torch_examples_per_s"].is_null());
}

/// `--engine shallow` and `--engine burn` train the same network to the same model (the
/// kernels follow burn's steps); the summary names the engine; eval and predict read either
/// model; the kernels refuse a network they cannot run, naming the setting.
#[test]
fn both_engines_train_the_same_model_through_one_path() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, test) = write_moons(dir.path());
    let config = dir.path().join("run.toml");
    fs::write(&config, SMALL_RUN).unwrap();
    let mut accuracies = Vec::new();
    for engine in ["shallow", "burn"] {
        let out = dir.path().join(engine);
        let run = dann()
            .args(["train", "--engine", engine, "--source"])
            .arg(&source)
            .arg("--target")
            .arg(&target)
            .arg("--config")
            .arg(&config)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let said = String::from_utf8(run.get_output().stderr.clone()).unwrap();
        let name = if engine == "shallow" {
            "on the shallow kernels"
        } else {
            "on burn"
        };
        assert!(said.contains(name), "{said}");
        accuracies.push(eval_json(&out, &test)["accuracy"].as_f64().unwrap());
        dann()
            .args(["predict", "--model"])
            .arg(&out)
            .arg("--data")
            .arg(&test)
            .arg("--out")
            .arg(dir.path().join(format!("{engine}.csv")))
            .assert()
            .success();
    }
    assert!(
        (accuracies[0] - accuracies[1]).abs() <= 1.0 / 300.0,
        "{accuracies:?}"
    );
    let relu = dir.path().join("relu.toml");
    fs::write(
        &relu,
        SMALL_RUN.replace("hidden = [15]", "hidden = [15]\nactivation = \"relu\""),
    )
    .unwrap();
    train_cmd(&source, &target, &dir.path().join("relu"))
        .args(["--engine", "shallow", "--config"])
        .arg(&relu)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("train.engine").and(predicate::str::contains("sigmoid")));
}

/// The SVMlight index base is decided once per run and stored with the model: a test file
/// of a 0-based run whose rows happen to lack index 0 is read 0-based too (guessed per file,
/// it was read 1-based and every column shifted by one).
#[test]
fn the_index_base_is_decided_once_and_kept_with_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let rows = |n: usize| -> String {
        (0..n)
            .map(|i| if i % 2 == 0 { "1 0:1\n" } else { "-1 1:1\n" })
            .collect()
    };
    let source = dir.path().join("source.svm");
    let target = dir.path().join("target.svm");
    let test = dir.path().join("test.svm");
    fs::write(&source, rows(60)).unwrap();
    fs::write(&target, rows(60)).unwrap();
    fs::write(&test, "-1 1:1\n".repeat(10)).unwrap();
    let model = dir.path().join("m");
    train_cmd(&source, &target, &model)
        .args(["--iterations", "300"])
        .assert()
        .success();
    let config = fs::read_to_string(model.join("config.toml")).unwrap();
    assert!(config.contains("index_base = \"zero\""), "{config}");
    let e = eval_json(&model, &test);
    assert_eq!(e["accuracy"], 1.0, "{e}");
}

/// Without a terminal (a log file, CI), `train` prints one plain line per metrics record,
/// with the losses, instead of a progress bar; `--quiet` prints none.
#[test]
fn progress_is_plain_lines_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let out = dann()
        .args([
            "train",
            "--iterations",
            "300",
            "--log-every",
            "100",
            "--source",
        ])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--out")
        .arg(dir.path().join("m"))
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("iter")).collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[2].contains("label loss") && lines[2].contains("domain loss"),
        "{stderr}"
    );
    let quiet = train_cmd(&source, &target, &dir.path().join("q"))
        .args(["--iterations", "300", "--log-every", "100"])
        .assert()
        .success();
    assert!(quiet.get_output().stderr.is_empty());
}
