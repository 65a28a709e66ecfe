//! NPY files (NumPy's format, read with the `npyz` crate), e.g. features exported from any
//! backbone: an `N x D` array of numbers (an `N x C x H x W` one keeps its sample shape). The
//! labels, if any, come from the file beside it named `<stem>.labels.npy` (integers or
//! numbers) or `<stem>.labels.csv` (one label per line, any text); without either the set is
//! unlabelled.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use npyz::{NpyFile, Order};

use super::gzip::{limited_lines, lines_of};
use super::limits::ReadLimits;
use super::sample_width;
use crate::data::dataset::Dataset;
use crate::data::labels::normalise_label;
use crate::data::matrix::{DenseMatrix, Features};
use crate::error::{Error, Result};

/// Reads an NPY array as `f32` values (C order) with its shape; `path` names it in errors.
fn read_npy(mut reader: impl Read, path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let bad = |e: std::io::Error| Error::data_file(path, e.to_string());
    // The preamble (magic, version, header length) and the header, checked before npyz
    // reads them: npyz allocates a header of the length the file claims (up to 4 GB in
    // versions 2 and 3; a real one is a few hundred bytes), and its parser takes
    // exponential time on nested brackets (both found by fuzzing).
    let mut head = vec![0u8; 12];
    let got = read_up_to(&mut reader, &mut head).map_err(bad)?;
    head.truncate(got);
    if got >= 10 && head.starts_with(b"\x93NUMPY") {
        let (start, header_len) = match head[6] {
            1 => (10, usize::from(u16::from_le_bytes([head[8], head[9]]))),
            _ if got == 12 => (
                12,
                u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize,
            ),
            _ => (got, 0),
        };
        if header_len > MAX_HEADER {
            return Err(Error::data_file(
                path,
                format!(
                    "NPY header of {header_len} bytes (at most {MAX_HEADER} expected): not a \
                     valid NPY file"
                ),
            ));
        }
        let mut rest = vec![0u8; (start + header_len).saturating_sub(got)];
        let more = read_up_to(&mut reader, &mut rest).map_err(bad)?;
        head.extend_from_slice(&rest[..more]);
        let header = &head[start.min(head.len())..];
        let text = String::from_utf8_lossy(header);
        if text.contains("'|O'") || text.contains("'O'") {
            return Err(Error::data_file(
                path,
                "NPY array of Python objects (dtype object): only arrays of numbers are read",
            )
            .fix(
                "save a numeric array, e.g. numpy.save(path, numpy.asarray(x, dtype=numpy.float32))",
            ));
        }
        let braces = header.iter().filter(|&&b| b == b'{').count();
        if braces > 1 || header.contains(&b'[') {
            return Err(Error::data_file(
                path,
                "NPY header is not that of a plain numeric array (nested or structured types \
                 are not read)",
            )
            .fix("save a 2-d or 4-d array of numbers"));
        }
    }
    let reader = std::io::Cursor::new(head).chain(reader);
    let npy = NpyFile::new(BufReader::new(reader)).map_err(bad)?;
    if npy.order() == Order::Fortran && npy.shape().len() > 1 {
        return Err(Error::data_file(path, "Fortran-ordered array")
            .fix("save it in C order (numpy.ascontiguousarray)"));
    }
    let shape: Vec<usize> = npy.shape().iter().map(|&s| s as usize).collect();
    if shape
        .iter()
        .try_fold(1usize, |a, &s| a.checked_mul(s))
        .is_none()
    {
        return Err(Error::data_file(
            path,
            format!("NPY of shape {shape:?}: too many values"),
        ));
    }
    let descr = npy.dtype().descr();
    let code = descr
        .trim_matches('\'')
        .trim_start_matches(['<', '>', '|', '=']);
    let expected: usize = shape.iter().product();
    let short = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::data_file(
                path,
                format!(
                    "the data stops before the {expected} values its header's shape {shape:?} \
                     says (the file is cut short)"
                ),
            )
            .fix("save or copy the file again")
        } else {
            bad(e)
        }
    };
    let values = match code {
        "f4" => values_as_f32::<f32, _>(npy, |v| v),
        "f8" => values_as_f32::<f64, _>(npy, |v| v as f32),
        "i1" => values_as_f32::<i8, _>(npy, f32::from),
        "u1" => values_as_f32::<u8, _>(npy, f32::from),
        "i2" => values_as_f32::<i16, _>(npy, f32::from),
        "u2" => values_as_f32::<u16, _>(npy, f32::from),
        "i4" => values_as_f32::<i32, _>(npy, |v| v as f32),
        "u4" => values_as_f32::<u32, _>(npy, |v| v as f32),
        "i8" => values_as_f32::<i64, _>(npy, |v| v as f32),
        "u8" => values_as_f32::<u64, _>(npy, |v| v as f32),
        _ => {
            return Err(Error::data_file(
                path,
                format!("NPY of type {descr}: expected numbers (f4, f8, i1-i8, u1-u8)"),
            ));
        }
    }
    .map_err(short)?;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::data_file(
            path,
            format!("value {i} (0-based, C order) is not finite (NaN or infinite, or beyond f32)"),
        ));
    }
    Ok((shape, values))
}

/// The longest NPY header accepted.
const MAX_HEADER: usize = 1 << 20;

/// Fills `buf` from `reader` as far as the data goes; the number of bytes read.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// The values of `npy` (of element type `T`) through `f`, read one by one: a header that
/// claims more values than the data holds is an error at the end of the data, not an
/// allocation of the claimed size.
fn values_as_f32<T: npyz::Deserialize, R: Read>(
    npy: NpyFile<R>,
    f: impl Fn(T) -> f32,
) -> std::io::Result<Vec<f32>> {
    let mut out = Vec::new();
    for v in npy.data::<T>().map_err(std::io::Error::other)? {
        out.push(f(v?));
    }
    Ok(out)
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
    load_npy_with(path.as_ref(), &ReadLimits::default())
}

/// [`load_npy`], the lines of a `.labels.csv` beside it capped by `limits`.
pub(crate) fn load_npy_with(path: &Path, limits: &ReadLimits) -> Result<Dataset> {
    let data = read_npy_dataset(open(path)?, path)?;
    let n = data.len();
    let Some(labels_path) = labels_beside(path) else {
        return Ok(data);
    };
    let raw: Vec<String> = if labels_path.extension().is_some_and(|e| e == "npy") {
        let (shape, values) = read_npy(open(&labels_path)?, &labels_path)?;
        if shape != [n] {
            return Err(Error::data_file(
                labels_path,
                format!(
                    "labels of shape {shape:?} for {n} rows in {}",
                    path.display()
                ),
            ));
        }
        values
            .iter()
            .map(|v| normalise_label(&v.to_string()))
            .collect()
    } else {
        let file = open(&labels_path)?;
        let reader = limited_lines(file, limits).map_err(|e| Error::io(&labels_path, e))?;
        let mut raw = Vec::new();
        lines_of(reader, &labels_path, |_, line| {
            raw.push(normalise_label(line));
            Ok(())
        })?;
        if raw.len() != n || raw.iter().any(String::is_empty) {
            return Err(Error::data_file(
                labels_path,
                format!(
                    "expected {n} non-empty lines, one label per row of {}, found {}",
                    path.display(),
                    raw.len()
                ),
            ));
        }
        raw
    };
    data.with_raw_labels(raw)
}

fn open(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| Error::io(path, e))
}

/// The unlabelled data set of an NPY array read from any reader; `name` is what errors and
/// the data set call the input.
pub fn read_npy_dataset(reader: impl Read, name: impl AsRef<Path>) -> Result<Dataset> {
    let path = name.as_ref();
    let (shape, values) = read_npy(reader, path)?;
    let (n, sample): (usize, Vec<usize>) = match shape[..] {
        [n, d] => (n, vec![d]),
        [n, c, h, w] => (n, vec![c, h, w]),
        _ => {
            return Err(Error::data_file(
                path,
                format!("NPY of shape {shape:?}: expected rows N x D or images N x C x H x W"),
            ));
        }
    };
    let width = sample_width(&sample, path)?;
    if values.len() != n * width {
        return Err(Error::data_file(
            path,
            format!("NPY of shape {shape:?} holds {} values", values.len()),
        ));
    }
    let features = Features::Dense(DenseMatrix::new(n, width, values)?);
    Dataset::unlabelled(features)
        .with_origin(path)
        .with_sample_shape(sample)
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

    /// A version-1 NPY file of `header` (a Python dict literal) and `data`.
    fn raw_npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut h = header.to_string();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(h.len() as u16).to_le_bytes());
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out
    }

    /// Object arrays and data shorter than the shape are said in our words (npyz's were
    /// "invalid type string" and "failed to fill whole buffer").
    #[test]
    fn object_and_short_arrays_are_explained() {
        let object = raw_npy(
            "{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }",
            &[0x80, 0x04],
        );
        let err = read_npy_dataset(object.as_slice(), "o.npy")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("o.npy: NPY array of Python objects"),
            "{err}"
        );
        assert!(err.contains("dtype=numpy.float32"), "{err}");
        let short = raw_npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
            &[0u8; 8],
        );
        let err = read_npy_dataset(short.as_slice(), "s.npy")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "s.npy: the data stops before the 6 values its header's shape [3, 2] says"
            ),
            "{err}"
        );
        assert!(err.contains("copy the file again"), "{err}");
    }

    #[test]
    fn float_labels_are_the_classes_integers_would_be() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("f.npy");
        write_npy(&x, &[3, 1], &[1.0f32, 2.0, 3.0]);
        write_npy(&dir.path().join("f.labels.npy"), &[3], &[1.0f32, 0.0, 1.0]);
        assert_eq!(load_npy(&x).unwrap().class_names(), ["0", "1"]);
        std::fs::remove_file(dir.path().join("f.labels.npy")).unwrap();
        std::fs::write(dir.path().join("f.labels.csv"), "1\n1.0\n 0 \n").unwrap();
        let data = load_npy(&x).unwrap();
        assert_eq!(data.class_names(), ["0", "1"]);
        assert_eq!(data.labels().unwrap(), [1, 1, 0]);
        // The labels file's lines are capped like any text file's.
        std::fs::write(dir.path().join("f.labels.csv"), "1\n0123456789\n0\n").unwrap();
        let small = ReadLimits {
            max_line_bytes: 4,
            ..Default::default()
        };
        let err = load_npy_with(&x, &small).unwrap_err().to_string();
        assert!(
            err.contains("f.labels.csv:2: line longer than the limit of 4 bytes"),
            "{err}"
        );
    }
}
