//! A trained DANN: prediction, features, and saving/loading with its config and input
//! normalisation.

use std::fs;
use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder};
use burn::tensor::{activation, backend::Backend};

use super::batch::{input_tensor, to_vec};
use super::model::{DannConfig, DannModel};
use crate::data::images::FittedImagePrep;
use crate::data::{Dataset, DenseMatrix, LoadOptions, Schema, Standardizer, load_for, load_named};
use crate::error::{Error, Result};
use crate::files::write_atomically;
use crate::metrics::RegressionEvaluation;
use crate::metrics::{Evaluation, argmax};
use crate::problem::{LabelScale, Task};
use crate::representation::FeatureMap;
use crate::training::LabelShiftCheck;

use super::spec::{FORMAT_VERSION, ModelSpec, WeightsCheck};

/// File name of the weights inside a model directory.
pub const WEIGHTS_FILE: &str = "model.mpk";
/// File name of the [`ModelSpec`] inside a model directory.
pub const SPEC_FILE: &str = "model.json";
/// Rows per forward pass at inference.
const INFERENCE_CHUNK: usize = 1024;

/// A trained DANN (returned by [`crate::Dann::fit`] or [`FittedDann::load`]).
#[derive(Debug, Clone)]
pub struct FittedDann<B: Backend> {
    model: DannModel<B>,
    spec: ModelSpec,
    device: B::Device,
}

impl<B: Backend> FittedDann<B> {
    pub(crate) fn new(
        model: DannModel<B>,
        config: DannConfig,
        n_features: usize,
        class_names: Vec<String>,
        standardizer: Option<Standardizer>,
        device: B::Device,
    ) -> Self {
        Self {
            model,
            spec: ModelSpec {
                format_version: FORMAT_VERSION,
                config,
                n_features,
                class_names,
                standardizer,
                images: None,
                schema: None,
                label_shift: None,
                weights: None,
                regression: None,
            },
            device,
        }
    }

    /// A model from its parts (e.g. a checkpoint's).
    pub(crate) fn from_parts(model: DannModel<B>, spec: ModelSpec, device: B::Device) -> Self {
        Self {
            model,
            spec,
            device,
        }
    }

    /// The same model, recording the image preprocessing its inputs went through.
    pub(crate) fn with_images(mut self, images: Option<FittedImagePrep>) -> Self {
        self.spec.images = images;
        self
    }

    /// The same model, recording how files are read for it.
    pub(crate) fn with_schema(mut self, schema: Option<Schema>) -> Self {
        self.spec.schema = schema;
        self
    }

    /// The model with the label-shift check made for it (see
    /// [`ModelSpec::label_shift`]).
    pub(crate) fn with_regression(mut self, scale: Option<LabelScale>) -> Self {
        self.spec.regression = scale;
        self
    }

    /// What the model predicts: classes or a number.
    pub fn task(&self) -> Task {
        self.spec.task()
    }

    pub(crate) fn with_label_shift(mut self, check: Option<LabelShiftCheck>) -> Self {
        self.spec.label_shift = check;
        self
    }

    /// What the label-shift check after DANN measured, if it ran.
    pub fn label_shift(&self) -> Option<&LabelShiftCheck> {
        self.spec.label_shift.as_ref()
    }

    /// How files are read for the model (see [`ModelSpec::schema`]).
    pub fn schema(&self) -> Option<&Schema> {
        self.spec.schema.as_ref()
    }

    /// Reads the data file `path` for this model: a CSV or Parquet file's columns found by
    /// name (in any order; a missing one is an error naming it, an extra one too unless
    /// `options.ignore_extra_columns`), its categories and missing values encoded as the
    /// training data's were, its label column (if there) as the training files'. `options`
    /// says how to read the file (its format, delimiter, limits); the model's config.toml
    /// holds those it was trained with ([`RunConfig::load_model`](crate::run::RunConfig::load_model)).
    /// A model saved before schemas were kept reads the file by position, and the data set's
    /// notes say so.
    pub fn read(&self, path: &Path, options: &LoadOptions) -> Result<Dataset> {
        match &self.spec.schema {
            Some(schema) => load_for(schema, path, options),
            None => Ok(load_named(path, options)?.with_note(
                "the model was saved by an earlier dann that kept no schema: the file's columns \
                 are taken by position, not matched by name (train it again to match them by \
                 name)",
            )),
        }
    }

    /// The network.
    pub fn model(&self) -> &DannModel<B> {
        &self.model
    }

    /// Architecture, classes and normalisation.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Class names in output order.
    pub fn class_names(&self) -> &[String] {
        &self.spec.class_names
    }

    /// Applies the model's image preprocessing, if any, checks that `data` has the model's
    /// number of features (sparse data with fewer columns is padded) and, when labelled,
    /// relabels it onto the model's classes.
    pub fn prepare(&self, data: Dataset) -> Result<Dataset> {
        let data = match &self.spec.images {
            Some(prep) => prep.transform(&data)?,
            None => data,
        };
        let (have, want) = (data.n_features(), self.spec.n_features);
        let mismatch = data.error(format!(
            "has {have} features, the model was trained on {want}"
        ));
        let mismatch = match data.no_labels_note() {
            // One column too many in a file that gave no labels: most likely its label column,
            // not found.
            Some(note) if have == want + 1 => {
                mismatch.fix(format!("one column more than the model's: {note}"))
            }
            _ => mismatch.fix(
                "give it data with the training data's columns (for SVMlight, the same feature \
                 indices)",
            ),
        };
        let data = data.with_n_features(want).map_err(|_| mismatch)?;
        match self.spec.regression {
            // A regression's labels are numbers, read by `label_values`.
            Some(_) => Ok(data),
            None => data.align_classes(&self.spec.class_names),
        }
    }

    /// Applies `f` to the network's output for successive chunks of rows and gathers the
    /// rows of width `width` into a matrix.
    fn map_chunks(
        &self,
        data: &Dataset,
        width: usize,
        f: impl Fn(&DannModel<B>, burn::tensor::Tensor<B, 2>) -> burn::tensor::Tensor<B, 2>,
    ) -> Result<DenseMatrix> {
        // Sparse data with fewer columns is padded by `prepare`.
        data.check_n_features(self.spec.n_features, "the model")?;
        let mut out = Vec::with_capacity(data.len() * width);
        for start in (0..data.len()).step_by(INFERENCE_CHUNK) {
            let end = (start + INFERENCE_CHUNK).min(data.len());
            let x = input_tensor::<B>(
                data,
                start..end,
                self.spec.standardizer.as_ref(),
                None,
                &self.device,
            );
            out.extend(to_vec(f(&self.model, x)));
        }
        DenseMatrix::new(data.len(), width, out)
    }

    /// Class probabilities `[n, n_classes]` (softmax of `G_y(G_f(x))`).
    pub fn predict_proba(&self, data: &Dataset) -> Result<DenseMatrix> {
        self.require_classifier("class probabilities")?;
        self.map_chunks(data, self.spec.class_names.len(), |m, x| {
            activation::softmax(m.classify(m.features(x)), 1)
        })
    }

    /// Most probable class index per row.
    pub fn predict(&self, data: &Dataset) -> Result<Vec<usize>> {
        let proba = self.predict_proba(data)?;
        Ok((0..proba.n_rows()).map(|i| argmax(proba.row(i))).collect())
    }

    /// The learned representation `G_f(x)`, `[n, d_feat]`.
    pub fn features(&self, data: &Dataset) -> Result<DenseMatrix> {
        let width = self.spec.config.feature_size(self.spec.n_features);
        self.map_chunks(data, width, |m, x| m.features(x))
    }

    /// Probability that each row comes from the target domain, according to `G_d`.
    pub fn domain_proba(&self, data: &Dataset) -> Result<Vec<f32>> {
        Ok(self
            .map_chunks(data, 1, |m, x| {
                activation::sigmoid(m.discriminate(m.features(x), 0.0))
            })?
            .as_slice()
            .to_vec())
    }

    /// The numbers a regression model predicts for `data` (prepared), one per row; an error
    /// for a classifier.
    pub fn predict_values(&self, data: &Dataset) -> Result<Vec<f64>> {
        let Some(scale) = self.spec.regression else {
            return Err(Error::Data(
                "this model is a classifier: it predicts classes, not numbers (train with \
                 [train] task = \"regression\" for numbers)"
                    .into(),
            ));
        };
        let out = self.map_chunks(data, 1, |m, x| m.classify(m.features(x)))?;
        Ok(out.as_slice().iter().map(|&z| scale.unscale(z)).collect())
    }

    /// RMSE, MAE and R^2 of a regression model on labelled `data` (prepared), its labels
    /// read as numbers.
    pub fn evaluate_values(&self, data: &Dataset) -> Result<RegressionEvaluation> {
        let truth = data.label_values()?;
        let predicted = self.predict_values(data)?;
        Ok(RegressionEvaluation::new(&predicted, &truth))
    }

    /// An error unless the model is a classifier; `what` it was asked for.
    fn require_classifier(&self, what: &str) -> Result<()> {
        match self.spec.regression {
            Some(_) => Err(Error::Data(format!(
                "this model is a regression: it predicts numbers, not {what}"
            ))),
            None => Ok(()),
        }
    }

    /// Accuracy and per-class counts on labelled `data` (already [`prepare`](Self::prepare)d);
    /// an error for a regression model ([`evaluate_values`](Self::evaluate_values)).
    pub fn evaluate(&self, data: &Dataset) -> Result<Evaluation> {
        self.require_classifier("classes to evaluate")?;
        let truth = data.require_labels("data to evaluate against")?;
        let predicted = self.predict(data)?;
        Ok(Evaluation::new(&predicted, truth, &self.spec.class_names))
    }

    /// Writes `model.mpk` (weights) and `model.json` ([`ModelSpec`], with the weights' size
    /// and checksum) into `dir`, creating it. Each file goes through a temporary file and a
    /// rename, weights first: an interrupted save leaves the old model, or (killed between
    /// the two renames) files that [`load`](Self::load) refuses as not belonging together.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        use std::io::Write;
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let weights_path = dir.join(WEIGHTS_FILE);
        let bytes = NamedMpkBytesRecorder::<FullPrecisionSettings>::default()
            .record(self.model.clone().into_record(), ())
            .map_err(|e| Error::Model {
                path: weights_path.clone(),
                message: e.to_string(),
            })?;
        let spec_path = dir.join(SPEC_FILE);
        let spec = ModelSpec {
            weights: Some(WeightsCheck::of(&bytes)),
            ..self.spec.clone()
        };
        let json = serde_json::to_string_pretty(&spec).map_err(|e| Error::Model {
            path: spec_path.clone(),
            message: e.to_string(),
        })?;
        write_atomically(&weights_path, |w| w.write_all(&bytes))?;
        write_atomically(&spec_path, |w| w.write_all(json.as_bytes()))
    }

    /// Loads a model saved by [`save`](Self::save) onto `device`. A missing, truncated or
    /// edited file, or files from two different saves, are errors naming the file.
    pub fn load(dir: impl AsRef<Path>, device: &B::Device) -> Result<Self> {
        let dir = dir.as_ref();
        let spec_path = dir.join(SPEC_FILE);
        if !spec_path.exists() {
            return Err(Error::Model {
                path: dir.to_path_buf(),
                message: format!(
                    "not a model directory: {SPEC_FILE} is missing (`dann train --out DIR` \
                     writes one)"
                ),
            });
        }
        let text = fs::read_to_string(&spec_path).map_err(|e| Error::io(&spec_path, e))?;
        let spec: ModelSpec = serde_json::from_str(&text).map_err(|e| Error::Model {
            path: spec_path.clone(),
            message: format!("line {}: {e}", e.line()),
        })?;
        if spec.format_version != FORMAT_VERSION {
            return Err(Error::Model {
                path: spec_path,
                message: format!(
                    "format version {} is not supported (expected {FORMAT_VERSION})",
                    spec.format_version
                ),
            });
        }
        let weights: PathBuf = dir.join(WEIGHTS_FILE);
        if !weights.exists() {
            return Err(Error::Model {
                path: weights,
                message: "weights file is missing".into(),
            });
        }
        let bytes = fs::read(&weights).map_err(|e| Error::io(&weights, e))?;
        let model = weights_from_bytes::<B>(&spec, bytes, &weights, &spec_path, device)?;
        Ok(Self {
            model,
            // The check belongs to the files; the model in memory is what it was saved from.
            spec: ModelSpec {
                weights: None,
                ..spec
            },
            device: device.clone(),
        })
    }
}

/// The network of `spec` with the weights `bytes` (read from `path`; `spec_path` is where
/// `spec` came from), checked against `spec.weights` when it is recorded: a truncated,
/// corrupt or foreign file is an error naming `path`.
pub(crate) fn weights_from_bytes<B: Backend>(
    spec: &ModelSpec,
    bytes: Vec<u8>,
    path: &Path,
    spec_path: &Path,
    device: &B::Device,
) -> Result<DannModel<B>> {
    let spec_name = spec_path
        .file_name()
        .map_or(SPEC_FILE.into(), |n| n.to_string_lossy());
    let model = match spec.regression {
        Some(_) => spec.config.init_outputs::<B>(spec.n_features, 1, 0, device),
        None => spec
            .config
            .init::<B>(spec.n_features, spec.class_names.len(), 0, device),
    }
    .map_err(|e| Error::Model {
        path: spec_path.to_path_buf(),
        message: e.to_string(),
    })?;
    if let Some(want) = spec.weights
        && WeightsCheck::of(&bytes) != want
    {
        return Err(Error::Model {
            path: path.to_path_buf(),
            message: format!(
                "truncated or corrupt, or not from the save that wrote {spec_name}: {} bytes \
                 (expected {}), checksum differs; save or train the model again",
                bytes.len(),
                want.bytes
            ),
        });
    }
    let record = NamedMpkBytesRecorder::<FullPrecisionSettings>::default()
        .load(bytes, device)
        .map_err(|e| Error::Model {
            path: path.to_path_buf(),
            message: format!(
                "truncated or corrupt, or of another architecture than {spec_name} says ({e})"
            ),
        })?;
    let expected = model.num_params();
    let model = model.load_record(record);
    if model.num_params() != expected {
        return Err(Error::Model {
            path: path.to_path_buf(),
            message: format!(
                "holds {} parameters, the network of {spec_name} has {expected} (an edited \
                 {spec_name}?)",
                model.num_params()
            ),
        });
    }
    Ok(model)
}

impl<B: Backend> FeatureMap for FittedDann<B> {
    fn n_inputs(&self) -> usize {
        self.spec.n_features
    }

    fn feature_matrix(&self, data: &Dataset) -> Result<DenseMatrix> {
        self.features(data)
    }
}
