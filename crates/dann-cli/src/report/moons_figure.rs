//! The paper's Figure 2 for `dann demo moons --plot DIR`: for the source-only network and for
//! DANN, the label classifier's decision over the plane with the source points (by class)
//! and the target points, and the hidden features of both domains projected on their first
//! two principal components; for DANN also the domain classifier's decision over the plane.

use std::path::Path;

use anyhow::{Context, Result};
use burn::tensor::backend::Backend;
use dann::data::{DenseMatrix, Features};
use dann::experiments::moons::MoonsProblem;
use dann::{Dataset, FittedDann};
use plotters::prelude::*;

use super::plot::{FAMILY, encode_png, register_font};

const SIZE: (u32, u32) = (700, 520);
/// Width of the legend strip right of each plot (outside the data).
const LEGEND_WIDTH: u32 = 150;
/// Cells per side of the grid the decision is evaluated on.
const GRID: usize = 72;
/// Shades of each side of a decision: neighbouring cells of one shade are drawn as one
/// rectangle, which keeps the SVGs small.
const SHADES: f64 = 8.0;
/// The two classes.
const BLUE: RGBColor = RGBColor(31, 119, 180);
const RED: RGBColor = RGBColor(214, 39, 40);
/// The two domains (not the classes' colours): source, target.
const TEAL: RGBColor = RGBColor(0, 150, 136);
const ORANGE: RGBColor = RGBColor(230, 120, 0);

/// What a decision plot shades, and how its legend names the two sides.
struct Shading<'a> {
    /// Colours of the side `p < 1/2` and of the side `p > 1/2`.
    colours: [RGBColor; 2],
    /// Their names in the legend.
    names: [&'a str; 2],
    /// Shading scaled to the largest `|p - 1/2|` over the plane (a domain classifier that
    /// DANN has confused stays close to 1/2 everywhere), else to 1/2.
    stretch: bool,
}

/// The points of `data` as `(x, y)`.
fn points(data: &Dataset) -> Vec<(f64, f64)> {
    let mut row = [0f32; 2];
    (0..data.len())
        .map(|i| {
            data.features().write_row(i, &mut row);
            (f64::from(row[0]), f64::from(row[1]))
        })
        .collect()
}

/// The plane around every point, with a margin.
fn bounds(problem: &MoonsProblem) -> (f64, f64, f64, f64) {
    let all: Vec<(f64, f64)> = [&problem.source, &problem.target, &problem.target_test]
        .iter()
        .flat_map(|d| points(d))
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    (x0 - 0.5, x1 + 0.5, y0 - 0.5, y1 + 0.5)
}

/// `proba` (a probability per grid point) over the plane as a shaded background, then the
/// source points by class (blue, red) and the target points (black crosses), with a legend
/// outside the data.
fn decision_plot<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    problem: &MoonsProblem,
    proba: &[f32],
    shading: &Shading<'_>,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err =
        |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("cannot draw {title}: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    let (area, legend) = root.split_horizontally(w - LEGEND_WIDTH);
    let (x0, x1, y0, y1) = bounds(problem);
    let mut ctx = ChartBuilder::on(&area)
        .caption(title, (FAMILY, 18))
        .margin(10)
        .margin_right(20)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc("x0")
        .y_desc("x1")
        .label_style((FAMILY, 12))
        .axis_desc_style((FAMILY, 13))
        .draw()
        .map_err(err)?;
    let top = proba
        .iter()
        .map(|&p| (f64::from(p) - 0.5).abs())
        .fold(0.0, f64::max);
    let scale = if shading.stretch { top.max(1e-6) } else { 0.5 };
    // Each cell's shade: its side and a level 1..=SHADES (0: white, within a level of 1/2).
    let shade = |p: f32| -> (usize, usize) {
        let d = f64::from(p) - 0.5;
        let level = ((d.abs() / scale) * SHADES).round().min(SHADES) as usize;
        (usize::from(d > 0.0), level)
    };
    // Runs of one shade along each row, merged with the same run in the rows above: one
    // rectangle per `(first column, last column + 1, side, level)` block.
    let (dx, dy) = ((x1 - x0) / GRID as f64, (y1 - y0) / GRID as f64);
    type Run = (usize, usize, usize, usize);
    let mut open: Vec<(Run, usize)> = Vec::new(); // a run and the row it started on
    let mut blocks: Vec<(Run, usize, usize)> = Vec::new(); // a run, its first and end rows
    for j in 0..=GRID {
        let mut row: Vec<Run> = Vec::new();
        let mut i = 0;
        while j < GRID && i < GRID {
            let s = shade(proba[j * GRID + i]);
            let mut end = i + 1;
            while end < GRID && shade(proba[j * GRID + end]) == s {
                end += 1;
            }
            if s.1 > 0 {
                row.push((i, end, s.0, s.1));
            }
            i = end;
        }
        let (kept, closed): (Vec<_>, Vec<_>) = open.into_iter().partition(|(r, _)| row.contains(r));
        blocks.extend(closed.into_iter().map(|(r, from)| (r, from, j)));
        open = row
            .into_iter()
            .map(|r| {
                (
                    r,
                    kept.iter()
                        .find(|(k, _)| *k == r)
                        .map_or(j, |(_, from)| *from),
                )
            })
            .collect();
    }
    let cells = blocks.into_iter().map(|((a, b, side, level), from, to)| {
        let colour = shading.colours[side].mix(0.75 * level as f64 / SHADES);
        Rectangle::new(
            [
                (x0 + a as f64 * dx, y0 + from as f64 * dy),
                (x0 + b as f64 * dx, y0 + to as f64 * dy),
            ],
            colour.filled(),
        )
    });
    ctx.draw_series(cells).map_err(err)?;
    let labels = problem.source.labels().unwrap_or_default();
    let source = points(&problem.source);
    for (class, colour) in [(0, BLUE), (1, RED)] {
        ctx.draw_series(
            source
                .iter()
                .zip(labels)
                .filter(|(_, l)| **l == class)
                .map(|(&p, _)| Circle::new(p, 3, colour.filled())),
        )
        .map_err(err)?;
    }
    ctx.draw_series(
        points(&problem.target)
            .into_iter()
            .map(|p| Cross::new(p, 3, BLACK.mix(0.6))),
    )
    .map_err(err)?;
    // The legend: the points, then the two shaded sides.
    let font = (FAMILY, 12).into_font();
    let mut y = 40;
    let text = |label: &str, y: i32| {
        legend
            .draw(&Text::new(label.to_string(), (28, y - 6), font.clone()))
            .map(|_| ())
    };
    for (name, colour) in [("source, class 0", BLUE), ("source, class 1", RED)] {
        legend
            .draw(&Circle::new((12, y), 4, colour.filled()))
            .map_err(err)?;
        text(name, y).map_err(err)?;
        y += 20;
    }
    legend
        .draw(&Cross::new((12, y), 4, BLACK.mix(0.6)))
        .map_err(err)?;
    text("target (unlabelled)", y).map_err(err)?;
    y += 30;
    for (colour, name) in shading.colours.iter().zip(shading.names) {
        legend
            .draw(&Rectangle::new(
                [(4, y - 7), (20, y + 7)],
                colour.mix(0.75).filled(),
            ))
            .map_err(err)?;
        text(name, y).map_err(err)?;
        y += 20;
    }
    if shading.stretch {
        text("shading scaled to", y + 6).map_err(err)?;
        text(&format!("|p - 1/2| <= {top:.2}"), y + 24).map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// The first two principal components of `rows` (`n x d`, centred here), by power
/// iteration on the covariance with deflation.
fn pca2(rows: &DenseMatrix) -> Vec<(f64, f64)> {
    let (n, d) = (rows.n_rows(), rows.n_cols());
    let mut mean = vec![0f64; d];
    for i in 0..n {
        for (m, &v) in mean.iter_mut().zip(rows.row(i)) {
            *m += f64::from(v) / n as f64;
        }
    }
    let centred: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            rows.row(i)
                .iter()
                .zip(&mean)
                .map(|(&v, m)| f64::from(v) - m)
                .collect()
        })
        .collect();
    let mut cov = vec![vec![0f64; d]; d];
    for r in &centred {
        for a in 0..d {
            for b in 0..d {
                cov[a][b] += r[a] * r[b];
            }
        }
    }
    let mut components: Vec<Vec<f64>> = Vec::new();
    for c in 0..2 {
        let mut v: Vec<f64> = (0..d).map(|k| if k % 2 == c { 1.0 } else { 0.5 }).collect();
        for _ in 0..200 {
            let mut w: Vec<f64> = (0..d)
                .map(|a| (0..d).map(|b| cov[a][b] * v[b]).sum())
                .collect();
            for u in &components {
                let dot: f64 = w.iter().zip(u).map(|(x, y)| x * y).sum();
                for (x, y) in w.iter_mut().zip(u) {
                    *x -= dot * y;
                }
            }
            let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-300);
            v = w.into_iter().map(|x| x / norm).collect();
        }
        components.push(v);
    }
    centred
        .iter()
        .map(|r| {
            let p = |u: &Vec<f64>| r.iter().zip(u).map(|(x, y)| x * y).sum::<f64>();
            (p(&components[0]), p(&components[1]))
        })
        .collect()
}

/// The hidden features of the source (teal) and target (orange) rows, on their first two
/// principal components.
fn pca_plot<DB: DrawingBackend, B: Backend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    model: &FittedDann<B>,
    problem: &MoonsProblem,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err =
        |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("cannot draw {title}: {e:?}");
    let (s, t) = (
        model.features(&problem.source)?,
        model.features(&problem.target)?,
    );
    let mut both = s.as_slice().to_vec();
    both.extend_from_slice(t.as_slice());
    let projected = pca2(&DenseMatrix::new(
        s.n_rows() + t.n_rows(),
        s.n_cols(),
        both,
    )?);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in &projected {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let (px, py) = (((x1 - x0) * 0.05).max(1e-6), ((y1 - y0) * 0.05).max(1e-6));
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    let (area, legend) = root.split_horizontally(w - LEGEND_WIDTH);
    let mut ctx = ChartBuilder::on(&area)
        .caption(title, (FAMILY, 18))
        .margin(10)
        .margin_right(20)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(x0 - px..x1 + px, y0 - py..y1 + py)
        .map_err(err)?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc("PC 1")
        .y_desc("PC 2")
        .label_style((FAMILY, 12))
        .draw()
        .map_err(err)?;
    let ns = s.n_rows();
    ctx.draw_series(
        projected[..ns]
            .iter()
            .map(|&p| Circle::new(p, 3, TEAL.filled())),
    )
    .map_err(err)?;
    ctx.draw_series(
        projected[ns..]
            .iter()
            .map(|&p| Circle::new(p, 3, ORANGE.filled())),
    )
    .map_err(err)?;
    for (i, (name, colour)) in [("source rows", TEAL), ("target rows", ORANGE)]
        .into_iter()
        .enumerate()
    {
        let y = 40 + 20 * i as i32;
        legend
            .draw(&Circle::new((12, y), 4, colour.filled()))
            .map_err(err)?;
        legend
            .draw(&Text::new(name, (28, y - 6), (FAMILY, 12).into_font()))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// Draws `$body` (an expression of a drawing area `$root`) on a PNG and on an SVG canvas
/// and writes them as `$dir/<$stem>.png` and `.svg` (the body is compiled once per backend).
macro_rules! figure {
    ($dir:expr, $stem:expr, |$root:ident| $body:expr) => {{
        let (w, h) = SIZE;
        let mut rgb = vec![0u8; (w * h * 3) as usize];
        {
            let $root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
            $body?;
        }
        let png = encode_png(w, h, rgb)?;
        dann::files::write_atomically(&$dir.join(format!("{}.png", $stem)), |w| {
            std::io::Write::write_all(w, &png)
        })?;
        let mut svg = String::new();
        {
            let $root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            $body?;
        }
        crate::output::write_file(&$dir.join(format!("{}.svg", $stem)), &svg)?;
    }};
}

/// Writes Figure 2 into `dir` (created): `label_<model>.{png,svg}`, `features_<model>.{png,svg}`
/// for `nn` and `dann`, and `domain_dann.{png,svg}`; returns the file stems.
pub fn write<B: Backend>(
    dir: &Path,
    problem: &MoonsProblem,
    models: &[FittedDann<B>; 2],
) -> Result<Vec<String>> {
    register_font();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let (x0, x1, y0, y1) = bounds(problem);
    let (dx, dy) = ((x1 - x0) / GRID as f64, (y1 - y0) / GRID as f64);
    let grid: Vec<f32> = (0..GRID * GRID)
        .flat_map(|k| {
            let (i, j) = (k % GRID, k / GRID);
            [
                (x0 + (i as f64 + 0.5) * dx) as f32,
                (y0 + (j as f64 + 0.5) * dy) as f32,
            ]
        })
        .collect();
    let grid = Dataset::unlabelled(Features::Dense(DenseMatrix::new(GRID * GRID, 2, grid)?));
    let mut stems = Vec::new();
    for (model, name, label) in [
        (&models[0], "nn", "source-only NN"),
        (&models[1], "dann", "DANN"),
    ] {
        let proba = model.predict_proba(&grid)?;
        // Probability of the second class (red).
        let p1: Vec<f32> = (0..proba.n_rows()).map(|i| proba.row(i)[1]).collect();
        let title = format!("{label}: label classifier");
        let classes = Shading {
            colours: [BLUE, RED],
            names: ["predicts class 0", "predicts class 1"],
            stretch: false,
        };
        figure!(dir, format!("label_{name}"), |root| decision_plot(
            root, &title, problem, &p1, &classes
        ));
        let title = format!("{label}: hidden features, PCA");
        figure!(dir, format!("features_{name}"), |root| pca_plot(
            root, &title, model, problem
        ));
        stems.extend([format!("label_{name}"), format!("features_{name}")]);
    }
    let domain = models[1].domain_proba(&grid)?;
    let domains = Shading {
        colours: [TEAL, ORANGE],
        names: ["looks like source", "looks like target"],
        stretch: true,
    };
    figure!(dir, "domain_dann", |root| decision_plot(
        root,
        "DANN: domain classifier",
        problem,
        &domain,
        &domains
    ));
    stems.push("domain_dann".into());
    Ok(stems)
}
