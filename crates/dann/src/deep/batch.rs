//! Turning rows of a [`Dataset`] into tensors.

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

use crate::data::{Dataset, Standardizer};

/// Rows `rows` of `data`, densified and standardised -> `[rows.len(), n_features]`.
pub(crate) fn input_tensor<B: Backend>(
    data: &Dataset,
    rows: impl ExactSizeIterator<Item = usize>,
    standardizer: Option<&Standardizer>,
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

/// Row-major values of a float tensor.
pub(crate) fn to_vec<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .unwrap_or_default()
}
