//! Accuracy and per-class counts.

use serde::{Deserialize, Serialize};

/// Counts for one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCounts {
    /// Class name.
    pub class: String,
    /// Examples whose true label is this class.
    pub support: usize,
    /// Of those, predicted right.
    pub correct: usize,
    /// Examples predicted as this class.
    pub predicted: usize,
}

impl ClassCounts {
    /// Fraction of this class's examples predicted right (0 when it has none).
    pub fn recall(&self) -> f64 {
        if self.support == 0 {
            0.0
        } else {
            self.correct as f64 / self.support as f64
        }
    }
}

/// Accuracy of predictions against true labels, overall and per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Number of examples.
    pub n: usize,
    /// Fraction predicted right (0 for no examples).
    pub accuracy: f64,
    /// One entry per class, in class order.
    pub per_class: Vec<ClassCounts>,
}

impl Evaluation {
    /// Compares `predicted` with `truth` (class indices into `class_names`).
    pub fn new(predicted: &[usize], truth: &[usize], class_names: &[String]) -> Self {
        let mut per_class: Vec<ClassCounts> = class_names
            .iter()
            .map(|c| ClassCounts {
                class: c.clone(),
                support: 0,
                correct: 0,
                predicted: 0,
            })
            .collect();
        let mut correct = 0;
        for (&p, &t) in predicted.iter().zip(truth) {
            per_class[t].support += 1;
            per_class[p].predicted += 1;
            if p == t {
                per_class[t].correct += 1;
                correct += 1;
            }
        }
        let n = truth.len().min(predicted.len());
        Self {
            n,
            accuracy: if n == 0 {
                0.0
            } else {
                correct as f64 / n as f64
            },
            per_class,
        }
    }
}

/// Errors of predicted numbers against true ones (a regression).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionEvaluation {
    /// Number of examples.
    pub n: usize,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Coefficient of determination ([`r2`]): 1 is perfect, 0 no better than predicting
    /// the true labels' mean, negative worse than that.
    pub r2: f64,
}

impl RegressionEvaluation {
    /// Compares `predicted` with `truth`, row by row.
    pub fn new(predicted: &[f64], truth: &[f32]) -> Self {
        let n = predicted.len().min(truth.len());
        let (mut se, mut ae) = (0.0, 0.0);
        for (&p, &t) in predicted.iter().zip(truth) {
            let e = p - f64::from(t);
            se += e * e;
            ae += e.abs();
        }
        let m = n.max(1) as f64;
        Self {
            n,
            rmse: (se / m).sqrt(),
            mae: ae / m,
            r2: r2(predicted, truth),
        }
    }
}

/// The coefficient of determination `1 - SSE / SST` of `predicted` against `truth`
/// (scikit-learn's `r2_score`): 1 when perfect, 0 when no better than `truth`'s mean. When
/// `truth` does not vary, 1 for exact predictions, else 0 (as scikit-learn).
pub fn r2(predicted: &[f64], truth: &[f32]) -> f64 {
    let n = predicted.len().min(truth.len());
    if n == 0 {
        return 0.0;
    }
    let mean = truth[..n].iter().map(|&t| f64::from(t)).sum::<f64>() / n as f64;
    let (mut sse, mut sst) = (0.0, 0.0);
    for (&p, &t) in predicted.iter().zip(truth) {
        let t = f64::from(t);
        sse += (p - t) * (p - t);
        sst += (t - mean) * (t - mean);
    }
    match (sst > 0.0, sse > 0.0) {
        (true, _) => 1.0 - sse / sst,
        (false, false) => 1.0,
        (false, true) => 0.0,
    }
}

/// Index of the largest value (the first one on ties; 0 for an empty slice).
pub fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

/// The item with the lowest `score` (the first one on ties, as a grid search keeps its first
/// best candidate); `None` when there are none.
pub fn lowest<T>(items: impl IntoIterator<Item = T>, score: impl Fn(&T) -> f64) -> Option<T> {
    let mut best: Option<(f64, T)> = None;
    for item in items {
        let s = score(&item);
        if best.as_ref().is_none_or(|b| s < b.0) {
            best = Some((s, item));
        }
    }
    best.map(|b| b.1)
}

/// Fraction of positions where `a` and `b` agree.
pub fn accuracy(predicted: &[usize], truth: &[usize]) -> f64 {
    let n = predicted.len().min(truth.len());
    if n == 0 {
        return 0.0;
    }
    predicted.iter().zip(truth).filter(|(p, t)| p == t).count() as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_keeps_the_first_of_equal_scores() {
        let items = [("a", 0.3), ("b", 0.1), ("c", 0.1), ("d", 0.2)];
        assert_eq!(lowest(items, |i| i.1).unwrap().0, "b");
        assert!(lowest(Vec::<(&str, f64)>::new(), |i| i.1).is_none());
    }

    #[test]
    fn counts_per_class() {
        let names = vec!["a".to_string(), "b".to_string()];
        let e = Evaluation::new(&[0, 1, 1, 0], &[0, 1, 0, 0], &names);
        assert_eq!(e.n, 4);
        assert_eq!(e.accuracy, 0.75);
        assert_eq!(
            (
                e.per_class[0].support,
                e.per_class[0].correct,
                e.per_class[0].predicted
            ),
            (3, 2, 2)
        );
        assert_eq!(
            (
                e.per_class[1].support,
                e.per_class[1].correct,
                e.per_class[1].predicted
            ),
            (1, 1, 2)
        );
        assert_eq!(e.per_class[0].recall(), 2.0 / 3.0);
        assert_eq!(Evaluation::new(&[], &[], &names).per_class[1].recall(), 0.0);
        assert_eq!(accuracy(&[1, 1], &[1, 0]), 0.5);
        assert_eq!(argmax(&[0.1, 0.7, 0.2]), 1);
        assert_eq!(argmax(&[0.5, 0.5]), 0, "first on ties");
    }
}
