//! `dann config`: the default run configuration.

use anyhow::Result;

use crate::run_config::RunConfig;

pub fn run() -> Result<()> {
    print!("{}", RunConfig::default().to_toml()?);
    Ok(())
}
