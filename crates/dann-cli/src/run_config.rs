//! The run configuration file (`--config run.toml`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dann::data::LoadOptions;
use dann::selection::SelectConfig;
use dann::shallow::ShallowConfig;
use dann::{Dann, DannConfig, TrainConfig};
use serde::{Deserialize, Serialize};

use crate::reproduce_config::{ReproduceConfig, rebase};

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
#[serde(default, deny_unknown_fields)]
pub struct Files {
    /// Labelled source data (`--source`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<PathBuf>,
    /// Target data (`--target`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<PathBuf>,
    /// Labelled target data to report on (`--target-test`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_test: Option<PathBuf>,
    /// Output directory (`--out`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
}

impl Files {
    /// Whether no file is named.
    pub fn is_unset(&self) -> bool {
        *self == Self::default()
    }
}

impl From<Dann> for RunConfig {
    /// These settings, with the data read by the formats' defaults.
    fn from(dann: Dann) -> Self {
        Self {
            model: dann.model,
            train: dann.train,
            data: LoadOptions::default(),
            shallow: None,
            select: SelectConfig::default(),
            files: Files::default(),
            reproduce: ReproduceConfig::default(),
        }
    }
}

impl RunConfig {
    /// Its file name in a run's output directory.
    pub const FILE: &str = "config.toml";

    /// Reads a TOML file; unknown keys and bad values are errors naming the file, the line
    /// and the key. Relative paths in it are taken relative to its folder.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        let mut config: RunConfig = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(l) => anyhow::anyhow!("{}:{l}: {}", path.display(), e.message()),
                None => anyhow::anyhow!("{}: {}", path.display(), e.message()),
            }
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let f = &mut config.files;
        for p in [&mut f.source, &mut f.target, &mut f.target_test, &mut f.out] {
            rebase(p, base);
        }
        config.reproduce.rebase(base);
        Ok(config)
    }

    /// The config as TOML text.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).context("cannot serialise the config")
    }

    /// The DANN settings.
    pub fn dann(&self) -> Dann {
        Dann {
            model: self.model.clone(),
            train: self.train.clone(),
        }
    }
}
