//! How far a target has shifted from a source (what `dann shift` reports): a linear domain
//! classifier trained once on balanced, held-out-split rows, on the raw inputs or on a
//! trained model's features; from it the proxy A-distance and the ROC AUC (effect sizes,
//! with 95% intervals), a permutation p-value (significance), the features that separate
//! the domains and the target rows least like the source.

mod summary;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::proxy_a_distance::{HeldOutRow, ProxyADistance, domain_classifier};
use crate::data::Dataset;
use crate::error::Result;
use crate::problem::align_widths;
use crate::representation::FeatureMap;

pub use summary::check_limit;

/// Where the two data sets were compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Space {
    /// The input features (sparse ones padded to the wider file).
    RawInputs,
    /// A model's representation `G_f(x)`.
    ModelFeatures,
}

impl Space {
    /// `"raw inputs"` or `"model features"`.
    pub fn describe(self) -> &'static str {
        match self {
            Space::RawInputs => "raw inputs",
            Space::ModelFeatures => "model features",
        }
    }
}

/// An estimate with a 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// A feature that tells the domains apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureShift {
    /// Its index (0-based column of the loaded data).
    pub index: usize,
    /// Its name (a CSV header's, else `column k`).
    pub name: String,
    /// `|w_k| * sd_k`: the classifier's weight on it, in units of its spread (the pooled
    /// within-domain sd; for a feature constant within each domain, its sd over both
    /// domains, so that a feature that alone separates two constant sets still counts).
    pub importance: f64,
    /// Mean in the source rows used.
    pub mean_source: f64,
    /// Mean in the target rows used.
    pub mean_target: f64,
    /// `(mean_target - mean_source) / sd`, the same sd as `importance`: how far, and which
    /// way, it moved.
    pub standardized_difference: f64,
}

/// Result of [`measure_shift`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// Where the distance was measured.
    pub space: Space,
    /// The proxy A-distance and its domain classifier.
    pub pad: ProxyADistance,
    /// The PAD with the 95% (Wilson) interval of its held-out error.
    pub pad_interval: Estimate,
    /// The domain classifier's ROC AUC on the held-out rows (0.5: no shift), with a 95%
    /// bootstrap interval.
    pub auc: Estimate,
    /// One-sided permutation p-value of the AUC (the classifier's held-out scores with the
    /// domain labels permuted): how likely an AUC this high is with no shift.
    pub p_value: f64,
    /// Rows of each domain used (the larger set subsampled to the smaller's size).
    pub rows_per_domain: usize,
    /// The features that separate the domains most, strongest first (raw inputs only).
    pub top_features: Vec<FeatureShift>,
    /// Row numbers (1-based, in the target set, as every output counts data rows: the file's
    /// first data row is 1) of the held-out target rows that look least like the source,
    /// least like first.
    pub least_like_source: Vec<usize>,
}

impl Shift {
    /// One line: the verdict and the numbers behind it.
    pub fn verdict(&self) -> String {
        let (pad, auc) = (self.pad_interval, self.auc);
        let numbers = format!(
            "PAD {:.3} [{:.3}, {:.3}], AUC {:.3} [{:.3}, {:.3}], {}",
            pad.value,
            pad.low,
            pad.high,
            auc.value,
            auc.low,
            auc.high,
            format_p(self.p_value)
        );
        if self.p_value >= SIGNIFICANCE {
            return format!(
                "no detectable shift on {}: {numbers}",
                self.space.describe()
            );
        }
        let strongest = self
            .top_features
            .first()
            .map(|f| {
                let way = if f.standardized_difference >= 0.0 {
                    "higher"
                } else {
                    "lower"
                };
                format!("; most telling: {} ({way} in the target)", f.name)
            })
            .unwrap_or_default();
        format!("shift on {}: {numbers}{strongest}", self.space.describe())
    }
}

/// The p-value below which a shift is reported.
pub const SIGNIFICANCE: f64 = 0.01;
const PERMUTATIONS: usize = 999;
const BOOTSTRAPS: usize = 200;
/// How many top features and least-source-like rows are reported.
const TOP: usize = 10;

fn format_p(p: f64) -> String {
    if p <= 1.0 / (PERMUTATIONS + 1) as f64 {
        format!("p < {:.3}", 1.0 / PERMUTATIONS as f64)
    } else {
        format!("p = {p:.3}")
    }
}

/// The shift between `source` and `target` (labels ignored, `seed` for the subsampling, the
/// half/half split, the bootstrap and the permutations): on `model`'s features when given
/// (the files are padded to the model's input width first), else on the raw inputs padded
/// to the wider of the two. The domain classifier is trained once; the AUC, its interval,
/// the p-value, the top features and the atypical rows all come from it and its held-out
/// scores.
pub fn measure_shift(
    source: Dataset,
    target: Dataset,
    model: Option<&dyn FeatureMap>,
    seed: u64,
) -> Result<Shift> {
    let (source, target, space) = match model {
        Some(model) => {
            let features =
                |d: Dataset| model.feature_dataset(&d.with_n_features(model.n_inputs())?);
            (features(source)?, features(target)?, Space::ModelFeatures)
        }
        None => {
            let (source, target) = align_widths(source, target)?;
            (source, target, Space::RawInputs)
        }
    };
    let d = domain_classifier(&source, &target, None, seed)?;
    let labels: Vec<bool> = d.held_out.iter().map(|r| r.target).collect();
    let scores: Vec<f64> = d.held_out.iter().map(|r| f64::from(r.score)).collect();
    let ranks = average_ranks(&scores);
    let auc = auc_from_ranks(&ranks, &labels);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5a11_0003);
    let auc_interval = bootstrap_auc(&scores, &labels, &mut rng);
    let p_value = permutation_p(&ranks, &labels, &mut rng);
    let n = d.pad.n_test as f64;
    let (e_low, e_high) = wilson(d.pad.error, n);
    let pad_of = |e: f64| 2.0 * (1.0 - 2.0 * e.min(0.5));
    let top_features = match space {
        Space::RawInputs => top_features(&source, &target, d.svm.weights()[0]),
        Space::ModelFeatures => Vec::new(),
    };
    let mut targets: Vec<&HeldOutRow> = d.held_out.iter().filter(|r| r.target).collect();
    targets.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    Ok(Shift {
        space,
        pad_interval: Estimate {
            value: d.pad.pad,
            low: pad_of(e_high),
            high: pad_of(e_low),
        },
        pad: d.pad,
        auc: Estimate {
            value: auc,
            low: auc_interval.0,
            high: auc_interval.1,
        },
        p_value,
        rows_per_domain: d.rows_per_domain,
        top_features,
        least_like_source: targets.iter().take(TOP).map(|r| r.index + 1).collect(),
    })
}

/// Ranks of `x` (1-based, ties given their average rank).
fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            ranks[o] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// The Mann-Whitney AUC of the positives' ranks: P(score of a positive > a negative's),
/// ties counting half.
fn auc_from_ranks(ranks: &[f64], positive: &[bool]) -> f64 {
    let n1 = positive.iter().filter(|&&p| p).count() as f64;
    let n0 = positive.len() as f64 - n1;
    if n1 == 0.0 || n0 == 0.0 {
        return 0.5;
    }
    let sum = rank_sum(ranks, positive);
    (sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

/// The sum of the ranks of the positives.
fn rank_sum(ranks: &[f64], positive: &[bool]) -> f64 {
    ranks
        .iter()
        .zip(positive)
        .filter(|(_, p)| **p)
        .map(|(r, _)| r)
        .sum()
}

/// The 2.5% and 97.5% quantiles of the AUC over bootstrap resamples of the held-out rows.
fn bootstrap_auc(scores: &[f64], positive: &[bool], rng: &mut ChaCha8Rng) -> (f64, f64) {
    let n = scores.len();
    let mut aucs: Vec<f64> = (0..BOOTSTRAPS)
        .map(|_| {
            let pick: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let s: Vec<f64> = pick.iter().map(|&i| scores[i]).collect();
            let p: Vec<bool> = pick.iter().map(|&i| positive[i]).collect();
            auc_from_ranks(&average_ranks(&s), &p)
        })
        .collect();
    aucs.sort_by(f64::total_cmp);
    let at = |q: f64| aucs[((q * (BOOTSTRAPS - 1) as f64).round() as usize).min(BOOTSTRAPS - 1)];
    (at(0.025), at(0.975))
}

/// One-sided permutation p-value of the positives' rank sum: `(1 + #{perm >= observed}) /
/// (1 + PERMUTATIONS)`.
fn permutation_p(ranks: &[f64], positive: &[bool], rng: &mut ChaCha8Rng) -> f64 {
    let observed = rank_sum(ranks, positive);
    let mut labels = positive.to_vec();
    let mut at_least = 0;
    for _ in 0..PERMUTATIONS {
        labels.shuffle(rng);
        if rank_sum(ranks, &labels) >= observed - 1e-9 {
            at_least += 1;
        }
    }
    (1 + at_least) as f64 / (1 + PERMUTATIONS) as f64
}

/// The 95% Wilson interval of a proportion `p` measured on `n` trials.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The features ranked by `|w_k| * sd_k` (the classifier's weight in units of the
/// feature's pooled spread, or of its spread over both domains when it is constant within
/// each: two constant sets that differ have no within-domain spread at all), with their
/// means in each domain; the first [`TOP`].
fn top_features(source: &Dataset, target: &Dataset, w: &[f32]) -> Vec<FeatureShift> {
    let d = source.n_features();
    let moments = |data: &Dataset| {
        let (mut sum, mut sq) = (vec![0f64; d], vec![0f64; d]);
        for i in 0..data.len() {
            data.row(i).for_each_nonzero(|k, x| {
                sum[k] += f64::from(x);
                sq[k] += f64::from(x) * f64::from(x);
            });
        }
        let n = data.len().max(1) as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let var: Vec<f64> = sq
            .iter()
            .zip(&mean)
            .map(|(q, m)| (q / n - m * m).max(0.0))
            .collect();
        (mean, var)
    };
    let ((ms, vs), (mt, vt)) = (moments(source), moments(target));
    let mut features: Vec<FeatureShift> = (0..d)
        .map(|k| {
            let pooled = ((vs[k] + vt[k]) / 2.0).sqrt();
            // Both domains weigh alike (they are subsampled to one size): the variance over
            // both is the pooled one plus that of the two means about their midpoint.
            let between = (mt[k] - ms[k]) / 2.0;
            let sd = if pooled > 0.0 { pooled } else { between.abs() };
            FeatureShift {
                index: k,
                name: source.feature_name(k),
                importance: f64::from(w[k]).abs() * sd,
                mean_source: ms[k],
                mean_target: mt[k],
                standardized_difference: if sd > 0.0 { (mt[k] - ms[k]) / sd } else { 0.0 },
            }
        })
        .collect();
    features.sort_by(|a, b| {
        b.importance
            .total_cmp(&a.importance)
            .then(a.index.cmp(&b.index))
    });
    features.truncate(TOP);
    features
}

#[cfg(test)]
mod tests;
