//! What `dann train --resume` needs besides the checkpoint: the run's inputs and settings
//! (`checkpoint/run.toml`).

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::config::{RunConfig, read_toml};
use super::dir::RunDir;
use crate::data::Dataset;
use crate::deep::Checkpoints;
use crate::error::{Error, Result};
use crate::files::write_text;

/// The run's inputs and settings inside the checkpoint folder.
const RUN_FILE: &str = "run.toml";

/// A training run's inputs (absolute paths) and resolved settings: written before a
/// checkpointing run starts, read back by `--resume`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    /// Labelled source data.
    pub source: PathBuf,
    /// Target data (its labels are never read).
    pub target: PathBuf,
    /// Labelled target data measured during training, if any.
    pub target_test: Option<PathBuf>,
    /// The resolved settings.
    pub config: RunConfig,
}

impl Job {
    /// The job of these files and settings.
    pub fn new(
        source: &Path,
        target: &Path,
        target_test: Option<&Path>,
        config: RunConfig,
    ) -> Self {
        Self {
            source: source.to_path_buf(),
            target: target.to_path_buf(),
            target_test: target_test.map(Path::to_path_buf),
            config,
        }
    }

    /// Whether training brings images of any size to one (`[train.images]` on the burn
    /// engine, not with `[shallow]`).
    pub fn trains_images(&self) -> bool {
        self.config.train.images.is_some() && self.config.shallow.is_none()
    }

    /// Writes the job into `checkpoints`' folder (creating it), its files made absolute so
    /// that a resume from another folder reads the same ones.
    pub fn save(&self, checkpoints: &Checkpoints) -> Result<()> {
        fs::create_dir_all(checkpoints.dir()).map_err(|e| Error::io(checkpoints.dir(), e))?;
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let job = Job {
            source: absolute(&self.source),
            target: absolute(&self.target),
            target_test: self.target_test.as_deref().map(absolute),
            config: self.config.clone(),
        };
        let text = toml::to_string_pretty(&job)
            .map_err(|e| Error::config("run", format!("cannot serialise the run: {e}")))?;
        write_text(&checkpoints.dir().join(RUN_FILE), &text)
    }

    /// The job of the interrupted run in `dir`: an error that says why when there is none.
    pub fn load(dir: &RunDir) -> Result<Self> {
        let path = dir.checkpoints().dir().join(RUN_FILE);
        let out = dir.path().display();
        if !path.exists() {
            if dir.holds_model() {
                return Err(Error::Data(format!(
                    "{out} holds a finished model, not an interrupted run: there is nothing to \
                     resume"
                )));
            }
            return Err(Error::Data(format!(
                "{out} has no run to resume ({} is missing); a run can be resumed when its \
                 config sets checkpoint_every in [train]",
                path.display()
            )));
        }
        read_toml(&path, "run")
    }

    /// Reads the job's files with its `[data]` options, the index base settled once for all
    /// of them (and stored in the config, hence in the config.toml written beside the
    /// model): the source labelled, the target without labels, at one width unless `images`
    /// (they are brought to one shape later: [`trains_images`](Self::trains_images)). A file
    /// without rows is refused, named.
    pub fn load_data(&mut self, images: bool) -> Result<(Dataset, Dataset, Option<Dataset>)> {
        let config = &mut self.config;
        let mut paths = vec![self.source.as_path(), self.target.as_path()];
        paths.extend(self.target_test.as_deref());
        config.data.settle_index_base(&paths)?;
        let (source, target) =
            crate::problem::load_pair(&self.source, &self.target, &config.data, images)?;
        let test = match &self.target_test {
            Some(p) => Some(crate::data::load_named(p, &config.data)?),
            None => None,
        };
        Ok((source, target, test))
    }
}
