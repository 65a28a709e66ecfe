//! The run configuration file (`--config run.toml`).

use std::path::{Path, PathBuf};

use burn::tensor::backend::Backend;
use serde::{Deserialize, Serialize};

use super::reproduce::ReproduceConfig;
use crate::data::LoadOptions;
use crate::deep::{DannConfig, FittedDann};
use crate::error::{Error, Result};
use crate::files::rebase;
use crate::learner::Dann;
use crate::selection::{SelectConfig, SelectEngine};
use crate::shallow::ShallowConfig;
use crate::training::TrainConfig;

/// Everything a training run needs besides the data paths; written back, resolved, as
/// `config.toml` beside every run's outputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// Network architecture.
    pub model: DannConfig,
    /// Training settings.
    pub train: TrainConfig,
    /// How to read the data files.
    pub data: LoadOptions,
    /// The paper's Algorithm 1 on the kernels: epochs over the source, each source example
    /// paired with a target example, constant lambda and learning rate, early stopping on
    /// held-out source rows. When present, `dann train` runs it instead of `[model]` and
    /// `[train]`, and `dann select` starts from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shallow: Option<ShallowConfig>,
    /// The grid of `dann select`.
    pub select: SelectConfig,
    /// The files of `dann train` and `dann select` (their flags override them); not written
    /// into a run's config.toml.
    #[serde(skip_serializing_if = "Files::is_unset")]
    pub files: Files,
    /// The settings of `dann reproduce amazon` and `dann reproduce digits` (their flags
    /// override them).
    #[serde(skip_serializing_if = "ReproduceConfig::is_unset")]
    pub reproduce: ReproduceConfig,
}

/// `[files]`: what `dann train` (and `dann select`) read and where they write, as their flags
/// of the same names; relative paths are relative to the config file's folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct Files {
    /// Labelled source data (CSV, SVMlight, IDX, NPY or an image folder; optionally .gz);
    /// or `source` in the config's `[files]`.
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<PathBuf>,
    /// Target data; its labels, if any, are never read (or `target` in `[files]`).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<PathBuf>,
    /// Labelled target data to report target accuracy (R^2 in a regression) on during
    /// training (never trained on; or `target_test` in `[files]`).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_test: Option<PathBuf>,
    /// Output directory (or `out` in `[files]`).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
}

impl Files {
    /// Whether no file is named.
    pub fn is_unset(&self) -> bool {
        *self == Self::default()
    }

    /// The source, the target and the output directory, or an error naming what is missing
    /// and where it can be given (`alternative`: another way, e.g. `--resume DIR`).
    pub fn required(&self, alternative: &str) -> Result<(&Path, &Path, &Path)> {
        match (&self.source, &self.target, &self.out) {
            (Some(s), Some(t), Some(o)) => Ok((s, t, o)),
            _ => Err(Error::Data(format!(
                "--source, --target and --out are needed (as flags or in the config's \
                 [files]){alternative}"
            ))),
        }
    }
}

/// Named starting settings (`--preset`): the benchmark's defaults or the paper's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// The defaults chosen by the tabular benchmark (`results/tabular.md`): the paper's
    /// network and schedules with dense rows standardised, `lambda_p` rising to 3 and the
    /// label-shift check after DANN.
    #[default]
    Default,
    /// The paper's settings (JMLR 2016, sec. 5.2.2), as the reproductions train: inputs as
    /// they are, `lambda_p` rising to 1, no label-shift check.
    Paper,
}

impl RunConfig {
    /// The settings of `preset`, everything else at its default.
    pub fn preset(preset: Preset) -> Self {
        match preset {
            Preset::Default => Self::default(),
            Preset::Paper => Self {
                model: DannConfig::shallow(100),
                train: TrainConfig::paper(),
                ..Self::default()
            },
        }
    }
}

impl From<Dann> for RunConfig {
    /// These settings, with the data read by the formats' defaults.
    fn from(dann: Dann) -> Self {
        Self {
            model: dann.model,
            train: dann.train,
            ..Self::default()
        }
    }
}

impl RunConfig {
    /// Its file name in a run's output directory.
    pub const FILE: &str = "config.toml";

    /// Reads a TOML file; unknown keys and bad values are errors naming the file, the line
    /// and the key. Relative paths in it are taken relative to its folder.
    pub fn load(path: &Path) -> Result<Self> {
        let mut config: RunConfig = read_toml(path, "config")?;
        let base = path.parent().unwrap_or(Path::new(""));
        let f = &mut config.files;
        for p in [&mut f.source, &mut f.target, &mut f.target_test, &mut f.out] {
            rebase(p, base);
        }
        config.reproduce.rebase(base);
        Ok(config)
    }

    /// `path`'s config, or the defaults without one.
    pub fn load_or_default(path: Option<&Path>) -> Result<Self> {
        path.map_or_else(|| Ok(Self::default()), Self::load)
    }

    /// `base` with every setting the file `path` names put in its place (a table naming
    /// another `kind`, such as `[train.optimizer]`, replaces the whole table): a preset or a
    /// model's settings under a config file. Checked as [`load`](Self::load) checks.
    pub fn load_over(base: &Self, path: &Path) -> Result<Self> {
        let file = Self::load(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let named: toml::Value =
            toml::from_str(&text).map_err(|e| Error::data_file(path, e.message().to_string()))?;
        let mut value = toml::Value::try_from(base)
            .map_err(|e| Error::config("config", format!("cannot serialise: {e}")))?;
        super::merge::merge(&mut value, named);
        let mut merged: Self = value
            .try_into()
            .map_err(|e: toml::de::Error| Error::data_file(path, e.message().to_string()))?;
        // Paths as `load` made them (relative to the file's folder).
        merged.files = file.files;
        merged.reproduce = file.reproduce;
        Ok(merged)
    }

    /// The settings of a run that starts from the model in `dir` (`dann train --init`):
    /// those it was trained with (the `config.toml` beside it, else the defaults), on burn:
    /// a `[shallow]` section (a model of `dann select`) is dropped, its network being
    /// `[model]`'s.
    pub fn for_init(dir: &Path) -> Result<Self> {
        let beside = dir.join(Self::FILE);
        let mut config = if beside.exists() {
            Self::load(&beside)?
        } else {
            Self::default()
        };
        config.shallow = None;
        Ok(config)
    }

    /// The data options to read data for the model in `dir`: `config`'s, else those of the
    /// `config.toml` that `dann train` wrote beside the model, else the defaults.
    pub fn data_options_for(dir: &Path, config: Option<&Path>) -> Result<LoadOptions> {
        let beside = dir.join(Self::FILE);
        Ok(match config {
            Some(p) => Self::load(p)?.data,
            None if beside.exists() => Self::load(&beside)?.data,
            None => LoadOptions::default(),
        })
    }

    /// The model saved in `dir` and the data options to read data for it (see
    /// [`data_options_for`](Self::data_options_for)).
    pub fn load_model<B: Backend>(
        dir: &Path,
        config: Option<&Path>,
        device: &B::Device,
    ) -> Result<(FittedDann<B>, LoadOptions)> {
        let model = FittedDann::<B>::load(dir, device)?;
        Ok((model, Self::data_options_for(dir, config)?))
    }

    /// The config as TOML text.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self)
            .map_err(|e| Error::config("config", format!("cannot serialise: {e}")))
    }

    /// The config as TOML text with a comment line above every key saying what it does, and
    /// the optional keys shown commented out where unset: what `dann config` prints.
    pub fn to_annotated_toml(&self) -> Result<String> {
        Ok(super::annotate::annotate(&self.to_toml()?))
    }

    /// What trains `dann select`'s candidates: `[select] engine`, `auto` resolved (the
    /// kernels when there is a `[shallow]` section or `[model]` and `[train]` run on them,
    /// else burn).
    pub fn select_engine(&self) -> Result<SelectEngine> {
        if self.train.task == crate::problem::Task::Regression {
            if self.select.engine == SelectEngine::Shallow || self.shallow.is_some() {
                return Err(Error::config(
                    "train.task",
                    "is regression, which the shallow kernels and [shallow] do not train (they \
                     run the paper's classifier): remove [shallow] and leave select.engine at \
                     \"auto\" or \"burn\"",
                ));
            }
            return Ok(SelectEngine::Burn);
        }
        Ok(match self.select.engine {
            SelectEngine::Auto if self.shallow.is_some() => SelectEngine::Shallow,
            // Only burn compares optimisers.
            SelectEngine::Auto if self.select.optimizers.is_some() => SelectEngine::Burn,
            SelectEngine::Auto => match self.dann().engine()? {
                crate::training::Engine::Shallow => SelectEngine::Shallow,
                _ => SelectEngine::Burn,
            },
            other => other,
        })
    }

    /// The DANN settings.
    pub fn dann(&self) -> Dann {
        Dann {
            model: self.model.clone(),
            train: self.train.clone(),
        }
    }
}

/// Reads the TOML file `path` (a `what`: config, run) into a `T`; a bad key or value is an
/// error naming the file and the line.
pub(crate) fn read_toml<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::data_file(path, format!("cannot read the {what}: {e}")))?;
    toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(l) => Error::parse(path, l, e.message()),
            None => Error::data_file(path, e.message()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_key_names_the_file_and_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.toml");
        std::fs::write(&path, "[train]\niterations = 10\nbogus = 1\n").unwrap();
        let err = RunConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("run.toml:3"), "{err}");
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn relative_files_are_relative_to_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.toml");
        std::fs::write(&path, "[files]\nsource = \"s.csv\"\nout = \"/abs/out\"\n").unwrap();
        let config = RunConfig::load(&path).unwrap();
        assert_eq!(config.files.source, Some(dir.path().join("s.csv")));
        assert_eq!(config.files.out, Some(PathBuf::from("/abs/out")));
        let err = config.files.required(", or --resume DIR").unwrap_err();
        assert!(err.to_string().contains("--resume"), "{err}");
    }
}
