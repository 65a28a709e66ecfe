//! `dann config`: the default run configuration, or one of the paper's networks.

use anyhow::Result;
use clap::{Args, ValueEnum};
use dann::data::images::ImagePrep;
use dann::experiments::digits::{self, Variant};
use dann::shallow::ShallowConfig;
use dann::{Dann, DannConfig};

use dann::run::RunConfig;

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

/// The paper's image networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Network {
    /// 2 convolutions (32, 48 channels), 3 x 28 x 28 inputs.
    Mnist,
    /// 3 convolutions (64, 64, 128 channels), 3 x 32 x 32 inputs.
    Svhn,
    /// 3 convolutions (96, 144, 256 channels), 3 x 40 x 40 inputs, 43 traffic signs.
    Gtsrb,
}

pub fn run(a: ConfigArgs) -> Result<()> {
    let config = match a.network {
        Some(Network::Mnist) => {
            RunConfig::from(digits::preset("mnist:mnist-m".parse()?, Variant::Paper))
        }
        Some(n) => {
            let (model, size) = match n {
                Network::Svhn => (DannConfig::svhn(), 32),
                _ => (DannConfig::gtsrb(), 40),
            };
            let mut train = digits::preset("mnist:mnist-m".parse()?, Variant::Paper).train;
            train.images = Some(ImagePrep {
                size: Some([size, size]),
                ..train.images.unwrap_or_default()
            });
            RunConfig::from(Dann { model, train })
        }
        None => RunConfig {
            shallow: a.shallow.then(ShallowConfig::default),
            ..RunConfig::default()
        },
    };
    print!("{}", config.to_toml()?);
    Ok(())
}
