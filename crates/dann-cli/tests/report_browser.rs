//! A run's report.html opened in headless Chromium: the page loads without errors, each
//! inlined plot is laid out at its size, and the numbers the browser shows are those of
//! metrics.jsonl. Needs /usr/bin/chromium (Debian's `chromium`), so it is ignored by the
//! README's test command; `.ci/run` installs Chromium and runs it with `--ignored`.

mod common;

use std::fs;

use common::browser::{chromium, id_number, open_at_1280, same_to_4_digits};
use common::short_run;

/// Appended to a copy of the report: collects errors, plot sizes and table cells into the
/// title, which `--dump-dom` prints.
const PROBE: &str = r#"
<script>
const errors = [];
window.addEventListener('error', e => errors.push(String(e.message)));
window.addEventListener('load', () => {
  const plots = [...document.querySelectorAll('figure svg')].map(s => {
    const r = s.getBoundingClientRect();
    return [Math.round(r.width), Math.round(r.height)];
  });
  const header = [...document.querySelectorAll('#metrics tr:first-child th')].map(t => t.textContent);
  const rows = [...document.querySelectorAll('#metrics tr')].slice(1)
    .map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent));
  document.title = 'PROBE' + JSON.stringify({errors, plots, header, rows});
});
</script>
"#;

#[test]
#[ignore = "needs Chromium: .ci/run installs it and runs this with --ignored"]
fn the_report_renders_in_a_browser_with_the_runs_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let run = short_run(dir.path());
    let page = dir.path().join("probe.html");
    fs::write(
        &page,
        fs::read_to_string(run.join("report.html")).unwrap() + PROBE,
    )
    .unwrap();
    let out = chromium(&["--dump-dom".into(), format!("file://{}", page.display())]);
    let dom = String::from_utf8_lossy(&out.stdout);
    let title = dom
        .split("<title>PROBE")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_else(|| panic!("the page did not load: {dom}"));
    let json = title.replace("&quot;", "\"").replace("&amp;", "&");
    let probe: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(probe["errors"], serde_json::json!([]), "{probe}");
    let plots = probe["plots"].as_array().unwrap();
    assert_eq!(plots.len(), 4, "{probe}");
    for p in plots {
        assert_eq!(p, &serde_json::json!([800, 360]), "{probe}");
    }
    // The table the browser shows holds each record's numbers, as metrics.jsonl has them.
    let header: Vec<String> = serde_json::from_value(probe["header"].clone()).unwrap();
    let rows: Vec<Vec<String>> = serde_json::from_value(probe["rows"].clone()).unwrap();
    let metrics = fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = metrics
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), records.len());
    for (row, record) in rows.iter().zip(&records) {
        for (key, shown) in header.iter().zip(row) {
            match &record[key] {
                serde_json::Value::Null => assert_eq!(shown, ""),
                v => {
                    let (a, b) = (shown.parse::<f64>().unwrap(), v.as_f64().unwrap());
                    assert!(same_to_4_digits(a, b), "{key}: shown {a}, recorded {b}");
                }
            }
        }
    }
}

/// The run report, compare, select, shift and Amazon pages at 1280 px: nothing beyond the
/// right edge, a headline whose numbers are the JSON's (rounded), screenshots in the test's
/// temp folder (the digits page: `tests/digits.rs`, which has the data).
#[test]
#[ignore = "needs Chromium: .ci/run installs it and runs this with --ignored"]
fn pages_fit_1280_px_and_lead_with_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let run = short_run(dir.path());
    let probe = open_at_1280(&run.join("report.html"));
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.join("model.json")).unwrap()).unwrap();
    let accuracy = &spec["label_shift"]["target_accuracy"];
    assert!(same_to_4_digits(
        id_number(&probe, "dann-target"),
        accuracy["dann"].as_f64().unwrap()
    ));
    assert!(same_to_4_digits(
        id_number(&probe, "source-only-target"),
        accuracy["source_only"].as_f64().unwrap()
    ));
    let shift: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.join("shift.json")).unwrap()).unwrap();
    assert!(same_to_4_digits(
        id_number(&probe, "pad-inputs"),
        shift["inputs"]["pad"]["value"].as_f64().unwrap()
    ));

    let (source, target, test) = common::write_moons(dir.path());
    let select = dir.path().join("select");
    common::dann()
        .args([
            "select",
            "-q",
            "--lambdas",
            "0.1,1",
            "--hidden",
            "10",
            "--no-pad",
        ])
        .arg("--source")
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--out")
        .arg(&select)
        .assert()
        .success();
    let probe = open_at_1280(&select.join("select.html"));
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(select.join("select.json")).unwrap()).unwrap();
    assert!(same_to_4_digits(
        id_number(&probe, "dann-score"),
        report["dann"]["reverse_error"].as_f64().unwrap()
    ));
    assert!(same_to_4_digits(
        id_number(&probe, "source-only-score"),
        report["source_only"]["reverse_error"].as_f64().unwrap()
    ));

    // compare: the run above and a source-only one, the best target accuracy named.
    let baseline = dir.path().join("source-only");
    common::train_cmd(&source, &target, &baseline)
        .args([
            "--mode",
            "source-only",
            "--iterations",
            "400",
            "--target-test",
        ])
        .arg(&test)
        .assert()
        .success();
    let compared = dir.path().join("compare");
    common::dann()
        .arg("compare")
        .arg(&baseline)
        .arg(&run)
        .arg("--out")
        .arg(&compared)
        .assert()
        .success();
    let probe = open_at_1280(&compared.join("compare.html"));
    let last = |run: &std::path::Path| -> f64 {
        let text = fs::read_to_string(run.join("metrics.jsonl")).unwrap();
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        last["target_accuracy"].as_f64().unwrap()
    };
    let best = last(&baseline).max(last(&run));
    assert!(
        same_to_4_digits(id_number(&probe, "best-value"), best),
        "{probe}"
    );

    // shift: the page's PAD is the JSON's.
    let page = dir.path().join("shift.html");
    let out = common::dann()
        .args(["shift", "--json", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--html")
        .arg(&page)
        .assert()
        .success();
    let shift = common::stdout_json(&out);
    let probe = open_at_1280(&page);
    assert!(
        same_to_4_digits(id_number(&probe, "pad"), shift["pad"].as_f64().unwrap()),
        "{probe} {shift}"
    );

    // reproduce amazon on the shipped reviews, one pair, a few epochs.
    let amazon = dir.path().join("amazon");
    let out = common::dann()
        .args([
            "reproduce",
            "amazon",
            "--pairs",
            "books:kitchen",
            "--epochs",
            "5",
            "--lambdas",
            "1",
            "--hidden",
            "50",
            "--json",
            "--data-dir",
        ])
        .arg(common::repo_data())
        .arg("--out")
        .arg(&amazon)
        .assert()
        .success();
    let report = common::stdout_json(&out);
    let probe = open_at_1280(&amazon.join("amazon.html"));
    assert!(
        same_to_4_digits(
            id_number(&probe, "dann-mean"),
            report["mean"][0].as_f64().unwrap()
        ),
        "{probe}"
    );
}
