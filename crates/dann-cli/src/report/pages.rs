//! Pages beyond one run's report: `dann compare` and `reproduce amazon`'s amazon.html.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde_json::{Map, Value};

use super::plot::{Chart, register_font, write_plots};
use super::{curve, escape, inline_png, page, read_jsonl, read_records, sig};
use crate::output::write_file;

/// For each `(key, title)` of `metrics` that any run recorded, one chart with a curve per
/// named run, saved as `<prefix><key>`.
fn overlaid(
    runs: &[(String, Vec<Map<String, Value>>)],
    metrics: &[(&str, &str)],
    prefix: &str,
    x_label: &str,
) -> Vec<Chart> {
    metrics
        .iter()
        .filter_map(|&(key, title)| {
            // Each run keeps its colour (its position among the runs) in every chart.
            let (colours, series): (Vec<usize>, Vec<_>) = runs
                .iter()
                .enumerate()
                .map(|(i, (name, records))| (i, (name.clone(), curve(records, key))))
                .filter(|(_, (_, points))| !points.is_empty())
                .unzip();
            (!series.is_empty()).then(|| Chart {
                stem: format!("{prefix}{key}"),
                title: title.to_string(),
                x_label: x_label.to_string(),
                y_label: title.to_lowercase(),
                scatter: false,
                series,
                colours,
            })
        })
        .collect()
}

/// Writes `compare.html` and `plots/` into `out`: the runs' last records side by side (and
/// their shift, when measured) and, for each metric, one chart with a curve per run.
pub fn write_comparison(runs: &[PathBuf], out: &Path) -> Result<PathBuf> {
    register_font();
    if runs.len() < 2 {
        bail!("give at least two run directories to compare");
    }
    let named: Vec<(String, Vec<Map<String, Value>>)> = runs
        .iter()
        .map(|r| {
            let name = r.file_name().map_or_else(
                || r.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            Ok((name, read_records(r)?))
        })
        .collect::<Result<_>>()?;
    let charts = overlaid(
        &named,
        &[
            ("label_loss", "Label loss"),
            ("domain_loss", "Domain loss"),
            ("source_accuracy", "Source accuracy"),
            ("target_accuracy", "Target accuracy"),
            ("source_r2", "Source R^2"),
            ("target_r2", "Target R^2"),
            ("domain_accuracy", "Domain accuracy"),
            ("validation_error", "Validation error"),
        ],
        "",
        "iteration (or epoch)",
    );
    let figures = write_plots(&out.join("plots"), &charts)?;
    let lasts: Vec<Map<String, Value>> = named
        .iter()
        .map(|(_, r)| r.last().cloned().unwrap_or_default())
        .collect();
    let keys: Vec<String> = super::ordered_keys(&lasts).into_iter().cloned().collect();
    let mut table = String::from("<tr><th>run</th>");
    for k in &keys {
        let _ = write!(table, "<th>{}</th>", escape(&k.replace('_', " ")));
    }
    table.push_str("<th>PAD of the features</th></tr>\n");
    let mut pads = Vec::new();
    for ((name, last), dir) in named.iter().map(|(n, _)| n).zip(&lasts).zip(runs) {
        let _ = write!(table, "<tr><th>{}</th>", escape(name));
        for k in &keys {
            let v = last.get(k).and_then(Value::as_f64);
            let _ = write!(table, "<td>{}</td>", v.map(sig).unwrap_or_default());
        }
        let shift: Option<Value> = std::fs::read_to_string(dir.join("shift.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        let pad = shift.and_then(|v| v["features"]["pad"]["value"].as_f64());
        pads.push(pad);
        let _ = writeln!(table, "<td>{}</td></tr>", pad.map(sig).unwrap_or_default());
    }
    let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
    let headline = compare_headline(&names, &lasts, &pads);
    let html = page(
        "dann compare",
        &format!(
            r#"<h1>dann compare</h1>
{headline}<h2>Last record of each run</h2>
<table id="compare">
{table}</table>
<h2>Curves</h2>
{figures}
"#
        ),
    );
    let path = out.join("compare.html");
    write_file(&path, &html)?;
    Ok(path)
}

/// The answer of a comparison: the run with the best target accuracy (R^2) when the runs
/// measured it, else the one whose features the domains share most (lowest PAD).
fn compare_headline(names: &[&str], lasts: &[Map<String, Value>], pads: &[Option<f64>]) -> String {
    let best = |values: Vec<Option<f64>>, higher: bool| {
        values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i, (*v)?)))
            .max_by(|a, b| match higher {
                true => a.1.total_cmp(&b.1),
                false => b.1.total_cmp(&a.1),
            })
    };
    let measure = ["target_accuracy", "target_r2"].into_iter().find(|k| {
        lasts
            .iter()
            .any(|l| l.get(*k).and_then(Value::as_f64).is_some())
    });
    let (answer, rest) = match measure {
        Some(k) => {
            let values: Vec<Option<f64>> = lasts
                .iter()
                .map(|l| l.get(k).and_then(Value::as_f64))
                .collect();
            let (i, v) = best(values.clone(), true).expect("one value");
            let others: Vec<String> = values
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .filter_map(|(j, v)| Some(format!("{} {}", escape(names[j]), sig((*v)?))))
                .collect();
            (
                format!(
                    "Best {}: <span id=\"best-run\">{}</span> with <span id=\"best-value\">{}</span>",
                    k.replace('_', " "),
                    escape(names[i]),
                    sig(v)
                ),
                format!("against {}", others.join(", ")),
            )
        }
        None => match best(pads.to_vec(), false) {
            Some((i, v)) => (
                format!(
                    "No target labels: the features of <span id=\"best-run\">{}</span> \
                     are the hardest to tell apart by domain (PAD <span \
                     id=\"best-value\">{}</span>)",
                    escape(names[i]),
                    sig(v)
                ),
                "lower PAD: source and target features closer".to_string(),
            ),
            None => (
                "No target labels and no shift measured: the curves below are all there is \
                 to compare"
                    .to_string(),
                String::new(),
            ),
        },
    };
    format!(
        "<section id=\"headline\"><p class=\"answer\"><strong>{answer}</strong></p><p>{rest}</p></section>\n"
    )
}

/// Writes `amazon.html` and its plots into `out`: the table beside the paper's and, with the
/// PADs, two scatters like the paper's Figure 3 (PAD of DANN's features against the raw
/// inputs' and against the NN's, one point per pair, the diagonal `y = x`).
pub fn write_amazon_page(
    report: &dann::experiments::amazon::Report,
    out: &Path,
) -> Result<PathBuf> {
    use dann::experiments::amazon::PairPad;
    register_font();
    let mut rows = String::new();
    for p in &report.pairs {
        let _ = writeln!(
            rows,
            "<tr><th>{} &rarr; {}</th><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td></tr>",
            escape(&p.source),
            escape(&p.target),
            p.dann,
            p.nn,
            p.svm,
            p.paper.0,
            p.paper.1,
            p.paper.2,
            p.dann_lambda,
            p.dann_hidden
        );
    }
    let (m, pm) = (report.mean, report.paper_mean);
    let _ = writeln!(
        rows,
        "<tr><th>mean</th><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td></td><td></td></tr>",
        m.0, m.1, m.2, pm.0, pm.1, pm.2
    );
    let pads: Vec<&PairPad> = report.pairs.iter().filter_map(|p| p.pad.as_ref()).collect();
    let figures = if pads.is_empty() {
        String::from("<p>No PAD in this run (<code>reproduce amazon --pad</code> measures it).</p>")
    } else {
        let scatter = |stem: &str, title: &str, x: &str, f: fn(&PairPad) -> f64| Chart {
            stem: stem.into(),
            title: title.into(),
            x_label: x.into(),
            y_label: "PAD on DANN features".into(),
            scatter: true,
            series: vec![(
                "one point per pair".into(),
                pads.iter().map(|p| (f(p), p.dann)).collect(),
            )],
            colours: Vec::new(),
        };
        write_plots(
            &out.join("plots"),
            &[
                scatter(
                    "pad_raw_vs_dann",
                    "PAD: raw inputs vs DANN (Figure 3)",
                    "PAD on raw inputs",
                    |p| p.raw,
                ),
                scatter(
                    "pad_nn_vs_dann",
                    "PAD: NN vs DANN (Figure 3)",
                    "PAD on NN features",
                    |p| p.nn,
                ),
            ],
        )?
    };
    let html = page(
        "dann reproduce amazon",
        &format!(
            r#"<h1>Amazon reviews: target accuracy (JMLR 2016, Table 1)</h1>
{headline}<table id="amazon">
<tr><th>source &rarr; target</th><th>DANN</th><th>NN</th><th>SVM</th><th>paper DANN</th><th>paper NN</th><th>paper SVM</th><th>lambda</th><th>hidden</th></tr>
{rows}</table>
<p>{:.0} s in all.</p>
<h2>Proxy A-distance (Figure 3)</h2>
{figures}
"#,
            report.seconds,
            headline = amazon_headline(report),
        ),
    );
    let path = out.join("amazon.html");
    write_file(&path, &html)?;
    Ok(path)
}

/// The answer of `reproduce amazon`: on how many pairs DANN beat the NN, and the means.
fn amazon_headline(report: &dann::experiments::amazon::Report) -> String {
    let wins = report.pairs.iter().filter(|p| p.dann > p.nn).count();
    let (m, pm) = (report.mean, report.paper_mean);
    format!(
        "<section id=\"headline\"><p class=\"answer\"><strong>DANN beat the source-only NN \
         on {wins} of {} pairs</strong>: mean target accuracy DANN <span \
         id=\"dann-mean\">{}</span>, NN <span id=\"nn-mean\">{}</span>, SVM {} (paper: {}, \
         {}, {})</p></section>\n",
        report.pairs.len(),
        sig(m.0),
        sig(m.1),
        sig(m.2),
        sig(pm.0),
        sig(pm.1),
        sig(pm.2)
    )
}

/// The answer of `reproduce digits`: DANN against source-only on the target test images,
/// and the published figures.
fn digits_headline(report: &dann::experiments::digits::DigitsReport) -> String {
    use dann::experiments::digits::ModelKind;
    let acc = |k| report.model(k).map(|m| m.target_accuracy);
    let answer = match (acc(ModelKind::Dann), acc(ModelKind::SourceOnly)) {
        (Some(d), Some(s)) => format!(
            "DANN {} source-only on the target test images: <span id=\"dann-target\">{}</span> \
             against <span id=\"source-only-target\">{}</span> ({:+.4})",
            if d > s { "beat" } else { "did not beat" },
            sig(d),
            sig(s),
            d - s
        ),
        (Some(d), None) => format!(
            "DANN's target test accuracy: <span id=\"dann-target\">{}</span>",
            sig(d)
        ),
        (None, Some(s)) => format!(
            "Source-only's target test accuracy: <span id=\"source-only-target\">{}</span>",
            sig(s)
        ),
        (None, None) => "Neither DANN nor source-only was trained".into(),
    };
    let published = report.published.map_or(String::new(), |p| {
        format!(
            " (published: DANN {}, source-only {})",
            sig(p.dann),
            sig(p.source_only)
        )
    });
    format!(
        "<section id=\"headline\"><p class=\"answer\"><strong>{answer}</strong>{published}</p></section>\n"
    )
}

/// Writes `<stem>.html` and `plots/<stem>-*` into `out` for `reproduce digits`: each model's
/// target accuracy beside the published one, the training curves of the models overlaid (from
/// `<stem>-metrics-<model>.jsonl` there) and the t-SNE maps before and after adaptation
/// (`<stem>-tsne-<model>.png`), inlined.
pub fn write_digits_page(
    report: &dann::experiments::digits::DigitsReport,
    stem: &str,
    out: &Path,
    command: &str,
) -> Result<PathBuf> {
    use dann::experiments::digits::ModelKind;
    register_font();
    let published = |kind: ModelKind| {
        report
            .published
            .and_then(|p| match kind {
                ModelKind::SourceOnly => Some(p.source_only),
                ModelKind::Dann => Some(p.dann),
                ModelKind::TrainOnTarget => p.train_on_target,
            })
            .map_or("&ndash;".into(), |v| format!("{v:.4}"))
    };
    let mut rows = String::new();
    let mut runs = Vec::new();
    for m in &report.models {
        let name = m.model.name();
        let _ = writeln!(
            rows,
            "<tr><th>{name}</th><td>{:.4}</td><td>{}</td><td>{:.4}</td><td>{:.0} s</td></tr>",
            m.target_accuracy,
            published(m.model),
            m.source_accuracy,
            m.seconds
        );
        let metrics = out.join(format!("{stem}-metrics-{name}.jsonl"));
        if metrics.exists() {
            runs.push((name.to_string(), read_jsonl(&metrics)?));
        }
    }
    let charts = overlaid(
        &runs,
        &[
            ("label_loss", "Label loss"),
            ("domain_loss", "Domain loss"),
            ("domain_accuracy", "Domain accuracy"),
            ("target_accuracy", "Target accuracy"),
            ("source_accuracy", "Source accuracy"),
        ],
        &format!("{stem}-"),
        "iteration",
    );
    let figures = write_plots(&out.join("plots"), &charts)?;
    let mut maps = String::new();
    for kind in [ModelKind::SourceOnly, ModelKind::Dann] {
        let file = format!("{stem}-tsne-{}.png", kind.name());
        if let Ok(png) = std::fs::read(out.join(&file)) {
            let _ = writeln!(
                maps,
                "<figure style=\"flex: 1\">{}<figcaption>{} ({file})</figcaption></figure>",
                inline_png(&format!("tsne-{}", kind.name()), &file, &png),
                kind.name()
            );
        }
    }
    if maps.is_empty() {
        maps = "<p>No t-SNE maps in this run (<code>--tsne-n 0</code>, or neither source-only \
                nor DANN trained).</p>"
            .into();
    }
    let citation = report.published.map_or(String::new(), |p| {
        format!(
            "<p>Published: {}.{}</p>",
            escape(p.citation),
            if p.protocol.is_empty() {
                String::new()
            } else {
                format!(" Protocol: {}.", escape(p.protocol))
            }
        )
    });
    let (source, target) = (report.pair.source, report.pair.target);
    let html = page(
        &format!("dann reproduce digits {source} -> {target}"),
        &format!(
            r#"<h1>{source} &rarr; {target}: target test accuracy</h1>
{headline}<table id="digits">
<tr><th>model</th><th>target test accuracy</th><th>published</th><th>source test accuracy</th><th>train time</th></tr>
{rows}</table>
{citation}
<p>{iterations} iterations of {batch} images (source and target together), seed {seed};
{train_s} source and {train_t} target training images, {test} target test images{subset};
{seconds:.0} s in all.</p>
<pre id="command">{command}</pre>
<h2>Training curves</h2>
{figures}
<h2>t-SNE of the features, source and target test images</h2>
<p>Before adaptation (source-only) the domains form separate clouds; DANN should mix them.</p>
<div id="maps" style="display: flex; gap: 1em">
<style>#maps img {{ width: 100%; }}</style>
{maps}</div>
"#,
            headline = digits_headline(report),
            iterations = report.iterations,
            batch = report.batch_size,
            seed = report.seed,
            train_s = report.train_images[0],
            train_t = report.train_images[1],
            test = report.test_images,
            subset = report.subset.map_or(String::new(), |n| format!(
                " (a subset of at most {n} per domain)"
            )),
            seconds = report.seconds,
            command = escape(command),
        ),
    );
    let path = out.join(format!("{stem}.html"));
    write_file(&path, &html)?;
    Ok(path)
}
