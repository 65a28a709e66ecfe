//! `dann report RUN_DIR`: (re)builds a training run's plots and report.html; `dann compare`
//! puts several runs side by side.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A `dann train` output directory (its metrics.jsonl, config.toml and model.json:
    /// report.html), or a `dann select` one (its select.json: select.html).
    run: PathBuf,
}

pub fn run(a: ReportArgs) -> Result<()> {
    if a.run.join(crate::report::SELECT_JSON).is_file() {
        let path = crate::report::write_select_page(&a.run)?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
    if let Some(why) = crate::report::incomplete(&a.run) {
        eprintln!("warning: {} is an incomplete run: {why}", a.run.display());
    }
    let path = crate::report::write(&a.run, &a.run)?;
    eprintln!(
        "wrote {} and the plots in {}",
        path.display(),
        a.run.join("plots").display()
    );
    Ok(())
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more `dann train` output directories (e.g. source-only and DANN).
    #[arg(required = true, num_args = 2..)]
    runs: Vec<PathBuf>,
    /// Where to write compare.html and its plots.
    #[arg(long)]
    out: PathBuf,
}

pub fn compare(a: CompareArgs) -> Result<()> {
    std::fs::create_dir_all(&a.out)?;
    let path = crate::report::write_comparison(&a.runs, &a.out)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
