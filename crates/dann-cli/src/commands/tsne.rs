//! `dann tsne`: a t-SNE map of a model's features `G_f(x)` for source and target rows, in two
//! colours (the paper's Figure for MNIST -> MNIST-M: before adaptation the domains form
//! separate clouds, after it they mix).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::analysis::tsne::TsneSettings;
use dann::run::RunConfig;

use super::write_file;
use crate::output::noted;
use crate::report::draw_tsne;

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
    /// The PNG to write (a name ending in .png); the embedding goes beside it as CSV (x, y,
    /// domain, label).
    #[arg(long)]
    out: PathBuf,
    /// Rows drawn from each domain (all when fewer).
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Perplexity of t-SNE, a number >= 1 (the effective number of neighbours; lowered to a
    /// third of the rows for few rows).
    #[arg(long, default_value_t = 30.0)]
    perplexity: f32,
    /// Seed of the row draw and of the initial embedding.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Config whose [data] section says how to read the files (default: the model's
    /// config.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Skip columns the model does not have instead of refusing the files ([data]
    /// ignore_extra_columns).
    #[arg(long)]
    ignore_extra_columns: bool,
}

pub fn run<B: AutodiffBackend>(a: TsneArgs, device: &B::Device) -> Result<()> {
    let settings = TsneSettings {
        n: a.n,
        perplexity: a.perplexity,
        seed: a.seed,
    };
    settings.check()?;
    check_png(&a.out)?;
    let (model, mut options) =
        RunConfig::load_model::<B::InnerBackend>(&a.model, a.config.as_deref(), device)?;
    options.ignore_extra_columns |= a.ignore_extra_columns;
    let source = noted(&a.source, model.read(&a.source, &options)?);
    let target = noted(&a.target, model.read(&a.target, &options)?);
    let map = settings.embed(&model, &source, &target)?;
    draw_tsne(&map, &a.out)?;
    write_file(&a.out.with_extension("csv"), &map.csv())?;
    eprintln!(
        "t-SNE of {} rows' features: source blue, target orange; wrote {} and {}",
        map.len(),
        a.out.display(),
        a.out.with_extension("csv").display()
    );
    Ok(())
}

/// The map is drawn as PNG only: another extension (`.jpg`) would name PNG bytes wrongly.
fn check_png(out: &Path) -> Result<()> {
    if !out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        bail!(
            "--out {}: dann tsne draws a PNG image; give a name ending in .png (the CSV is \
             written beside it)",
            out.display()
        );
    }
    Ok(())
}
