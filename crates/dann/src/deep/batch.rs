//! Turning rows of a [`Dataset`] into tensors.

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::data::{Dataset, Standardizer};

/// Gaussian noise added to training inputs (`[train.images] noise`), drawn from its own
/// seeded stream so that a run is reproducible on every backend (and continues exactly from
/// a checkpoint, which holds the stream's state).
pub(crate) struct InputNoise {
    rng: ChaCha8Rng,
    normal: Normal<f32>,
}

impl InputNoise {
    /// Noise of standard deviation `std` (`None` for 0 or an invalid value: no noise).
    pub(crate) fn new(std: f32, seed: u64) -> Option<Self> {
        let normal = Normal::new(0.0, std).ok().filter(|_| std > 0.0)?;
        Some(Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            normal,
        })
    }

    /// The stream's state (for a checkpoint).
    pub(crate) fn rng(&self) -> &ChaCha8Rng {
        &self.rng
    }

    /// Continues from a stream state saved by a checkpoint.
    pub(crate) fn set_rng(&mut self, rng: ChaCha8Rng) {
        self.rng = rng;
    }

    fn add(&mut self, values: &mut [f32]) {
        for v in values {
            *v += self.normal.sample(&mut self.rng);
        }
    }
}

/// Rows `rows` of `data`, densified and standardised, plus `noise` if any ->
/// `[rows.len(), n_features]`.
pub(crate) fn input_tensor<B: Backend>(
    data: &Dataset,
    rows: impl ExactSizeIterator<Item = usize>,
    standardizer: Option<&Standardizer>,
    noise: Option<&mut InputNoise>,
    device: &B::Device,
) -> Tensor<B, 2> {
    let d = data.n_features();
    let n = rows.len();
    let mut buf = vec![0f32; n * d];
    for (chunk, i) in buf.chunks_exact_mut(d.max(1)).zip(rows) {
        data.features().write_row(i, chunk);
        if let Some(s) = standardizer {
            s.transform_row(chunk);
        }
    }
    if let Some(noise) = noise {
        noise.add(&mut buf);
    }
    Tensor::from_data(TensorData::new(buf, [n, d]), device)
}

/// Class indices of `rows` -> `[rows.len()]`.
pub(crate) fn label_tensor<B: Backend>(
    labels: &[usize],
    rows: &[usize],
    device: &B::Device,
) -> Tensor<B, 1, Int> {
    let v: Vec<i64> = rows.iter().map(|&i| labels[i] as i64).collect();
    Tensor::from_data(TensorData::new(v, [rows.len()]), device)
}

/// The numbers of `rows` (a regression's labels) -> `[rows.len(), 1]`.
pub(crate) fn value_tensor<B: Backend>(
    values: &[f32],
    rows: &[usize],
    device: &B::Device,
) -> Tensor<B, 2> {
    let v: Vec<f32> = rows.iter().map(|&i| values[i]).collect();
    Tensor::from_data(TensorData::new(v, [rows.len(), 1]), device)
}

/// Row-major values of a float tensor.
pub(crate) fn to_vec<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use burn::backend::Flex;

    use super::*;
    use crate::data::{DenseMatrix, Features};

    #[test]
    fn input_noise_has_its_spread_and_its_seed() {
        let data = Dataset::unlabelled(Features::Dense(
            DenseMatrix::new(100, 50, vec![1.0; 5000]).unwrap(),
        ));
        let device = Default::default();
        let batch = |noise: Option<&mut InputNoise>| {
            to_vec(input_tensor::<Flex>(&data, 0..100, None, noise, &device))
        };
        assert_eq!(batch(None), vec![1.0; 5000]);
        let a = batch(InputNoise::new(0.5, 7).as_mut());
        let b = batch(InputNoise::new(0.5, 7).as_mut());
        let c = batch(InputNoise::new(0.5, 8).as_mut());
        assert_eq!(a, b);
        assert_ne!(a, c);
        let n = a.len() as f64;
        let mean = a.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = a
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        assert!((mean - 1.0).abs() < 0.03, "{mean}");
        assert!((var.sqrt() - 0.5).abs() < 0.03, "{}", var.sqrt());
        assert!(InputNoise::new(0.0, 1).is_none());
        assert!(InputNoise::new(f32::NAN, 1).is_none());
    }
}
