//! One file per command: arguments, printing and file output around library calls; what
//! `train` and `select` share: the run's files, config and `--force`.

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
pub mod select;
pub mod selftest;
pub mod shift;
pub mod train;
pub mod tsne;

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use dann::run::{DataOverrides, Files, Preset, RunConfig, overlay};

pub(crate) use crate::output::write_file;

/// The files, the config and `--force` of a command that trains into a run directory
/// (`train`, `select`).
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    files: Files,
    /// Run configuration (TOML; `dann config` prints the defaults): [model] and [train] (or
    /// [shallow], the paper's Algorithm 1 on the kernels), [data] how to read the files,
    /// [select] the grid of `dann select`, [files] the data files and --out (relative to the
    /// file's folder). A flag overrides the file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Replace a model (or an interrupted run's checkpoint) already in --out.
    #[arg(long)]
    force: bool,
    /// The settings --config starts from: `default` (chosen by the tabular benchmark,
    /// results/tabular.md: dense rows standardised, lambda rising to 3, the label-shift
    /// check after DANN) or `paper` (JMLR 2016 sec. 5.2.2, as the reproductions train).
    #[arg(long, value_enum, default_value_t = Preset::Default)]
    preset: Preset,
    #[command(flatten)]
    data: DataOverrides,
}

impl RunArgs {
    /// The `--config` file, if one was given.
    fn config_file(&self) -> Option<&std::path::Path> {
        self.config.as_deref()
    }

    /// The config (or the defaults) and the files: the flags over its [files], which are not
    /// kept in the config (nor in the configs written beside models).
    fn resolve(&self) -> Result<(RunConfig, Files)> {
        self.resolve_over(&RunConfig::preset(self.preset))
    }

    /// As [`resolve`](Self::resolve), the config file's settings put over `base` (a
    /// model's settings, a preset) instead of the defaults.
    fn resolve_over(&self, base: &RunConfig) -> Result<(RunConfig, Files)> {
        let mut config = match &self.config {
            Some(path) => RunConfig::load_over(base, path)?,
            None => base.clone(),
        };
        let files = overlay(&std::mem::take(&mut config.files), &self.files)?;
        config.data = self.data.apply(&config.data)?;
        Ok((config, files))
    }
}
