//! The configurations `dann config` starts a run.toml from.

use super::config::RunConfig;
use crate::data::images::ImagePrep;
use crate::deep::DannConfig;
use crate::error::Result;
use crate::experiments::digits::{Variant, preset};
use crate::learner::Dann;
use crate::shallow::ShallowConfig;

/// The paper's image networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Network {
    /// 2 convolutions (32, 48 channels), 3 x 28 x 28 inputs.
    Mnist,
    /// 3 convolutions (64, 64, 128 channels), 3 x 32 x 32 inputs.
    Svhn,
    /// 3 convolutions (96, 144, 256 channels), 3 x 40 x 40 inputs, 43 traffic signs.
    Gtsrb,
}

impl RunConfig {
    /// A configuration to start from: one of the paper's image networks with its input size
    /// and preprocessing (the MNIST -> MNIST-M training settings; `Mnist` is exactly what
    /// `reproduce digits` trains), else the defaults, with the `[shallow]` section (the
    /// paper's Algorithm 1 with the authors' settings) when `shallow`.
    ///
    /// ```
    /// use dann::run::{Network, RunConfig};
    /// let svhn = RunConfig::starting_point(Some(Network::Svhn), false)?;
    /// assert_eq!(svhn.train.images.unwrap().size, Some([32, 32]));
    /// assert!(RunConfig::starting_point(None, true)?.shallow.is_some());
    /// # Ok::<(), dann::Error>(())
    /// ```
    pub fn starting_point(network: Option<Network>, shallow: bool) -> Result<Self> {
        let paper = || -> Result<Dann> { Ok(preset("mnist:mnist-m".parse()?, Variant::Paper)) };
        Ok(match network {
            Some(Network::Mnist) => RunConfig::from(paper()?),
            Some(n) => {
                let (model, size) = match n {
                    Network::Svhn => (DannConfig::svhn(), 32),
                    _ => (DannConfig::gtsrb(), 40),
                };
                let mut train = paper()?.train;
                train.images = Some(ImagePrep {
                    size: Some([size, size]),
                    ..train.images.unwrap_or_default()
                });
                RunConfig::from(Dann { model, train })
            }
            None => RunConfig {
                shallow: shallow.then(ShallowConfig::default),
                ..RunConfig::default()
            },
        })
    }
}
