//! What `dann train --resume` needs besides the checkpoint: the run's inputs and settings
//! (`checkpoint/run.toml`).

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::config::{RunConfig, read_toml};
use super::dir::RunDir;
use crate::data::{Dataset, Schema};
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
    /// The trained model the run starts from (`dann train --init`), if any: its weights,
    /// input standardisation and columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<PathBuf>,
    /// The config file the settings came from, if any (an input the run must not write
    /// over; not kept in `run.toml`).
    #[serde(skip)]
    pub config_file: Option<PathBuf>,
    /// The inputs' sizes and SHA-256 digests when the run started: a resume refuses a file
    /// that changed since. Empty in runs saved before digests were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digests: Vec<Digest>,
}

/// The size and SHA-256 of an input file (or of an image folder: its files' relative paths
/// and contents, in name order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Digest {
    /// The file or folder.
    pub path: PathBuf,
    /// Its bytes (a folder: of all its files).
    pub bytes: u64,
    /// Hexadecimal SHA-256.
    pub sha256: String,
}

impl Digest {
    /// The digest of the file or folder at `path`, read in blocks (never whole in memory).
    pub fn of(path: &Path) -> Result<Self> {
        use sha2::{Digest as _, Sha256};
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        let mut files = Vec::new();
        collect_files(path, path, &mut files)?;
        for (relative, file) in files {
            if path.is_dir() {
                hasher.update(relative.as_bytes());
                hasher.update([0]);
            }
            let mut f = fs::File::open(&file).map_err(|e| Error::io(&file, e))?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = std::io::Read::read(&mut f, &mut buf).map_err(|e| Error::io(&file, e))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                bytes += n as u64;
            }
        }
        let sha256 = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            sha256,
        })
    }
}

/// The files under `path` (itself when a file), with their paths relative to `root`, sorted.
fn collect_files(root: &Path, path: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    if !path.is_dir() {
        let relative = path.strip_prefix(root).unwrap_or(path);
        out.push((relative.to_string_lossy().into_owned(), path.to_path_buf()));
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(path, e)))
        .collect::<Result<_>>()?;
    entries.sort();
    for entry in entries {
        collect_files(root, &entry, out)?;
    }
    Ok(())
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
            init: None,
            config,
            config_file: None,
            digests: Vec::new(),
        }
    }

    /// The job starting from the model in `dir` (`dann train --init DIR`).
    pub fn with_init(mut self, dir: Option<&Path>) -> Self {
        self.init = dir.map(Path::to_path_buf);
        self
    }

    /// The job with `path` as the config file its settings came from.
    pub fn with_config_file(mut self, path: Option<&Path>) -> Self {
        self.config_file = path.map(Path::to_path_buf);
        self
    }

    /// What the run reads, with the flag that named each: a run never writes over them.
    pub fn inputs(&self) -> Vec<(&'static str, &Path)> {
        let mut inputs = Vec::new();
        if let Some(p) = &self.config_file {
            inputs.push(("--config", p.as_path()));
        }
        inputs.push(("--source", self.source.as_path()));
        inputs.push(("--target", self.target.as_path()));
        if let Some(p) = &self.target_test {
            inputs.push(("--target-test", p.as_path()));
        }
        if let Some(p) = &self.init {
            inputs.push(("--init", p.as_path()));
        }
        inputs
    }

    /// Refuses to resume when an input differs from the one the run started with (its size
    /// or SHA-256), naming it. A run saved before digests were kept is not checked: the
    /// returned warning says so.
    pub fn check_digests(&self) -> Result<Option<String>> {
        if self.digests.is_empty() {
            return Ok(Some(
                "this run was started by an earlier dann that kept no digests of its inputs: \
                 they are not checked"
                    .into(),
            ));
        }
        for then in &self.digests {
            let now = Digest::of(&then.path)?;
            if now != *then {
                return Err(Error::data_file(
                    &then.path,
                    format!(
                        "changed since the run started ({} bytes, SHA-256 {} then; {} bytes, \
                         {} now): the checkpoint was trained on other data",
                        then.bytes,
                        &then.sha256[..12],
                        now.bytes,
                        &now.sha256[..12]
                    ),
                )
                .fix("put back the file the run started with, or start over with --force"));
            }
        }
        Ok(None)
    }

    /// Whether training brings images of any size to one (`[train.images]` on the burn
    /// engine, not with `[shallow]`).
    pub fn trains_images(&self) -> bool {
        self.config.train.images.is_some() && self.config.shallow.is_none()
    }

    /// Writes the job into `checkpoints`' folder (creating it), its files made absolute so
    /// that a resume from another folder reads the same ones, with their digests (read
    /// through once) so that it reads the same data.
    pub fn save(&self, checkpoints: &Checkpoints) -> Result<()> {
        fs::create_dir_all(checkpoints.dir()).map_err(|e| Error::io(checkpoints.dir(), e))?;
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut job = Job {
            source: absolute(&self.source),
            target: absolute(&self.target),
            target_test: self.target_test.as_deref().map(absolute),
            init: self.init.as_deref().map(absolute),
            config: self.config.clone(),
            config_file: None,
            digests: Vec::new(),
        };
        let mut files = vec![job.source.clone(), job.target.clone()];
        files.extend(job.target_test.clone());
        files.extend(job.init.clone());
        job.digests = files.iter().map(|p| Digest::of(p)).collect::<Result<_>>()?;
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
    /// without rows is refused, named. With `schema` (the model of `--init`), every file is
    /// read through it: its columns by name, its categories.
    pub fn load_data(
        &mut self,
        images: bool,
        schema: Option<&Schema>,
    ) -> Result<(Dataset, Dataset, Option<Dataset>)> {
        let config = &mut self.config;
        let mut paths = vec![self.source.as_path(), self.target.as_path()];
        paths.extend(self.target_test.as_deref());
        config.data.settle_index_base(&paths)?;
        let (source, target) = match schema {
            Some(schema) => crate::problem::load_pair_for(
                schema,
                &self.source,
                &self.target,
                &config.data,
                images,
            )?,
            None => crate::problem::load_pair(&self.source, &self.target, &config.data, images)?,
        };
        // Read as the model will read it: the source's columns, by name.
        let test = match (&self.target_test, source.schema()) {
            (Some(p), Some(schema)) => Some(crate::data::load_for(schema, p, &config.data)?),
            (Some(p), None) => Some(crate::data::load_named(p, &config.data)?),
            (None, _) => None,
        };
        Ok((source, target, test))
    }
}
