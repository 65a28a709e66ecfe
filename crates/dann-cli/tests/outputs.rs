//! Where `dann predict --out` writes: `-` is stdout, a symlink is written through, a device
//! is written in place (issue 22, item 9).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::CommandCargoExt;
use common::{dann, train_cmd, write_moons};

/// A small model trained on the moons in `dir/run`; returns it and the unlabelled target.
fn model(dir: &Path) -> (PathBuf, PathBuf) {
    let (source, target, _) = write_moons(dir);
    let run = dir.join("run");
    train_cmd(&source, &target, &run)
        .args(["--iterations", "50"])
        .assert()
        .success();
    (run, target)
}

fn predict(model: &Path, data: &Path, out: &Path) -> assert_cmd::Command {
    let mut cmd = dann();
    cmd.args(["predict", "--model"])
        .arg(model)
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out);
    cmd
}

/// Checks predictions of the 300 moons rows: the header and one line a row, in order.
fn assert_predictions(text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "row,label,probability,p_lower,p_upper");
    assert_eq!(lines.len(), 301, "{text}");
    // Data rows count from 1.
    for (i, line) in lines[1..].iter().enumerate() {
        assert!(line.starts_with(&format!("{},", i + 1)), "row {i}: {line}");
    }
}

#[test]
fn predict_out_dash_prints_every_row_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (run, target) = model(dir.path());
    let out = predict(&run, &target, Path::new("-")).assert().success();
    assert_predictions(&String::from_utf8_lossy(&out.get_output().stdout));
    // Nothing was written to a file called `-`.
    assert!(!Path::new("-").exists());
    assert!(!dir.path().join("-").exists());
}

#[cfg(unix)]
#[test]
fn predict_out_symlink_replaces_the_file_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let (run, target) = model(dir.path());
    fs::create_dir(dir.path().join("real")).unwrap();
    let file = dir.path().join("real/preds.csv");
    let link = dir.path().join("preds.csv");
    std::os::unix::fs::symlink("real/preds.csv", &link).unwrap();

    // A dangling link replaces nothing: no --force needed, the file is made.
    predict(&run, &target, &link).assert().success();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_predictions(&fs::read_to_string(&file).unwrap());

    // Now it points at a file: --force is needed, and the link stays a link.
    fs::write(&file, "old").unwrap();
    common::refused(
        predict(&run, &target, &link),
        &["already exists", "--force"],
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "old");
    predict(&run, &target, &link)
        .arg("--force")
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("real/preds.csv"));
    assert_predictions(&fs::read_to_string(&file).unwrap());
    // No temporary file is left beside the link or the file.
    assert_eq!(fs::read_dir(dir.path().join("real")).unwrap().count(), 1);
}

/// A null device of the test's own (`mknod`, as root), else `/dev/null`: as root, a
/// regression that renames over the device must not replace the system's `/dev/null`; as
/// another user it cannot, and the command fails as the test needs.
#[cfg(unix)]
fn null_device(dir: &Path) -> PathBuf {
    let path = dir.join("null");
    let made = std::process::Command::new("mknod")
        .arg(&path)
        .args(["c", "1", "3"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        path
    } else {
        PathBuf::from("/dev/null")
    }
}

#[cfg(unix)]
#[test]
fn predict_out_dev_null_writes_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let (run, target) = model(dir.path());
    let null = null_device(dir.path());
    // An existing device is not a file to protect: no --force.
    predict(&run, &target, &null).assert().success();
    let meta = fs::metadata(&null).unwrap();
    assert!(
        meta.file_type().is_char_device(),
        "{} was replaced",
        null.display()
    );
}

#[test]
fn predict_out_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (run, target) = model(dir.path());
    common::refused(
        predict(&run, &target, dir.path()),
        &["--out", "is a folder"],
    );
}

/// `--out /dev/stdout` reaches the process's stdout whatever it is: a pipe (the link leads
/// to `pipe:[N]`, no path) or a file the shell opened, which is neither refused as an
/// existing file nor replaced behind the shell's back.
#[cfg(target_os = "linux")]
#[test]
fn predict_out_dev_stdout_writes_the_descriptor() {
    let dir = tempfile::tempdir().unwrap();
    let (run, target) = model(dir.path());
    // A pipe (assert_cmd captures stdout through one).
    let out = predict(&run, &target, Path::new("/dev/stdout"))
        .assert()
        .success();
    assert_predictions(&String::from_utf8_lossy(&out.get_output().stdout));
    // A file, as `> preds.csv` makes it.
    let file = dir.path().join("preds.csv");
    let status = std::process::Command::cargo_bin("dann")
        .unwrap()
        .args(["predict", "--model"])
        .arg(&run)
        .arg("--data")
        .arg(&target)
        .args(["--out", "/dev/stdout"])
        .stdout(fs::File::create(&file).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    assert_predictions(&fs::read_to_string(&file).unwrap());
    assert!(
        fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".tmp-")),
        "a temporary file was left"
    );
}
