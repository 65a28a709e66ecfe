//! The report of a training run: curves of its `metrics.jsonl` as PNG and SVG (drawn with
//! plotters, text in the DejaVu Sans font compiled into the binary, so it renders on a
//! machine without fonts), and one self-contained `report.html` (the SVGs inlined, no
//! network needed) with the final and every recorded value, the run's config and model.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use crate::output::write_file;

mod headline;
pub mod moons_figure;
mod pages;
mod plot;
mod select_page;
mod shift_page;
mod tsne;

pub use pages::{write_amazon_page, write_comparison, write_digits_page};
use plot::{Chart, register_font, write_plots};
pub use select_page::{SELECT_JSON, write_select_page};
pub use shift_page::{ShiftContext, write_shift_page};
pub use tsne::draw_tsne;

/// What a run's records count: `iteration` (burn and kernel runs), else `epoch` (a
/// `[shallow]` run).
fn x_key(records: &[Map<String, Value>]) -> &'static str {
    if records.iter().any(|r| r.contains_key("iteration")) {
        "iteration"
    } else {
        "epoch"
    }
}

/// The `(iteration or epoch, value)` points of `key` in `records`, where it has a value.
fn curve(records: &[Map<String, Value>], key: &str) -> Vec<(f64, f64)> {
    let x = x_key(records);
    records
        .iter()
        .filter_map(|r| Some((r.get(x)?.as_f64()?, r.get(key)?.as_f64()?)))
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect()
}

/// The charts of a run's records: losses, accuracies, lambda, learning rate (each series
/// present when any record has it).
fn charts(records: &[Map<String, Value>]) -> Vec<Chart> {
    let x_key = x_key(records);
    let series = |keys: &[&str]| -> Vec<(String, Vec<(f64, f64)>)> {
        keys.iter()
            .filter_map(|&k| {
                let points = curve(records, k);
                (!points.is_empty()).then(|| (k.replace('_', " "), points))
            })
            .collect()
    };
    [
        (
            "losses",
            "Losses",
            "loss",
            &["label_loss", "domain_loss"][..],
        ),
        (
            "accuracy",
            "Accuracy (R^2 in a regression) and error",
            "accuracy, R^2 or error",
            &[
                "source_accuracy",
                "target_accuracy",
                "source_r2",
                "target_r2",
                "domain_accuracy",
                "validation_error",
            ][..],
        ),
        (
            "lambda",
            "Adaptation weight lambda_p",
            "lambda_p",
            &["lambda"][..],
        ),
        ("lr", "Learning rate mu_p", "mu_p", &["lr"][..]),
    ]
    .into_iter()
    .map(|(stem, title, y_label, keys)| Chart {
        stem: stem.to_string(),
        title: title.to_string(),
        x_label: x_key.to_string(),
        y_label: y_label.to_string(),
        scatter: false,
        series: series(keys),
        colours: Vec::new(),
    })
    .filter(|c| !c.series.is_empty())
    .collect()
}

/// The records of `metrics.jsonl` in `dir`, each line a JSON object; a malformed line is an
/// error naming it.
fn read_records(dir: &Path) -> Result<Vec<Map<String, Value>>> {
    read_jsonl(&dir.join("metrics.jsonl"))
        .with_context(|| format!("is {} a run directory?", dir.display()))
}

/// The records of a metrics file, each line a JSON object; a malformed line is an error
/// naming it.
fn read_jsonl(path: &Path) -> Result<Vec<Map<String, Value>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(m)) => Ok(m),
            _ => bail!("{}:{}: not a JSON object", path.display(), i + 1),
        })
        .collect()
}

/// The shift table from `shift.json` (written by `train`): PAD, AUC and p-value on the
/// model's inputs and on its features; empty without the file.
fn shift_section(json: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(json) else {
        return String::new();
    };
    let mut rows = String::new();
    for (key, name) in [("inputs", "inputs"), ("features", "features G_f(x)")] {
        let m = &v[key];
        let est = |e: &Value| {
            format!(
                "{:.3} [{:.3}, {:.3}]",
                e["value"].as_f64().unwrap_or(f64::NAN),
                e["low"].as_f64().unwrap_or(f64::NAN),
                e["high"].as_f64().unwrap_or(f64::NAN)
            )
        };
        let _ = write!(
            rows,
            "<tr><th>{name}</th><td>{}</td><td>{}</td><td>{:.3}</td></tr>",
            est(&m["pad"]),
            est(&m["auc"]),
            m["p_value"].as_f64().unwrap_or(f64::NAN)
        );
    }
    format!(
        "<h2>Domain shift (shift.json, {} rows per domain)</h2>\n<p>Proxy A-distance and the \
         domain classifier's AUC with 95% intervals, on the model's inputs and on the features it \
         learned (DANN should bring the second down).</p>\n<table id=\"shift\"><tr><th></th>\
         <th>PAD</th><th>AUC</th><th>p</th></tr>{rows}</table>",
        v["inputs"]["rows_per_domain"]
    )
}

/// A whole HTML page titled `title` around `body`, with the reports' style; nothing in it is
/// fetched.
/// The label-shift check made after DANN (`model.json`'s `label_shift`): whether DANN was
/// trained and how its target predictions compare with the source-only network's; empty
/// when the run made no check.
fn label_shift_section(model_json: &str) -> String {
    let Ok(spec) = serde_json::from_str::<dann::deep::ModelSpec>(model_json) else {
        return String::new();
    };
    match spec.label_shift {
        Some(check) => format!(
            "<h2>DANN against source-only (label-shift check)</h2>\n<p id=\"label-shift\">{}</p>\n",
            escape(&check.summary())
        ),
        None => String::new(),
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 60em; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }}
figure {{ margin: 1em 0; }} pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}
</style></head>
<body>
{body}</body></html>
"#,
        escape(title)
    )
}

/// An `<img>` holding `png` itself (base64), so the page needs no other file.
fn inline_png(id: &str, alt: &str, png: &[u8]) -> String {
    use base64::Engine;
    format!(
        "<img id=\"{}\" alt=\"{}\" src=\"data:image/png;base64,{}\">",
        escape(id),
        escape(alt),
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// The keys of a run's records in a natural order: the step, then the target's and the
/// source's scores, the domain classifier's, the losses, the schedules, then any other.
pub(super) fn ordered_keys(records: &[Map<String, Value>]) -> Vec<&String> {
    const ORDER: [&str; 13] = [
        "iteration",
        "epoch",
        "progress",
        "target_accuracy",
        "target_r2",
        "source_accuracy",
        "source_r2",
        "domain_accuracy",
        "validation_error",
        "label_loss",
        "domain_loss",
        "lambda",
        "lr",
    ];
    let mut keys: Vec<&String> = Vec::new();
    for r in records {
        for k in r.keys() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
    keys.sort_by_key(|k| rank(k)); // stable: the others keep their first-seen order
    keys
}

/// Why the run in `dir` is incomplete (no model saved), `None` when it holds a model.
pub fn incomplete(dir: &Path) -> Option<String> {
    if dir.join(dann::deep::SPEC_FILE).exists() {
        return None;
    }
    let checkpoints = dann::run::RunDir::new(dir).checkpoints();
    let resume = match checkpoints.iteration() {
        Ok(Some(it)) => format!(
            "; its last checkpoint is at iteration {it}: `dann train --resume {}` continues it",
            dir.display()
        ),
        _ => String::new(),
    };
    Some(format!(
        "no model was saved: the run was interrupted or failed before its end, and these \
         records stop where it stopped{resume}"
    ))
}

/// `v` with 4 significant digits (whole numbers as they are), for the pages' tables.
pub(crate) fn sig(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v.fract() == 0.0 && v.abs() < 1e9 {
        return format!("{v:.0}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - magnitude).max(0) as usize;
    let text = format!("{v:.decimals$}");
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => text,
    }
}

/// `text` with every decimal number of more than 6 decimals rounded by [`sig`].
fn round_long_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        let token = &tail[..end];
        let decimals = token.split_once('.').map_or(0, |(_, d)| d.len());
        match token.parse::<f64>() {
            Ok(v) if decimals > 6 => out.push_str(&sig(v)),
            _ => out.push_str(token),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes `plots/*.png`, `plots/*.svg` and `report.html` into the run directory `dir`
/// (from its `metrics.jsonl`, `config.toml` and `model.json`), a run shown as `shown` (where
/// it goes: `dir` may be the staging folder of a run not yet in place); returns the
/// report's path under `shown`. A run without a model (interrupted) is said so at the top.
pub fn write(dir: &Path, shown: &Path) -> Result<PathBuf> {
    register_font();
    let records = read_records(dir)?;
    if records.is_empty() {
        bail!(
            "{}: metrics.jsonl has no records to report",
            shown.display()
        );
    }
    let incomplete = match incomplete(dir) {
        Some(why) => format!(
            "<p id=\"incomplete\"><strong>Incomplete run:</strong> {}</p>\n",
            escape(&why)
        ),
        None => String::new(),
    };
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots)
        .with_context(|| format!("cannot create {}", plots.display()))?;
    let figures = write_plots(&plots, &charts(&records))?;
    let keys = ordered_keys(&records);
    let cell = |v: Option<&Value>| match v {
        Some(Value::Null) | None => String::new(),
        Some(Value::Number(n)) => n.as_f64().map(sig).unwrap_or_default(),
        Some(Value::String(s)) => escape(s),
        Some(v) => escape(&v.to_string()),
    };
    let last = records.last().expect("not empty");
    let mut summary = String::new();
    for k in &keys {
        let _ = write!(
            summary,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(k),
            cell(last.get(*k))
        );
    }
    let mut table = String::from("<tr>");
    for k in &keys {
        let _ = write!(table, "<th>{}</th>", escape(k));
    }
    table.push_str("</tr>\n");
    for r in &records {
        table.push_str("<tr>");
        for k in &keys {
            let _ = write!(table, "<td>{}</td>", cell(r.get(*k)));
        }
        table.push_str("</tr>\n");
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let headline = headline::headline(last, &read("model.json"), &read("shift.json"));
    let shift = shift_section(&read("shift.json"));
    let label_shift = label_shift_section(&read("model.json"));
    let tsne = match std::fs::read(dir.join("tsne.png")) {
        Ok(png) => format!(
            "<h2>t-SNE of the learned features (tsne.png, tsne.csv)</h2>\n<p>Source and \
             target rows (up to {} each) in the model's feature space: DANN should mix the \
             two colours.</p>\n{}",
            500,
            inline_png("tsne", "t-SNE map", &png)
        ),
        Err(_) => String::new(),
    };
    let html = page(
        &format!("dann run {}", shown.display()),
        &format!(
            r#"<h1>dann run <code>{title}</code></h1>
{incomplete}{headline}<h2>Last record</h2>
<table id="last">{summary}</table>
<h2>Curves</h2>
{figures}
{label_shift}{shift}
{tsne}
<h2>Every record (metrics.jsonl)</h2>
<table id="metrics">
{table}</table>
<h2>Configuration (config.toml)</h2>
<p>Numbers of more than 4 significant digits are shown rounded; <a href="config.toml">config.toml</a>
and <a href="model.json">model.json</a> (the model: its columns, classes, preprocessing and
checks) beside this page hold them in full.</p>
<pre id="config">{config}</pre>
"#,
            title = escape(&shown.display().to_string()),
            config = escape(&round_long_numbers(&read("config.toml"))),
        ),
    );
    write_file(&dir.join("report.html"), &html)?;
    Ok(shown.join("report.html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_shown_with_four_significant_digits() {
        assert_eq!(sig(0.01778279410038923), "0.01778");
        assert_eq!(sig(0.6363330529857023), "0.6363");
        assert_eq!(sig(1.7999999999999998), "1.8");
        assert_eq!(sig(1000.0), "1000");
        assert_eq!(sig(12.345678), "12.35");
        assert_eq!(sig(0.5), "0.5");
        assert_eq!(
            round_long_numbers("lambdas = [0.01778279410038923, 0.1]\nseed = 42 v1.2"),
            "lambdas = [0.01778, 0.1]\nseed = 42 v1.2"
        );
    }
}
