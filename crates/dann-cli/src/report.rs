//! The report of a training run: curves of its `metrics.jsonl` as PNG and SVG (drawn with
//! plotters, text in the DejaVu Sans font compiled into the binary, so it renders on a
//! machine without fonts), and one self-contained `report.html` (the SVGs inlined, no
//! network needed) with the final and every recorded value, the run's config and model.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use plotters::prelude::*;
use serde_json::{Map, Value};

use crate::output::write_file;

/// The font of every plot (DejaVu Sans, its licence in assets/fonts/LICENSE-DejaVu).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
pub(crate) const FAMILY: &str = "sans-serif";
/// Size of each plot in pixels (PNG) or user units (SVG).
pub const PLOT_SIZE: (u32, u32) = (800, 360);

pub(crate) fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font, compiled in; failing here is a build error.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// One chart: named series of `(x, y)` points.
struct Chart {
    stem: String,
    title: String,
    x_label: String,
    /// Points and the diagonal `y = x` instead of lines (a scatter like the paper's
    /// Figure 3), with this y-axis label.
    scatter: Option<String>,
    series: Vec<(String, Vec<(f64, f64)>)>,
}

/// The charts of a run's records: losses, accuracies, lambda, learning rate (each series
/// present when any record has it).
fn charts(records: &[Map<String, Value>]) -> Vec<Chart> {
    let x_key = if records.iter().any(|r| r.contains_key("iteration")) {
        "iteration"
    } else {
        "epoch"
    };
    let series = |keys: &[&str]| -> Vec<(String, Vec<(f64, f64)>)> {
        keys.iter()
            .filter_map(|&k| {
                let points: Vec<(f64, f64)> = records
                    .iter()
                    .filter_map(|r| Some((r.get(x_key)?.as_f64()?, r.get(k)?.as_f64()?)))
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .collect();
                (!points.is_empty()).then(|| (k.replace('_', " "), points))
            })
            .collect()
    };
    [
        ("losses", "Losses", &["label_loss", "domain_loss"][..]),
        (
            "accuracy",
            "Accuracy and error",
            &[
                "source_accuracy",
                "target_accuracy",
                "domain_accuracy",
                "validation_error",
            ][..],
        ),
        ("lambda", "Adaptation weight lambda_p", &["lambda"][..]),
        ("lr", "Learning rate mu_p", &["lr"][..]),
    ]
    .into_iter()
    .map(|(stem, title, keys)| Chart {
        stem: stem.to_string(),
        title: title.to_string(),
        x_label: x_key.to_string(),
        scatter: None,
        series: series(keys),
    })
    .filter(|c| !c.series.is_empty())
    .collect()
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    chart: &Chart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| {
        anyhow::anyhow!("cannot draw {}: {e:?}", chart.stem)
    };
    root.fill(&WHITE).map_err(err)?;
    let points = chart.series.iter().flat_map(|(_, p)| p);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if chart.scatter.is_some() {
        // One square range with the diagonal across it.
        (x0, y0) = (x0.min(y0), x0.min(y0));
        (x1, y1) = (x1.max(y1), x1.max(y1));
    }
    let pad = ((y1 - y0) * 0.05).max(1e-9);
    let (y0, y1) = (y0 - pad, y1 + pad);
    let (x0, x1) = if chart.scatter.is_some() {
        (x0 - pad, x1 + pad)
    } else {
        (x0, x1)
    };
    let mut ctx = ChartBuilder::on(&root)
        .caption(chart.title.as_str(), (FAMILY, 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    ctx.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.scatter.as_deref().unwrap_or(""))
        .label_style((FAMILY, 13))
        .draw()
        .map_err(err)?;
    if chart.scatter.is_some() {
        ctx.draw_series(LineSeries::new([(x0, x0), (x1, x1)], BLACK.mix(0.4)))
            .map_err(err)?
            .label("y = x");
    }
    let colours = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
    ];
    for (i, (name, points)) in chart.series.iter().enumerate() {
        let colour = colours[i % colours.len()];
        let drawn = if chart.scatter.is_some() {
            ctx.draw_series(points.iter().map(|&p| Circle::new(p, 5, colour.filled())))
        } else {
            ctx.draw_series(LineSeries::new(
                points.iter().copied(),
                colour.stroke_width(2),
            ))
        };
        drawn
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((FAMILY, 13))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// `chart` as PNG bytes.
fn png(chart: &Chart) -> Result<Vec<u8>> {
    let (w, h) = PLOT_SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    draw(
        BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area(),
        chart,
    )?;
    encode_png(w, h, rgb)
}

/// An RGB buffer of `w x h` pixels as PNG bytes.
pub(crate) fn encode_png(w: u32, h: u32, rgb: Vec<u8>) -> Result<Vec<u8>> {
    let image = image::RgbImage::from_raw(w, h, rgb).context("plot buffer of the wrong size")?;
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .context("cannot encode the plot")?;
    Ok(bytes.into_inner())
}

/// `chart` as an SVG document.
fn svg(chart: &Chart) -> Result<String> {
    let mut text = String::new();
    draw(
        SVGBackend::with_string(&mut text, PLOT_SIZE).into_drawing_area(),
        chart,
    )?;
    Ok(text)
}

/// Writes each chart as `plots/<stem>.png` and `.svg`; returns the HTML figures with the
/// SVGs inlined.
fn write_plots(plots: &Path, charts: &[Chart]) -> Result<String> {
    std::fs::create_dir_all(plots).with_context(|| format!("cannot create {}", plots.display()))?;
    let mut figures = String::new();
    for chart in charts {
        let png_path = plots.join(format!("{}.png", chart.stem));
        let bytes = png(chart)?;
        dann::files::write_atomically(&png_path, |w| std::io::Write::write_all(w, &bytes))?;
        let svg_text = svg(chart)?;
        write_file(&plots.join(format!("{}.svg", chart.stem)), &svg_text)?;
        // Inline, without the XML declaration.
        let inline = svg_text.trim_start_matches(|c| c != '<');
        let inline = inline.strip_prefix("<?xml").map_or(inline, |rest| {
            rest.split_once("?>").map_or(rest, |(_, body)| body)
        });
        let _ = writeln!(
            figures,
            "<figure id=\"plot-{}\">{inline}<figcaption>{} (plots/{}.png, plots/{}.svg)</figcaption></figure>",
            chart.stem, chart.title, chart.stem, chart.stem
        );
    }
    Ok(figures)
}

/// The records of `metrics.jsonl` in `dir`, each line a JSON object; a malformed line is an
/// error naming it.
fn read_records(dir: &Path) -> Result<Vec<Map<String, Value>>> {
    let path = dir.join("metrics.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (is {} a run directory?)",
            path.display(),
            dir.display()
        )
    })?;
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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes `plots/*.png`, `plots/*.svg` and `report.html` into the run directory `dir`
/// (from its `metrics.jsonl`, `config.toml` and `model.json`); returns the report's path.
pub fn write(dir: &Path) -> Result<PathBuf> {
    register_font();
    let records = read_records(dir)?;
    if records.is_empty() {
        bail!("{}: metrics.jsonl has no records to report", dir.display());
    }
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots)
        .with_context(|| format!("cannot create {}", plots.display()))?;
    let figures = write_plots(&plots, &charts(&records))?;
    let mut keys: Vec<&String> = Vec::new();
    for r in &records {
        for k in r.keys() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let cell = |v: Option<&Value>| match v {
        Some(Value::Null) | None => String::new(),
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
    let shift = shift_section(&read("shift.json"));
    let tsne = match std::fs::read(dir.join("tsne.png")) {
        Ok(png) => {
            use base64::Engine;
            format!(
                "<h2>t-SNE of the learned features (tsne.png, tsne.csv)</h2>\n<p>Source and \
                 target rows (up to {} each) in the model's feature space: DANN should mix the \
                 two colours.</p>\n<img id=\"tsne\" alt=\"t-SNE map\" src=\"data:image/png;base64,{}\">",
                500,
                base64::engine::general_purpose::STANDARD.encode(png)
            )
        }
        Err(_) => String::new(),
    };
    let html = page(
        &format!("dann run {}", dir.display()),
        &format!(
            r#"<h1>dann run <code>{title}</code></h1>
<h2>Last record</h2>
<table id="last">{summary}</table>
<h2>Curves</h2>
{figures}
{shift}
{tsne}
<h2>Every record (metrics.jsonl)</h2>
<table id="metrics">
{table}</table>
<h2>Configuration (config.toml)</h2>
<pre id="config">{config}</pre>
<h2>Model (model.json)</h2>
<pre id="model">{model}</pre>
"#,
            title = escape(&dir.display().to_string()),
            config = escape(&read("config.toml")),
            model = escape(&read("model.json")),
        ),
    );
    let path = dir.join("report.html");
    write_file(&path, &html)?;
    Ok(path)
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
    let mut charts = Vec::new();
    for (key, title) in [
        ("label_loss", "Label loss"),
        ("domain_loss", "Domain loss"),
        ("source_accuracy", "Source accuracy"),
        ("target_accuracy", "Target accuracy"),
        ("domain_accuracy", "Domain accuracy"),
        ("validation_error", "Validation error"),
    ] {
        let mut series = Vec::new();
        for (name, records) in &named {
            let x_key = if records.iter().any(|r| r.contains_key("iteration")) {
                "iteration"
            } else {
                "epoch"
            };
            let points: Vec<(f64, f64)> = records
                .iter()
                .filter_map(|r| Some((r.get(x_key)?.as_f64()?, r.get(key)?.as_f64()?)))
                .collect();
            if !points.is_empty() {
                series.push((name.clone(), points));
            }
        }
        if !series.is_empty() {
            charts.push(Chart {
                stem: key.to_string(),
                title: title.to_string(),
                x_label: "iteration (or epoch)".into(),
                scatter: None,
                series,
            });
        }
    }
    let figures = write_plots(&out.join("plots"), &charts)?;
    let mut keys: Vec<String> = Vec::new();
    for (_, records) in &named {
        for k in records.last().into_iter().flat_map(|r| r.keys()) {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let mut table = String::from("<tr><th>run</th>");
    for k in &keys {
        let _ = write!(table, "<th>{}</th>", escape(k));
    }
    table.push_str("<th>PAD of the features</th></tr>\n");
    for ((name, records), dir) in named.iter().zip(runs) {
        let last = records.last();
        let _ = write!(table, "<tr><th>{}</th>", escape(name));
        for k in &keys {
            let v = last.and_then(|r| r.get(k)).filter(|v| !v.is_null());
            let _ = write!(
                table,
                "<td>{}</td>",
                v.map_or(String::new(), |v| escape(&v.to_string()))
            );
        }
        let shift: Option<Value> = std::fs::read_to_string(dir.join("shift.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        let pad = shift
            .and_then(|v| v["features"]["pad"]["value"].as_f64())
            .map_or(String::new(), |p| format!("{p:.3}"));
        let _ = writeln!(table, "<td>{pad}</td></tr>");
    }
    let html = page(
        "dann compare",
        &format!(
            r#"<h1>dann compare</h1>
<h2>Last record of each run</h2>
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
            scatter: Some("PAD on DANN features".into()),
            series: vec![(
                "one point per pair".into(),
                pads.iter().map(|p| (f(p), p.dann)).collect(),
            )],
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
<table id="amazon">
<tr><th>source &rarr; target</th><th>DANN</th><th>NN</th><th>SVM</th><th>paper DANN</th><th>paper NN</th><th>paper SVM</th><th>lambda</th><th>hidden</th></tr>
{rows}</table>
<p>{:.0} s in all.</p>
<h2>Proxy A-distance (Figure 3)</h2>
{figures}
"#,
            report.seconds
        ),
    );
    let path = out.join("amazon.html");
    write_file(&path, &html)?;
    Ok(path)
}
