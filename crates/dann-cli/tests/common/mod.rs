//! Helpers shared by the CLI test files (each file uses some of them).
#![allow(dead_code)]

pub mod browser;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use dann::experiments::moons::MoonsConfig;

/// The `dann` binary.
pub fn dann() -> Command {
    Command::cargo_bin("dann").expect("binary built")
}

/// The data shipped in the repository (`data/amazon`).
pub fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The JSON that `dann eval --json` prints for `model` on `data`.
pub fn eval_json(model: &Path, data: &Path) -> serde_json::Value {
    let out = dann()
        .args(["eval", "--json", "--model"])
        .arg(model)
        .arg("--data")
        .arg(data)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// `dann train --quiet --source S --target T --out OUT`; callers add settings.
pub fn train_cmd(source: &Path, target: &Path, out: &Path) -> Command {
    let mut cmd = dann();
    cmd.args(["train", "--quiet", "--source"])
        .arg(source)
        .arg("--target")
        .arg(target)
        .arg("--out")
        .arg(out);
    cmd
}

/// The JSON a command printed on stdout.
pub fn stdout_json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// A short moons run (400 iterations, a record every 100, target accuracy from the test
/// set) in `dir/run`; returns that run directory.
pub fn short_run(dir: &Path) -> PathBuf {
    let (source, target, test) = write_moons(dir);
    let run = dir.join("run");
    train_cmd(&source, &target, &run)
        .args(["--iterations", "400", "--log-every", "100", "--target-test"])
        .arg(&test)
        .assert()
        .success();
    run
}

/// Writes the moons problem as CSV files (`x0,x1,label`) into `dir`.
pub fn write_moons(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let p = MoonsConfig::default().generate().unwrap();
    let write = |name: &str, ds: &dann::Dataset, labels: Option<&[usize]>| {
        let mut text = String::from(if labels.is_some() {
            "x0,x1,label\n"
        } else {
            "x0,x1\n"
        });
        let mut row = [0f32; 2];
        for i in 0..ds.len() {
            ds.features().write_row(i, &mut row);
            text += &format!("{},{}", row[0], row[1]);
            if let Some(l) = labels {
                text += &format!(",{}", if l[i] == 0 { "upper" } else { "lower" });
            }
            text += "\n";
        }
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    };
    (
        write("source.csv", &p.source, p.source.labels()),
        write("target.csv", &p.target, None),
        write("target_test.csv", &p.target_test, p.target_test.labels()),
    )
}

/// Runs `cmd`, expecting a user error (exit status 2, no panic) whose message contains each
/// of `needles`.
pub fn refused(mut cmd: Command, needles: &[&str]) {
    let out = cmd.assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "`{n}` not in: {stderr}");
    }
}

/// `n` 8x8 grey images of two classes (a vertical or a horizontal bar at a varying place),
/// `offset` added to every pixel (the domain shift), written as MNIST-named IDX files.
pub fn write_bars(dir: &Path, name: &str, n: usize, offset: u8, labelled: bool) -> PathBuf {
    let mut pixels = Vec::with_capacity(n * 64);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let class = (i % 2) as u8;
        let at = (i / 2) % 6 + 1;
        for y in 0..8 {
            for x in 0..8 {
                let on = if class == 0 { x == at } else { y == at };
                let noise = ((i * 31 + y * 7 + x * 13) % 40) as u8;
                pixels.push(if on { 200 } else { noise }.saturating_add(offset));
            }
        }
        labels.push(class);
    }
    let images = dir.join(format!("{name}-images-idx3-ubyte.gz"));
    dann::data::write_idx_u8(&images, &[n, 8, 8], &pixels).unwrap();
    if labelled {
        dann::data::write_idx_u8(
            dir.join(format!("{name}-labels-idx1-ubyte.gz")),
            &[n],
            &labels,
        )
        .unwrap();
    }
    images
}

/// A small CNN on `channels x 8 x 8` images: one 3x3 convolution of 4 channels, pooled.
pub fn cnn_config(channels: usize) -> String {
    format!(
        "[model.conv]\ninput = [{channels}, 8, 8]\n\
         layers = [{{ channels = 4, kernel = 3, pool = 2 }}]\nactivation = \"relu\"\n\
         [model.feature]\nhidden = []\n"
    )
}
