//! Every `dann train` run gets plots (PNG and SVG) and a self-contained report.html whose
//! numbers are those of its metrics.jsonl; `dann report` rebuilds them.

mod common;

use std::fs;

use common::{dann, short_run, train_cmd, write_moons};

#[test]
fn a_run_has_plots_and_a_report_with_its_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let run = short_run(dir.path());
    for stem in ["losses", "accuracy", "lambda", "lr"] {
        let png = image::open(run.join(format!("plots/{stem}.png"))).unwrap();
        assert_eq!((png.width(), png.height()), (800, 360), "{stem}");
        // Not a blank canvas: the curves and the text put several colours on it.
        let rgb = png.to_rgb8();
        let mut colours: Vec<[u8; 3]> = rgb.pixels().map(|p| p.0).collect();
        colours.sort_unstable();
        colours.dedup();
        assert!(colours.len() > 20, "{stem}: {} colours", colours.len());
        let svg = fs::read_to_string(run.join(format!("plots/{stem}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("<text"), "{stem}");
    }
    let html = fs::read_to_string(run.join("report.html")).unwrap();
    // Self-contained: the SVGs inline, nothing fetched.
    assert_eq!(html.matches("<svg").count(), 4);
    assert!(
        !html.contains("http://")
            || html.matches("http://").count() == html.matches("xmlns").count()
    );
    assert!(!html.contains("<script src") && !html.contains("<link"));
    // Every number of every record is in the page, to 4 significant digits (never more
    // than 8 decimals shown).
    let cells: Vec<f64> = html
        .split("<td>")
        .skip(1)
        .filter_map(|c| c.split("</td>").next()?.parse().ok())
        .collect();
    let metrics = fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = metrics
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 4);
    for r in &records {
        for (k, v) in r.as_object().unwrap() {
            if let Some(v) = v.as_f64() {
                let shown = cells
                    .iter()
                    .any(|c| (c - v).abs() <= 5e-4 * v.abs() + 1e-12);
                assert!(shown, "{k} = {v} is not in report.html");
            }
        }
    }
    assert!(html.contains("target_accuracy"));
    assert!(
        html.contains(
            &fs::read_to_string(run.join("config.toml"))
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .replace('"', "&quot;")
        )
    );

    // `dann report` rebuilds them (here after they were deleted).
    fs::remove_dir_all(run.join("plots")).unwrap();
    fs::remove_file(run.join("report.html")).unwrap();
    dann().arg("report").arg(&run).assert().success();
    assert!(run.join("plots/losses.png").exists() && run.join("report.html").exists());
    // A directory without metrics is an error naming the file.
    dann()
        .arg("report")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("metrics.jsonl"));
}

/// `dann compare` puts a source-only run and a DANN run side by side: their last records in
/// one table, and one chart per metric with a curve per run.
#[test]
fn compare_puts_runs_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target, test) = write_moons(dir.path());
    let mut runs = Vec::new();
    for mode in ["source-only", "dann"] {
        let run = dir.path().join(mode);
        train_cmd(&source, &target, &run)
            .args([
                "--iterations",
                "300",
                "--log-every",
                "100",
                "--mode",
                mode,
                "--target-test",
            ])
            .arg(&test)
            .assert()
            .success();
        runs.push(run);
    }
    let out = dir.path().join("cmp");
    dann()
        .arg("compare")
        .args(&runs)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let html = fs::read_to_string(out.join("compare.html")).unwrap();
    for (mode, run) in ["source-only", "dann"].iter().zip(&runs) {
        assert!(html.contains(&format!("<tr><th>{mode}</th>")), "{mode}");
        let last: serde_json::Value = serde_json::from_str(
            fs::read_to_string(run.join("metrics.jsonl"))
                .unwrap()
                .lines()
                .last()
                .unwrap(),
        )
        .unwrap();
        let acc = last["target_accuracy"].as_f64().unwrap();
        let row = html
            .split(&format!("<tr><th>{mode}</th>"))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap();
        let shown = row
            .split("<td>")
            .filter_map(|c| c.split("</td>").next()?.parse::<f64>().ok())
            .any(|c| (c - acc).abs() <= 5e-4 * acc);
        assert!(shown, "{mode}: {acc} not in {row}");
    }
    // Both runs have these curves; only DANN has a domain loss.
    for stem in ["label_loss", "target_accuracy", "domain_loss"] {
        let png = image::open(out.join(format!("plots/{stem}.png"))).unwrap();
        assert_eq!((png.width(), png.height()), (800, 360));
    }
    let label = fs::read_to_string(out.join("plots/label_loss.svg")).unwrap();
    assert!(
        label.contains("source-only") && label.contains("dann"),
        "legend of both runs"
    );
    // One run is not a comparison.
    dann()
        .arg("compare")
        .arg(&runs[0])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
}
