//! Checkpoints of the burn trainer: everything [`Trainer`](crate::deep::Trainer) needs to continue a
//! run as if it had never stopped (weights, optimiser state, iteration, both batch streams,
//! the input-noise stream and the sums of the current metrics record), in a folder:
//!
//! - `model-<iteration>.mpk` and `optimizer-<iteration>.mpk`: burn records, full precision;
//! - `checkpoint.json`: the rest, with the size and CRC-32 of both files and a CRC-32 of
//!   itself; every field is checked against the others (and, on resume, against the data)
//!   before a run continues from it.
//!
//! Each file goes through a temporary file and a rename, the two records before the JSON that
//! names them, and older records are removed only after: a process killed at any moment
//! leaves the previous checkpoint or the new one, whole.

mod resume;

use std::fs;
use std::path::{Path, PathBuf};

use burn::tensor::backend::Backend;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::EndlessSampler;
use crate::deep::fitted::{FittedDann, weights_from_bytes};
use crate::deep::model::DannConfig;
use crate::deep::spec::{ModelSpec, WeightsCheck};
use crate::error::{Error, Result};
use crate::files::write_atomically;
use crate::training::config::TrainConfig;
use crate::training::listener::StepSums;

/// File name of a checkpoint's state inside its folder.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
pub(crate) const FORMAT_VERSION: u32 = 2;

/// A binary file of a checkpoint and what it must be.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Blob {
    pub(crate) file: String,
    pub(crate) check: WeightsCheck,
}

/// The trainer's state at the end of an iteration, besides the two records.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct CheckpointState {
    pub(crate) format_version: u32,
    /// Iterations done.
    pub(crate) iteration: usize,
    /// The settings the run trains with; a resumed run must have the same.
    pub(crate) train: TrainConfig,
    pub(crate) model_config: DannConfig,
    /// The model as [`FittedDann`] would save it (width, classes, normalisation), `weights`
    /// naming the model record.
    pub(crate) spec: ModelSpec,
    pub(crate) model_file: String,
    pub(crate) optimizer: Blob,
    pub(crate) source_rows: usize,
    pub(crate) target_rows: usize,
    pub(crate) source_stream: EndlessSampler,
    pub(crate) target_stream: EndlessSampler,
    pub(crate) noise: Option<ChaCha8Rng>,
    pub(crate) sums: StepSums,
    /// CRC-32 of the state serialised with this field `None` (an edit or damage shows).
    #[serde(default)]
    pub(crate) checksum: Option<u32>,
}

impl CheckpointState {
    /// The state as JSON, its last field the CRC-32 of the same text with `"checksum":null`
    /// (computed on the bytes written, so that reading needs no float round trip).
    fn signed_json(&self) -> Result<Vec<u8>> {
        let bare = CheckpointState {
            checksum: None,
            ..self.clone()
        };
        let mut bytes = serde_json::to_vec(&bare).map_err(|e| Error::Data(e.to_string()))?;
        let tail = b"\"checksum\":null}";
        if !bytes.ends_with(tail) {
            return Err(Error::Data(
                "the checkpoint's checksum is not its last field".into(),
            ));
        }
        let crc = crc32fast::hash(&bytes);
        bytes.truncate(bytes.len() - 5);
        bytes.extend_from_slice(format!("{crc}}}").as_bytes());
        Ok(bytes)
    }

    /// Whether `text` carries the CRC-32 of itself (see [`signed_json`](Self::signed_json)).
    fn signed(text: &str) -> bool {
        let key = "\"checksum\":";
        let Some(at) = text.rfind(key) else {
            return false;
        };
        let rest = &text[at + key.len()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Ok(crc) = rest[..digits].parse::<u32>() else {
            return false;
        };
        let bare = format!("{}null{}", &text[..at + key.len()], &rest[digits..]);
        crc32fast::hash(bare.as_bytes()) == crc
    }

    /// What is inconsistent in a state read back: its checksum, the files it names, its
    /// iteration against the run's length, the batch streams against the row counts.
    fn fault(&self) -> Option<String> {
        let it = self.iteration;
        if it == 0 || it > self.train.iterations {
            return Some(format!(
                "iteration {it} is outside the run's 1..={} iterations",
                self.train.iterations
            ));
        }
        let (model, optimizer) = (
            format!("model-{it:09}.mpk"),
            format!("optimizer-{it:09}.mpk"),
        );
        if self.model_file != model || self.optimizer.file != optimizer {
            return Some(format!(
                "iteration {it} does not match the files it names ({}, {})",
                self.model_file, self.optimizer.file
            ));
        }
        for (side, stream, rows) in [
            ("source", &self.source_stream, self.source_rows),
            ("target", &self.target_stream, self.target_rows),
        ] {
            if let Some(fault) = stream.fault(rows) {
                return Some(format!(
                    "the {side} batch stream {fault} ({rows} {side} rows)"
                ));
            }
        }
        None
    }
}

/// The checkpoint folder of a run: where [`Trainer`](crate::deep::Trainer) writes checkpoints
/// (`train.checkpoint_every`) and what it resumes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoints {
    dir: PathBuf,
}

impl Checkpoints {
    /// Checkpoints in `dir` (created at the first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join(CHECKPOINT_FILE)
    }

    /// Whether a checkpoint has been saved here.
    pub fn exists(&self) -> bool {
        self.state_path().exists()
    }

    /// The iteration of the last checkpoint, `None` when there is none.
    pub fn iteration(&self) -> Result<Option<usize>> {
        if !self.exists() {
            return Ok(None);
        }
        Ok(Some(self.read_state()?.iteration))
    }

    pub(crate) fn read_state(&self) -> Result<CheckpointState> {
        let path = self.state_path();
        let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let state: CheckpointState = serde_json::from_str(&text).map_err(|e| Error::Model {
            path: path.clone(),
            message: format!("line {}: {e}", e.line()),
        })?;
        if state.format_version != FORMAT_VERSION {
            return Err(Error::Model {
                path,
                message: format!(
                    "checkpoint format version {} is not supported (expected {FORMAT_VERSION}): \
                     it was written by another dann version; resume with that version, or \
                     start over with --force",
                    state.format_version
                ),
            });
        }
        let fault = if CheckpointState::signed(&text) {
            state.fault()
        } else {
            Some("its checksum does not match its content: it was edited or damaged".into())
        };
        if let Some(fault) = fault {
            return Err(Error::Model {
                path,
                message: format!(
                    "not a usable checkpoint: {fault}; start over with --force (or put back \
                     the checkpoint as the run wrote it)"
                ),
            });
        }
        Ok(state)
    }

    /// The bytes of `file`, checked against `check`.
    pub(crate) fn read_blob(&self, blob: &Blob) -> Result<Vec<u8>> {
        let path = self.dir.join(&blob.file);
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        if WeightsCheck::of(&bytes) != blob.check {
            return Err(Error::Model {
                path,
                message: format!(
                    "truncated or corrupt, or not from the checkpoint {CHECKPOINT_FILE} \
                     describes: {} bytes (expected {}), checksum differs",
                    bytes.len(),
                    blob.check.bytes
                ),
            });
        }
        Ok(bytes)
    }

    /// The weights of `state` as a model on `B`.
    pub(crate) fn model_of<B: Backend>(
        &self,
        state: &CheckpointState,
        device: &B::Device,
    ) -> Result<crate::deep::model::DannModel<B>> {
        let path = self.dir.join(&state.model_file);
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        weights_from_bytes::<B>(&state.spec, bytes, &path, &self.state_path(), device)
    }

    /// The model of the last checkpoint, e.g. to keep when a run diverged after it.
    pub fn load_model<B: Backend>(&self, device: &B::Device) -> Result<FittedDann<B>> {
        let state = self.read_state()?;
        let model = self.model_of::<B>(&state, device)?;
        Ok(FittedDann::from_parts(
            model,
            ModelSpec {
                weights: None,
                ..state.spec
            },
            device.clone(),
        ))
    }

    /// Writes a checkpoint: the two records, then the state naming them, then removes the
    /// records of earlier checkpoints.
    pub(crate) fn save(
        &self,
        state: CheckpointState,
        model: &[u8],
        optimizer: &[u8],
    ) -> Result<()> {
        use std::io::Write;
        fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let it = state.iteration;
        let model_file = format!("model-{it:09}.mpk");
        let optimizer_file = format!("optimizer-{it:09}.mpk");
        write_atomically(&self.dir.join(&model_file), |w| w.write_all(model))?;
        write_atomically(&self.dir.join(&optimizer_file), |w| w.write_all(optimizer))?;
        let state = CheckpointState {
            spec: ModelSpec {
                weights: Some(WeightsCheck::of(model)),
                ..state.spec
            },
            model_file: model_file.clone(),
            optimizer: Blob {
                file: optimizer_file.clone(),
                check: WeightsCheck::of(optimizer),
            },
            checksum: None,
            ..state
        };
        let path = self.state_path();
        let json = state.signed_json().map_err(|e| Error::Model {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomically(&path, |w| w.write_all(&json))?;
        // Older records: the new state no longer names them.
        let entries = fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = name.ends_with(".mpk")
                && (name.starts_with("model-") || name.starts_with("optimizer-"));
            if ours && name != model_file && name != optimizer_file {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// Removes the folder and everything in it (a finished run no longer needs it).
    pub fn remove(&self) -> Result<()> {
        match fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&self.dir, e)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::backend::{Autodiff, Flex};
    use rand::SeedableRng;

    use super::*;
    use crate::data::Dataset;
    use crate::deep::trainer::Trainer;
    use crate::learner::Dann;
    use crate::testing::random_dense_labelled;
    use crate::training::config::{Engine, OptimizerConfig};

    type B = Autodiff<Flex>;

    fn settings(optimizer: OptimizerConfig) -> Dann {
        let mut dann = Dann::default();
        dann.model.feature.hidden = vec![12, 6];
        dann.train.engine = Engine::Burn;
        dann.train.iterations = 40;
        dann.train.batch_size = 16;
        dann.train.log_every = 7;
        dann.train.checkpoint_every = 10;
        dann.train.optimizer = optimizer;
        dann
    }

    fn weights(model: &FittedDann<Flex>, data: &Dataset) -> Vec<f32> {
        model.predict_proba(data).unwrap().as_slice().to_vec()
    }

    /// Stopped after 23 iterations (checkpoint at 20), resumed: the same model and the same
    /// records as a run that never stopped, for SGD with momentum and for Adam.
    #[test]
    fn a_resumed_run_gives_the_uninterrupted_model() {
        let rng = &mut rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let source = random_dense_labelled(90, 5, rng);
        let target = random_dense_labelled(70, 5, rng).without_labels();
        let device = Default::default();
        for optimizer in [
            OptimizerConfig::default(),
            OptimizerConfig::Adam {
                beta1: 0.9,
                beta2: 0.999,
                weight_decay: 0.0,
            },
        ] {
            let dann = settings(optimizer);
            let mut full_records = Vec::new();
            let full = dann
                .fit_with::<B>(&source, &target, None, &mut full_records, &device)
                .unwrap();

            let dir = tempfile::tempdir().unwrap();
            let checkpoints = Checkpoints::new(dir.path().join("ckpt"));
            let mut cut = Trainer::<B>::new(&dann.model, &dann.train, &source, &target, &device)
                .unwrap()
                .with_checkpoints(checkpoints.clone());
            let mut cut_records = Vec::new();
            cut.run_until(23, &mut cut_records).unwrap();
            drop(cut);
            assert_eq!(cut_records.last().unwrap().iteration, 21);
            assert_eq!(checkpoints.iteration().unwrap(), Some(20));
            // Only the last checkpoint's records are kept.
            assert_eq!(fs::read_dir(checkpoints.dir()).unwrap().count(), 3);
            let mut resumed_records = Vec::new();
            let resumed = dann
                .fit_resumable::<B>(
                    &source,
                    &target,
                    None,
                    &mut resumed_records,
                    &checkpoints,
                    &device,
                )
                .unwrap();
            assert_eq!(weights(&full, &source), weights(&resumed, &source));
            // The records after the checkpoint are those of the full run, sums included.
            let after: Vec<_> = full_records
                .into_iter()
                .filter(|r| r.iteration > 20)
                .collect();
            assert_eq!(after, resumed_records);
            // A run from scratch differs from the checkpoint's model (the test can fail).
            let at_20 = checkpoints.load_model::<Flex>(&device).unwrap();
            assert_ne!(weights(&at_20, &source), weights(&full, &source));
        }
    }

    #[test]
    fn a_checkpoint_of_other_settings_or_a_damaged_one_is_refused() {
        let rng = &mut rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let source = random_dense_labelled(50, 4, rng);
        let target = random_dense_labelled(40, 4, rng).without_labels();
        let device = Default::default();
        let dann = settings(OptimizerConfig::default());
        let dir = tempfile::tempdir().unwrap();
        let checkpoints = Checkpoints::new(dir.path());
        let mut t = Trainer::<B>::new(&dann.model, &dann.train, &source, &target, &device)
            .unwrap()
            .with_checkpoints(checkpoints.clone());
        t.run_until(10, &mut ()).unwrap();
        assert!(checkpoints.exists());

        let mut other = dann.clone();
        other.train.seed = 9;
        let err = other
            .fit_resumable::<B>(&source, &target, None, &mut (), &checkpoints, &device)
            .unwrap_err()
            .to_string();
        assert!(err.contains("other training settings"), "{err}");
        let fewer = source.subset(&(0..40).collect::<Vec<_>>());
        let err = dann
            .fit_resumable::<B>(&fewer, &target, None, &mut (), &checkpoints, &device)
            .unwrap_err()
            .to_string();
        assert!(err.contains("source rows"), "{err}");

        let state = checkpoints.read_state().unwrap();
        let optimizer = dir.path().join(&state.optimizer.file);
        let bytes = fs::read(&optimizer).unwrap();
        fs::write(&optimizer, &bytes[..bytes.len() / 2]).unwrap();
        let err = dann
            .fit_resumable::<B>(&source, &target, None, &mut (), &checkpoints, &device)
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated or corrupt"), "{err}");

        // An edited checkpoint.json: its checksum shows it; one edited with its checksum
        // put right is refused by the field checks (an iteration beyond the run, one that
        // does not match the files, a batch stream out of range), never a panic or an old
        // model saved as final.
        let path = checkpoints.state_path();
        let good = fs::read_to_string(&path).unwrap();
        fs::write(&path, good.replace("\"iteration\":10", "\"iteration\":40")).unwrap();
        let err = checkpoints.read_state().err().unwrap().to_string();
        assert!(err.contains("checksum does not match"), "{err}");
        let forge = |edit: &dyn Fn(&mut CheckpointState)| {
            let mut state: CheckpointState = serde_json::from_str(&good).unwrap();
            edit(&mut state);
            fs::write(&path, state.signed_json().unwrap()).unwrap();
            dann.fit_resumable::<B>(&source, &target, None, &mut (), &checkpoints, &device)
                .unwrap_err()
                .to_string()
        };
        let err = forge(&|s| s.iteration = 1000);
        assert!(err.contains("outside the run's 1..=40 iterations"), "{err}");
        let err = forge(&|s| s.iteration = 20);
        assert!(err.contains("does not match the files it names"), "{err}");
        let err = forge(&|s| s.source_stream = EndlessSampler::new(51, 0));
        assert!(
            err.contains("the source batch stream cycles through 51"),
            "{err}"
        );
        fs::write(&path, &good).unwrap();
        assert_eq!(checkpoints.iteration().unwrap(), Some(10));

        // The shallow kernels do not checkpoint, and say so.
        let mut shallow = Dann::default();
        shallow.train.iterations = 5;
        let err = shallow
            .fit_resumable::<B>(&source, &target, None, &mut (), &checkpoints, &device)
            .unwrap_err()
            .to_string();
        assert!(err.contains("train.engine = \"burn\""), "{err}");
    }
}
