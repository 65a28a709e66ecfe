//! Per-feature standardisation fitted on the training rows.

use serde::{Deserialize, Serialize};

use crate::data::dataset::Dataset;
use crate::data::matrix::{CsrMatrix, DenseMatrix, Features};
use crate::error::Result;

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
            // Sparse rows are scaled, not centred (centring would make them dense).
            center &= !ds.features().has_sparse_rows();
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

    /// `data` standardised (labels kept). Sparse data stays sparse when the standardiser does
    /// not center (it was fitted on sparse data); otherwise rows are made dense.
    pub fn transform(&self, data: &Dataset) -> Result<Dataset> {
        data.check_n_features(self.n_features(), "the standardiser")?;
        let features = match data.features() {
            Features::Sparse(m) if self.mean.iter().all(|&m| m == 0.0) => {
                let mut indptr = Vec::with_capacity(m.n_rows() + 1);
                indptr.push(0);
                let (mut idx, mut val) = (Vec::with_capacity(m.nnz()), Vec::with_capacity(m.nnz()));
                for i in 0..m.n_rows() {
                    let (cols, values) = m.row(i);
                    idx.extend_from_slice(cols);
                    val.extend(
                        cols.iter()
                            .zip(values)
                            .map(|(&k, &v)| v * self.inv_std[k as usize]),
                    );
                    indptr.push(idx.len());
                }
                Features::Sparse(CsrMatrix::new(m.n_cols(), indptr, idx, val)?)
            }
            features => {
                let d = self.n_features();
                let mut values = vec![0f32; data.len() * d];
                for (i, row) in values.chunks_exact_mut(d.max(1)).enumerate() {
                    features.write_row(i, row);
                    self.transform_row(row);
                }
                Features::Dense(DenseMatrix::new(data.len(), d, values)?)
            }
        };
        data.with_features(features)
    }

    /// Standardises one dense row in place.
    pub fn transform_row(&self, row: &mut [f32]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.inv_std) {
            *x = (*x - m) * s;
        }
    }
}

/// Whether the dense columns of `data` are on one fixed scale: more than half of the columns
/// that vary, and at least two, span exactly the same minimum and maximum, as pixel
/// intensities do (0 to 1, 0 to 255, 0 to 16), and no column goes beyond them. Such columns are left as
/// they are by `standardize = "auto"`: they already share a unit, and standardising them
/// would blow up the columns that barely vary (an image's border, background in one domain
/// and strokes in the other) into features that tell the domains apart (the tabular
/// benchmark's MNIST -> USPS rows: 0.30 standardised, 0.44 as they are). Columns measured in
/// different units (the usual table) almost never share both ends exactly.
pub fn one_fixed_scale(data: &Dataset) -> bool {
    let Features::Dense(m) = data.features() else {
        return false;
    };
    let d = m.n_cols();
    let (mut lo, mut hi) = (vec![f32::INFINITY; d], vec![f32::NEG_INFINITY; d]);
    for i in 0..m.n_rows() {
        for (k, &v) in m.row(i).iter().enumerate() {
            lo[k] = lo[k].min(v);
            hi[k] = hi[k].max(v);
        }
    }
    let mut spans: std::collections::HashMap<(u32, u32), usize> = Default::default();
    let mut varying = 0;
    for (l, h) in lo.iter().zip(&hi) {
        if l < h {
            varying += 1;
            *spans.entry((l.to_bits(), h.to_bits())).or_default() += 1;
        }
    }
    let Some((&(l, h), &most)) = spans.iter().max_by_key(|(_, n)| **n) else {
        return false;
    };
    let (l, h) = (f32::from_bits(l), f32::from_bits(h));
    // Every column inside that span: a count or a price beside flags in [0, 1] is another unit.
    most >= 2 && most * 2 > varying && lo.iter().zip(&hi).all(|(a, b)| *a >= l && *b <= h)
}

/// For inputs trained on as they are (not standardised): a warning when one dense column's
/// spread (standard deviation) is 1000 times another's, naming both; such a column swamps
/// the others, or is swamped, and training may end near chance.
pub fn scale_warning(data: &Dataset) -> Option<String> {
    let Features::Dense(m) = data.features() else {
        return None;
    };
    if m.n_rows() < 2 {
        return None;
    }
    let d = m.n_cols();
    let n = m.n_rows() as f64;
    let (mut sum, mut sum_sq) = (vec![0f64; d], vec![0f64; d]);
    for i in 0..m.n_rows() {
        for (j, &v) in m.row(i).iter().enumerate() {
            sum[j] += f64::from(v);
            sum_sq[j] += f64::from(v) * f64::from(v);
        }
    }
    let sd: Vec<f64> = (0..d)
        .map(|j| {
            let mean = sum[j] / n;
            (sum_sq[j] / n - mean * mean).max(0.0).sqrt()
        })
        .collect();
    let spread = |j: &usize| sd[*j];
    let varying: Vec<usize> = (0..d).filter(|&j| sd[j] > 1e-12).collect();
    let widest = *varying
        .iter()
        .max_by(|a, b| spread(a).total_cmp(&spread(b)))?;
    let narrowest = *varying
        .iter()
        .min_by(|a, b| spread(a).total_cmp(&spread(b)))?;
    let ratio = sd[widest] / sd[narrowest];
    let name = |j: usize| match data.has_feature_names() {
        true => format!("`{}`", data.feature_name(j)),
        false => data.feature_name(j),
    };
    (ratio >= 1000.0).then(|| {
        format!(
            "the inputs are not standardised and {} spreads {ratio:.0} times as widely as {} \
             (standard deviations {:.3} and {:.3}): set [train] standardize = \"auto\" (or \
             true), or rescale the columns",
            name(widest),
            name(narrowest),
            sd[widest],
            sd[narrowest]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_on_another_scale_is_named() {
        let m = DenseMatrix::new(
            3,
            3,
            vec![1.0, 2000.0, 5.0, 2.0, 6000.0, 5.0, 3.0, 4000.0, 5.0],
        )
        .unwrap();
        let ds = Dataset::unlabelled(Features::Dense(m))
            .with_feature_names(vec!["a".into(), "e".into(), "k".into()])
            .unwrap();
        let warning = scale_warning(&ds).unwrap();
        assert!(
            warning.contains("`e` spreads 2000 times as widely as `a`"),
            "{warning}"
        );
        let m = DenseMatrix::new(2, 2, vec![1.0, 10.0, 2.0, 20.0]).unwrap();
        assert_eq!(
            scale_warning(&Dataset::unlabelled(Features::Dense(m))),
            None
        );
    }

    /// Pixel-like columns (most span exactly [0, 1], none beyond) are on one scale; columns
    /// of other units, or one column beyond the shared span, are not.
    #[test]
    fn columns_on_one_fixed_scale_are_recognised() {
        let rows = |n: usize, d: usize, v: Vec<f32>| {
            Dataset::unlabelled(Features::Dense(DenseMatrix::new(n, d, v).unwrap()))
        };
        // 3 rows x 4 columns: three pixels spanning [0, 1], one always 0 (constant).
        let pixels = rows(
            3,
            4,
            vec![0.0, 1.0, 0.5, 0.0, 1.0, 0.0, 1.0, 0.0, 0.3, 0.2, 0.0, 0.0],
        );
        assert!(one_fixed_scale(&pixels));
        // The same with a column in another unit (0 to 250).
        let income = rows(
            3,
            4,
            vec![
                0.0, 1.0, 0.5, 10.0, 1.0, 0.0, 1.0, 250.0, 0.3, 0.2, 0.0, 40.0,
            ],
        );
        assert!(!one_fixed_scale(&income));
        // Measurements: no two columns share both ends.
        let measured = rows(3, 2, vec![0.1, 3.0, 0.7, 1.0, 0.2, 2.5]);
        assert!(!one_fixed_scale(&measured));
        // Half of the varying columns is not most of them.
        let half = rows(2, 4, vec![0.0, 0.0, 0.1, 5.0, 1.0, 1.0, 0.6, 7.0]);
        assert!(!one_fixed_scale(&half));
    }

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

    /// `transform` gives the rows `transform_row` gives, keeps sparse data sparse and keeps
    /// the labels.
    #[test]
    fn transform_matches_the_row_transform() {
        // 3 of 8 cells stored: sparse rows.
        let m = CsrMatrix::new(4, vec![0, 2, 3], vec![0, 2, 1], vec![2.0, 4.0, 3.0]).unwrap();
        let sparse = Dataset::labelled(
            Features::Sparse(m),
            vec![1, 0],
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        let dense = Dataset::unlabelled(Features::Dense(
            DenseMatrix::new(2, 4, vec![1.0, 2.0, 3.0, 0.0, 5.0, 2.0, 0.0, 1.0]).unwrap(),
        ));
        for ds in [&sparse, &dense] {
            let s = Standardizer::fit(&[ds]);
            let t = s.transform(ds).unwrap();
            assert_eq!(t.labels(), ds.labels());
            assert_eq!(
                matches!(t.features(), Features::Sparse(_)),
                matches!(ds.features(), Features::Sparse(_))
            );
            for i in 0..2 {
                let (mut want, mut got) = ([0.0; 4], [0.0; 4]);
                ds.features().write_row(i, &mut want);
                s.transform_row(&mut want);
                t.features().write_row(i, &mut got);
                assert_eq!(got, want);
            }
        }
        let narrow = Dataset::unlabelled(Features::Dense(
            DenseMatrix::new(1, 2, vec![0.0; 2]).unwrap(),
        ));
        assert!(Standardizer::fit(&[&dense]).transform(&narrow).is_err());
    }

    /// A sparse matrix of mostly stored cells is standardised as the same numbers stored
    /// dense: centred, made dense.
    #[test]
    fn a_mostly_full_sparse_matrix_is_standardised_as_dense_rows() {
        let values = vec![1.0, 2.0, 3.0, 5.0, 2.0, 0.0];
        let dense = Dataset::unlabelled(Features::Dense(
            DenseMatrix::new(2, 3, values.clone()).unwrap(),
        ));
        let full = Dataset::unlabelled(Features::Sparse(
            CsrMatrix::new(
                3,
                vec![0, 3, 5],
                vec![0, 1, 2, 0, 1],
                vec![1.0, 2.0, 3.0, 5.0, 2.0],
            )
            .unwrap(),
        ));
        assert!(!full.features().has_sparse_rows());
        let (a, b) = (Standardizer::fit(&[&dense]), Standardizer::fit(&[&full]));
        assert_eq!(a, b);
        assert_eq!(a.transform(&dense).unwrap(), b.transform(&full).unwrap());
    }
}
