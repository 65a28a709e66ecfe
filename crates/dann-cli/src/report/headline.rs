//! The block a run's `report.html` opens with: did DANN beat source-only, on what the run
//! knows (target labels if it had them, else the label-shift check's target-free
//! comparison), and did the features' shift fall below the inputs'.

use serde_json::{Map, Value};

use super::{escape, sig};

/// The headline of a run from its last record, `model.json` and `shift.json` (either may be
/// empty text).
pub(super) fn headline(last: &Map<String, Value>, model_json: &str, shift_json: &str) -> String {
    let mut items: Vec<String> = Vec::new();
    let spec: Option<dann::deep::ModelSpec> = serde_json::from_str(model_json).ok();
    let check = spec.as_ref().and_then(|s| s.label_shift.clone());
    let target = last.get("target_accuracy").and_then(Value::as_f64);
    let answer = match (&check, target) {
        (Some(c), _) if !c.dann_kept => format!(
            "Source-only kept: the target's classes seem to come in other proportions (label \
             shift {}), where DANN would hurt",
            sig(c.distance)
        ),
        (Some(c), _) => match c.target_accuracy {
            Some(t) => {
                let diff = t.dann - t.source_only;
                let verb = match diff {
                    d if d > 5e-4 => "beat",
                    d if d < -5e-4 => "did not beat",
                    _ => "matched",
                };
                format!(
                    "DANN {verb} source-only on the labelled target rows: <span \
                     id=\"dann-target\">{}</span> against <span \
                     id=\"source-only-target\">{}</span> ({diff:+.4})",
                    sig(t.dann),
                    sig(t.source_only),
                )
            }
            None => format!(
                "DANN and source-only agree on {:.0}% of the target rows (no target labels: \
                 the comparison below is target-free)",
                100.0 * c.agreement.unwrap_or(0.0)
            ),
        },
        (None, Some(t)) => format!(
            "Target accuracy <span id=\"dann-target\">{}</span> (this run trained no \
             source-only network to compare with: train one with --mode source-only and use \
             dann compare)",
            sig(t)
        ),
        (None, None) => "No target labels and no source-only comparison in this run: \
                         dann select compares DANN with source-only without target labels"
            .to_string(),
    };
    if let Some(c) = &check {
        items.push(escape(&c.proportions_summary()));
    }
    for (key, name) in [
        ("source_accuracy", "source accuracy"),
        ("target_accuracy", "target accuracy"),
        ("source_r2", "source R^2"),
        ("target_r2", "target R^2"),
        ("domain_accuracy", "domain classifier accuracy"),
    ] {
        if let Some(v) = last.get(key).and_then(Value::as_f64) {
            items.push(format!("{name}: {}", sig(v)));
        }
    }
    if let Some(line) = shift_line(shift_json) {
        items.push(line);
    }
    let mut html = format!(
        "<section id=\"headline\">\n<p class=\"answer\"><strong>{answer}</strong></p>\n<ul>"
    );
    for i in items {
        html.push_str(&format!("<li>{i}</li>"));
    }
    html.push_str("</ul>\n</section>\n");
    html
}

/// The inputs' and the features' proxy A-distance, and a plain sentence when the features'
/// did not fall below the inputs'.
fn shift_line(shift_json: &str) -> Option<String> {
    let v: Value = serde_json::from_str(shift_json).ok()?;
    let inputs = v["inputs"]["pad"]["value"].as_f64()?;
    let features = v["features"]["pad"]["value"].as_f64()?;
    let mut line = format!(
        "shift (proxy A-distance, 0 none to 2 full): inputs <span id=\"pad-inputs\">{}</span>, \
         learned features <span id=\"pad-features\">{}</span>",
        sig(inputs),
        sig(features)
    );
    if features >= inputs {
        line.push_str(
            ". <strong id=\"shift-warning\">The features' shift did not fall</strong>: DANN \
             should make source and target features harder to tell apart than the inputs, \
             and here they are not (more iterations, a larger lambda, or dann select may help)",
        );
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(target: Option<f64>) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("source_accuracy".into(), 0.912345678.into());
        if let Some(t) = target {
            m.insert("target_accuracy".into(), t.into());
        }
        m
    }

    const SHIFT: &str =
        r#"{"inputs": {"pad": {"value": 0.5}}, "features": {"pad": {"value": 0.93}}}"#;

    #[test]
    fn a_run_without_a_check_gives_its_accuracy_and_flags_a_shift_that_rose() {
        let html = headline(&record(Some(0.75)), "", SHIFT);
        assert!(html.contains("id=\"dann-target\">0.75<"), "{html}");
        assert!(html.contains("source accuracy: 0.9123"), "{html}");
        assert!(html.contains("did not fall"), "{html}");
        let fell = SHIFT.replace("0.93", "0.2");
        assert!(!headline(&record(None), "", &fell).contains("did not fall"));
    }
}
