//! Every option of `train` and `reproduce` can live in the TOML file: flags override it,
//! relative paths are relative to the file, unknown keys are errors naming the file, the line
//! and the key; `reproduce` writes the resolved settings, which reproduce the run.

mod common;

use std::fs;

use common::{dann, refused, repo_data, stdout_json, write_moons};

#[test]
fn train_reads_its_files_from_the_config_and_flags_override_them() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, test) = write_moons(dir.path());
    let name = |p: &std::path::Path| p.file_name().unwrap().to_str().unwrap().to_string();
    let config = dir.path().join("run.toml");
    fs::write(
        &config,
        format!(
            "[files]\nsource = \"{}\"\ntarget = \"{}\"\ntarget_test = \"{}\"\nout = \"model\"\n\
             [train]\niterations = 200\nlog_every = 100\n",
            name(&source),
            name(&target),
            name(&test)
        ),
    )
    .unwrap();
    // Run from elsewhere: the file's relative paths are relative to the file.
    let elsewhere = tempfile::tempdir().unwrap();
    dann()
        .current_dir(elsewhere.path())
        .args(["train", "--quiet", "--config"])
        .arg(&config)
        .assert()
        .success();
    let model = dir.path().join("model");
    let metrics = fs::read_to_string(model.join("metrics.jsonl")).unwrap();
    assert!(
        metrics.contains("\"target_accuracy\""),
        "--target-test from the file"
    );
    let written = fs::read_to_string(model.join("config.toml")).unwrap();
    assert!(!written.contains("[files]"), "{written}");
    assert!(written.contains("iterations = 200"), "{written}");
    // A flag wins over the file.
    let other = dir.path().join("other");
    dann()
        .args(["train", "--quiet", "--iterations", "100", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&other)
        .assert()
        .success();
    let written = fs::read_to_string(other.join("config.toml")).unwrap();
    assert!(written.contains("iterations = 100"), "{written}");
    // Nothing names the data: the error says where it can go.
    let bare = dir.path().join("bare.toml");
    fs::write(&bare, "[train]\niterations = 10\n").unwrap();
    let mut cmd = dann();
    cmd.args(["train", "--config"]).arg(&bare);
    refused(cmd, &["--source, --target and --out", "[files]"]);
}

#[test]
fn reproduce_amazon_settings_come_from_the_file_and_its_record_reproduces_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("run.toml");
    fs::write(
        &config,
        format!(
            "[reproduce.amazon]\npairs = \"books:kitchen\"\nepochs = 9\nhidden = [5]\n\
             lambdas = 1\nlr = 0.01\nout = \"amz\"\ndata_dir = \"{}\"\n",
            repo_data().display()
        ),
    )
    .unwrap();
    let first = stdout_json(
        &dann()
            .args(["reproduce", "amazon", "--json", "--epochs", "2", "--config"])
            .arg(&config)
            .assert()
            .success(),
    );
    let pair = &first["pairs"][0];
    assert_eq!(
        (&pair["source"], &pair["target"]),
        (&"books".into(), &"kitchen".into())
    );
    assert_eq!(pair["dann_hidden"], 5);
    let out = dir.path().join("amz");
    let record = fs::read_to_string(out.join("reproduce.toml")).unwrap();
    assert!(record.contains("epochs = 2"), "the flag wins: {record}");
    assert!(record.contains("hidden = [5]"), "{record}");
    assert!(!record.contains("[reproduce.digits]"), "{record}");
    // The record alone gives the same numbers.
    let again = stdout_json(
        &dann()
            .args(["reproduce", "amazon", "--json", "--force", "--config"])
            .arg(out.join("reproduce.toml"))
            .assert()
            .success(),
    );
    for key in ["dann", "nn", "svm", "dann_lambda"] {
        assert_eq!(again["pairs"][0][key], pair[key], "{key}");
    }
}

#[test]
fn unknown_and_bad_reproduce_settings_name_the_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("run.toml");
    fs::write(
        &config,
        "[reproduce.digits]\npair = \"mnist:usps\"\nbogus = 1\n",
    )
    .unwrap();
    let mut cmd = dann();
    cmd.args(["reproduce", "digits", "--config"]).arg(&config);
    refused(
        cmd,
        &[config.to_str().unwrap(), ":3:", "unknown field `bogus`"],
    );
    fs::write(&config, "[reproduce.digits]\npair = \"mnist:svhn\"\n").unwrap();
    let mut cmd = dann();
    cmd.args(["reproduce", "digits", "--config"]).arg(&config);
    refused(cmd, &[":2:", "unknown digits domain \"svhn\""]);
    fs::write(&config, "[reproduce.amazon]\nepochs = \"many\"\n").unwrap();
    let mut cmd = dann();
    cmd.args(["reproduce", "amazon", "--config"]).arg(&config);
    refused(cmd, &[":2:", "invalid type"]);
}

#[test]
fn select_reads_its_files_from_the_config_too() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, _) = write_moons(dir.path());
    let name = |p: &std::path::Path| p.file_name().unwrap().to_str().unwrap().to_string();
    let config = dir.path().join("select.toml");
    fs::write(
        &config,
        format!(
            "[files]\nsource = \"{}\"\ntarget = \"{}\"\nout = \"chosen\"\n\
             [shallow]\nhidden = 5\nepochs = 3\n[select]\nlambdas = [0.1]\nhidden = [5]\npad = false\n",
            name(&source),
            name(&target)
        ),
    )
    .unwrap();
    dann()
        .args(["select", "--quiet", "--json", "--config"])
        .arg(&config)
        .assert()
        .success();
    assert!(dir.path().join("chosen/model.json").is_file());
    let written = fs::read_to_string(dir.path().join("chosen/config.toml")).unwrap();
    assert!(!written.contains("[files]"), "{written}");
    // A missing file is named once, not once per layer of the error.
    let mut cmd = dann();
    cmd.args(["select", "--source", "nowhere.csv", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("other"));
    let out = cmd.assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}
