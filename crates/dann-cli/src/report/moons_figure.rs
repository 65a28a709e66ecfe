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

const SIZE: (u32, u32) = (560, 520);
/// Cells per side of the grid the decision is evaluated on.
const GRID: usize = 120;
const BLUE: RGBColor = RGBColor(31, 119, 180);
const RED: RGBColor = RGBColor(214, 39, 40);

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

/// `f` (a probability per grid point) over the plane as a shaded background, then the
/// source points by class (blue, red) and the target points (grey crosses).
fn decision_plot<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    problem: &MoonsProblem,
    proba: &[f32],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err =
        |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("cannot draw {title}: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let (x0, x1, y0, y1) = bounds(problem);
    let mut ctx = ChartBuilder::on(&root)
        .caption(title, (FAMILY, 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    ctx.configure_mesh()
        .disable_mesh()
        .label_style((FAMILY, 12))
        .draw()
        .map_err(err)?;
    let (dx, dy) = ((x1 - x0) / GRID as f64, (y1 - y0) / GRID as f64);
    ctx.draw_series((0..GRID * GRID).map(|k| {
        let (i, j) = (k % GRID, k / GRID);
        let p = f64::from(proba[k]);
        // White at 1/2, towards red (p -> 1) or blue (p -> 0).
        let (c, a) = if p >= 0.5 {
            (RED, p - 0.5)
        } else {
            (BLUE, 0.5 - p)
        };
        let (x, y) = (x0 + i as f64 * dx, y0 + j as f64 * dy);
        Rectangle::new([(x, y), (x + dx, y + dy)], c.mix(a * 0.7).filled())
    }))
    .map_err(err)?;
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
            .map(|p| Cross::new(p, 3, BLACK.mix(0.5))),
    )
    .map_err(err)?;
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

/// The hidden features of the source (blue) and target (red) rows, on their first two
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
    let mut ctx = ChartBuilder::on(&root)
        .caption(title, (FAMILY, 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
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
            .map(|&p| Circle::new(p, 3, BLUE.filled())),
    )
    .map_err(err)?
    .label("source")
    .legend(|(x, y)| Circle::new((x, y), 3, BLUE.filled()));
    ctx.draw_series(
        projected[ns..]
            .iter()
            .map(|&p| Circle::new(p, 3, RED.filled())),
    )
    .map_err(err)?
    .label("target")
    .legend(|(x, y)| Circle::new((x, y), 3, RED.filled()));
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((FAMILY, 12))
        .draw()
        .map_err(err)?;
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
        figure!(dir, format!("label_{name}"), |root| decision_plot(
            root, &title, problem, &p1
        ));
        let title = format!("{label}: hidden features, PCA");
        figure!(dir, format!("features_{name}"), |root| pca_plot(
            root, &title, model, problem
        ));
        stems.extend([format!("label_{name}"), format!("features_{name}")]);
    }
    let domain = models[1].domain_proba(&grid)?;
    figure!(dir, "domain_dann", |root| decision_plot(
        root,
        "DANN: domain classifier (red: target)",
        problem,
        &domain
    ));
    stems.push("domain_dann".into());
    Ok(stems)
}
