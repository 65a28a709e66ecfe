//! `select.html`: the page of a `dann select` folder, from its `select.json` (either
//! engine's): the verdict and the chosen candidate first, then every candidate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

use super::{escape, page, sig};
use crate::output::write_file;

/// The file `dann select` writes its report to, and this page reads.
pub const SELECT_JSON: &str = "select.json";

/// Writes `select.html` into the `dann select` folder `dir` from its `select.json`; returns
/// its path.
pub fn write_select_page(dir: &Path) -> Result<PathBuf> {
    let path = dir.join(SELECT_JSON);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let report: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a dann select report", path.display()))?;
    let html = page(
        &format!("dann select {}", dir.display()),
        &select_body(&report, &dir.display().to_string()),
    );
    let out = dir.join("select.html");
    write_file(&out, &html)?;
    Ok(out)
}

/// The reverse-validation score of a candidate: its `reverse` object (or the shallow
/// report's `reverse_error` / `reverse_log_loss`).
fn reverse(c: &Value, key: &str) -> Option<f64> {
    c["reverse"][key]
        .as_f64()
        .or_else(|| c[format!("reverse_{key}")].as_f64())
}

/// The headline, the candidates and the source-only baselines of `report`.
fn select_body(report: &Value, dir: &str) -> String {
    let candidates = report["candidates"].as_array().cloned().unwrap_or_default();
    // The chosen DANN: the deep report's index, or the shallow report's `dann` settings.
    let chosen = report["chosen"].as_u64().map(|i| i as usize).or_else(|| {
        let d = &report["dann"];
        candidates.iter().position(|c| {
            ["lambda", "hidden", "lr"]
                .iter()
                .all(|k| c[*k].as_f64() == d[*k].as_f64())
        })
    });
    let score = report["score"].as_str().unwrap_or("error");
    let key = if score == "log_loss" {
        "log_loss"
    } else {
        "error"
    };
    let dann_score = chosen.and_then(|i| reverse(&candidates[i], key));
    let base_score = report["source_only_reverse"][key]
        .as_f64()
        .or_else(|| report["source_only"][format!("reverse_{key}")].as_f64());
    let verdict = &report["verdict"];
    let answer = match verdict["kind"].as_str() {
        Some("helps") => "DANN helps",
        Some("does_not_help") => "DANN does not help",
        _ => "Too close to call",
    };
    let num = |v: Option<f64>| v.map(sig).unwrap_or_else(|| "-".into());
    let settings = chosen
        .map(|i| {
            let c = &candidates[i];
            format!(
                "lambda {}, hidden {}, learning rate {}",
                num(c["lambda"].as_f64()),
                num(c["hidden"].as_f64()),
                num(c["lr"].as_f64())
            )
        })
        .unwrap_or_default();
    let mut html = format!(
        "<h1>dann select <code>{}</code></h1>\n<section id=\"headline\">\n<p class=\"answer\">\
         <strong>{answer}</strong> (without target labels: reverse validation, {})</p>\n\
         <ul><li>reverse {} of the chosen DANN: <strong id=\"dann-score\">{}</strong> against \
         source-only's <strong id=\"source-only-score\">{}</strong> (difference {}, standard \
         error {})</li>\n<li>chosen: {}</li></ul>\n</section>\n",
        escape(dir),
        escape(score),
        escape(&key.replace('_', " ")),
        num(dann_score),
        num(base_score),
        num(verdict["difference"].as_f64()),
        num(verdict["standard_error"].as_f64()),
        escape(&settings),
    );
    html.push_str(
        "<p>Each DANN candidate is trained on the source and the target; its predictions label \
         the target, a reverse model trained on them is scored on held-out source rows. The \
         lowest reverse score wins; the verdict compares it with the source-only baseline's \
         (two standard errors).</p>\n<h2>DANN candidates</h2>\n",
    );
    html.push_str(&table(&candidates, chosen, "candidates"));
    let baselines = report["source_only_candidates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let base_chosen = report["source_only_chosen"]
        .as_u64()
        .map(|i| i as usize)
        .or_else(|| {
            let b = &report["source_only"];
            baselines.iter().position(|c| {
                ["hidden", "lr"]
                    .iter()
                    .all(|k| c[*k].as_f64() == b[*k].as_f64())
            })
        });
    html.push_str("<h2>Source-only candidates</h2>\n");
    html.push_str(&table(&baselines, base_chosen, "source-only"));
    html
}

/// One row per candidate, its scalar settings and scores as columns (`reverse` and
/// `optimizer` flattened), the chosen one marked.
fn table(rows: &[Value], chosen: Option<usize>, id: &str) -> String {
    let cell = |c: &Value, col: &str| -> String {
        let v = match col.split_once(' ') {
            Some(("reverse", k)) => c["reverse"][k].clone(),
            _ if col == "optimizer" => c["optimizer"]["kind"].clone(),
            _ => c[col].clone(),
        };
        match v {
            Value::Number(n) => n.as_f64().map(sig).unwrap_or_default(),
            Value::String(s) => escape(&s),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        }
    };
    let mut cols: Vec<String> = Vec::new();
    for r in rows {
        for (k, v) in r.as_object().into_iter().flatten() {
            let names = match (k.as_str(), v) {
                ("reverse", Value::Object(m)) => m.keys().map(|s| format!("reverse {s}")).collect(),
                ("optimizer", _) => vec!["optimizer".to_string()],
                (_, Value::Number(_) | Value::String(_) | Value::Bool(_)) => vec![k.clone()],
                _ => vec![],
            };
            for n in names {
                if !cols.contains(&n) {
                    cols.push(n);
                }
            }
        }
    }
    const ORDER: [&str; 9] = [
        "lambda",
        "hidden",
        "lr",
        "optimizer",
        "forward_error",
        "validation_error",
        "reverse error",
        "reverse log_loss",
        "epoch",
    ];
    let rank = |c: &String| ORDER.iter().position(|o| o == c).unwrap_or(ORDER.len());
    cols.sort_by_key(rank); // stable: others keep their order, after these
    let mut t = format!("<table id=\"{id}\"><tr>");
    for c in &cols {
        let _ = write!(t, "<th>{}</th>", escape(&c.replace('_', " ")));
    }
    t.push_str("<th>chosen</th></tr>\n");
    for (i, r) in rows.iter().enumerate() {
        let mark = chosen == Some(i);
        t.push_str(if mark {
            "<tr class=\"chosen\">"
        } else {
            "<tr>"
        });
        for c in &cols {
            let _ = write!(t, "<td>{}</td>", cell(r, c));
        }
        let _ = writeln!(t, "<td>{}</td></tr>", if mark { "yes" } else { "" });
    }
    t.push_str("</table>\n");
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_gives_the_verdict_and_the_chosen_scores() {
        let report = serde_json::json!({
            "dann": {"lambda": 0.3, "hidden": 50, "lr": 0.001, "reverse_error": 0.25},
            "source_only": {"lambda": 0.0, "hidden": 50, "lr": 0.001, "reverse_error": 0.31},
            "verdict": {"kind": "helps", "difference": 0.06, "standard_error": 0.012345678},
            "score": "error",
            "candidates": [
                {"lambda": 0.1, "hidden": 50, "lr": 0.001, "forward_error": 0.2,
                 "reverse": {"error": 0.27, "log_loss": 0.61}},
                {"lambda": 0.3, "hidden": 50, "lr": 0.001, "forward_error": 0.21,
                 "reverse": {"error": 0.25, "log_loss": 0.6}},
            ],
            "source_only_candidates": [{"hidden": 50, "lr": 0.001, "validation_error": 0.2}],
        });
        let html = select_body(&report, "runs/sel");
        assert!(html.contains("<strong>DANN helps</strong>"), "{html}");
        assert!(html.contains("id=\"dann-score\">0.25<"), "{html}");
        assert!(html.contains("id=\"source-only-score\">0.31<"), "{html}");
        assert!(html.contains("standard error 0.01235"), "{html}");
        // The second candidate is the chosen one.
        let row = html.split("<tr class=\"chosen\">").nth(1).unwrap();
        assert!(row.starts_with("<td>0.3</td>"), "{row}");
        assert!(
            html.contains("<th>lambda</th><th>hidden</th><th>lr</th>"),
            "{html}"
        );
        assert!(html.contains("<th>reverse error</th>"), "{html}");
        // The source-only baseline chosen is marked too.
        assert_eq!(html.matches("<tr class=\"chosen\">").count(), 2, "{html}");
    }
}
