//! How far a target has shifted from a source: the proxy A-distance between their rows, on
//! the raw inputs or on a trained model's features (what `dann shift` reports).

use serde::{Deserialize, Serialize};

use super::proxy_a_distance::{ProxyADistance, proxy_a_distance};
use crate::data::Dataset;
use crate::error::Result;
use crate::problem::align_widths;
use crate::representation::FeatureMap;

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

/// Result of [`measure_shift`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// Where the distance was measured.
    pub space: Space,
    /// The proxy A-distance and its domain classifier.
    pub pad: ProxyADistance,
}

/// The proxy A-distance between `source` and `target` (labels ignored, `seed` for the
/// half/half split): on `model`'s features when given (the files are padded to the model's
/// input width first), else on the raw inputs padded to the wider of the two.
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
    Ok(Shift {
        space,
        pad: proxy_a_distance(&source, &target, None, seed)?,
    })
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
