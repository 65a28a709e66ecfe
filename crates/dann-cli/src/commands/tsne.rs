//! `dann tsne`: a t-SNE map of a model's features `G_f(x)` for source and target rows, in two
//! colours (the paper's Figure for MNIST -> MNIST-M: before adaptation the domains form
//! separate clouds, after it they mix).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bhtsne::tSNE;
use burn::tensor::backend::{AutodiffBackend, Backend};
use clap::Args;
use dann::{Dataset, FittedDann};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;

use super::{load, load_model, write_file};

#[derive(Debug, Args)]
pub struct TsneArgs {
    /// Model directory written by `dann train` (or `dann select`).
    #[arg(long)]
    model: PathBuf,
    /// Source data.
    #[arg(long)]
    source: PathBuf,
    /// Target data.
    #[arg(long)]
    target: PathBuf,
    /// The PNG to write; the embedding goes beside it as CSV (x, y, domain, label).
    #[arg(long)]
    out: PathBuf,
    /// Rows drawn from each domain (all when fewer).
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Perplexity of t-SNE.
    #[arg(long, default_value_t = 30.0)]
    perplexity: f32,
    /// Seed of the row draw and of the initial embedding.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Config whose [data] section says how to read the files (default: the model's
    /// config.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run<B: AutodiffBackend>(a: TsneArgs, device: &B::Device) -> Result<()> {
    let (model, options) = load_model::<B::InnerBackend>(&a.model, a.config.as_deref(), device)?;
    let source = load(&a.source, &options)?;
    let target = load(&a.target, &options)?;
    let map = Map {
        n: a.n,
        perplexity: a.perplexity,
        seed: a.seed,
    };
    let n = map.write(&model, &source, &target, &a.out)?;
    eprintln!(
        "t-SNE of {n} rows' features: source blue, target orange; wrote {} and {}",
        a.out.display(),
        a.out.with_extension("csv").display()
    );
    Ok(())
}

/// Settings of a t-SNE map.
#[derive(Debug, Clone, Copy)]
pub struct Map {
    /// Rows drawn from each domain (all when fewer).
    pub n: usize,
    /// Perplexity (lowered for few rows).
    pub perplexity: f32,
    /// Seed of the row draw and of the initial embedding.
    pub seed: u64,
}

impl Map {
    /// Embeds `model`'s features of up to `n` rows of `source` and of `target` (as read,
    /// prepared here) and writes the PNG `out` and the CSV beside it (x, y, domain, label);
    /// returns the number of rows embedded.
    pub fn write<B: Backend>(
        &self,
        model: &FittedDann<B>,
        source: &Dataset,
        target: &Dataset,
        out: &Path,
    ) -> Result<usize> {
        if self.n < 2 {
            bail!("--n must be at least 2");
        }
        let rng = &mut ChaCha8Rng::seed_from_u64(self.seed);
        let mut points: Vec<Vec<f32>> = Vec::new();
        let mut domains = Vec::new();
        let mut labels = Vec::new();
        for (domain, data) in [("source", source), ("target", target)] {
            if data.is_empty() {
                bail!("{} has no rows", data.display_name());
            }
            let picked: Vec<usize> = sample(rng, data.len(), self.n.min(data.len())).into_vec();
            let data = model.prepare(data.subset(&picked))?;
            let features = model.features(&data)?;
            let d = features.n_cols();
            for (i, row) in features.as_slice().chunks_exact(d).enumerate() {
                points.push(row.to_vec());
                domains.push(domain);
                labels.push(label_of(&data, i));
            }
        }
        let n = points.len();
        let perplexity = self.perplexity.min((n as f32 - 1.0) / 3.0).max(1.0);
        let init: Vec<f32> = {
            use rand::Rng;
            (0..n * 2)
                .map(|_| rng.random_range(-1e-4f32..1e-4))
                .collect()
        };
        let embedding = tSNE::<f32, Vec<f32>>::new(&points)
            .perplexity(perplexity)
            .epochs(1000)
            .initial_embedding(init)
            .barnes_hut(0.5, |a, b| {
                a.iter()
                    .zip(b)
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum::<f32>()
                    .sqrt()
            })
            .embedding();
        draw(&embedding, &domains, out)?;
        let mut csv = String::from("x,y,domain,label\n");
        for (i, xy) in embedding.chunks_exact(2).enumerate() {
            csv += &format!("{},{},{},{}\n", xy[0], xy[1], domains[i], labels[i]);
        }
        write_file(&out.with_extension("csv"), &csv)?;
        Ok(n)
    }
}

/// The row's class name, or empty for unlabelled data.
fn label_of(data: &Dataset, i: usize) -> String {
    data.labels()
        .map(|l| data.class_names()[l[i]].clone())
        .unwrap_or_default()
}

/// Scatter plot of the 2-D `embedding`, source rows blue, target rows orange, on white, with
/// a legend naming the two colours.
fn draw(embedding: &[f32], domains: &[&str], out: &Path) -> Result<()> {
    use crate::report::{FAMILY, encode_png, register_font};
    use plotters::prelude::*;
    const SIZE: u32 = 800;
    const MARGIN: f32 = 20.0;
    register_font();
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for xy in embedding.chunks_exact(2) {
        for k in 0..2 {
            lo[k] = lo[k].min(xy[k]);
            hi[k] = hi[k].max(xy[k]);
        }
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(f32::MIN_POSITIVE);
    let scale = (SIZE as f32 - 2.0 * MARGIN) / span;
    let (source, target) = (RGBColor(31, 119, 180), RGBColor(255, 127, 14));
    let mut rgb = vec![0u8; (SIZE * SIZE * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (SIZE, SIZE)).into_drawing_area();
        let err = |e| anyhow::anyhow!("cannot draw {}: {e:?}", out.display());
        root.fill(&WHITE).map_err(err)?;
        for (xy, domain) in embedding.chunks_exact(2).zip(domains) {
            let colour = if *domain == "source" { source } else { target };
            let at = (
                (MARGIN + (xy[0] - lo[0]) * scale) as i32,
                (MARGIN + (xy[1] - lo[1]) * scale) as i32,
            );
            root.draw(&Circle::new(at, 2, colour.filled()))
                .map_err(err)?;
        }
        // The legend, top left, over a white box.
        root.draw(&Rectangle::new(
            [(8, 8), (118, 62)],
            WHITE.mix(0.85).filled(),
        ))
        .map_err(err)?;
        root.draw(&Rectangle::new([(8, 8), (118, 62)], BLACK))
            .map_err(err)?;
        for (i, (name, colour)) in [("source", source), ("target", target)]
            .into_iter()
            .enumerate()
        {
            let y = 22 + 24 * i as i32;
            root.draw(&Circle::new((24, y), 5, colour.filled()))
                .map_err(err)?;
            root.draw(&Text::new(name, (38, y - 9), (FAMILY, 17)))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    let png = encode_png(SIZE, SIZE, rgb)?;
    dann::files::write_atomically(out, |w| std::io::Write::write_all(w, &png))
        .with_context(|| format!("cannot write {}", out.display()))
}
