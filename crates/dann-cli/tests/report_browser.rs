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
                    assert_eq!(a, b, "{key}");
                }
            }
        }
    }
}
