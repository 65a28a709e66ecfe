//! Held-out parts for early stopping and model selection.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::Dataset;

/// Splits `data` into a shuffled `(1 - fraction, fraction)` pair of parts.
pub fn split_validation(data: &Dataset, fraction: f64, seed: u64) -> (Dataset, Dataset) {
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_val = ((data.len() as f64) * fraction).round() as usize;
    let (val, train) = order.split_at(n_val.min(data.len()));
    (data.subset(train), data.subset(val))
}
