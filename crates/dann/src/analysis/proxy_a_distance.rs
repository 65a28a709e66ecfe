//! Proxy A-distance (Ben-David et al. 2007; Ganin et al., JMLR 2016 sec. 5.1.3):
//! `PAD = 2 (1 - 2 err)`, where `err` is the test error of a linear classifier trained to tell
//! source rows from target rows. 0 means indistinguishable domains, 2 perfectly separable.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::baselines::svm::{LinearSvm, LinearSvmConfig, c_grid};
use crate::data::{CsrMatrix, Dataset, DenseMatrix, Features};
use crate::error::{Error, Result};

/// Result of [`proxy_a_distance`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProxyADistance {
    /// `2 (1 - 2 err)`, clamped to `[0, 2]`.
    pub pad: f64,
    /// Best held-out domain classification error over the `C` grid.
    pub error: f64,
    /// The `C` that gave it.
    pub c: f64,
    /// Rows used for training and for testing the domain classifier.
    pub n_train: usize,
    /// Rows in the held-out half.
    pub n_test: usize,
}

/// A held-out row of the domain classification.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeldOutRow {
    /// Whether the row is a target row.
    pub target: bool,
    /// Its index in its own data set.
    pub index: usize,
    /// The classifier's decision value: the higher, the more target-like.
    pub score: f32,
}

/// The domain classifier behind a PAD: what [`proxy_a_distance`] computes, with the chosen
/// SVM and its scores on the held-out half.
#[derive(Debug, Clone)]
pub struct DomainClassifier {
    /// The PAD.
    pub pad: ProxyADistance,
    /// The SVM of the chosen `C` (class 1: target).
    pub svm: LinearSvm,
    /// The held-out rows with their scores.
    pub held_out: Vec<HeldOutRow>,
    /// Rows of each domain used (the larger set is subsampled to the smaller's size).
    pub rows_per_domain: usize,
}

/// PAD between `source` and `target` (labels ignored); see [`domain_classifier`].
pub fn proxy_a_distance(
    source: &Dataset,
    target: &Dataset,
    grid: Option<&[f64]>,
    seed: u64,
) -> Result<ProxyADistance> {
    Ok(domain_classifier(source, target, grid, seed)?.pad)
}

/// The domain classification behind the PAD: the larger of the two sets is subsampled
/// (seeded) to the smaller's size, as the paper's equal-sized samples are, so that one
/// distribution against itself scores near 0 whatever the sizes (unbalanced, the majority
/// side alone gave an error below 1/2); the rows of both, labelled by domain, are shuffled
/// and split half/half; a linear SVM is trained on one half for each `C` of `grid` (the
/// paper's 10 values in `[1e-5, 1]` when `None`) and the lowest error on the other half is
/// `err`.
pub fn domain_classifier(
    source: &Dataset,
    target: &Dataset,
    grid: Option<&[f64]>,
    seed: u64,
) -> Result<DomainClassifier> {
    if source.n_features() != target.n_features() {
        return Err(Error::Data(format!(
            "source has {} features, target {}",
            source.n_features(),
            target.n_features()
        )));
    }
    if source.len() < 2 || target.len() < 2 {
        return Err(Error::Data(
            "PAD needs at least 2 rows in each domain".into(),
        ));
    }
    // Equal sizes: the larger side subsampled (sets of equal size are used whole, in order).
    let k = source.len().min(target.len());
    let pick = |n: usize, salt: u64| -> Vec<usize> {
        if n == k {
            return (0..n).collect();
        }
        let mut idx: Vec<usize> = (0..n).collect();
        idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ salt));
        let mut kept = idx[..k].to_vec();
        kept.sort_unstable();
        kept
    };
    let (rows_s, rows_t) = (
        pick(source.len(), 0x5a11_0001),
        pick(target.len(), 0x5a11_0002),
    );
    let (src, tgt) = (source.subset(&rows_s), target.subset(&rows_t));
    let both = stack(&src, &tgt)?;
    let mut order: Vec<usize> = (0..both.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let half = order.len() / 2;
    let (train, test) = (both.subset(&order[..half]), both.subset(&order[half..]));
    let default_grid = c_grid();
    let grid = grid.unwrap_or(&default_grid);
    let config = LinearSvmConfig {
        max_iter: 200,
        tol: 1e-3,
        seed,
        ..Default::default()
    };
    let (error, c, svm) = config
        .select_c(grid, &train, &test)?
        .ok_or_else(|| Error::config("pad.grid", "is empty"))?;
    let scores = svm.decision_function(&test)?;
    let held_out = order[half..]
        .iter()
        .zip(&scores)
        .map(|(&i, s)| HeldOutRow {
            target: i >= k,
            index: if i >= k { rows_t[i - k] } else { rows_s[i] },
            score: s[0],
        })
        .collect();
    Ok(DomainClassifier {
        pad: ProxyADistance {
            pad: 2.0 * (1.0 - 2.0 * error.min(0.5)),
            error,
            c,
            n_train: train.len(),
            n_test: test.len(),
        },
        svm,
        held_out,
        rows_per_domain: k,
    })
}

/// Source rows (class `source`) then target rows (class `target`).
fn stack(source: &Dataset, target: &Dataset) -> Result<Dataset> {
    let labels: Vec<usize> = std::iter::repeat_n(0, source.len())
        .chain(std::iter::repeat_n(1, target.len()))
        .collect();
    let names = vec!["source".to_string(), "target".to_string()];
    let features = match (source.features(), target.features()) {
        (Features::Dense(a), Features::Dense(b)) => {
            let mut data = a.as_slice().to_vec();
            data.extend_from_slice(b.as_slice());
            Features::Dense(DenseMatrix::new(a.n_rows() + b.n_rows(), a.n_cols(), data)?)
        }
        _ => {
            let mut indptr = vec![0];
            let (mut idx, mut val) = (Vec::new(), Vec::new());
            for ds in [source, target] {
                for i in 0..ds.len() {
                    ds.row(i).for_each_nonzero(|k, x| {
                        idx.push(k as u32);
                        val.push(x);
                    });
                    indptr.push(idx.len());
                }
            }
            Features::Sparse(CsrMatrix::new(source.n_features(), indptr, idx, val)?)
        }
    };
    Dataset::labelled(features, labels, names)
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    fn blob(n: usize, shift: f32, seed: u64) -> Dataset {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = (0..n * 3)
            .map(|i| rng.random::<f32>() + if i % 3 == 0 { shift } else { 0.0 })
            .collect();
        Dataset::unlabelled(Features::Dense(DenseMatrix::new(n, 3, data).unwrap()))
    }

    #[test]
    fn identical_domains_score_near_zero_and_separated_ones_near_two() {
        let same = proxy_a_distance(&blob(200, 0.0, 1), &blob(200, 0.0, 2), None, 0).unwrap();
        assert!(same.pad < 0.4, "{same:?}");
        let apart = proxy_a_distance(&blob(200, 0.0, 1), &blob(200, 5.0, 2), None, 0).unwrap();
        assert!(apart.pad > 1.9, "{apart:?}");
        assert_eq!(apart.n_train + apart.n_test, 400);
    }

    /// One distribution against itself gives PAD near 0 whatever the sizes: the larger set
    /// is subsampled (unbalanced, the error was the smaller set's share, PAD 2(1 - 2/3)).
    #[test]
    fn unequal_sizes_of_one_distribution_score_near_zero() {
        let d = domain_classifier(&blob(150, 0.0, 1), &blob(600, 0.0, 2), None, 0).unwrap();
        assert_eq!(d.rows_per_domain, 150);
        assert_eq!(d.pad.n_train + d.pad.n_test, 300);
        assert!(d.pad.pad < 0.4, "{:?}", d.pad);
        // The held-out rows point back into their own sets.
        assert!(
            d.held_out
                .iter()
                .all(|r| r.index < if r.target { 600 } else { 150 })
        );
        assert_eq!(d.held_out.len(), d.pad.n_test);
    }
}
