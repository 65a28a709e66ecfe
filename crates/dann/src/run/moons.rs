//! `dann demo moons`' settings: the procedure, from the demo's defaults or a config file.

use std::path::Path;

use super::config::RunConfig;
use crate::error::{Error, Result};
use crate::experiments::moons::{MoonsProcedure, authors_settings, demo_settings};

/// How each model of the moons demo trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Procedure {
    /// The authors' Algorithm 1 on the kernels.
    Authors,
    /// Batches for a number of iterations, on either engine.
    Iterations,
}

impl Procedure {
    /// Its name, as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            Procedure::Authors => "authors",
            Procedure::Iterations => "iterations",
        }
    }

    /// The procedure's settings: the demo's, or those of `config` (its `[shallow]` section
    /// for the authors' procedure, its `[model]` and `[train]` for iterations), with `epochs`
    /// (authors') or `iterations` (iterations) when given; the other one is refused.
    ///
    /// ```
    /// use dann::run::Procedure;
    /// assert!(Procedure::Authors.settings(None, Some(100), None).is_ok());
    /// assert!(Procedure::Authors.settings(None, None, Some(100)).is_err());
    /// ```
    pub fn settings(
        self,
        config: Option<&Path>,
        epochs: Option<usize>,
        iterations: Option<usize>,
    ) -> Result<MoonsProcedure> {
        let config = config.map(RunConfig::load).transpose()?;
        match self {
            Procedure::Authors => {
                if iterations.is_some() {
                    return Err(Error::Data(
                        "--iterations is for --procedure iterations; the authors' procedure runs \
                         --epochs"
                            .into(),
                    ));
                }
                let mut cfg = match &config {
                    Some(c) => c.shallow.clone().ok_or_else(|| {
                        Error::Data(
                            "--procedure authors takes its settings from a [shallow] section, \
                             which the config lacks (`dann config --shallow` prints one)"
                                .into(),
                        )
                    })?,
                    None => authors_settings(),
                };
                cfg.epochs = epochs.unwrap_or(cfg.epochs);
                Ok(MoonsProcedure::Authors(cfg))
            }
            Procedure::Iterations => {
                if epochs.is_some() {
                    return Err(Error::Data(
                        "--epochs is for --procedure authors; --procedure iterations runs \
                         --iterations"
                            .into(),
                    ));
                }
                let mut settings = config.map_or_else(demo_settings, |c| c.dann());
                if let Some(n) = iterations {
                    settings.train.iterations = n;
                }
                Ok(MoonsProcedure::Iterations(Box::new(settings)))
            }
        }
    }
}
