//! A candidate's score: the reverse model's agreement with the source validation part `S_v`
//! ([`reverse_score`]), as an error and as a log-loss ([`ReverseScore`]), and which of the two
//! ranks the candidates ([`RvScore`]).

use serde::{Deserialize, Serialize};

use crate::data::{Dataset, HoldOut};
use crate::error::{Error, Result};
use crate::metrics::accuracy;
use crate::shallow::{ShallowConfig, ShallowDann};

/// What the reverse model's agreement with `S_v` is measured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum RvScore {
    /// Its error on `S_v` (the paper's).
    #[default]
    Error,
    /// Its mean negative log-likelihood of `S_v`'s labels.
    LogLoss,
}

/// The reverse model's agreement with the source validation part.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReverseScore {
    /// Error on `S_v`.
    pub error: f64,
    /// Mean negative log-likelihood of `S_v`'s labels (for a regression, the mean squared
    /// error again: a Gaussian's, up to its constant and scale).
    pub log_loss: f64,
    /// The variance of the rows' errors, for a regression's squared errors (a classifier's
    /// 0/1 errors have `error (1 - error)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_variance: Option<f64>,
}

impl ReverseScore {
    /// The mean of `scores` (NaN for none).
    pub fn mean(scores: &[ReverseScore]) -> ReverseScore {
        let n = scores.len() as f64;
        ReverseScore {
            error: scores.iter().map(|s| s.error).sum::<f64>() / n,
            log_loss: scores.iter().map(|s| s.log_loss).sum::<f64>() / n,
            error_variance: scores
                .iter()
                .map(|s| s.error_variance)
                .sum::<Option<f64>>()
                .map(|v| v / n),
        }
    }

    /// The value `score` ranks by (lower is better).
    pub fn get(&self, score: RvScore) -> f64 {
        match score {
            RvScore::Error => self.error,
            RvScore::LogLoss => self.log_loss,
        }
    }
}

/// Reverse validation of `forward`, trained with `cfg` on `parts`: the reverse model (the
/// same settings) trained on `T'` labelled by `forward`, with `S'` as its unlabelled target
/// and early stopping on `T_v` labelled by `forward`, scored on `S_v`.
pub fn reverse_score(
    cfg: &ShallowConfig,
    forward: &ShallowDann,
    parts: &HoldOut,
) -> Result<ReverseScore> {
    let truth = parts
        .s_val
        .labels()
        .ok_or_else(|| Error::Data("source validation part must be labelled".into()))?;
    let classes = parts.s_train.class_names().to_vec();
    let self_label = |d: &Dataset| -> Result<Dataset> {
        Dataset::labelled(d.features().clone(), forward.predict(d), classes.clone())
    };
    let (t_train, t_val) = (self_label(&parts.t_train)?, self_label(&parts.t_val)?);
    let s_train = parts.s_train.clone().without_labels();
    let reverse = cfg.fit(&t_train, &s_train, Some(&t_val))?.model;
    let proba = reverse.predict_proba(&parts.s_val);
    let nc = reverse.n_classes();
    let log_loss = truth
        .iter()
        .enumerate()
        .map(|(i, &y)| -f64::from(proba[i * nc + y].max(f32::MIN_POSITIVE)).ln())
        .sum::<f64>()
        / truth.len().max(1) as f64;
    Ok(ReverseScore {
        error: 1.0 - accuracy(&reverse.predict(&parts.s_val), truth),
        log_loss,
        error_variance: None,
    })
}
