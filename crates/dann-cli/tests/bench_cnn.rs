//! `dann bench cnn`: the fused kernels, burn's own operations and a reference script in one
//! run (the script once per round, alternating with ours), as JSON.

mod common;

use common::{dann, stdout_json};

#[test]
fn bench_cnn_times_both_paths_and_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    // A stand-in for the PyTorch script (CI installs no PyTorch): it checks the arguments it
    // is given and reports a fixed rate.
    let script = dir.path().join("reference.py");
    std::fs::write(
        &script,
        "import json, sys\nargs = sys.argv[1:]\nassert args[args.index('--batch') + 1] == '8', args\n\
         assert args[args.index('--repeats') + 1] == '1', args\n\
         print(json.dumps({'steps_per_s': 2.0, 'torch': 'stand-in'}))\n",
    )
    .unwrap();
    let v = stdout_json(
        &dann()
            .args([
                "bench",
                "cnn",
                "--batch",
                "8",
                "--steps",
                "2",
                "--repeats",
                "1",
                "--json",
            ])
            .arg("--torch-script")
            .arg(&script)
            .assert()
            .success(),
    );
    let fused = v["dann_steps_per_s"].as_f64().unwrap();
    assert!(fused > 0.0, "{v}");
    assert!(v["burn_steps_per_s"].as_f64().unwrap() > 0.0, "{v}");
    assert!(
        v["dann_inference_images_per_s"].as_f64().unwrap() > 0.0,
        "{v}"
    );
    assert_eq!(v["torch_steps_per_s"], 2.0);
    // One run of the script per round, alternating with ours.
    assert_eq!(v["torch_steps_per_s_range"], serde_json::json!([2.0, 2.0]));
    assert!(
        (v["ratio"].as_f64().unwrap() - fused / 2.0).abs() < 1e-9,
        "{v}"
    );
    assert_eq!(v["batch"], 8);
    // A script that fails is an error naming it.
    std::fs::write(&script, "raise SystemExit('no torch here')\n").unwrap();
    dann()
        .args([
            "bench",
            "cnn",
            "--batch",
            "2",
            "--steps",
            "1",
            "--repeats",
            "1",
            "--skip-burn",
        ])
        .arg("--torch-script")
        .arg(&script)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "reference.py failed: no torch here",
        ));
}
