//! Charts of named series (lines, or points with the diagonal), drawn with plotters as PNG
//! and SVG, text in the DejaVu Sans font compiled into the binary (so they render on a
//! machine without fonts).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use plotters::prelude::*;

use crate::output::write_file;

/// The font of every plot (DejaVu Sans, its licence in assets/fonts/LICENSE-DejaVu).
static FONT: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");

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
pub(crate) struct Chart {
    pub(crate) stem: String,
    pub(crate) title: String,
    pub(crate) x_label: String,
    /// Points and the diagonal `y = x` instead of lines (a scatter like the paper's
    /// Figure 3), with this y-axis label.
    pub(crate) scatter: Option<String>,
    pub(crate) series: Vec<(String, Vec<(f64, f64)>)>,
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
pub(crate) fn write_plots(plots: &Path, charts: &[Chart]) -> Result<String> {
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
