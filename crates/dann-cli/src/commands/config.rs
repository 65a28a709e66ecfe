//! `dann config`: the default run configuration.

use anyhow::Result;
use clap::Args;
use dann::shallow::ShallowConfig;

use crate::run_config::RunConfig;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Include the `[shallow]` section (the paper's Algorithm 1 with the authors' settings):
    /// `dann train` with it runs epochs with early stopping on the kernels instead of
    /// `[model]` and `[train]`.
    #[arg(long)]
    shallow: bool,
}

pub fn run(a: ConfigArgs) -> Result<()> {
    let config = RunConfig {
        shallow: a.shallow.then(ShallowConfig::default),
        ..RunConfig::default()
    };
    print!("{}", config.to_toml()?);
    Ok(())
}
