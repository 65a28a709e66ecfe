//! What `dann train --resume` needs besides the library's checkpoint: the run's inputs and
//! settings (`checkpoint/run.toml`) and its metrics stream cut back to the checkpoint.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dann::{Checkpoints, MetricsRecord};
use serde::{Deserialize, Serialize};

use super::write_file;
use crate::run_config::RunConfig;

/// The folder inside `--out` where a run keeps its checkpoints.
pub const CHECKPOINT_DIR: &str = "checkpoint";
/// The run's inputs and settings inside [`CHECKPOINT_DIR`].
const RUN_FILE: &str = "run.toml";

/// The checkpoints of a run writing to `out`.
pub fn checkpoints(out: &Path) -> Checkpoints {
    Checkpoints::new(out.join(CHECKPOINT_DIR))
}

/// A training run's inputs (absolute paths) and resolved settings: written before a
/// checkpointing run starts, read back by `--resume`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub source: PathBuf,
    pub target: PathBuf,
    pub target_test: Option<PathBuf>,
    pub config: RunConfig,
}

impl Job {
    /// Writes the job into `checkpoints`' folder (creating it).
    pub fn save(&self, checkpoints: &Checkpoints) -> Result<()> {
        fs::create_dir_all(checkpoints.dir())
            .with_context(|| format!("cannot create {}", checkpoints.dir().display()))?;
        let text = toml::to_string_pretty(self).context("cannot serialise the run")?;
        write_file(&checkpoints.dir().join(RUN_FILE), &text)
    }

    /// The job of the interrupted run in `out`: an error that says why when there is none.
    pub fn load(out: &Path) -> Result<Self> {
        let path = checkpoints(out).dir().join(RUN_FILE);
        if !path.exists() {
            if out.join(dann::SPEC_FILE).exists() {
                anyhow::bail!(
                    "{} holds a finished model, not an interrupted run: there is nothing to resume",
                    out.display()
                );
            }
            anyhow::bail!(
                "{} has no run to resume ({} is missing); a run can be resumed when its config \
                 sets checkpoint_every in [train]",
                out.display(),
                path.display()
            );
        }
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            anyhow::anyhow!("{}:{line}: {}", path.display(), e.message())
        })
    }
}

/// Opens the metrics stream `path` for a run that starts at iteration `from` (0 for a fresh
/// run): keeps the records up to `from` that an interrupted run wrote (a half-written last
/// line is dropped), through a temporary file, and appends after them.
pub fn open_metrics(path: &Path, from: usize) -> Result<fs::File> {
    let kept = if from > 0 && path.exists() {
        let file =
            fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut kept = String::new();
        for line in BufReader::new(file).lines() {
            let line = line.with_context(|| format!("cannot read {}", path.display()))?;
            match serde_json::from_str::<MetricsRecord>(&line) {
                Ok(r) if r.iteration <= from => {
                    kept += &line;
                    kept.push('\n');
                }
                _ => {}
            }
        }
        kept
    } else {
        String::new()
    };
    write_file(path, &kept)?;
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.flush()?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metrics_stream_is_cut_back_to_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.jsonl");
        let record = |it: usize| {
            let r = MetricsRecord {
                iteration: it,
                progress: 0.0,
                label_loss: 1.0,
                domain_loss: None,
                domain_accuracy: None,
                source_accuracy: 0.5,
                target_accuracy: None,
                lambda: 0.0,
                lr: 0.01,
            };
            serde_json::to_string(&r).unwrap()
        };
        let text = format!("{}\n{}\n{}\n{{\"iterat", record(10), record(20), record(30));
        fs::write(&path, text).unwrap();
        let mut f = open_metrics(&path, 20).unwrap();
        writeln!(f, "{}", record(25)).unwrap();
        let lines: Vec<String> = fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(lines, [record(10), record(20), record(25)]);
        // A fresh run starts an empty stream.
        open_metrics(&path, 0).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "");
    }
}
