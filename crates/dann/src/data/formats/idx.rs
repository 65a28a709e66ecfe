//! IDX files (LeCun's MNIST format): a 4-byte magic (`0 0 type rank`), `rank` big-endian
//! `u32` sizes, then the values, big-endian, in row-major order. Any rank and every element
//! type of the format; gzipped or plain. Grey image sets are `N x H x W`, colour ones
//! `N x H x W x C` (channels last), labels `N`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::gzip::gz_with;
use super::limits::{ReadLimits, io_error};
use super::sample_width;
use crate::data::dataset::Dataset;
use crate::data::labels::normalise_label;
use crate::data::matrix::{DenseMatrix, Features};
use crate::error::{Error, Result};
use crate::files::write_atomically;

/// Element type of an IDX file (the magic's third byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdxType {
    /// `0x08`: unsigned byte.
    U8,
    /// `0x09`: signed byte.
    I8,
    /// `0x0B`: 16-bit integer.
    I16,
    /// `0x0C`: 32-bit integer.
    I32,
    /// `0x0D`: 32-bit float.
    F32,
    /// `0x0E`: 64-bit float.
    F64,
}

impl IdxType {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x08 => IdxType::U8,
            0x09 => IdxType::I8,
            0x0B => IdxType::I16,
            0x0C => IdxType::I32,
            0x0D => IdxType::F32,
            0x0E => IdxType::F64,
            _ => return None,
        })
    }

    fn code(self) -> u8 {
        match self {
            IdxType::U8 => 0x08,
            IdxType::I8 => 0x09,
            IdxType::I16 => 0x0B,
            IdxType::I32 => 0x0C,
            IdxType::F32 => 0x0D,
            IdxType::F64 => 0x0E,
        }
    }

    /// Bytes per value.
    pub fn size(self) -> usize {
        match self {
            IdxType::U8 | IdxType::I8 => 1,
            IdxType::I16 => 2,
            IdxType::I32 | IdxType::F32 => 4,
            IdxType::F64 => 8,
        }
    }
}

/// The contents of an IDX file: element type, shape and values (as `f32`; every `u8`, `i8`
/// and `i16` value and integers up to 2^24 are exact).
#[derive(Debug, Clone, PartialEq)]
pub struct IdxArray {
    /// Element type in the file.
    pub dtype: IdxType,
    /// Sizes, outermost first.
    pub shape: Vec<usize>,
    /// Values in row-major order.
    pub values: Vec<f32>,
}

/// Reads an IDX file (gzipped or plain). The magic, the element type, the rank and the sizes
/// are checked; data shorter or longer than the sizes say is an error naming the file.
pub fn read_idx(path: impl AsRef<Path>) -> Result<IdxArray> {
    read_idx_with(path.as_ref(), &ReadLimits::default())
}

fn read_idx_with(path: &Path, limits: &ReadLimits) -> Result<IdxArray> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_idx_limited(file, path, limits)
}

/// [`read_idx`] from any reader (gzip or not); `name` is what errors call the input.
pub fn read_idx_from(reader: impl Read, name: impl AsRef<Path>) -> Result<IdxArray> {
    read_idx_limited(reader, name.as_ref(), &ReadLimits::default())
}

fn read_idx_limited(reader: impl Read, path: &Path, limits: &ReadLimits) -> Result<IdxArray> {
    let mut bytes = Vec::new();
    gz_with(reader, limits)
        .and_then(|mut r| r.read_to_end(&mut bytes))
        .map_err(|e| io_error(path, e))?;
    parse_idx(&bytes).map_err(|message| Error::data_file(path, message))
}

fn parse_idx(bytes: &[u8]) -> std::result::Result<IdxArray, String> {
    let magic = bytes
        .get(..4)
        .ok_or_else(|| format!("{} bytes, too short for the 4-byte IDX magic", bytes.len()))?;
    if magic[0] != 0 || magic[1] != 0 {
        return Err(format!(
            "not an IDX file: the magic must start with two zero bytes, found {:02x} {:02x}",
            magic[0], magic[1]
        ));
    }
    let dtype = IdxType::from_code(magic[2]).ok_or_else(|| {
        format!(
            "unknown IDX element type 0x{:02x} (expected 08, 09, 0b, 0c, 0d or 0e)",
            magic[2]
        )
    })?;
    let rank = usize::from(magic[3]);
    if rank == 0 {
        return Err("IDX rank 0: expected at least one dimension".into());
    }
    let header = 4 + 4 * rank;
    let sizes = bytes
        .get(4..header)
        .ok_or_else(|| format!("truncated header: rank {rank} needs {header} bytes"))?;
    let shape: Vec<usize> = sizes
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let count = shape
        .iter()
        .try_fold(1usize, |a, &s| a.checked_mul(s))
        .ok_or_else(|| format!("sizes {shape:?} overflow"))?;
    let expected = count
        .checked_mul(dtype.size())
        .ok_or_else(|| format!("sizes {shape:?} overflow"))?;
    let data = &bytes[header..];
    if data.len() < expected {
        return Err(format!(
            "truncated: sizes {shape:?} of {dtype:?} need {expected} bytes of data, the file has {}",
            data.len()
        ));
    }
    if data.len() > expected {
        return Err(format!(
            "{} bytes after the {expected} bytes of data that sizes {shape:?} of {dtype:?} describe",
            data.len() - expected
        ));
    }
    let values = match dtype {
        IdxType::U8 => data.iter().map(|&b| f32::from(b)).collect(),
        IdxType::I8 => data.iter().map(|&b| f32::from(b as i8)).collect(),
        IdxType::I16 => data
            .chunks_exact(2)
            .map(|c| f32::from(i16::from_be_bytes([c[0], c[1]])))
            .collect(),
        IdxType::I32 => data
            .chunks_exact(4)
            .map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]) as f32)
            .collect(),
        IdxType::F32 => data
            .chunks_exact(4)
            .map(|c| f32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        IdxType::F64 => data
            .chunks_exact(8)
            .map(|c| f64::from_be_bytes(c.try_into().expect("8 bytes")) as f32)
            .collect(),
    };
    let values: Vec<f32> = values;
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "value {i} (0-based, row-major) is not finite (NaN or infinite, or beyond f32)"
        ));
    }
    Ok(IdxArray {
        dtype,
        shape,
        values,
    })
}

/// Writes `values` (`u8`) of `shape` as a gzipped IDX file, through a temporary file beside
/// `path` and a rename.
pub fn write_idx_u8(path: impl AsRef<Path>, shape: &[usize], values: &[u8]) -> Result<()> {
    let path = path.as_ref();
    let count: usize = shape.iter().product();
    if count != values.len() || shape.is_empty() || shape.len() > 255 {
        return Err(Error::data_file(
            path,
            format!("shape {shape:?} does not hold {} values", values.len()),
        ));
    }
    let mut bytes = vec![0, 0, IdxType::U8.code(), shape.len() as u8];
    for &s in shape {
        let s = u32::try_from(s)
            .map_err(|_| Error::data_file(path, format!("size {s} exceeds IDX's u32")))?;
        bytes.extend_from_slice(&s.to_be_bytes());
    }
    bytes.extend_from_slice(values);
    write_atomically(path, |w| {
        // A fixed gzip header (no name, no time stamp): the same bytes for the same data.
        let mut gz = GzEncoder::new(w, Compression::default());
        gz.write_all(&bytes)?;
        gz.finish().map(|_| ())
    })
}

/// The labels file that goes with an images file by the MNIST naming: `images` becomes
/// `labels` and `idx3`/`idx4` becomes `idx1` (`train-images-idx3-ubyte.gz` ->
/// `train-labels-idx1-ubyte.gz`); `None` when the name has no `images`.
pub fn idx_labels_path(images: &Path) -> Option<PathBuf> {
    let name = images.file_name()?.to_str()?;
    if !name.contains("images") {
        return None;
    }
    let labels = name
        .replace("images", "labels")
        .replace("idx3", "idx1")
        .replace("idx4", "idx1");
    Some(images.with_file_name(labels))
}

/// Loads an IDX image set as rows of `C x H x W` values (channels first; grey sets have one
/// channel), with the labels of [`idx_labels_path`] when that file exists (class names are the
/// label values, sorted numerically). The data set records its sample shape `[C, H, W]`.
pub fn load_idx(path: impl AsRef<Path>) -> Result<Dataset> {
    load_idx_with(path.as_ref(), &ReadLimits::default())
}

/// [`load_idx`] under `limits` (on gzip expansion).
pub(crate) fn load_idx_with(path: &Path, limits: &ReadLimits) -> Result<Dataset> {
    let images = read_idx_with(path, limits)?;
    let labels = match idx_labels_path(path).filter(|p| p.exists()) {
        Some(p) => Some((read_idx_with(&p, limits)?, p)),
        None => None,
    };
    idx_dataset(images, labels.as_ref().map(|(a, p)| (a, p.as_path())), path)
}

/// [`load_idx`] from readers: the images and, if any, their labels (gzip or not); `name` is
/// what errors and the data set call the input.
pub fn read_idx_dataset(
    images: impl Read,
    labels: Option<impl Read>,
    name: impl AsRef<Path>,
) -> Result<Dataset> {
    let path = name.as_ref();
    let images = read_idx_from(images, path)?;
    let labels_name = path.with_extension("labels");
    let labels = match labels {
        Some(r) => Some(read_idx_from(r, &labels_name)?),
        None => None,
    };
    idx_dataset(
        images,
        labels.as_ref().map(|a| (a, labels_name.as_path())),
        path,
    )
}

/// The data set of IDX `images` (read from `path`) and `labels` (read from the path given).
fn idx_dataset(
    images: IdxArray,
    labels: Option<(&IdxArray, &Path)>,
    path: &Path,
) -> Result<Dataset> {
    let (n, c, h, w) = match images.shape[..] {
        [n, h, w] => (n, 1, h, w),
        [n, h, w, c] => (n, c, h, w),
        [n, d] => (n, 1, 1, d),
        _ => {
            return Err(Error::data_file(
                path,
                format!(
                    "IDX of shape {:?}: expected images N x H x W (grey), N x H x W x C (colour) \
                     or rows N x D",
                    images.shape
                ),
            ));
        }
    };
    sample_width(&[c, h, w], path)?;
    // Channels last in the file, channels first in the rows: each image is reordered in
    // place through one image-sized buffer, so loading holds the values once.
    let n_shape = images.shape.len();
    let mut values = images.values;
    if c > 1 {
        let plane = h * w;
        let mut pixels = vec![0f32; plane * c];
        for image in values.chunks_exact_mut(plane * c) {
            pixels.copy_from_slice(image);
            for (p, pixel) in pixels.chunks_exact(c).enumerate() {
                for (ch, &v) in pixel.iter().enumerate() {
                    image[ch * plane + p] = v;
                }
            }
        }
    }
    let features = Features::Dense(DenseMatrix::new(n, c * h * w, values)?);
    let shape = if n_shape == 2 { vec![w] } else { vec![c, h, w] };
    let data = match labels {
        Some((labels, labels_path)) => {
            if labels.shape != [n] {
                return Err(Error::data_file(
                    labels_path,
                    format!(
                        "labels of shape {:?} for {n} images in {}",
                        labels.shape,
                        path.display()
                    ),
                ));
            }
            let raw = labels
                .values
                .iter()
                .map(|v| normalise_label(&v.to_string()))
                .collect();
            Dataset::from_raw_labels(features, raw)?
        }
        None => Dataset::unlabelled(features),
    };
    data.with_origin(path).with_sample_shape(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx_bytes(dtype: u8, shape: &[u32], data: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, dtype, shape.len() as u8];
        for s in shape {
            b.extend_from_slice(&s.to_be_bytes());
        }
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn every_element_type_reads_big_endian() {
        let cases: Vec<(u8, Vec<u8>, Vec<f32>)> = vec![
            (0x08, vec![0, 255], vec![0.0, 255.0]),
            (0x09, vec![0x80, 0x7f], vec![-128.0, 127.0]),
            (0x0B, vec![0xff, 0xfe, 0x01, 0x00], vec![-2.0, 256.0]),
            (
                0x0C,
                (-3i32)
                    .to_be_bytes()
                    .iter()
                    .chain(&70000i32.to_be_bytes())
                    .copied()
                    .collect(),
                vec![-3.0, 70000.0],
            ),
            (
                0x0D,
                1.5f32
                    .to_be_bytes()
                    .iter()
                    .chain(&(-0.25f32).to_be_bytes())
                    .copied()
                    .collect(),
                vec![1.5, -0.25],
            ),
            (
                0x0E,
                2.5f64
                    .to_be_bytes()
                    .iter()
                    .chain(&1e-3f64.to_be_bytes())
                    .copied()
                    .collect(),
                vec![2.5, 1e-3],
            ),
        ];
        for (code, data, expected) in cases {
            let a = parse_idx(&idx_bytes(code, &[2], &data)).unwrap();
            assert_eq!(a.shape, [2]);
            assert_eq!(a.values, expected, "type {code:#x}");
        }
        let a = parse_idx(&idx_bytes(0x08, &[1, 2, 3, 1], &[1, 2, 3, 4, 5, 6])).unwrap();
        assert_eq!(a.shape, [1, 2, 3, 1]);
    }

    #[test]
    fn malformed_files_are_refused_with_the_reason() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![0, 0], "too short"),
            (vec![1, 0, 8, 1, 0, 0, 0, 0], "two zero bytes"),
            (
                vec![0, 0, 7, 1, 0, 0, 0, 0],
                "unknown IDX element type 0x07",
            ),
            (vec![0, 0, 8, 0], "rank 0"),
            (vec![0, 0, 8, 2, 0, 0, 0, 1], "truncated header"),
            (
                idx_bytes(0x08, &[3, 2], &[1, 2, 3, 4, 5]),
                "need 6 bytes of data, the file has 5",
            ),
            (idx_bytes(0x0B, &[2], &[1, 2, 3]), "need 4 bytes"),
            (idx_bytes(0x08, &[2], &[1, 2, 3]), "1 bytes after"),
        ];
        for (bytes, message) in cases {
            let err = parse_idx(&bytes).unwrap_err();
            assert!(err.contains(message), "{err} should contain {message}");
        }
    }

    #[test]
    fn images_load_channels_first_with_their_labels() {
        let dir = tempfile::tempdir().unwrap();
        // Two 2x2 colour images, channels last: pixel p of image i is (i, p, 10 + p).
        let mut values = Vec::new();
        for i in 0..2u8 {
            for p in 0..4u8 {
                values.extend([i, p, 10 + p]);
            }
        }
        let images = dir.path().join("train-images-idx4-ubyte.gz");
        write_idx_u8(&images, &[2, 2, 2, 3], &values).unwrap();
        write_idx_u8(dir.path().join("train-labels-idx1-ubyte.gz"), &[2], &[7, 3]).unwrap();
        let data = load_idx(&images).unwrap();
        assert_eq!(data.sample_shape(), [3, 2, 2]);
        assert_eq!(data.class_names(), ["3", "7"]);
        assert_eq!(data.labels().unwrap(), [1, 0]);
        let mut row = vec![0f32; 12];
        data.features().write_row(1, &mut row);
        assert_eq!(row, [1., 1., 1., 1., 0., 1., 2., 3., 10., 11., 12., 13.]);
        // Written files read back to the same array, gzipped, byte for byte the same each time.
        let a = read_idx(&images).unwrap();
        assert_eq!((a.dtype, a.shape.clone()), (IdxType::U8, vec![2, 2, 2, 3]));
        let first = std::fs::read(&images).unwrap();
        write_idx_u8(&images, &[2, 2, 2, 3], &values).unwrap();
        assert_eq!(std::fs::read(&images).unwrap(), first);
        // Without a labels file the set is unlabelled; a truncated file names itself.
        let lone = dir.path().join("target-images-idx3-ubyte.gz");
        write_idx_u8(&lone, &[1, 2, 2], &[1, 2, 3, 4]).unwrap();
        let unl = load_idx(&lone).unwrap();
        assert!(unl.labels().is_none());
        assert_eq!(unl.sample_shape(), [1, 2, 2]);
        let cut = dir.path().join("cut.idx");
        std::fs::write(&cut, idx_bytes(0x08, &[4], &[1, 2])).unwrap();
        let err = read_idx(&cut).unwrap_err().to_string();
        assert!(
            err.contains("cut.idx") && err.contains("truncated"),
            "{err}"
        );
        let wrong = dir.path().join("x-images-idx3-ubyte");
        write_idx_u8(&wrong, &[2, 1, 1], &[1, 2]).unwrap();
        write_idx_u8(dir.path().join("x-labels-idx1-ubyte"), &[3], &[1, 2, 3]).unwrap();
        let err = load_idx(&wrong).unwrap_err().to_string();
        assert!(err.contains("labels of shape [3] for 2 images"), "{err}");
    }
}
