//! Held-out parts for early stopping and model selection.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::data::dataset::Dataset;
use crate::error::{Error, Result};

/// Splits `data` into a shuffled `(1 - fraction, fraction)` pair of parts.
pub fn split_validation(data: &Dataset, fraction: f64, seed: u64) -> (Dataset, Dataset) {
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_val = ((data.len() as f64) * fraction).round() as usize;
    let (val, train) = order.split_at(n_val.min(data.len()));
    (data.subset(train), data.subset(val))
}

/// A source/target pair split for training and label-free model selection (the paper's
/// `S'`, `S_v`, `T'`, `T_v`): a `fraction` of each domain is held out, the source with `seed`,
/// the target with `seed ^ 1`. The target parts are unlabelled.
#[derive(Debug, Clone)]
pub struct HoldOut {
    /// The source rows trained on (`S'`).
    pub s_train: Dataset,
    /// The held-out source rows (`S_v`): early stopping and model selection.
    pub s_val: Dataset,
    /// The target rows trained on, unlabelled (`T'`).
    pub t_train: Dataset,
    /// The held-out target rows, unlabelled (`T_v`).
    pub t_val: Dataset,
}

impl HoldOut {
    /// Splits labelled `source` and `target` (its labels, if any, are dropped). Fails, naming
    /// the file, when a domain has no rows or a part would be empty.
    pub fn new(source: &Dataset, target: &Dataset, fraction: f64, seed: u64) -> Result<Self> {
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(Error::config(
                "shallow.validation",
                format!("must be strictly between 0 and 1 to hold out rows, got {fraction}"),
            ));
        }
        source.require_labels("the source data")?;
        let (s_train, s_val) = split_validation(source, fraction, seed);
        let (t_train, t_val) =
            split_validation(&target.clone().without_labels(), fraction, seed ^ 1);
        for (data, train, val) in [(source, &s_train, &s_val), (target, &t_train, &t_val)] {
            if train.is_empty() || val.is_empty() {
                return Err(data
                    .error(format!(
                        "has {} rows: holding out {fraction} of them leaves {} to train on and \
                         {} held out",
                        data.len(),
                        train.len(),
                        val.len()
                    ))
                    .fix("both need at least 1: give more rows, or change shallow.validation"));
            }
        }
        Ok(Self {
            s_train,
            s_val,
            t_train,
            t_val,
        })
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::testing::random_dense_labelled;

    #[test]
    fn holdout_splits_each_domain_and_refuses_empty_parts() {
        let rng = &mut ChaCha8Rng::seed_from_u64(1);
        let source = random_dense_labelled(50, 3, rng);
        let target = random_dense_labelled(30, 3, rng);
        let parts = HoldOut::new(&source, &target, 0.2, 7).unwrap();
        assert_eq!((parts.s_train.len(), parts.s_val.len()), (40, 10));
        assert_eq!((parts.t_train.len(), parts.t_val.len()), (24, 6));
        assert!(parts.t_train.labels().is_none() && parts.t_val.labels().is_none());
        // The same parts as split_validation with the documented seeds.
        let (s_train, _) = split_validation(&source, 0.2, 7);
        assert_eq!(parts.s_train.features(), s_train.features());
        let (t_train, _) = split_validation(&target, 0.2, 7 ^ 1);
        assert_eq!(parts.t_train.features(), t_train.features());

        let empty = source.subset(&[]);
        let err = HoldOut::new(&source, &empty, 0.1, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("has 0 rows"), "{err}");
        let err = HoldOut::new(&source, &target, 0.0, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("shallow.validation"), "{err}");
        let err = HoldOut::new(&source.clone().without_labels(), &target, 0.1, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("must be labelled"), "{err}");
    }
}
