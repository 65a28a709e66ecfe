//! Rows from Python: numpy arrays (any memory order, N x C x H x W images) and CSR parts as
//! the library's [`Features`] and [`Dataset`]s, with a DataFrame's names or an image's shape.

use dann::Dataset;
use dann::data::{CsrMatrix, DenseMatrix, Features};
use numpy::PyReadonlyArray1;
use numpy::PyReadonlyArrayDyn;
use numpy::ndarray::{ArrayViewD, ArrayViewMutD, Axis, IxDyn, ShapeError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rayon::prelude::*;

use crate::py_err;

/// Rows from Python: a float32 array of rows (2-d, or N x C x H x W images; any memory
/// order), or the parts of a
/// `scipy.sparse.csr_matrix`, `(indptr, indices, data, n_cols)`. `what` names it in errors.
fn features(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Features> {
    if let Ok(parts) = obj.downcast::<PyTuple>() {
        let (indptr, indices, data, n_cols): (
            PyReadonlyArray1<'_, i64>,
            PyReadonlyArray1<'_, i64>,
            PyReadonlyArray1<'_, f32>,
            usize,
        ) = parts.extract()?;
        let data = data.as_array();
        if let Some(k) = data.iter().position(|v| !v.is_finite()) {
            return Err(PyValueError::new_err(format!(
                "{what} has a value that is not a finite number (NaN or infinity) at stored \
                 entry {k}; impute or drop it first"
            )));
        }
        let to_usize = |v: &i64| usize::try_from(*v).ok();
        let indptr: Option<Vec<usize>> = indptr.as_array().iter().map(to_usize).collect();
        let indices: Option<Vec<u32>> = indices
            .as_array()
            .iter()
            .map(|&v| u32::try_from(v).ok())
            .collect();
        let (Some(indptr), Some(indices)) = (indptr, indices) else {
            return Err(PyValueError::new_err(format!(
                "{what}: a sparse matrix with a negative or too large index"
            )));
        };
        let csr = CsrMatrix::new(n_cols, indptr, indices, data.iter().copied().collect())
            .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))?;
        return Ok(Features::Sparse(csr));
    }
    // One copy into the library's row-major matrix, whatever the memory order: rows are the
    // first axis, the rest (an image's C x H x W) is flattened row-major, as numpy's reshape.
    let x: PyReadonlyArrayDyn<'_, f32> = obj.extract()?;
    let x = x.as_array();
    let rows = x.shape().first().copied().unwrap_or(0);
    let cols = x.shape().iter().skip(1).product::<usize>();
    let data = copy_rows(&x, cols).map_err(|e| PyValueError::new_err(format!("{what}: {e}")))?;
    let bad = |r: &[f32]| r.iter().position(|v| !v.is_finite());
    if let Some(i) = data
        .par_chunks(cols.max(1))
        .position_first(|r| bad(r).is_some())
    {
        let j = bad(&data[i * cols..(i + 1) * cols]).unwrap_or(0);
        return Err(PyValueError::new_err(format!(
            "{what} has a value that is not a finite number (NaN or infinity) at row {i}, \
             column {j} (0-based); impute or drop it first"
        )));
    }
    let m = DenseMatrix::new(rows, cols, data).map_err(py_err)?;
    Ok(Features::Dense(m))
}

/// `x`'s rows (its first axis, the rest flattened row-major) in one row-major `Vec`, copied
/// on every core: a row at a time, a slice copy where the row is contiguous, else ndarray's
/// `assign` (nested loops over the axes; an element iterator over a transposed N x H x W x C
/// view is many times slower).
fn copy_rows(x: &ArrayViewD<'_, f32>, cols: usize) -> Result<Vec<f32>, ShapeError> {
    let rows = x.shape().first().copied().unwrap_or(0);
    let mut out = vec![0f32; rows * cols];
    if cols == 0 {
        return Ok(out);
    }
    let row_shape = IxDyn(&x.shape()[1..]);
    out.par_chunks_mut(cols)
        .enumerate()
        .try_for_each(|(i, dst)| {
            let src = x.index_axis(Axis(0), i);
            match src.as_slice() {
                Some(s) => dst.copy_from_slice(s),
                None => ArrayViewMutD::from_shape(row_shape.clone(), dst)?.assign(&src),
            }
            Ok(())
        })?;
    Ok(out)
}

/// What comes with the rows: a DataFrame's column names, or an image array's `[C, H, W]`.
#[derive(Debug, Clone, Default, FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct Layout {
    pub(crate) names: Option<Vec<String>>,
    pub(crate) shape: Option<Vec<usize>>,
}

/// Unlabelled rows, named or shaped as `layout` says.
pub(crate) fn unlabelled(obj: &Bound<'_, PyAny>, what: &str, layout: &Layout) -> PyResult<Dataset> {
    let mut data = Dataset::unlabelled(features(obj, what)?);
    if let Some(n) = &layout.names {
        data = data.with_feature_names(n.clone()).map_err(py_err)?;
    }
    if let Some(s) = &layout.shape {
        data = data.with_sample_shape(s.clone()).map_err(py_err)?;
    }
    Ok(data)
}
