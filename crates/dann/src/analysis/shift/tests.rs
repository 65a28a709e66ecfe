//! Tests of the parent module.

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
    assert!(shift.pad_interval.low <= shift.pad.pad && shift.pad.pad <= shift.pad_interval.high);
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
            // Row numbers count from 1.
            t.features().write_row(i - 1, &mut row);
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
