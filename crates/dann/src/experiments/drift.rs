//! A shifted regression problem, generated: readings of a sensor that drifted. The source
//! rows are `z ~ N(0, I_6)` with the label `y = 2 z_0 + sin(2 z_1) + 0.1 z_2`; the target
//! rows hold the same kind of `z` and label, but their inputs were read by a drifted sensor:
//! `x_0 = z_0 + 0.8` (an offset) and `x_1 = 1.5 z_1` (a gain), the other inputs as they are.
//! A network trained on the source alone reads the offset as a larger label; DANN, which
//! makes the target's features look like the source's, undoes part of the drift (the test
//! `tests/regression.rs` checks that it does, over seeds).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::data::{Dataset, DenseMatrix, Features};
use crate::error::Result;

/// Number of inputs of [`drifted_sensor`]'s rows.
pub const N_INPUTS: usize = 6;

/// The three sets of the problem.
#[derive(Debug, Clone)]
pub struct DriftProblem {
    /// `n` labelled source rows.
    pub source: Dataset,
    /// `n` target rows, unlabelled (to train on).
    pub target: Dataset,
    /// `n` other target rows with their labels (to measure on).
    pub target_test: Dataset,
}

/// [`DriftProblem`] with `n` rows in each set, drawn from `seed`.
pub fn drifted_sensor(n: usize, seed: u64) -> Result<DriftProblem> {
    let rng = &mut ChaCha8Rng::seed_from_u64(seed);
    let mut draw = |drifted: bool| -> Result<Dataset> {
        let mut x = Vec::with_capacity(n * N_INPUTS);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let z: Vec<f32> = (0..N_INPUTS).map(|_| StandardNormal.sample(rng)).collect();
            y.push(2.0 * z[0] + (2.0 * z[1]).sin() + 0.1 * z[2]);
            let mut row = z;
            if drifted {
                row[0] += 0.8;
                row[1] *= 1.5;
            }
            x.extend(row);
        }
        Dataset::unlabelled(Features::Dense(DenseMatrix::new(n, N_INPUTS, x)?))
            .with_label_values(&y)
    };
    let source = draw(false)?;
    let target = draw(true)?.without_labels();
    let target_test = draw(true)?;
    Ok(DriftProblem {
        source,
        target,
        target_test,
    })
}
