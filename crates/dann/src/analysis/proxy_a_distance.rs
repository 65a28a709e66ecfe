//! Proxy A-distance (Ben-David et al. 2007; Ganin et al., JMLR 2016 sec. 5.1.3):
//! `PAD = 2 (1 - 2 err)`, where `err` is the test error of a linear classifier trained to tell
//! source rows from target rows. 0 means indistinguishable domains, 2 perfectly separable.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::baselines::svm::{LinearSvmConfig, c_grid};
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

/// PAD between `source` and `target` (labels ignored): the rows of both, labelled by domain,
/// are shuffled and split half/half; a linear SVM is trained on one half for each `C` of
/// `grid` (the paper's 10 values in `[1e-5, 1]` when `None`) and the lowest error on the other
/// half is `err`.
pub fn proxy_a_distance(
    source: &Dataset,
    target: &Dataset,
    grid: Option<&[f64]>,
    seed: u64,
) -> Result<ProxyADistance> {
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
    let both = stack(source, target)?;
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
    let best = config
        .select_c(grid, &train, &test)?
        .map_or((f64::INFINITY, 0.0), |(err, c, _)| (err, c));
    let err = best.0.min(0.5);
    Ok(ProxyADistance {
        pad: 2.0 * (1.0 - 2.0 * err),
        error: best.0,
        c: best.1,
        n_train: train.len(),
        n_test: test.len(),
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
}
