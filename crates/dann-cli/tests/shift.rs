//! `dann shift` as a pipeline guard: one distribution against itself shows no shift whatever
//! the sizes, two Amazon domains a large one, a shifted column is named, and `--fail-above`
//! turns the effect size into an exit status.

mod common;

use std::fs;
use std::path::Path;

use common::{dann, repo_data, stdout_json};

fn shift(source: &Path, target: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    dann()
        .args(["shift", "--json", "--source"])
        .arg(source)
        .arg("--target")
        .arg(target)
        .args(extra)
        .assert()
}

#[test]
fn one_domain_against_itself_and_two_domains() {
    let amazon = repo_data().join("amazon");
    // 2,000 training reviews against 4,465 test reviews of the same domain: the larger set
    // is subsampled, so the sizes alone no longer make a shift (PAD was 0.757).
    let same = stdout_json(
        &shift(
            &amazon.join("books_train.svmlight.gz"),
            &amazon.join("books_test.svmlight.gz"),
            &[],
        )
        .success(),
    );
    let pad = same["pad"].as_f64().unwrap();
    assert!(pad < 0.3, "{same}");
    assert_eq!(same["rows_per_domain"], 2000);
    let (auc, low) = (
        same["auc"].as_f64().unwrap(),
        same["auc_interval"][0].as_f64().unwrap(),
    );
    assert!(low < 0.55 && low <= auc && auc < 0.56, "{same}");
    let other = stdout_json(
        &shift(
            &amazon.join("books_train.svmlight.gz"),
            &amazon.join("kitchen_train.svmlight.gz"),
            &[],
        )
        .success(),
    );
    assert!(other["pad"].as_f64().unwrap() > 1.5, "{other}");
    assert!(other["auc_interval"][0].as_f64().unwrap() > 0.9, "{other}");
    assert!(other["p_value"].as_f64().unwrap() <= 0.001, "{other}");
    // SVMlight features are named by their index in the file (0-based files here).
    let name = other["top_features"][0]["name"].as_str().unwrap();
    assert!(name.starts_with("index "), "{other}");
    assert!(
        other["verdict"]
            .as_str()
            .unwrap()
            .starts_with("shift on raw inputs")
    );
}

/// CSV rows of 4 columns; `dose` (column 2) moved by `shift` in the target.
fn csv(dir: &Path, name: &str, n: usize, shift: f64, seed: u64) -> std::path::PathBuf {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
    let mut uniform = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut text = String::from("age,income,dose,weight\n");
    for _ in 0..n {
        let mut v: Vec<f64> = (0..4).map(|_| (0..4).map(|_| uniform()).sum()).collect();
        v[2] += shift;
        text += &format!("{:.4},{:.4},{:.4},{:.4}\n", v[0], v[1], v[2], v[3]);
    }
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_shifted_column_is_named_and_fail_above_sets_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let source = csv(d, "s.csv", 500, 0.0, 1);
    let same = csv(d, "same.csv", 900, 0.0, 2);
    let moved = csv(d, "moved.csv", 500, 0.6, 3);
    let v = stdout_json(&shift(&source, &moved, &[]).success());
    assert_eq!(v["top_features"][0]["name"], "dose", "{v}");
    assert!(
        v["top_features"][0]["standardized_difference"]
            .as_f64()
            .unwrap()
            > 0.5
    );
    assert!(
        v["verdict"]
            .as_str()
            .unwrap()
            .contains("dose (higher in the target)"),
        "{v}"
    );
    let pad = v["pad"].as_f64().unwrap();
    // Above the limit: status 1 and the numbers on stderr; at or below: 0.
    shift(
        &source,
        &moved,
        &["--fail-above", &format!("{}", pad / 2.0)],
    )
    .code(1)
    .stderr(predicates::str::contains("shift above the limit"));
    shift(&source, &moved, &["--fail-above", "2"]).code(0);
    shift(&source, &same, &["--fail-above", "0.5"]).code(0);
    // The same result as a page: verdict, numbers, the shifted column first with its bar.
    let page = d.join("shift.html");
    let html_limit = format!("{}", pad / 2.0);
    shift(
        &source,
        &moved,
        &[
            "--fail-above",
            &html_limit,
            "--html",
            page.to_str().unwrap(),
        ],
    )
    .code(1);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains(&format!("<td>{pad:.4}</td>")),
        "PAD {pad} not in the page"
    );
    assert!(html.contains("above the limit (exit 1)"));
    let first = html.find("<tr><th>dose</th><td class=\"bar\"><span style=\"width:100.0%\">");
    assert!(first.is_some(), "dose is not the first, longest bar");
    let verdict = v["verdict"].as_str().unwrap().replace('<', "&lt;");
    assert!(
        html.contains(&format!(
            "<p id=\"verdict\" class=\"answer\"><strong>{verdict}</strong></p>"
        )),
        "{html}"
    );
    // A limit outside [0, 2] and an unreadable file are errors: status 2.
    shift(&source, &moved, &["--fail-above", "3"]).code(2);
    shift(&source, &d.join("missing.csv"), &["--fail-above", "1"]).code(2);
}

/// Grey images as IDX (`n x size x size`), pixel values from `pixel(i, y, x)`.
fn idx(path: &Path, n: usize, size: usize, pixel: impl Fn(usize, usize, usize) -> u8) {
    let mut bytes = vec![0, 0, 8, 3];
    for d in [n, size, size] {
        bytes.extend((d as u32).to_be_bytes());
    }
    for i in 0..n {
        for y in 0..size {
            for x in 0..size {
                bytes.push(pixel(i, y, x));
            }
        }
    }
    fs::write(path, bytes).unwrap();
}

#[test]
fn images_of_two_sizes_meet_through_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let noise = |i: usize, y: usize, x: usize| ((i * 31 + y * 7 + x * 13) % 97) as u8;
    let (small, large) = (d.join("small.idx"), d.join("large.idx"));
    idx(&small, 300, 8, noise);
    // The same texture at 12 x 12, brighter in its top half.
    idx(&large, 300, 12, |i, y, x| {
        noise(i, y, x) + if y < 6 { 120 } else { 0 }
    });
    // Without a common size the files are refused, naming how to give them one.
    shift(&small, &large, &[])
        .code(2)
        .stderr(predicates::str::contains("[train.images] size"));
    let config = d.join("run.toml");
    fs::write(&config, "[train.images]\nsize = [8, 8]\n").unwrap();
    let v = stdout_json(&shift(&small, &large, &["--config", config.to_str().unwrap()]).success());
    assert!(v["pad"].as_f64().unwrap() > 1.0, "{v}");
    assert_eq!(v["rows_per_domain"], 300);
}
