//! A [`Shift`] as `dann shift` shows it: one JSON object for a pipeline, or a few lines of
//! words; and the limit a pipeline guards with `--fail-above`.

use serde_json::json;

use super::Shift;
use crate::error::{Error, Result};

impl Shift {
    /// The measurement as one JSON object: the fields of [`Shift`] with the effect sizes as
    /// plain numbers (`pad`, `auc`: what a pipeline compares) and their intervals beside them
    /// (`pad_interval`, `auc_interval`), the domain classifier's `error`, `c`, `n_train`,
    /// `n_test`, the `verdict` in words and the `seconds` it took.
    pub fn to_json(&self, seconds: f64) -> Result<serde_json::Value> {
        let mut v = serde_json::to_value(self)
            .map_err(|e| Error::Data(format!("cannot serialise the shift: {e}")))?;
        v["space"] = json!(self.space.describe());
        v["pad"] = json!(self.pad.pad);
        v["error"] = json!(self.pad.error);
        v["c"] = json!(self.pad.c);
        v["n_train"] = json!(self.pad.n_train);
        v["n_test"] = json!(self.pad.n_test);
        v["auc"] = json!(self.auc.value);
        v["auc_interval"] = json!([self.auc.low, self.auc.high]);
        v["pad_interval"] = json!([self.pad_interval.low, self.pad_interval.high]);
        v["verdict"] = json!(self.verdict());
        v["seconds"] = json!(seconds);
        Ok(v)
    }

    /// The measurement in words: the verdict, the sizes, the features that separate the
    /// domains most and the target rows least like the source (1-based).
    pub fn describe(&self, seconds: f64) -> String {
        let mut s = format!("{}\n", self.verdict());
        s += &format!(
            "  {} rows per domain (the larger set subsampled), domain classifier trained on {}, \
             tested on {} (error {:.4}, C = {:.0e}); {seconds:.2} s\n",
            self.rows_per_domain, self.pad.n_train, self.pad.n_test, self.pad.error, self.pad.c
        );
        if !self.top_features.is_empty() {
            s += "  features that separate the domains most (|weight| x sd; mean source -> target, standardized difference):\n";
            for f in &self.top_features {
                s += &format!(
                    "    {:<24} {:>9.4}   {:.4} -> {:.4} ({:+.2} sd)\n",
                    f.name, f.importance, f.mean_source, f.mean_target, f.standardized_difference
                );
            }
        }
        if !self.least_like_source.is_empty() {
            let rows: Vec<String> = self
                .least_like_source
                .iter()
                .map(ToString::to_string)
                .collect();
            s += &format!(
                "  target rows least like the source (1-based, held-out half): {}\n",
                rows.join(", ")
            );
        }
        s
    }

    /// The message when the proxy A-distance exceeds `limit` (`--fail-above`), else `None`.
    pub fn exceeds(&self, limit: Option<f64>) -> Option<String> {
        let limit = limit?;
        (self.pad.pad > limit).then(|| {
            format!(
                "shift above the limit: PAD {:.3} > --fail-above {limit}",
                self.pad.pad
            )
        })
    }
}

/// Checks a `--fail-above` limit: a proxy A-distance is between 0 and 2.
///
/// ```
/// assert!(dann::analysis::shift::check_limit(Some(2.5)).is_err());
/// assert!(dann::analysis::shift::check_limit(Some(0.5)).is_ok());
/// ```
pub fn check_limit(limit: Option<f64>) -> Result<()> {
    match limit {
        Some(l) if !(0.0..=2.0).contains(&l) => Err(Error::Data(format!(
            "--fail-above {l}: a proxy A-distance is between 0 and 2"
        ))),
        _ => Ok(()),
    }
}
