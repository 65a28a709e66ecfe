//! Helpers shared by the unit tests: random data sets and float comparisons.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::data::{CsrMatrix, Dataset, DenseMatrix, Features};

pub(crate) fn random_sparse(n: usize, d: usize, rng: &mut ChaCha8Rng) -> Dataset {
    let mut indptr = vec![0];
    let (mut idx, mut val) = (Vec::new(), Vec::new());
    for _ in 0..n {
        for k in 0..d {
            if rng.random::<f32>() < 0.3 {
                idx.push(k as u32);
                val.push(rng.random_range(0.0..3.0f32).round() + 1.0);
            }
        }
        indptr.push(idx.len());
    }
    Dataset::unlabelled(Features::Sparse(
        CsrMatrix::new(d, indptr, idx, val).unwrap(),
    ))
}

pub(crate) fn dense_rows(data: &Dataset) -> Vec<f32> {
    let d = data.n_features();
    let mut out = vec![0.0; data.len() * d];
    for (i, row) in out.chunks_exact_mut(d).enumerate() {
        data.features().write_row(i, row);
    }
    out
}

pub(crate) fn close(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-5 + 1e-4 * y.abs(),
            "{what}[{i}]: {x} vs burn {y}"
        );
    }
}

/// `n` dense rows of `d` features in [-1, 1), labelled by the sign of the first.
pub(crate) fn random_dense_labelled(n: usize, d: usize, rng: &mut ChaCha8Rng) -> Dataset {
    let values: Vec<f32> = (0..n * d).map(|_| rng.random_range(-1.0..1.0f32)).collect();
    let labels = (0..n).map(|i| usize::from(values[i * d] > 0.0)).collect();
    Dataset::labelled(
        Features::Dense(DenseMatrix::new(n, d, values).unwrap()),
        labels,
        vec!["a".into(), "b".into()],
    )
    .unwrap()
}
