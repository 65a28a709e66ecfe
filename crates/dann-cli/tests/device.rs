//! `--device`: the CPU by default, a GPU by name, and clear errors for what cannot run.

mod common;

use common::{dann, refused};

#[test]
fn devices_are_named_and_bad_names_refused() {
    dann()
        .args(["--device", "cpu", "demo", "moons", "--seeds", "1", "--json"])
        .assert()
        .success();
    let mut cmd = dann();
    cmd.args(["--device", "tpu", "demo", "moons"]);
    refused(cmd, &["expected cpu, cuda or cuda:N"]);
    let mut cmd = dann();
    cmd.args(["--device", "cuda:x", "demo", "moons"]);
    refused(cmd, &["expected cpu, cuda or cuda:N"]);
}

/// A binary without the `cuda` feature says how to get one.
#[cfg(not(feature = "cuda"))]
#[test]
fn a_cpu_only_binary_explains_how_to_build_for_a_gpu() {
    let mut cmd = dann();
    cmd.args(["--device", "cuda:1", "demo", "moons"]);
    refused(
        cmd,
        &["cuda:1", "built without GPU support", "--features cuda"],
    );
}

/// `dann selftest` on the CPU checks the fused kernels against burn's own operations.
#[test]
fn selftest_passes_on_the_cpu() {
    let v = common::stdout_json(
        &dann()
            .args(["selftest", "--json", "--steps", "3"])
            .assert()
            .success(),
    );
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["grl_max_error"], 0.0, "{v}");
    assert!(
        v["network_max_probability_error"].as_f64().unwrap() < 1e-5,
        "{v}"
    );
    assert_eq!(v["steps"], 3);
}
