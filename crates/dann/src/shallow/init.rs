//! Initial weights of the shallow network.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::nn::mlp::linear_init_values;

/// Initial weights of a [`ShallowDann`](super::ShallowDann).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShallowInit {
    /// As the authors' code: `W` and `V` uniform in `+-sqrt(6 / (fan_in + fan_out))`, zero
    /// biases and a zero domain classifier, so that the adversarial gradient starts at zero.
    /// With a random domain classifier the early steps push the features along a random
    /// direction, and the features come out *more* domain-separable than a plain NN's
    /// (`examples/pad_probe.rs`).
    #[default]
    Glorot,
    /// burn's default initialisation, the same values as
    /// [`crate::deep::DannConfig::shallow`]`(hidden).init(.., seed, ..)` (for comparisons with the
    /// burn model).
    Burn,
}

/// A layer's `(weights, biases)`, `[n_in][n_out]` row-major then `[n_out]`.
type Layer = (Vec<f32>, Vec<f32>);

impl ShallowInit {
    /// The initial `(W, b)`, `(V, c)` and `(u, [d])` of a network, drawn from `seed`.
    pub(super) fn draw(
        self,
        n_features: usize,
        hidden: usize,
        n_classes: usize,
        seed: u64,
    ) -> (Layer, Layer, Layer) {
        let rng = &mut ChaCha8Rng::seed_from_u64(seed);
        match self {
            ShallowInit::Burn => (
                linear_init_values(n_features, hidden, rng),
                linear_init_values(hidden, n_classes, rng),
                linear_init_values(hidden, 1, rng),
            ),
            ShallowInit::Glorot => (
                glorot_uniform(n_features, hidden, rng),
                glorot_uniform(hidden, n_classes, rng),
                (vec![0.0; hidden], vec![0.0]),
            ),
        }
    }
}

/// `(weights, zero biases)` of an `n_in -> n_out` layer, uniform in `+-sqrt(6 / (n_in +
/// n_out))` (Glorot and Bengio 2010), in the `[n_in][n_out]` layout.
fn glorot_uniform(n_in: usize, n_out: usize, rng: &mut ChaCha8Rng) -> Layer {
    let bound = (6.0 / (n_in + n_out) as f64).sqrt() as f32;
    let weights = (0..n_in * n_out)
        .map(|_| rng.random_range(-bound..bound))
        .collect();
    (weights, vec![0.0; n_out])
}
