//! The run directory as one unit: `train --force` killed at any moment leaves the old run or
//! the new one, whole; two runs never write one folder; a resume proves its data; a run
//! never writes over what it reads.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{dann, refused, train_cmd, write_moons};

/// A short burn run; `iterations` and `seed` tell the old run from the new one.
fn config(dir: &Path, name: &str, iterations: usize, seed: u64, every: usize) -> PathBuf {
    let path = dir.join(name);
    let checkpoints = if every > 0 {
        format!("checkpoint_every = {every}\n")
    } else {
        String::new()
    };
    let text = format!(
        "[model.feature]\nhidden = [8]\n\n[train]\nengine = \"burn\"\niterations = \
         {iterations}\nseed = {seed}\nlog_every = 50\n{checkpoints}"
    );
    fs::write(&path, text).unwrap();
    path
}

/// The files a user sees in a run directory (hidden files and an interrupted run's
/// checkpoints aside), with the text of those that are reproducible (the weights' parameter
/// ids, hence model.json's checksum of them, and the pictures differ from run to run).
#[derive(Debug, PartialEq)]
struct Visible(BTreeMap<String, Option<String>>);

fn visible(dir: &Path) -> Visible {
    let mut files = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "checkpoint" {
            continue;
        }
        let compared = ["config.toml", "metrics.jsonl", "shift.json"];
        let text = compared
            .contains(&name.as_str())
            .then(|| fs::read_to_string(entry.path()).unwrap());
        files.insert(name, text);
    }
    Visible(files)
}

impl Visible {
    fn names(&self) -> Vec<&String> {
        self.0.keys().collect()
    }
}

fn siblings(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".run."))
        .collect()
}

#[test]
fn train_force_killed_at_any_file_or_the_swap_leaves_the_old_run_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let old_config = config(dir.path(), "old.toml", 100, 1, 0);
    let new_config = config(dir.path(), "new.toml", 150, 2, 0);
    let out = dir.path().join("run");
    let reference = dir.path().join("reference");
    for (config, out) in [(&old_config, &out), (&new_config, &reference)] {
        train_cmd(&source, &target, out)
            .arg("--config")
            .arg(config)
            .assert()
            .success();
    }
    let old = visible(&out);
    let new = visible(&reference);
    assert_ne!(
        old, new,
        "the two runs must differ for the test to see a mix"
    );

    // Every file boundary until the run gets through them all, then both sides of the swap.
    let points = (1..=80)
        .map(|k| format!("file:{k}"))
        .chain(["swap".to_string(), "swapped".to_string()]);
    let put_back_old = || {
        fs::remove_dir_all(&out).unwrap();
        train_cmd(&source, &target, &out)
            .arg("--config")
            .arg(&old_config)
            .assert()
            .success();
    };
    let mut kills = 0;
    let mut finished = false;
    for point in points {
        if finished && point.starts_with("file:") {
            continue;
        }
        let run = train_cmd(&source, &target, &out)
            .arg("--config")
            .arg(&new_config)
            .arg("--force")
            .env("DANN_FAILPOINT", &point)
            .output()
            .unwrap();
        if run.status.success() {
            // Fewer file boundaries than `point`: the run finished; put the old one back.
            assert!(
                point.starts_with("file:"),
                "the swap point {point} was not reached"
            );
            assert!(visible(&out) == new, "a finished run at {point}");
            finished = true;
            put_back_old();
            continue;
        }
        kills += 1;
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains("DANN_FAILPOINT: aborting"),
            "{point}: {stderr}"
        );
        let now = visible(&out);
        assert!(
            now == old || now == new,
            "killed at {point}: neither the old run nor the new one ({:?})",
            now.names()
        );
        if now == new {
            assert_eq!(point, "swapped", "the new run was in place before the swap");
            put_back_old();
        }
        // The model in place is whole: eval reads it.
        dann()
            .args(["eval", "--model"])
            .arg(&out)
            .arg("--data")
            .arg(&source)
            .assert()
            .success();
    }
    assert!(finished, "the run never got through its files");
    assert!(kills > 8, "only {kills} kill points were reached");
    // The next run cleans what the killed ones left beside the folder.
    train_cmd(&source, &target, &out)
        .arg("--config")
        .arg(&new_config)
        .arg("--force")
        .assert()
        .success();
    assert!(visible(&out) == new);
    assert_eq!(siblings(dir.path()), Vec::<String>::new());
}

#[test]
fn a_second_run_into_a_folder_being_written_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let long = config(dir.path(), "long.toml", 1_000_000, 1, 0);
    let out = dir.path().join("run");
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("dann"))
        .args(["train", "-q", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--config")
        .arg(&long)
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !fs::read_to_string(out.join(dann::run::LOCK_FILE)).is_ok_and(|t| t.contains("pid")) {
        assert!(start.elapsed() < Duration::from_secs(60), "no lock taken");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = format!("pid {}", first.id());
    let mut second = train_cmd(&source, &target, &out);
    second.arg("--config").arg(&long);
    refused(
        second,
        &["is being written by dann", &pid, "choose another --out"],
    );
    let mut forced = train_cmd(&source, &target, &out);
    forced.arg("--config").arg(&long).arg("--force");
    refused(forced, &["is being written by dann", &pid]);
    first.kill().unwrap();
    first.wait().unwrap();
}

#[test]
fn a_resume_refuses_an_input_that_changed_and_a_damaged_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let ck = config(dir.path(), "ck.toml", 400, 1, 100);
    let out = dir.path().join("run");
    // Killed right after its first checkpoint: run.toml, the metrics stream, the two
    // records, checkpoint.json.
    let killed = train_cmd(&source, &target, &out)
        .arg("--config")
        .arg(&ck)
        .env("DANN_FAILPOINT", "file:5")
        .output()
        .unwrap();
    assert!(!killed.status.success());
    assert!(out.join("checkpoint/checkpoint.json").exists());
    // Every label flipped, the same rows and size.
    let text = fs::read_to_string(&source).unwrap();
    let flipped = text
        .replace("upper", "UPPER")
        .replace("lower", "upper")
        .replace("UPPER", "lower");
    assert_eq!(flipped.len(), text.len());
    fs::write(&source, &flipped).unwrap();
    let mut resume = dann();
    resume.args(["train", "-q", "--resume"]).arg(&out);
    refused(
        resume,
        &["source.csv", "changed since the run started", "--force"],
    );
    fs::write(&source, &text).unwrap();
    // A hand-edited checkpoint.json is refused, not resumed from.
    let state = out.join("checkpoint/checkpoint.json");
    let json = fs::read_to_string(&state).unwrap();
    fs::write(
        &state,
        json.replace("\"iteration\":100", "\"iteration\":400"),
    )
    .unwrap();
    let mut resume = dann();
    resume.args(["train", "-q", "--resume"]).arg(&out);
    refused(resume, &["checkpoint.json", "checksum does not match"]);
    fs::write(&state, json).unwrap();
    dann()
        .args(["train", "-q", "--resume"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("model.json").exists() && !out.join("checkpoint").exists());
}

#[test]
fn a_run_never_writes_over_its_inputs_or_files_it_does_not_own() {
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("own");
    fs::create_dir(&own).unwrap();
    let (source, target, _) = write_moons(&own);
    let text = "# mine\n[train]\niterations = 50\n[files]\nsource = \"source.csv\"\n\
                target = \"target.csv\"\nout = \".\"\n";
    let config = own.join("config.toml");
    fs::write(&config, text).unwrap();
    let mut cmd = dann();
    cmd.args(["train", "-q", "--config"]).arg(&config);
    refused(cmd, &["config.toml (--config)", "which the run reads"]);
    assert_eq!(fs::read_to_string(&config).unwrap(), text);
    // A folder of other files (the inputs, say) is refused before anything is written.
    let mut cmd = train_cmd(&source, &target, &own);
    cmd.arg("--force");
    refused(cmd, &["which the run reads"]);
    let other = dir.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("notes.txt"), "keep me").unwrap();
    refused(
        train_cmd(&source, &target, &other),
        &[
            "not a dann run's (notes.txt)",
            "choose a new or empty folder",
        ],
    );
    assert_eq!(
        fs::read_to_string(other.join("notes.txt")).unwrap(),
        "keep me"
    );
    // --out naming a file says --out.
    refused(
        train_cmd(&source, &target, &source),
        &["--out", "is a file"],
    );
}

#[test]
fn the_report_of_an_interrupted_run_says_it_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let ck = config(dir.path(), "ck.toml", 400, 1, 100);
    let out = dir.path().join("run");
    // Killed after its second checkpoint (its metrics stream has records by then).
    let killed = train_cmd(&source, &target, &out)
        .arg("--config")
        .arg(&ck)
        .env("DANN_FAILPOINT", "file:8")
        .output()
        .unwrap();
    assert!(!killed.status.success());
    let report = dann().arg("report").arg(&out).assert().success();
    let stderr = String::from_utf8_lossy(&report.get_output().stderr).into_owned();
    assert!(stderr.contains("incomplete run"), "{stderr}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"incomplete\""), "no banner");
    assert!(html.contains("--resume"), "the banner says how to continue");
}
