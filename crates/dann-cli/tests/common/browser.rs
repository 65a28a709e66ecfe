//! Pages opened in headless Chromium (Debian's `chromium` at /usr/bin/chromium): the tests
//! that use these are ignored by the README's test command; `.ci/run` installs Chromium and
//! runs them with `--ignored`.

use std::fs;
use std::process::Command;

/// Runs headless Chromium in a 1280 x 900 window with a fresh profile and the flags this
/// closed network needs, then `extra` (what to do and the page).
pub fn chromium(extra: &[String]) -> std::process::Output {
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
}

/// `shown` is `value` to 4 significant digits (the pages round their numbers).
pub fn same_to_4_digits(shown: f64, value: f64) -> bool {
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
pub fn open_at_1280(page: &std::path::Path) -> serde_json::Value {
    let probed = page.with_extension("probe.html");
    fs::write(&probed, fs::read_to_string(page).unwrap() + PAGE_PROBE).unwrap();
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

pub fn id_number(probe: &serde_json::Value, id: &str) -> f64 {
    probe["ids"][id]
        .as_str()
        .unwrap_or_else(|| panic!("no #{id} in the headline: {probe}"))
        .parse()
        .unwrap()
}
