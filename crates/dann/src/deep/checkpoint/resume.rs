//! The trainer's side of checkpoints: [`Trainer::resume`] checks that a checkpoint comes from
//! the same run and continues from it, [`Trainer::save_checkpoint`] writes the state now.

use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder, RecorderError};
use burn::tensor::backend::AutodiffBackend;

use super::{CheckpointState, FORMAT_VERSION};
use crate::deep::optimizer::AnyOptimizer;
use crate::deep::trainer::Trainer;
use crate::error::{Error, Result};

impl<B: AutodiffBackend> Trainer<'_, B> {
    /// Continues from the last checkpoint in the folder of
    /// [`with_checkpoints`](Self::with_checkpoints), if there is one: [`fit`](Self::fit) then
    /// runs the remaining iterations and gives the model an uninterrupted run gives (the
    /// same bits on the same backend and thread count). The checkpoint must come from a run
    /// of the same settings on the same data: anything else is an error saying what differs.
    pub fn resume(mut self) -> Result<Self> {
        let Some(checkpoints) = self.checkpoints.clone() else {
            return Ok(self);
        };
        if !checkpoints.exists() {
            return Ok(self);
        }
        let state = checkpoints.read_state()?;
        let here = self.snapshot();
        let differs = |what: &str, then: String, now: String| {
            Error::data_file(
                checkpoints.dir(),
                format!("the checkpoint was made with {what} {then}, this run has {now}"),
            )
            .fix("resume with the run's own settings and data, or start over")
        };
        if state.train != self.config {
            return Err(differs(
                "other training settings",
                format!("{:?}", state.train),
                format!("{:?}", self.config),
            ));
        }
        if state.model_config != self.model_config {
            return Err(differs(
                "another network",
                format!("{:?}", state.model_config),
                format!("{:?}", self.model_config),
            ));
        }
        let rows = (self.data.source().len(), self.data.target().len());
        if (state.source_rows, state.target_rows) != rows {
            return Err(differs(
                "(source rows, target rows)",
                format!("{:?}", (state.source_rows, state.target_rows)),
                format!("{rows:?}"),
            ));
        }
        let (spec, now) = (&state.spec, here.spec());
        if spec.n_features != now.n_features
            || spec.class_names != now.class_names
            || spec.standardizer != now.standardizer
            || spec.images != now.images
            || spec.schema != now.schema
        {
            return Err(differs(
                "data of another width, columns, classes or normalisation",
                format!(
                    "{} features, classes {:?}",
                    spec.n_features, spec.class_names
                ),
                format!("{} features, classes {:?}", now.n_features, now.class_names),
            ));
        }
        let model = checkpoints.model_of::<B>(&state, &self.device)?;
        let optimizer_bytes = checkpoints.read_blob(&state.optimizer)?;
        let optimizer = std::mem::replace(
            &mut self.optimizer,
            AnyOptimizer::new(&self.config.optimizer),
        );
        self.optimizer = optimizer
            .with_state_bytes(optimizer_bytes, &self.device)
            .map_err(|e| Error::Model {
                path: checkpoints.dir().join(&state.optimizer.file),
                message: format!("not an optimiser state of this run ({e})"),
            })?;
        self.model = Some(model);
        if state.source_stream.len() != rows.0 || state.target_stream.len() != rows.1 {
            return Err(differs(
                "batch streams of other lengths",
                format!("{}", state.source_stream.len()),
                format!("{}", rows.0),
            ));
        }
        self.source_stream = state.source_stream;
        self.target_stream = state.target_stream;
        match (&mut self.noise, state.noise) {
            (Some(noise), Some(rng)) => noise.set_rng(rng),
            (None, None) => {}
            _ => return Err(differs("other input noise", String::new(), String::new())),
        }
        self.sums = state.sums;
        self.iteration = state.iteration;
        Ok(self)
    }

    /// Writes a checkpoint of the state now to the folder of
    /// [`with_checkpoints`](Self::with_checkpoints) (nothing without one).
    pub fn save_checkpoint(&self) -> Result<()> {
        use burn::module::Module;
        let Some(checkpoints) = &self.checkpoints else {
            return Ok(());
        };
        let model = self.model.as_ref().expect("model is always put back");
        let recorder = NamedMpkBytesRecorder::<FullPrecisionSettings>::default();
        let failed = |e: RecorderError| Error::Model {
            path: checkpoints.dir().to_path_buf(),
            message: format!("cannot write a checkpoint: {e}"),
        };
        let model_bytes =
            Recorder::<B>::record(&recorder, model.clone().into_record(), ()).map_err(failed)?;
        let optimizer_bytes = self.optimizer.state_bytes().map_err(failed)?;
        let state = CheckpointState {
            format_version: FORMAT_VERSION,
            iteration: self.iteration,
            train: self.config.clone(),
            model_config: self.model_config.clone(),
            spec: self.snapshot().spec().clone(),
            // Filled in by `save`, which names the files.
            model_file: String::new(),
            optimizer: Default::default(),
            source_rows: self.data.source().len(),
            target_rows: self.data.target().len(),
            source_stream: self.source_stream.clone(),
            target_stream: self.target_stream.clone(),
            noise: self.noise.as_ref().map(|n| n.rng().clone()),
            sums: self.sums.clone(),
            checksum: None,
        };
        checkpoints.save(state, &model_bytes, &optimizer_bytes)
    }
}
