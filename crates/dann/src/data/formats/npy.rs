//! NPY files (NumPy's format, read with the `npyz` crate), e.g. features exported from any
//! backbone: an `N x D` array of numbers (an `N x C x H x W` one keeps its sample shape). The
//! labels, if any, come from the file beside it named `<stem>.labels.npy` (integers or
//! numbers) or `<stem>.labels.csv` (one label per line, any text); without either the set is
//! unlabelled.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use npyz::{NpyFile, Order};

use crate::data::{Dataset, DenseMatrix, Features};
use crate::error::{Error, Result};

/// Reads an NPY array as `f32` values (C order) with its shape.
fn read_npy(path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let bad = |e: std::io::Error| Error::Data(format!("{}: {e}", path.display()));
    let npy = NpyFile::new(BufReader::new(file)).map_err(bad)?;
    if npy.order() == Order::Fortran && npy.shape().len() > 1 {
        return Err(Error::Data(format!(
            "{}: Fortran-ordered array; save it in C order (numpy.ascontiguousarray)",
            path.display()
        )));
    }
    let shape: Vec<usize> = npy.shape().iter().map(|&s| s as usize).collect();
    let descr = npy.dtype().descr();
    let code = descr
        .trim_matches('\'')
        .trim_start_matches(['<', '>', '|', '=']);
    let values: Vec<f32> = match code {
        "f4" => npy.into_vec::<f32>().map_err(bad)?,
        "f8" => npy
            .into_vec::<f64>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        "i1" => npy
            .into_vec::<i8>()
            .map_err(bad)?
            .into_iter()
            .map(f32::from)
            .collect(),
        "u1" => npy
            .into_vec::<u8>()
            .map_err(bad)?
            .into_iter()
            .map(f32::from)
            .collect(),
        "i2" => npy
            .into_vec::<i16>()
            .map_err(bad)?
            .into_iter()
            .map(f32::from)
            .collect(),
        "u2" => npy
            .into_vec::<u16>()
            .map_err(bad)?
            .into_iter()
            .map(f32::from)
            .collect(),
        "i4" => npy
            .into_vec::<i32>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        "u4" => npy
            .into_vec::<u32>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        "i8" => npy
            .into_vec::<i64>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        "u8" => npy
            .into_vec::<u64>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        _ => {
            return Err(Error::Data(format!(
                "{}: NPY of type {descr}: expected numbers (f4, f8, i1-i8, u1-u8)",
                path.display()
            )));
        }
    };
    Ok((shape, values))
}

/// The labels file beside `features`: `<stem>.labels.npy`, else `<stem>.labels.csv`.
fn labels_beside(features: &Path) -> Option<PathBuf> {
    let stem = features.file_stem()?.to_str()?;
    ["npy", "csv"]
        .iter()
        .map(|ext| features.with_file_name(format!("{stem}.labels.{ext}")))
        .find(|p| p.exists())
}

/// Loads an NPY feature file (see the module docs).
pub fn load_npy(path: impl AsRef<Path>) -> Result<Dataset> {
    let path = path.as_ref();
    let (shape, values) = read_npy(path)?;
    let (n, sample): (usize, Vec<usize>) = match shape[..] {
        [n, d] => (n, vec![d]),
        [n, c, h, w] => (n, vec![c, h, w]),
        _ => {
            return Err(Error::Data(format!(
                "{}: NPY of shape {shape:?}: expected rows N x D or images N x C x H x W",
                path.display()
            )));
        }
    };
    let width: usize = sample.iter().product();
    let features = Features::Dense(DenseMatrix::new(n, width, values)?);
    let data = match labels_beside(path) {
        None => Dataset::unlabelled(features),
        Some(labels_path) => {
            let raw: Vec<String> = if labels_path.extension().is_some_and(|e| e == "npy") {
                let (shape, values) = read_npy(&labels_path)?;
                if shape != [n] {
                    return Err(Error::Data(format!(
                        "{}: labels of shape {shape:?} for {n} rows in {}",
                        labels_path.display(),
                        path.display()
                    )));
                }
                values.iter().map(|v| format!("{v}")).collect()
            } else {
                let text = std::fs::read_to_string(&labels_path)
                    .map_err(|e| Error::io(&labels_path, e))?;
                let raw: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
                if raw.len() != n || raw.iter().any(String::is_empty) {
                    return Err(Error::Data(format!(
                        "{}: expected {n} non-empty lines, one label per row of {}, found {}",
                        labels_path.display(),
                        path.display(),
                        raw.len()
                    )));
                }
                raw
            };
            Dataset::from_raw_labels(features, raw)?
        }
    };
    data.with_origin(path).with_sample_shape(sample)
}

#[cfg(test)]
mod tests {
    use npyz::WriterBuilder;

    use super::*;

    fn write_npy<T: npyz::Serialize + npyz::AutoSerialize + Copy>(
        path: &Path,
        shape: &[u64],
        values: &[T],
    ) {
        let file = std::fs::File::create(path).unwrap();
        let mut w = npyz::WriteOptions::new()
            .default_dtype()
            .shape(shape)
            .writer(file)
            .begin_nd()
            .unwrap();
        w.extend(values.iter().copied()).unwrap();
        w.finish().unwrap();
    }

    #[test]
    fn features_with_labels_beside_them() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("feats.npy");
        write_npy(&x, &[3, 2], &[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let unl = load_npy(&x).unwrap();
        assert!(unl.labels().is_none());
        assert_eq!((unl.len(), unl.n_features()), (3, 2));
        write_npy(&dir.path().join("feats.labels.npy"), &[3], &[7i64, 3, 7]);
        let data = load_npy(&x).unwrap();
        assert_eq!(data.class_names(), ["3", "7"]);
        assert_eq!(data.labels().unwrap(), [1, 0, 1]);
        let mut row = [0f32; 2];
        data.features().write_row(2, &mut row);
        assert_eq!(row, [5.0, 6.0]);
        // Text labels from CSV; a count that does not match is refused, naming the file.
        let y = dir.path().join("other.npy");
        write_npy(&y, &[2, 1, 1, 2], &[1u8, 2, 3, 4]);
        std::fs::write(dir.path().join("other.labels.csv"), "cat\ndog\n").unwrap();
        let data = load_npy(&y).unwrap();
        assert_eq!(data.sample_shape(), [1, 1, 2]);
        assert_eq!(data.class_names(), ["cat", "dog"]);
        std::fs::write(dir.path().join("other.labels.csv"), "cat\n").unwrap();
        let err = load_npy(&y).unwrap_err().to_string();
        assert!(
            err.contains("other.labels.csv") && err.contains("expected 2"),
            "{err}"
        );
        std::fs::write(dir.path().join("junk.npy"), b"not numpy").unwrap();
        let err = load_npy(dir.path().join("junk.npy"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("junk.npy"), "{err}");
    }
}
