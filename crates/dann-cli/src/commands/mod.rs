//! One file per command; what they share: reading data and models, the data folder.

pub mod bench;
pub mod bench_cnn;
pub mod config;
pub mod demo;
pub mod digits;
pub mod eval;
pub mod make_data;
pub mod predict;
pub mod report;
pub mod reproduce;
mod resume;
pub mod select;
pub mod selftest;
pub mod shift;
pub mod train;
pub mod tsne;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use burn::tensor::backend::Backend;
use clap::Args;
use dann::FittedDann;
use dann::data::{self, Dataset, LoadOptions};
use dann::problem::align_widths;

use crate::run_config::RunConfig;

pub(crate) use crate::output::write_file;

/// The folder a reproduction writes into: `out`, else a fresh `runs/<name>-<UTC time>`.
/// Refuses, before any work, when one of `files` already exists there (an earlier run's)
/// unless `force`.
fn reproduction_out(
    out: Option<&Path>,
    name: &str,
    files: &[String],
    force: bool,
) -> Result<PathBuf> {
    let dir = match out {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("runs").join(format!("{name}-{}", utc_stamp())),
    };
    if !force && let Some(f) = files.iter().find(|f| dir.join(f).exists()) {
        anyhow::bail!(
            "{} already holds {f} from an earlier run; pass --force to replace it or choose \
             another --out",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// The current UTC time as `YYYYMMDD-HHMMSS`.
fn utc_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The labelled source and the target files a model is trained on.
#[derive(Debug)]
pub struct PairArgs {
    /// Labelled source data.
    source: PathBuf,
    /// Target data; its labels, if any, are never read.
    target: PathBuf,
}

impl PairArgs {
    /// Reads both files with `options`: the source labelled, the target without labels, at
    /// one width unless `images` (image preprocessing brings them to one shape later). A
    /// file without rows is refused, named.
    fn load(&self, options: &LoadOptions, images: bool) -> Result<(Dataset, Dataset)> {
        let source = load(&self.source, options)?;
        let target = load(&self.target, options)?.without_labels();
        for (data, path) in [(&source, &self.source), (&target, &self.target)] {
            if data.is_empty() {
                anyhow::bail!(
                    "{} has no rows: training needs rows in both domains",
                    path.display()
                );
            }
        }
        if images {
            return Ok((source, target));
        }
        Ok(align_widths(source, target)?)
    }
}

/// Fails when `out` already holds a model, unless `force`.
fn refuse_to_replace(out: &Path, force: bool) -> Result<()> {
    if out.join(dann::SPEC_FILE).exists() && !force {
        anyhow::bail!(
            "{} already holds a model; pass --force to replace it or choose another --out",
            out.display()
        );
    }
    Ok(())
}

/// Reads a data file, naming it in the error.
fn load(path: &Path, options: &LoadOptions) -> Result<Dataset> {
    data::load(path, options).with_context(|| format!("cannot load {}", path.display()))
}

/// The model and the data options to read data for it: `--config`, else the `config.toml`
/// that `dann train` wrote beside the model, else the defaults.
fn load_model<B: Backend>(
    dir: &Path,
    config: Option<&Path>,
    device: &B::Device,
) -> Result<(FittedDann<B>, LoadOptions)> {
    let model = FittedDann::<B>::load(dir, device)?;
    let beside = dir.join(RunConfig::FILE);
    let options = match config {
        Some(p) => RunConfig::load(p)?.data,
        None if beside.exists() => RunConfig::load(&beside)?.data,
        None => LoadOptions::default(),
    };
    Ok((model, options))
}

/// `--data-dir` of the commands that read the benchmark data.
#[derive(Debug, Args)]
pub struct DataDirArg {
    /// Folder holding amazon/*.svmlight.gz (default: $DANN_DATA_DIR, else ./data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

impl DataDirArg {
    /// The folder (see [`dann::data::data_dir`]).
    fn resolve(&self) -> PathBuf {
        data::data_dir(self.data_dir.clone())
    }
}
