//! `dann config`: the default run configuration, or one of the paper's networks.

use anyhow::Result;
use clap::Args;
use dann::run::{Network, Preset, RunConfig};

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
    /// Print these settings: `default` (chosen by the tabular benchmark) or `paper` (JMLR
    /// 2016 sec. 5.2.2, as the reproductions train).
    #[arg(long, value_enum, conflicts_with = "network")]
    preset: Option<Preset>,
}

pub fn run(a: ConfigArgs) -> Result<()> {
    let mut config = RunConfig::starting_point(a.network, a.shallow)?;
    if let Some(p) = a.preset {
        config = RunConfig {
            shallow: config.shallow,
            ..RunConfig::preset(p)
        };
    }
    print!("{}", config.to_annotated_toml()?);
    Ok(())
}
