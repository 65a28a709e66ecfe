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
    /// The y axis's title.
    pub(crate) y_label: String,
    /// Points and the diagonal `y = x` instead of lines (a scatter like the paper's
    /// Figure 3).
    pub(crate) scatter: bool,
    pub(crate) series: Vec<(String, Vec<(f64, f64)>)>,
    /// The colour (index into the palette) of each series, so that one run keeps its colour
    /// from chart to chart; empty: by position.
    pub(crate) colours: Vec<usize>,
}

/// The palette of the series.
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// Width of the legend, right of the plotting area (outside the data).
const LEGEND_WIDTH: u32 = 170;

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
    let (w, _) = root.dim_in_pixel();
    let (area, legend) = root.split_horizontally(w.saturating_sub(LEGEND_WIDTH));
    let points = chart.series.iter().flat_map(|(_, p)| p);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if chart.scatter {
        // One square range with the diagonal across it.
        (x0, y0) = (x0.min(y0), x0.min(y0));
        (x1, y1) = (x1.max(y1), x1.max(y1));
    }
    let pad = ((y1 - y0) * 0.05).max(1e-9);
    let (y0, y1) = (y0 - pad, y1 + pad);
    let (x0, x1) = if chart.scatter {
        (x0 - pad, x1 + pad)
    } else {
        (x0, x1)
    };
    let whole_x = !chart.scatter
        && chart
            .series
            .iter()
            .flat_map(|(_, p)| p)
            .all(|(x, _)| x.fract() == 0.0);
    let mut ctx = ChartBuilder::on(&area)
        .caption(chart.title.as_str(), (FAMILY, 20))
        .margin(12)
        .margin_right(28) // room for the last tick's label
        .x_label_area_size(40)
        .y_label_area_size(72)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let x_ticks = |x: &f64| match whole_x {
        true => format!("{x:.0}"),
        false => format!("{x:.3}"),
    };
    let y_ticks = |y: &f64| super::sig(*y);
    ctx.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_label_formatter(&x_ticks)
        .y_label_formatter(&y_ticks)
        .label_style((FAMILY, 13))
        .axis_desc_style((FAMILY, 14))
        .light_line_style(WHITE)
        .draw()
        .map_err(err)?;
    let mut entries: Vec<(String, RGBColor, bool)> = Vec::new();
    if chart.scatter {
        let grey = RGBColor(150, 150, 150);
        ctx.draw_series(LineSeries::new([(x0, x0), (x1, x1)], grey))
            .map_err(err)?;
        entries.push(("y = x".into(), grey, false));
    }
    for (i, (name, points)) in chart.series.iter().enumerate() {
        let colour = PALETTE[chart.colours.get(i).copied().unwrap_or(i) % PALETTE.len()];
        if chart.scatter {
            ctx.draw_series(points.iter().map(|&p| Circle::new(p, 5, colour.filled())))
                .map_err(err)?;
        } else {
            ctx.draw_series(LineSeries::new(
                points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(err)?;
        }
        entries.push((name.clone(), colour, chart.scatter));
    }
    // The legend, outside the plotting area.
    for (i, (name, colour, dot)) in entries.iter().enumerate() {
        let y = 50 + 22 * i as i32;
        if *dot {
            legend
                .draw(&Circle::new((14, y), 5, colour.filled()))
                .map_err(err)?;
        } else {
            legend
                .draw(&PathElement::new(
                    vec![(4, y), (24, y)],
                    colour.stroke_width(2),
                ))
                .map_err(err)?;
        }
        legend
            .draw(&Text::new(
                name.clone(),
                (30, y - 7),
                (FAMILY, 13).into_font(),
            ))
            .map_err(err)?;
    }
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
