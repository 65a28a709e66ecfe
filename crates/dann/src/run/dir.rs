//! The run directory: one unit holding a model, its config, its metrics and, while it
//! trains, its checkpoints; and the fresh folders reproductions write into.

use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::deep::{Checkpoints, SPEC_FILE};
use crate::error::{Error, Result};
use crate::files::write_text;
use crate::training::{MetricsRecord, TrainListener};

/// The folder inside a run directory where a run keeps its checkpoints.
pub const CHECKPOINT_DIR: &str = "checkpoint";
/// The metrics of a run, one JSON record a line.
pub const METRICS_FILE: &str = "metrics.jsonl";
/// The folder of the chosen source-only baseline inside a `dann select` run directory.
pub const BASELINE_DIR: &str = "source-only";

/// A run directory (`dann train --out`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// The run directory at `path` (nothing is created yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its checkpoints.
    pub fn checkpoints(&self) -> Checkpoints {
        Checkpoints::new(self.path.join(CHECKPOINT_DIR))
    }

    /// Whether it holds a saved model.
    pub fn holds_model(&self) -> bool {
        self.path.join(SPEC_FILE).exists()
    }

    /// Fails when it already holds a model, unless `force`.
    pub fn refuse_to_replace(&self, force: bool) -> Result<()> {
        if self.holds_model() && !force {
            return Err(Error::Data(format!(
                "{} already holds a model; pass --force to replace it or choose another --out",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// Fails when it holds an interrupted run (its checkpoint folder), unless `force`: that
    /// run is continued with `dann train --resume`.
    pub fn refuse_interrupted(&self, force: bool) -> Result<()> {
        let checkpoints = self.checkpoints();
        if !checkpoints.dir().exists() || force {
            return Ok(());
        }
        let at = match checkpoints.iteration() {
            Ok(Some(it)) => format!(" (last checkpoint at iteration {it})"),
            _ => String::new(),
        };
        let out = self.path.display();
        Err(Error::Data(format!(
            "{out} holds an interrupted run{at}; `dann train --resume {out}` continues it, \
             --force starts over"
        )))
    }

    /// Creates the folder.
    pub fn create(&self) -> Result<()> {
        fs::create_dir_all(&self.path).map_err(|e| Error::io(&self.path, e))
    }

    /// Writes `text` into the file `name` of the folder, atomically.
    pub fn write(&self, name: &str, text: &str) -> Result<()> {
        write_text(&self.path.join(name), text)
    }

    /// Opens the run's metrics stream for a run that starts at iteration `from` (0 for a
    /// fresh run). Records stream into `metrics.jsonl` as they come, so that a long run's
    /// curve can be read while it runs; when the folder holds a model (a run replacing it)
    /// they go to a hidden file until [`MetricsStream::commit`], so that a failed or killed
    /// run leaves the old model whole. The records up to `from` that an interrupted run
    /// wrote are kept (a half-written last line is dropped).
    pub fn open_metrics(&self, from: usize) -> Result<MetricsStream> {
        let partial = self.holds_model();
        let path = self.path.join(if partial {
            ".metrics.jsonl.partial"
        } else {
            METRICS_FILE
        });
        let file = open_stream(&path, from)?;
        Ok(MetricsStream {
            writer: BufWriter::new(file),
            error: None,
            path,
            partial,
        })
    }
}

/// Records as JSON lines.
pub(crate) fn jsonl<R: serde::Serialize>(records: &[R]) -> Result<String> {
    let mut lines = String::new();
    for r in records {
        lines += &serde_json::to_string(r)
            .map_err(|e| Error::Data(format!("cannot serialise a record: {e}")))?;
        lines.push('\n');
    }
    Ok(lines)
}

/// Keeps the records of `path` up to iteration `from` (none when 0), through a temporary
/// file, and opens it for appending.
fn open_stream(path: &Path, from: usize) -> Result<fs::File> {
    let kept = if from > 0 && path.exists() {
        let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut kept = String::new();
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|e| Error::io(path, e))?;
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
    write_text(path, &kept)?;
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

/// The metrics file of a training run, written record by record (a [`TrainListener`]).
#[derive(Debug)]
pub struct MetricsStream {
    writer: BufWriter<fs::File>,
    error: Option<std::io::Error>,
    path: PathBuf,
    /// Whether `path` is the hidden file of a run replacing a model.
    partial: bool,
}

impl MetricsStream {
    /// Whether records go to a hidden file until [`commit`](Self::commit) (the run replaces
    /// a model).
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Flushes; the first write error, if any.
    pub fn finish(&mut self) -> Result<()> {
        let flushed = match self.error.take() {
            Some(e) => Err(e),
            None => self.writer.flush(),
        };
        flushed.map_err(|e| Error::io(&self.path, e))
    }

    /// Copies the records into the staging folder `into` of the finished run
    /// ([`PendingRun::path`](super::PendingRun::path)) as its metrics file; the stream
    /// itself stays until the swap takes it away with the old folder, so that a run killed
    /// before the swap still resumes with its records.
    pub fn commit(mut self, into: &Path) -> Result<()> {
        self.finish()?;
        let dest = into.join(METRICS_FILE);
        fs::copy(&self.path, &dest).map_err(|e| Error::io(&dest, e))?;
        Ok(())
    }

    /// Drops a hidden file's records (the run failed; the old metrics stay).
    pub fn discard(self) {
        if self.is_partial() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

impl TrainListener for MetricsStream {
    fn on_record(&mut self, record: &MetricsRecord) {
        if self.error.is_some() {
            return;
        }
        let line = serde_json::to_string(record).expect("records serialise");
        // Flushed at once: records are rare, and a long run's curve must be readable while it
        // runs (and survive an interruption).
        if let Err(e) = writeln!(self.writer, "{line}").and_then(|()| self.writer.flush()) {
            self.error = Some(e);
        }
    }
}

/// The folder a reproduction writes into: `out`, else a fresh `runs/<name>-<UTC time>`.
/// Refuses, before any work, when one of `files` already exists there (an earlier run's)
/// unless `force`.
pub fn fresh_dir(out: Option<&Path>, name: &str, files: &[String], force: bool) -> Result<PathBuf> {
    let dir = match out {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("runs").join(format!("{name}-{}", utc_stamp())),
    };
    if !force && let Some(f) = files.iter().find(|f| dir.join(f).exists()) {
        return Err(Error::Data(format!(
            "{} already holds {f} from an earlier run; pass --force to replace it or choose \
             another --out",
            dir.display()
        )));
    }
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}

/// The current UTC time as `YYYYMMDD-HHMMSS`.
pub fn utc_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    stamp(secs)
}

/// `secs` since 1970 as `YYYYMMDD-HHMMSS` (UTC).
fn stamp(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(it: usize) -> String {
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
            task: crate::problem::Task::Classification,
        };
        serde_json::to_string(&r).unwrap()
    }

    #[test]
    fn the_metrics_stream_is_cut_back_to_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunDir::new(dir.path());
        let path = dir.path().join(METRICS_FILE);
        let text = format!("{}\n{}\n{}\n{{\"iterat", record(10), record(20), record(30));
        fs::write(&path, text).unwrap();
        let mut stream = run.open_metrics(20).unwrap();
        assert!(!stream.is_partial());
        let r25: MetricsRecord = serde_json::from_str(&record(25)).unwrap();
        stream.on_record(&r25);
        let staged = tempfile::tempdir().unwrap();
        stream.commit(staged.path()).unwrap();
        let lines: Vec<String> = fs::read_to_string(staged.path().join(METRICS_FILE))
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(lines, [record(10), record(20), record(25)]);
        // A fresh run starts an empty stream.
        run.open_metrics(0).unwrap().finish().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "");
    }

    #[test]
    fn a_run_replacing_a_model_streams_aside_until_committed() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunDir::new(dir.path());
        fs::write(dir.path().join(SPEC_FILE), "{}").unwrap();
        fs::write(dir.path().join(METRICS_FILE), "old\n").unwrap();
        let mut stream = run.open_metrics(0).unwrap();
        assert!(stream.is_partial());
        stream.on_record(&serde_json::from_str(&record(5)).unwrap());
        stream.finish().unwrap();
        let metrics = dir.path().join(METRICS_FILE);
        assert_eq!(fs::read_to_string(&metrics).unwrap(), "old\n");
        stream.discard();
        assert_eq!(fs::read_to_string(&metrics).unwrap(), "old\n");
        let mut stream = run.open_metrics(0).unwrap();
        stream.on_record(&serde_json::from_str(&record(7)).unwrap());
        let staged = tempfile::tempdir().unwrap();
        stream.commit(staged.path()).unwrap();
        let committed = staged.path().join(METRICS_FILE);
        assert_eq!(fs::read_to_string(&committed).unwrap(), record(7) + "\n");
        assert_eq!(fs::read_to_string(&metrics).unwrap(), "old\n");
        let err = run.refuse_to_replace(false).unwrap_err().to_string();
        assert!(err.contains("already holds a model"), "{err}");
    }

    #[test]
    fn stamps_are_civil_utc_times() {
        assert_eq!(stamp(0), "19700101-000000");
        // 2000-02-29 12:34:56 UTC.
        assert_eq!(stamp(951_827_696), "20000229-123456");
    }
}
