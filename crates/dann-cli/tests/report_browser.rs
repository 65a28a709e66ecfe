//! A run's report.html opened in headless Chromium: the page loads without errors, each
//! inlined plot is laid out at its size, and the numbers the browser shows are those of
//! metrics.jsonl. Needs /usr/bin/chromium (Debian's `chromium`), so it is ignored by the
//! README's test command; `.ci/run` installs Chromium and runs it with `--ignored`.

mod common;

use std::fs;
use std::process::Command;

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
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("/usr/bin/chromium runs (apt-get install chromium)");
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

/// `shown` is `value` to 4 significant digits (the pages round their numbers).
fn same_to_4_digits(shown: f64, value: f64) -> bool {
    (shown - value).abs() <= 5e-4 * value.abs() + 1e-12
}

/// Appended to a copy of any page: errors, what lies beyond a 1280 px window's right edge,
/// the headline's text and the numbers with an id in it.
const PAGE_PROBE: &str = r#"
<script>
const errors = [];
window.addEventListener('error', e => errors.push(String(e.message)));
window.addEventListener('load', () => {
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + (e.id ? '#' + e.id : '')).slice(0, 10);
  const h = document.querySelector('#headline');
  const ids = {};
  for (const e of document.querySelectorAll('#headline [id]')) ids[e.id] = e.textContent;
  document.title = 'PROBE' + JSON.stringify({errors, wide, width: window.innerWidth,
    headline: h ? h.textContent : null, ids});
});
</script>
"#;

/// Opens `page` (a probed copy) at 1280 x 900 in headless Chromium, saves a screenshot of
/// the original beside it (`<name>.png`), and returns the probe's findings.
fn open_at_1280(page: &std::path::Path) -> serde_json::Value {
    let probed = page.with_extension("probe.html");
    fs::write(&probed, fs::read_to_string(page).unwrap() + PAGE_PROBE).unwrap();
    let chromium = |extra: &[String]| {
        let profile = tempfile::tempdir().unwrap();
        Command::new("/usr/bin/chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1280,900",
                "--virtual-time-budget=5000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .output()
            .expect("/usr/bin/chromium runs (apt-get install chromium)")
    };
    let shot = page.with_extension("png");
    chromium(&[
        format!("--screenshot={}", shot.display()),
        format!("file://{}", page.display()),
    ]);
    assert!(shot.exists(), "no screenshot of {}", page.display());
    let out = chromium(&["--dump-dom".into(), format!("file://{}", probed.display())]);
    let dom = String::from_utf8_lossy(&out.stdout);
    let title = dom
        .split("<title>PROBE")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_else(|| panic!("{} did not load: {dom}", page.display()));
    let json = title.replace("&quot;", "\"").replace("&amp;", "&");
    let probe: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        probe["errors"],
        serde_json::json!([]),
        "{}: {probe}",
        page.display()
    );
    assert_eq!(probe["width"], 1280, "{probe}");
    assert_eq!(
        probe["wide"],
        serde_json::json!([]),
        "{} overflows: {probe}",
        page.display()
    );
    assert!(
        probe["headline"].is_string(),
        "{}: no headline: {probe}",
        page.display()
    );
    probe
}

fn id_number(probe: &serde_json::Value, id: &str) -> f64 {
    probe["ids"][id]
        .as_str()
        .unwrap_or_else(|| panic!("no #{id} in the headline: {probe}"))
        .parse()
        .unwrap()
}

/// The run report and the select page at 1280 px: nothing beyond the right edge, a headline
/// whose numbers are the run's JSON (rounded), screenshots in the test's temp folder.
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

    let (source, target, _) = common::write_moons(dir.path());
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
}
