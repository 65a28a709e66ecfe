//! The flags of `dann train` and `dann select` that set values of the run configuration:
//! clap arguments and serde fields at once, merged over the file by [`overlay`].

use serde::Serialize;

use super::config::RunConfig;
use super::merge::overlay;
use crate::analysis::reverse_validation::RvScore;
use crate::data::{ColumnRef, LoadOptions};
use crate::error::{Error, Result};
use crate::problem::Mode;
use crate::selection::SelectConfig;
use crate::shallow::ShallowConfig;
use crate::training::Engine;

/// The flags that say how CSV and Parquet files are read (`dann train`, `select`, `shift`,
/// `data info`): each is the `[data]` key of the same name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct DataOverrides {
    /// The label column of CSV and Parquet files: its name, or its 0-based position (a whole
    /// number; `[data] label_column`). Without it, a column named `label` is the label. The
    /// source needs it; a target without it, or with its cells empty, is unlabelled. Kept
    /// with the model, so eval, predict and shift --model find it again.
    #[cfg_attr(feature = "clap", arg(long, value_name = "NAME|INDEX"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_column: Option<ColumnRef>,
    /// Columns that are not features, e.g. IDs and timestamps: names or 0-based positions,
    /// comma-separated (`[data] ignore_columns`). Kept with the model.
    #[cfg_attr(
        feature = "clap",
        arg(long, value_delimiter = ',', value_name = "A,B,...")
    )]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore_columns: Vec<ColumnRef>,
    /// Skip columns the model (or the source) does not have instead of refusing the file
    /// (`[data] ignore_extra_columns`).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignore_extra_columns: bool,
}

impl DataOverrides {
    /// `data` with these values.
    pub fn apply(&self, data: &LoadOptions) -> Result<LoadOptions> {
        overlay(data, self)
    }
}

/// The flags of `dann train` that set a `[train]` value (and the same `[shallow]` value, when
/// the config has that section); each is the key of the same name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct TrainOverrides {
    /// Override train.mode (and shallow.mode).
    #[cfg_attr(feature = "clap", arg(long, value_enum))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Override train.engine: `shallow` runs the paper's one-hidden-layer network on the
    /// hand-written CPU kernels (sparse inputs stay sparse), `burn` any network on --device;
    /// `auto` picks the kernels whenever they can run the settings.
    #[cfg_attr(feature = "clap", arg(long, value_enum))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    /// Override train.iterations.
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// Override train.seed (and shallow.seed).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Override train.log_every (iterations between metrics records).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_every: Option<usize>,
}

impl TrainOverrides {
    /// `config` with these values: in `[train]`, and the mode and seed also in `[shallow]`
    /// when there is one.
    pub fn apply(&self, config: &RunConfig) -> Result<RunConfig> {
        #[derive(Serialize)]
        struct Shallow {
            #[serde(skip_serializing_if = "Option::is_none")]
            mode: Option<Mode>,
            #[serde(skip_serializing_if = "Option::is_none")]
            seed: Option<u64>,
        }
        let mut config = config.clone();
        config.train = overlay(&config.train, self)?;
        if let Some(s) = &config.shallow {
            let patch = Shallow {
                mode: self.mode,
                seed: self.seed,
            };
            config.shallow = Some(overlay(s, &patch)?);
        }
        Ok(config)
    }

    /// Fails when a flag means nothing to a `[shallow]` run: `--engine burn` (the section
    /// trains on the kernels), `--iterations` and `--log-every` (it runs by epochs).
    pub fn check_shallow(&self) -> Result<()> {
        if self.engine == Some(Engine::Burn) {
            return Err(Error::Data(
                "[shallow] trains on the kernels; remove the [shallow] section to train with \
                 burn"
                    .into(),
            ));
        }
        if self.iterations.is_some() || self.log_every.is_some() {
            return Err(Error::Data(
                "--iterations and --log-every set [train]; with [shallow] training runs by \
                 epochs (shallow.epochs, with early stopping: shallow.patience, \
                 shallow.stopping)"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// The flags of `dann select` that set a `[select]` value (and `--seed`, `shallow.seed`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SelectOverrides {
    /// Override select.lambdas, e.g. 0.01,0.1,1.
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ','))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<Vec<f64>>,
    /// Override select.hidden, e.g. 50,100.
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ','))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Vec<usize>>,
    /// Override select.lrs, e.g. 1e-3,1e-2.
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ','))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lrs: Option<Vec<f64>>,
    /// Override select.score: what ranks the candidates, the reverse model's error on the
    /// held-out source rows (the paper's) or its log loss there.
    #[cfg_attr(feature = "clap", arg(long, value_enum))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<RvScore>,
    /// Override select.splits: hold-out splits each candidate's reverse validation is
    /// averaged over (1: the paper's; each extra split trains every candidate once more).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub splits: Option<usize>,
    /// Skip the proxy A-distances.
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(
        rename = "pad",
        skip_serializing_if = "std::ops::Not::not",
        serialize_with = "switched_off"
    )]
    pub no_pad: bool,
    /// Override shallow.seed (training and the held-out split).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip)]
    pub seed: Option<u64>,
}

/// `--no-pad` given: `pad = false`.
fn switched_off<S: serde::Serializer>(_: &bool, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_bool(false)
}

impl SelectOverrides {
    /// The shared training settings (`config`'s `[shallow]`, else the paper's) and the grid
    /// (`[select]`) with these values, checked; a bad value that came from a flag is named by
    /// the flag (`--lambdas`, not `select.lambdas`).
    pub fn apply(&self, config: &RunConfig) -> Result<(ShallowConfig, SelectConfig)> {
        let mut base = config.shallow.clone().unwrap_or_default();
        base.seed = self.seed.unwrap_or(base.seed);
        let grid = overlay(&config.select, self)?;
        // An optimiser axis is for burn (the shallow selection refuses it when it runs).
        let checked = match grid.optimizers {
            Some(_) => grid.check_grid(),
            None => grid.check(&base),
        };
        checked.map_err(|e| self.name_the_flag(e))?;
        Ok((base, grid))
    }

    /// `e` naming the flag instead of the `[select]` key when the flag set that key.
    fn name_the_flag(&self, e: Error) -> Error {
        let Error::Config { field, message } = e else {
            return e;
        };
        let flag = match field.as_str() {
            "select.lambdas" if self.lambdas.is_some() => "--lambdas",
            "select.hidden" if self.hidden.is_some() => "--hidden",
            "select.lrs" if self.lrs.is_some() => "--lrs",
            "select.splits" if self.splits.is_some() => "--splits",
            _ => return Error::Config { field, message },
        };
        Error::config(flag, message)
    }
}
