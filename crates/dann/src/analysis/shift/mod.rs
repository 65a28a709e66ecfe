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
    /// Indices (0-based, in the target set) of the held-out target rows that look least like
    /// the source, least like first.
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
        least_like_source: targets.iter().take(TOP).map(|r| r.index).collect(),
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
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::data::{DenseMatrix, Features};

    /// Rows of `[x, y]`, `x` uniform plus `shift`, `y` uniform.
    fn blob(n: usize, shift: f32, seed: u64) -> Dataset {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = (0..2 * n)
            .map(|i| rng.random::<f32>() + if i % 2 == 0 { shift } else { 0.0 })
            .collect();
        Dataset::unlabelled(Features::Dense(DenseMatrix::new(n, 2, data).unwrap()))
    }

    /// Keeps only the second input, which the two domains share.
    struct SecondColumn;

    impl FeatureMap for SecondColumn {
        fn n_inputs(&self) -> usize {
            2
        }

        fn feature_matrix(&self, data: &Dataset) -> Result<DenseMatrix> {
            let mut row = [0f32; 2];
            let values = (0..data.len())
                .map(|i| {
                    data.features().write_row(i, &mut row);
                    row[1]
                })
                .collect();
            DenseMatrix::new(data.len(), 1, values)
        }
    }

    #[test]
    fn raw_inputs_show_the_shift_and_invariant_features_hide_it() {
        let (s, t) = (blob(300, 0.0, 1), blob(300, 3.0, 2));
        let raw = measure_shift(s.clone(), t.clone(), None, 0).unwrap();
        assert_eq!(raw.space, Space::RawInputs);
        assert!(raw.pad.pad > 1.9, "{raw:?}");
        let inv = measure_shift(s, t, Some(&SecondColumn), 0).unwrap();
        assert_eq!(inv.space, Space::ModelFeatures);
        assert!(inv.pad.pad < 0.5, "{inv:?}");
        assert_eq!(inv.pad.n_train + inv.pad.n_test, 600);
    }

    /// `n` rows of 5 standard-normal-ish columns (sums of uniforms), `shift` added to column
    /// 2; named columns.
    fn table(n: usize, shift: f32, seed: u64) -> Dataset {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = (0..n * 5)
            .map(|i| {
                let x: f32 = (0..4).map(|_| rng.random::<f32>() - 0.5).sum();
                x + if i % 5 == 2 { shift } else { 0.0 }
            })
            .collect();
        Dataset::unlabelled(Features::Dense(DenseMatrix::new(n, 5, data).unwrap()))
            .with_feature_names(
                ["age", "income", "dose", "weight", "height"]
                    .map(String::from)
                    .to_vec(),
            )
            .unwrap()
    }

    /// One distribution, sets of 300 and 1,200 rows: PAD near 0, an AUC interval around 0.5,
    /// no significance, "no detectable shift".
    #[test]
    fn one_distribution_shows_no_shift_whatever_the_sizes() {
        let shift = measure_shift(table(300, 0.0, 1), table(1200, 0.0, 2), None, 0).unwrap();
        assert_eq!(shift.rows_per_domain, 300);
        assert!(shift.pad.pad < 0.3, "{shift:?}");
        assert!(
            shift.auc.low < 0.5 && 0.5 < shift.auc.high,
            "{:?}",
            shift.auc
        );
        assert!(shift.p_value > SIGNIFICANCE, "{shift:?}");
        assert!(
            shift.verdict().starts_with("no detectable shift"),
            "{}",
            shift.verdict()
        );
        assert!(
            shift.pad_interval.low <= shift.pad.pad && shift.pad.pad <= shift.pad_interval.high
        );
    }

    /// A shift of one column by 0.87 standard deviations: significant, that column named
    /// first with its direction, the intervals away from "no shift", and the reported target
    /// rows among the most shifted.
    #[test]
    fn a_shift_in_one_column_is_found_and_named() {
        let (s, t) = (table(400, 0.0, 1), table(400, 0.5, 2));
        let shift = measure_shift(s, t.clone(), None, 0).unwrap();
        assert!(shift.p_value <= SIGNIFICANCE, "{shift:?}");
        assert!(shift.auc.low > 0.55, "{:?}", shift.auc);
        let first = &shift.top_features[0];
        assert_eq!(
            (first.index, first.name.as_str()),
            (2, "dose"),
            "{:?}",
            shift.top_features
        );
        assert!(first.standardized_difference > 0.5, "{first:?}");
        assert!(first.importance > 2.0 * shift.top_features[1].importance);
        let verdict = shift.verdict();
        assert!(verdict.contains("dose (higher in the target)"), "{verdict}");
        // The least source-like target rows have high "dose" values.
        let mut row = [0f32; 5];
        let mean: f32 = shift
            .least_like_source
            .iter()
            .map(|&i| {
                t.features().write_row(i, &mut row);
                row[2]
            })
            .sum::<f32>()
            / shift.least_like_source.len() as f32;
        assert!(mean > 1.0, "{mean}");
    }

    /// Two sets constant within themselves (issue 22): every source row `[0, 0, 0]`, every
    /// target row `[0, 1, 0]`. PAD 2, and the one column that separates them is the top
    /// feature with a weight above 0 (it was 0: no within-domain spread); the others weigh 0.
    #[test]
    fn constant_sets_that_differ_name_the_separating_feature() {
        let constant = |n: usize, row: [f32; 3]| {
            let data = (0..n).flat_map(|_| row).collect();
            Dataset::unlabelled(Features::Dense(DenseMatrix::new(n, 3, data).unwrap()))
        };
        let shift = measure_shift(
            constant(200, [0.0; 3]),
            constant(200, [0.0, 1.0, 0.0]),
            None,
            0,
        )
        .unwrap();
        assert!(shift.pad.pad > 1.9, "{shift:?}");
        let first = &shift.top_features[0];
        assert_eq!(first.index, 1, "{:?}", shift.top_features);
        assert!(first.importance > 0.0, "{first:?}");
        assert!(first.standardized_difference > 1.0, "{first:?}");
        assert!(shift.top_features[1..].iter().all(|f| f.importance == 0.0));
        assert!(shift.verdict().contains("column 1 (higher in the target)"));
        // All columns differing: all weigh.
        let all = measure_shift(constant(200, [0.0; 3]), constant(200, [1.0; 3]), None, 0).unwrap();
        assert!(
            all.top_features.iter().all(|f| f.importance > 0.0),
            "{:?}",
            all.top_features
        );
    }

    #[test]
    fn ranks_auc_and_intervals_are_right_on_small_cases() {
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
        let ranks = average_ranks(&[0.1, 0.4, 0.35, 0.8]);
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
        assert!((auc_from_ranks(&ranks, &[false, false, true, true]) - 0.75).abs() < 1e-12);
        let (lo, hi) = wilson(0.5, 100.0);
        assert!(
            (lo - 0.4038).abs() < 1e-3 && (hi - 0.5962).abs() < 1e-3,
            "{lo} {hi}"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        // Perfect separation: the smallest p-value the permutations can give.
        let ranks = average_ranks(&(0..40).map(f64::from).collect::<Vec<_>>());
        let labels: Vec<bool> = (0..40).map(|i| i >= 20).collect();
        assert_eq!(permutation_p(&ranks, &labels, &mut rng), 1.0 / 1000.0);
    }

    #[test]
    fn inputs_wider_than_the_model_are_refused() {
        let err = measure_shift(blob(5, 0.0, 1), blob(5, 0.0, 2), Some(&OneInput), 0);
        assert!(err.unwrap_err().to_string().contains("has 2 features"));
    }

    struct OneInput;

    impl FeatureMap for OneInput {
        fn n_inputs(&self) -> usize {
            1
        }

        fn feature_matrix(&self, data: &Dataset) -> Result<DenseMatrix> {
            DenseMatrix::new(data.len(), 1, vec![0.0; data.len()])
        }
    }
}
