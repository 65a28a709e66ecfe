//! The check that guards DANN's default run against a change of class proportions.
//!
//! DANN makes the target's features look like the source's. When the classes come in other
//! proportions in the target (a label shift: benign tumours common in one hospital, rare in
//! the other), features that match in distribution must map some target rows of a common
//! class onto a class that is rare there, and DANN becomes worse than no adaptation (Zhao et
//! al., ICML 2019, "On learning invariant representations for domain adaptation"). Without
//! target labels the proportions are estimated by the source-only network's predictions on
//! the target: when they are further than `[train] max_label_shift` (total variation) from
//! the source's, the run keeps the source-only model instead of DANN and says why.

use serde::{Deserialize, Serialize};

/// What the check measured, kept in the model (`model.json`) and shown by `dann train`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelShiftCheck {
    /// The share of each class among the source's labels (in the model's class order).
    pub source: Vec<f64>,
    /// The share of each class among the source-only network's predictions on the target.
    pub source_only_on_target: Vec<f64>,
    /// Total variation distance between the two (half the sum of absolute differences,
    /// 0 to 1).
    pub distance: f64,
    /// The largest distance at which DANN is trained (`[train] max_label_shift`).
    pub threshold: f64,
    /// Whether the model is DANN (`distance <= threshold`); otherwise it is the source-only
    /// network.
    pub dann_kept: bool,
    /// The share of each class among DANN's predictions on the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dann_on_target: Option<Vec<f64>>,
    /// The share of target rows on which DANN and the source-only network predict the same
    /// class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<f64>,
}

impl LabelShiftCheck {
    /// The check of source labels `source` against the source-only network's target
    /// predictions `predicted`, with `n_classes` classes and threshold `threshold`.
    pub fn new(source: &[usize], predicted: &[usize], n_classes: usize, threshold: f64) -> Self {
        let source = proportions(source, n_classes);
        let on_target = proportions(predicted, n_classes);
        let distance = total_variation(&source, &on_target);
        Self {
            source,
            source_only_on_target: on_target,
            distance,
            threshold,
            dann_kept: distance <= threshold,
            dann_on_target: None,
            agreement: None,
        }
    }

    /// Adds DANN's target predictions `dann`, compared with the source-only network's
    /// `source_only` (same rows).
    pub fn with_dann(mut self, dann: &[usize], source_only: &[usize]) -> Self {
        let k = self.source.len();
        self.dann_on_target = Some(proportions(dann, k));
        let same = dann.iter().zip(source_only).filter(|(a, b)| a == b).count();
        self.agreement = Some(same as f64 / dann.len().max(1) as f64);
        self
    }

    /// One line for a run's summary.
    pub fn summary(&self) -> String {
        let pct = |v: &[f64]| {
            v.iter()
                .map(|p| format!("{:.0}%", 100.0 * p))
                .collect::<Vec<_>>()
                .join("/")
        };
        if self.dann_kept {
            let dann = self.dann_on_target.as_deref().map(pct).unwrap_or_default();
            format!(
                "class proportions: source {}, target as source-only predicts it {}, as DANN \
                 predicts it {dann} (label shift {:.2} <= max_label_shift {:.2}); DANN and \
                 source-only agree on {:.0}% of the target rows",
                pct(&self.source),
                pct(&self.source_only_on_target),
                self.distance,
                self.threshold,
                100.0 * self.agreement.unwrap_or(0.0)
            )
        } else {
            let dann = self.dann_on_target.as_deref().map(pct).unwrap_or_default();
            format!(
                "DANN was not kept: the source-only network predicts the target's classes \
                 in proportions {} against the source's {} (label shift {:.2} > \
                 max_label_shift {:.2}), and DANN, which matches the two domains' features \
                 (its predictions: {dann}), would map target rows onto the wrong classes; the \
                 model is the source-only network (set [train] max_label_shift = 1 to keep \
                 DANN anyway)",
                pct(&self.source_only_on_target),
                pct(&self.source),
                self.distance,
                self.threshold
            )
        }
    }
}

/// The share of each of `n_classes` classes among `labels`.
pub fn proportions(labels: &[usize], n_classes: usize) -> Vec<f64> {
    let mut counts = vec![0usize; n_classes];
    for &l in labels {
        if l < n_classes {
            counts[l] += 1;
        }
    }
    let n = labels.len().max(1) as f64;
    counts.into_iter().map(|c| c as f64 / n).collect()
}

/// Half the sum of absolute differences of two distributions.
pub fn total_variation(a: &[f64], b: &[f64]) -> f64 {
    0.5 * a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_and_decision() {
        // Source 3:1, predictions 1:3: distance 0.5.
        let c = LabelShiftCheck::new(&[0, 0, 0, 1], &[0, 1, 1, 1], 2, 0.3);
        assert_eq!(c.source, vec![0.75, 0.25]);
        assert_eq!(c.source_only_on_target, vec![0.25, 0.75]);
        assert!((c.distance - 0.5).abs() < 1e-12);
        assert!(!c.dann_kept);
        assert!(c.summary().contains("not kept"), "{}", c.summary());
        let c = LabelShiftCheck::new(&[0, 1], &[0, 1, 1, 0], 2, 0.3);
        assert_eq!(c.distance, 0.0);
        assert!(c.dann_kept);
        let c = c.with_dann(&[0, 0, 1, 0], &[0, 1, 1, 0]);
        assert_eq!(c.agreement, Some(0.75));
        assert_eq!(c.dann_on_target, Some(vec![0.75, 0.25]));
        assert!(c.summary().contains("agree on 75%"), "{}", c.summary());
    }
}
