//! [`ModelSpec`]: what a model directory's `model.json` holds besides the weights, and the
//! checks a run makes against it.

use serde::{Deserialize, Serialize};

use super::model::DannConfig;
use crate::data::Schema;
use crate::data::Standardizer;
use crate::data::images::FittedImagePrep;
use crate::error::{Error, Result};
use crate::problem::{LabelScale, Task};
use crate::training::LabelShiftCheck;

/// Version of `model.json`'s layout.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Everything besides the weights needed to use a trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Version of this file's layout.
    pub format_version: u32,
    /// The architecture.
    pub config: DannConfig,
    /// Number of input features.
    pub n_features: usize,
    /// Names of the classes, in output order; read back through
    /// [`normalise_label`](crate::data::normalise_label), so that a model saved before labels
    /// were normalised (`1.0`) matches data read now (`1`).
    #[serde(deserialize_with = "normalised_class_names")]
    pub class_names: Vec<String>,
    /// Input standardisation fitted on the training data, if any.
    pub standardizer: Option<Standardizer>,
    /// Image preprocessing fitted on the training images, if any; applied by
    /// [`FittedDann::prepare`](super::FittedDann::prepare) before everything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<FittedImagePrep>,
    /// How files are read for the model: their columns (matched by name for CSV and Parquet
    /// files with a header), categories, imputed values, label and ignored columns. Absent
    /// in models saved before it was kept: their files are matched by position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Schema>,
    /// What the label-shift check after DANN measured, and whether DANN was kept
    /// ([`TrainConfig::max_label_shift`](crate::training::TrainConfig::max_label_shift)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_shift: Option<LabelShiftCheck>,
    /// Size and CRC-32 of the weights file saved with this spec, checked on load (absent in
    /// models saved before it was recorded, and in a model in memory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightsCheck>,
    /// A regression's label scale (see [`LabelScale`]); `None` for a classifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<LabelScale>,
}

fn normalised_class_names<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    Ok(names
        .iter()
        .map(|n| crate::data::normalise_label(n))
        .collect())
}

/// What the weights file of a saved model must be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightsCheck {
    /// Length in bytes.
    pub bytes: u64,
    /// CRC-32 (IEEE) of the bytes.
    pub crc32: u32,
}

impl WeightsCheck {
    pub(crate) fn of(bytes: &[u8]) -> Self {
        Self {
            bytes: bytes.len() as u64,
            crc32: crc32fast::hash(bytes),
        }
    }
}

impl ModelSpec {
    /// What the model predicts: classes, or a number when it has a label scale.
    pub fn task(&self) -> Task {
        match self.regression {
            Some(_) => Task::Regression,
            None => Task::Classification,
        }
    }

    /// Checks that a run of architecture `model` on data of `n_features` inputs and classes
    /// `classes` can start from this model's weights (`dann train --init`); the error says
    /// what differs.
    pub fn check_start(
        &self,
        model: &DannConfig,
        n_features: usize,
        classes: &[String],
        task: Task,
    ) -> Result<()> {
        let differs = |what: &str, then: String, now: String| {
            Err(Error::config(
                "--init",
                format!(
                    "the model has {what} {then}, this run {now}; train with the model's own \
                     settings (its config.toml, which --init uses when --config is not given) \
                     on data with its columns and classes"
                ),
            ))
        };
        if self.config != *model {
            let show = |c: &DannConfig| serde_json::to_string(c).unwrap_or_default();
            return differs("the architecture", show(&self.config), show(model));
        }
        if self.n_features != n_features {
            let (then, now) = (self.n_features.to_string(), n_features.to_string());
            return differs("inputs:", then, now);
        }
        if self.task() != task {
            return differs("the task", self.task().name().into(), task.name().into());
        }
        if task == Task::Classification && self.class_names != classes {
            return differs(
                "the classes",
                format!("[{}]", self.class_names.join(", ")),
                format!("[{}] in its source", classes.join(", ")),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 22: a model saved before labels were normalised (classes `0.0`, `1.0`) reads back
    /// with the names data gets now (`0`, `1`), so eval and resume still match it.
    #[test]
    fn saved_class_names_read_back_normalised() {
        let spec = ModelSpec {
            format_version: FORMAT_VERSION,
            config: DannConfig::default(),
            n_features: 2,
            class_names: vec!["0.0".into(), "+1".into(), "cat".into()],
            standardizer: None,
            images: None,
            schema: None,
            label_shift: None,
            weights: None,
            regression: None,
        };
        let json = serde_json::to_string(&spec).unwrap();
        let back: ModelSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back.class_names, ["0", "1", "cat"]);
    }
}
