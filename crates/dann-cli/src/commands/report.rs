//! `dann report RUN_DIR`: (re)builds a training run's plots and report.html.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A `dann train` output directory (its metrics.jsonl, config.toml and model.json).
    run: PathBuf,
}

pub fn run(a: ReportArgs) -> Result<()> {
    let path = crate::report::write(&a.run)?;
    eprintln!(
        "wrote {} and the plots in {}",
        path.display(),
        a.run.join("plots").display()
    );
    Ok(())
}
