//! `dann config`: the default run configuration, or one of the paper's networks.

use anyhow::Result;
use clap::Args;
use dann::run::{Network, RunConfig};

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Include the `[shallow]` section (the paper's Algorithm 1 with the authors' settings):
    /// `dann train` with it runs epochs with early stopping on the kernels instead of
    /// `[model]` and `[train]`.
    #[arg(long)]
    shallow: bool,
    /// Start from one of the paper's image networks (JMLR 2016, appendix) with its input
    /// size and preprocessing (colour, scaled to [0, 1], minus the training images' mean):
    /// `mnist` is exactly what `dann reproduce digits` trains for MNIST -> MNIST-M.
    #[arg(long, value_enum, conflicts_with = "shallow")]
    network: Option<Network>,
}

pub fn run(a: ConfigArgs) -> Result<()> {
    let config = RunConfig::starting_point(a.network, a.shallow)?;
    print!("{}", config.to_annotated_toml()?);
    Ok(())
}
