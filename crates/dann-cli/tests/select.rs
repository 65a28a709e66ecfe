//! `dann select` and `dann train` with a `[shallow]` section: the paper's whole method on the
//! user's files, and the same machinery under `dann reproduce amazon`.

use std::fs;
use std::path::{Path, PathBuf};

use common::{dann, eval_json, refused, repo_data, stdout_json, train_cmd, write_moons};
use predicates::prelude::*;

mod common;

/// `dann select --source S --target T --config C --out OUT --json`; callers add flags.
fn select_cmd(source: &Path, target: &Path, config: &Path, out: &Path) -> assert_cmd::Command {
    let mut cmd = dann();
    cmd.args(["select", "--quiet", "--json", "--source"])
        .arg(source)
        .arg("--target")
        .arg(target)
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out);
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// On CSV files with string class names: every candidate in grid order, the lowest reverse
/// error chosen, the baseline chosen on the source validation part, PADs in range, the files
/// written, and `dann train` on the written config gives the chosen model back.
#[test]
fn select_on_csv_with_string_classes() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, test) = write_moons(dir.path());
    let config = write(
        dir.path(),
        "select.toml",
        "[shallow]\nlr = 0.05\nepochs = 15\nvalidation = 0.2\n\
         [select]\nlambdas = [0.03, 0.3]\nhidden = [6, 12]\nlrs = [0.05]\n",
    );
    let out = dir.path().join("sel");
    let v = stdout_json(
        &select_cmd(&source, &target, &config, &out)
            .assert()
            .success(),
    );
    let cands = v["candidates"].as_array().unwrap();
    let grid: Vec<(u64, f64)> = cands
        .iter()
        .map(|c| (c["hidden"].as_u64().unwrap(), c["lambda"].as_f64().unwrap()))
        .collect();
    assert_eq!(grid, [(6, 0.03), (6, 0.3), (12, 0.03), (12, 0.3)]);
    let errors: Vec<f64> = cands
        .iter()
        .map(|c| c["reverse"]["error"].as_f64().unwrap())
        .collect();
    let min = errors.iter().copied().fold(f64::INFINITY, f64::min);
    let first = cands[errors.iter().position(|&e| e == min).unwrap()].clone();
    assert_eq!(v["dann"]["lambda"], first["lambda"], "{v}");
    assert_eq!(v["dann"]["hidden"], first["hidden"], "{v}");
    assert_eq!(v["dann"]["reverse_error"].as_f64().unwrap(), min);
    let baseline = v["source_only_candidates"].as_array().unwrap();
    assert_eq!(baseline.len(), 2);
    let best_val = baseline
        .iter()
        .map(|c| c["validation_error"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    let chosen = baseline
        .iter()
        .find(|c| c["validation_error"].as_f64().unwrap() == best_val)
        .unwrap();
    assert_eq!(v["source_only"]["hidden"], chosen["hidden"]);
    let (d, b) = (
        v["dann"]["reverse_error"].as_f64().unwrap(),
        v["source_only"]["reverse_error"].as_f64().unwrap(),
    );
    let verdict = &v["verdict"];
    // (serde_json reads floats to within an ulp.)
    assert!(
        (verdict["difference"].as_f64().unwrap() - (b - d)).abs() < 1e-12,
        "{v}"
    );
    let se = verdict["standard_error"].as_f64().unwrap();
    let expected = if b - d > 2.0 * se {
        "helps"
    } else if d - b > 2.0 * se {
        "does_not_help"
    } else {
        "too_close_to_call"
    };
    assert_eq!(verdict["kind"], expected, "{v}");
    for key in ["inputs", "source_only", "dann"] {
        let p = v["pad"][key].as_f64().unwrap();
        assert!((0.0..=2.0).contains(&p), "{key} {p}");
    }
    assert_eq!(v["held_out"]["source_validation"], 60, "{v}");
    for file in [
        "model.json",
        "model.mpk",
        "config.toml",
        "candidates.md",
        "candidates.csv",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    assert!(out.join("source-only/model.json").exists());
    let csv = fs::read_to_string(out.join("candidates.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4 + 2, "{csv}");
    assert_eq!(
        csv.lines().filter(|l| l.ends_with(",true")).count(),
        2,
        "{csv}"
    );
    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("select.json")).unwrap()).unwrap();
    assert_eq!(written, v);

    // The chosen model and the baseline read the labelled target test file by class name.
    let chosen_eval = eval_json(&out, &test);
    let classes: Vec<&str> = chosen_eval["per_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes.len(), 2);
    assert!(
        classes.contains(&"upper") && classes.contains(&"lower"),
        "{classes:?}"
    );
    eval_json(&out.join("source-only"), &test);
    // The written config retrains the chosen model.
    let retrained = dir.path().join("retrained");
    train_cmd(&source, &target, &retrained)
        .arg("--config")
        .arg(out.join("config.toml"))
        .assert()
        .success();
    assert_eq!(eval_json(&retrained, &test), chosen_eval);
}

/// A dense 800-feature pair (the blocked kernel) goes through the same path.
#[test]
fn select_on_a_dense_800_feature_set() {
    let dir = tempfile::tempdir().unwrap();
    let n_features = 800;
    // Deterministic pseudo-random values; the class moves the first 20 features, the target
    // is shifted everywhere.
    let value = |i: usize, j: usize| ((i * 7919 + j * 104_729) % 1000) as f64 / 1000.0;
    let rows = |n: usize, shift: f64, labelled: bool| {
        let mut header: Vec<String> = (0..n_features).map(|j| format!("f{j}")).collect();
        if labelled {
            header.push("label".into());
        }
        let mut text = header.join(",") + "\n";
        for i in 0..n {
            let class = i % 2;
            let mut cells: Vec<String> = (0..n_features)
                .map(|j| {
                    let signal = if j < 20 { class as f64 } else { 0.0 };
                    format!("{:.3}", value(i, j) + signal + shift)
                })
                .collect();
            if labelled {
                cells.push(if class == 0 { "no" } else { "yes" }.into());
            }
            text += &(cells.join(",") + "\n");
        }
        text
    };
    let source = write(dir.path(), "source.csv", &rows(120, 0.0, true));
    let target = write(dir.path(), "target.csv", &rows(100, 0.3, false));
    let config = write(
        dir.path(),
        "select.toml",
        "[shallow]\nlr = 0.01\nepochs = 3\n[select]\nlambdas = [0.1]\nhidden = [5]\nlrs = [0.01]\n",
    );
    let out = dir.path().join("sel");
    let v = stdout_json(
        &select_cmd(&source, &target, &config, &out)
            .assert()
            .success(),
    );
    assert_eq!(v["candidates"].as_array().unwrap().len(), 1, "{v}");
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert!(spec.to_string().contains("800"), "{spec}");
}

/// An empty grid and a target without rows are refused before any training, naming what is
/// wrong.
#[test]
fn select_refuses_an_empty_grid_and_an_empty_target() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    for (key, text) in [
        ("select.lambdas", "[select]\nlambdas = []\n"),
        ("select.hidden", "[select]\nhidden = []\n"),
        ("select.lrs", "[select]\nlrs = []\n"),
    ] {
        let config = write(dir.path(), "bad.toml", text);
        select_cmd(&source, &target, &config, &dir.path().join("x"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(key).and(predicate::str::contains("empty")));
    }
    let config = write(
        dir.path(),
        "ok.toml",
        "[select]\nlambdas = [0.1]\nhidden = [3]\n",
    );
    let empty = write(dir.path(), "empty.csv", "x0,x1\n");
    select_cmd(&source, &empty, &config, &dir.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty.csv").and(predicate::str::contains("no rows")));
    assert!(!dir.path().join("x").exists(), "nothing written");
}

/// `dann train` with `[shallow]` is one candidate of `dann select` and of `dann reproduce
/// amazon`: on books -> kitchen the same settings and seed give the same DANN (and `select`
/// the same NN) as the reproduction.
#[test]
fn train_select_and_reproduce_share_one_machinery() {
    let dir = tempfile::tempdir().unwrap();
    let amazon = repo_data().join("amazon");
    let (source, target, test) = (
        amazon.join("books_train.svmlight.gz"),
        amazon.join("kitchen_train.svmlight.gz"),
        amazon.join("kitchen_test.svmlight.gz"),
    );
    let out = dann()
        .args([
            "reproduce",
            "amazon",
            "--json",
            "--pairs",
            "books:kitchen",
            "--lambdas",
            "1",
            "--hidden",
            "50",
            "--epochs",
            "6",
            "--seed",
            "3",
            "--data-dir",
        ])
        .arg(repo_data())
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let pair = stdout_json(&out)["pairs"][0].clone();
    assert_eq!(pair["dann_lambda"], 0.1);
    let config = write(
        dir.path(),
        "shallow.toml",
        "[shallow]\nhidden = 50\nlambda = 0.1\nepochs = 6\nseed = 3\n",
    );
    let trained = dir.path().join("trained");
    train_cmd(&source, &target, &trained)
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    assert_eq!(
        eval_json(&trained, &test)["accuracy"],
        pair["dann"],
        "{pair}"
    );
    let selected = dir.path().join("selected");
    select_cmd(&source, &target, &config, &selected)
        .args(["--lambdas", "0.1", "--hidden", "50", "--no-pad"])
        .assert()
        .success();
    assert_eq!(eval_json(&selected, &test)["accuracy"], pair["dann"]);
    assert_eq!(
        eval_json(&selected.join("source-only"), &test)["accuracy"],
        pair["nn"]
    );

    // [shallow] trains by epochs on the kernels: burn and iteration counts are refused.
    for (flag, value, message) in [
        ("--engine", "burn", "remove the [shallow] section"),
        ("--iterations", "10", "shallow.epochs"),
    ] {
        train_cmd(&source, &target, &dir.path().join("x"))
            .arg("--config")
            .arg(&config)
            .args([flag, value])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

/// With the defaults (the paper's grid and training), `dann select` on books -> kitchen picks
/// the candidate of the checked-in seed-0 table (`results/amazon.csv`, written by `dann
/// reproduce amazon`) and its model scores that table's accuracy on the kitchen test reviews.
#[test]
fn select_picks_the_tables_books_kitchen_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let amazon = repo_data().join("amazon");
    let table = fs::read_to_string(repo_data().join("../results/amazon.csv")).unwrap();
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = table
        .lines()
        .find(|l| l.starts_with("books,kitchen,"))
        .unwrap()
        .split(',')
        .collect();
    let field = |name: &str| -> f64 {
        row[header.iter().position(|h| *h == name).unwrap()]
            .parse()
            .unwrap()
    };
    let out = dir.path().join("sel");
    let v = stdout_json(
        &dann()
            .args(["select", "--quiet", "--json", "--no-pad", "--source"])
            .arg(amazon.join("books_train.svmlight.gz"))
            .arg("--target")
            .arg(amazon.join("kitchen_train.svmlight.gz"))
            .arg("--out")
            .arg(&out)
            .assert()
            .success(),
    );
    // Equal to the last digit (serde_json reads floats to within an ulp).
    let same = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}: {v}");
    same(v["dann"]["lambda"].as_f64().unwrap(), field("dann_lambda"));
    same(v["dann"]["hidden"].as_f64().unwrap(), field("dann_hidden"));
    same(
        v["source_only"]["hidden"].as_f64().unwrap(),
        field("nn_hidden"),
    );
    let test = amazon.join("kitchen_test.svmlight.gz");
    same(
        eval_json(&out, &test)["accuracy"].as_f64().unwrap(),
        field("dann"),
    );
    let baseline = eval_json(&out.join("source-only"), &test);
    same(baseline["accuracy"].as_f64().unwrap(), field("nn"));
}

/// `[select] engine = "burn"`: every candidate is the config's `[model]` and `[train]` with
/// the grid's lambda, hidden width and learning rate, trained with burn; the lowest reverse
/// error is chosen; the chosen DANN and the baseline are saved as models with the configs
/// that train them; `auto` picks burn for a network the kernels cannot run.
#[test]
fn select_over_deep_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, test) = write_moons(dir.path());
    let config = write(
        dir.path(),
        "deep.toml",
        "[select]\nengine = \"burn\"\nlambdas = [0.1, 1.0]\nhidden = [8, 16]\n\
         [model.feature]\nhidden = [16, 16]\nactivation = \"relu\"\n\
         [train]\niterations = 200\n",
    );
    let out = dir.path().join("sel");
    let assert = select_cmd(&source, &target, &config, &out)
        .assert()
        .success();
    let report = stdout_json(&assert);
    assert_eq!(report["engine"], "burn");
    let candidates = report["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 4);
    // Grid order: hidden width, then lambda; the default learning rate is [train]'s own.
    let hidden: Vec<u64> = candidates
        .iter()
        .map(|c| c["hidden"].as_u64().unwrap())
        .collect();
    assert_eq!(hidden, [8, 8, 16, 16]);
    assert!(candidates.iter().all(|c| c["lr"].as_f64() == Some(0.01)));
    let errors: Vec<f64> = candidates
        .iter()
        .map(|c| c["reverse"]["error"].as_f64().unwrap())
        .collect();
    let chosen = report["chosen"].as_u64().unwrap() as usize;
    let min = errors.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(errors[chosen], min);
    assert!(
        errors.iter().take(chosen).all(|&e| e > min),
        "the earlier on ties"
    );
    for f in [
        "candidates.md",
        "candidates.csv",
        "select.json",
        "config.toml",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    // The chosen DANN's config: the grid's values on [model] and [train], on burn.
    let written = fs::read_to_string(out.join("config.toml")).unwrap();
    let width = candidates[chosen]["hidden"].as_u64().unwrap();
    assert!(
        written.contains(&format!("hidden = [\n    {width},\n    {width},\n]"))
            || written.contains(&format!("hidden = [{width}, {width}]")),
        "{written}"
    );
    assert!(written.contains("engine = \"burn\""), "{written}");
    assert!(written.contains("activation = \"relu\""), "{written}");
    // Both models evaluate.
    for model in [out.clone(), out.join("source-only")] {
        let e = eval_json(&model, &test);
        let acc = e["accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc), "{e}");
    }
    let so = fs::read_to_string(out.join("source-only/config.toml")).unwrap();
    assert!(so.contains("mode = \"source_only\""), "{so}");
    // `auto` with a ReLU network (the kernels run only sigmoid units): burn too.
    let auto = write(
        dir.path(),
        "auto.toml",
        "[select]\nlambdas = [0.3]\nhidden = [8]\n\
         [model.feature]\nhidden = [8]\nactivation = \"relu\"\n[train]\niterations = 100\n",
    );
    let assert = select_cmd(&source, &target, &auto, &dir.path().join("auto"))
        .assert()
        .success();
    assert_eq!(stdout_json(&assert)["engine"], "burn");
}

/// `[select] optimizers`: every candidate per optimiser (auto resolves to burn), the column
/// in candidates.csv, the chosen one's optimiser in its config.toml; the shallow kernels
/// refuse the axis.
#[test]
fn select_over_optimizers() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let config = write(
        dir.path(),
        "opt.toml",
        "[select]\nlambdas = [0.3]\nhidden = [8]\n\
         optimizers = [{ kind = \"sgd\" }, { kind = \"adam\", beta1 = 0.8 }]\n\
         [train]\niterations = 100\n",
    );
    let out = dir.path().join("sel");
    let assert = select_cmd(&source, &target, &config, &out)
        .assert()
        .success();
    let report = stdout_json(&assert);
    assert_eq!(report["engine"], "burn");
    let kinds = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["optimizer"]["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds("candidates"), ["sgd", "adam"]);
    assert_eq!(kinds("source_only_candidates"), ["sgd", "adam"]);
    let csv = fs::read_to_string(out.join("candidates.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains(",optimizer,"), "{csv}");
    assert_eq!(
        csv.lines().filter(|l| l.contains(",adam,")).count(),
        2,
        "{csv}"
    );
    let chosen = report["chosen"].as_u64().unwrap() as usize;
    let kind = &kinds("candidates")[chosen];
    let written = fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(written.contains(&format!("kind = \"{kind}\"")), "{written}");
    if kind == "adam" {
        assert!(written.contains("beta1 = 0.8"), "{written}");
    }
    let shallow = write(
        dir.path(),
        "shallow.toml",
        "[select]\nengine = \"shallow\"\noptimizers = [{ kind = \"adam\" }]\n",
    );
    refused(
        select_cmd(&source, &target, &shallow, &dir.path().join("no")),
        &["select.optimizers", "SGD only"],
    );
}
