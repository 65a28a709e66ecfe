//! Per-feature standardisation fitted on the training rows.

use serde::{Deserialize, Serialize};

use super::{Dataset, Features};

/// Per-feature standardisation `x' = (x - mean) / std`, fitted on training data only and saved
/// with the model.
///
/// For sparse data the mean is not subtracted (that would make every row dense): features are
/// only divided by their standard deviation, which keeps zeros at zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    mean: Vec<f32>,
    inv_std: Vec<f32>,
}

impl Standardizer {
    /// Fits on the rows of all `datasets` together (e.g. labelled source and unlabelled target
    /// training data). Constant features get a scale of 1.
    pub fn fit(datasets: &[&Dataset]) -> Self {
        let d = datasets.first().map_or(0, |ds| ds.n_features());
        let mut sum = vec![0f64; d];
        let mut sum_sq = vec![0f64; d];
        let mut n = 0f64;
        let mut center = true;
        for ds in datasets {
            n += ds.len() as f64;
            match ds.features() {
                Features::Dense(m) => {
                    for i in 0..m.n_rows() {
                        for (j, &v) in m.row(i).iter().enumerate() {
                            sum[j] += f64::from(v);
                            sum_sq[j] += f64::from(v) * f64::from(v);
                        }
                    }
                }
                Features::Sparse(m) => {
                    center = false;
                    for i in 0..m.n_rows() {
                        let (idx, val) = m.row(i);
                        for (&j, &v) in idx.iter().zip(val) {
                            sum[j as usize] += f64::from(v);
                            sum_sq[j as usize] += f64::from(v) * f64::from(v);
                        }
                    }
                }
            }
        }
        let n = n.max(1.0);
        let mut mean = Vec::with_capacity(d);
        let mut inv_std = Vec::with_capacity(d);
        for j in 0..d {
            let m = sum[j] / n;
            let var = (sum_sq[j] / n - m * m).max(0.0);
            let sd = var.sqrt();
            mean.push(if center { m as f32 } else { 0.0 });
            inv_std.push(if sd > 1e-12 { (1.0 / sd) as f32 } else { 1.0 });
        }
        Self { mean, inv_std }
    }

    /// Number of features it was fitted on.
    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    /// Standardises one dense row in place.
    pub fn transform_row(&self, row: &mut [f32]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.inv_std) {
            *x = (*x - m) * s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DenseMatrix;

    #[test]
    fn dense_rows_get_zero_mean_unit_variance() {
        let m = DenseMatrix::new(4, 2, vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 4.0, 5.0]).unwrap();
        let ds = Dataset::unlabelled(Features::Dense(m));
        let s = Standardizer::fit(&[&ds]);
        let mut col0 = Vec::new();
        for i in 0..4 {
            let mut row = [0.0; 2];
            ds.features().write_row(i, &mut row);
            s.transform_row(&mut row);
            col0.push(row[0]);
            assert_eq!(row[1], 0.0, "constant feature is centred, scale 1");
        }
        let mean: f32 = col0.iter().sum::<f32>() / 4.0;
        let var: f32 = col0.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / 4.0;
        assert!(
            mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-5,
            "{mean} {var}"
        );
    }
}
