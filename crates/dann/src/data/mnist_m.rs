//! MNIST-M by the paper's recipe (Ganin et al., JMLR 2016 sec. 5.2.2): every MNIST digit
//! blended with a random patch of a BSDS500 colour photo, `|patch - digit|` in each channel.
//! Training digits take their patches from the BSDS500 training photos, test digits from the
//! others (validation and test photos), so no photo is shared between the two sets.

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::data::formats::folder::{is_image, sorted_entries};
use crate::data::formats::idx::{read_idx, write_idx_u8};
use crate::error::{Error, Result};

/// An RGB photo, `height x width x 3` bytes.
struct Photo {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct MnistM {
    /// Files written, images then labels, train then test.
    pub files: Vec<PathBuf>,
    /// Digits in the training and test sets.
    pub n_train: usize,
    /// Digits in the test set.
    pub n_test: usize,
    /// Photos the training and the test patches came from.
    pub photos: (usize, usize),
}

/// Reads LeCun's four MNIST files from `mnist`, the BSDS500 photos from `bsds`
/// (`train/`, `val/`, `test/` of JPEG files) and writes MNIST-M into `out` as gzipped IDX:
/// `mnist-m-{train,test}-images-idx4-ubyte.gz` (`N x 28 x 28 x 3`) and
/// `mnist-m-{train,test}-labels-idx1-ubyte.gz` (MNIST's labels). Digit `i` of a set takes its
/// photo and patch position from its own ChaCha stream of `seed`, so the output depends on
/// the seed alone (not on the number of threads).
pub fn generate(mnist: &Path, bsds: &Path, out: &Path, seed: u64) -> Result<MnistM> {
    let train_photos = load_photos(&[bsds.join("train")])?;
    let test_photos = load_photos(&[bsds.join("val"), bsds.join("test")])?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut files = Vec::new();
    let mut counts = [0usize; 2];
    for (k, (split, prefix, photos)) in [
        ("train", "train", &train_photos),
        ("test", "t10k", &test_photos),
    ]
    .into_iter()
    .enumerate()
    {
        let images = read_idx(mnist.join(format!("{prefix}-images-idx3-ubyte.gz")))?;
        let labels = read_idx(mnist.join(format!("{prefix}-labels-idx1-ubyte.gz")))?;
        let [n, h, w] = images.shape[..] else {
            return Err(Error::data_file(
                mnist,
                format!(
                    "MNIST images of shape {:?}, expected N x H x W",
                    images.shape
                ),
            ));
        };
        if labels.shape != [n] {
            return Err(Error::data_file(
                mnist,
                format!("{:?} labels for {n} images", labels.shape),
            ));
        }
        if let Some(small) = photos.iter().find(|p| p.width < w || p.height < h) {
            return Err(Error::Data(format!(
                "a {}x{} photo is smaller than the {w}x{h} digits",
                small.width, small.height
            )));
        }
        let plane = h * w;
        let mut blended = vec![0u8; n * plane * 3];
        blended
            .par_chunks_mut(plane * 3)
            .enumerate()
            .for_each(|(i, dst)| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ((k as u64) << 32));
                rng.set_stream(i as u64);
                let photo = &photos[rng.random_range(0..photos.len())];
                let x0 = rng.random_range(0..=photo.width - w);
                let y0 = rng.random_range(0..=photo.height - h);
                let digit = &images.values[i * plane..(i + 1) * plane];
                for y in 0..h {
                    for x in 0..w {
                        let d = digit[y * w + x].clamp(0.0, 255.0) as u8;
                        let src = ((y0 + y) * photo.width + x0 + x) * 3;
                        for c in 0..3 {
                            dst[(y * w + x) * 3 + c] = photo.rgb[src + c].abs_diff(d);
                        }
                    }
                }
            });
        let labels: Vec<u8> = labels.values.iter().map(|&v| v as u8).collect();
        let images_path = out.join(format!("mnist-m-{split}-images-idx4-ubyte.gz"));
        let labels_path = out.join(format!("mnist-m-{split}-labels-idx1-ubyte.gz"));
        write_idx_u8(&images_path, &[n, h, w, 3], &blended)?;
        write_idx_u8(&labels_path, &[n], &labels)?;
        files.extend([images_path, labels_path]);
        counts[k] = n;
    }
    Ok(MnistM {
        files,
        n_train: counts[0],
        n_test: counts[1],
        photos: (train_photos.len(), test_photos.len()),
    })
}

/// Every JPEG/PNG photo in `dirs`, in file-name order, as RGB.
fn load_photos(dirs: &[PathBuf]) -> Result<Vec<Photo>> {
    let mut paths = Vec::new();
    for dir in dirs {
        paths.extend(sorted_entries(dir)?.into_iter().filter(|p| is_image(p)));
    }
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Data(format!(
            "no JPEG or PNG photos in {}",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    paths
        .par_iter()
        .map(|path| {
            let img = image::open(path)
                .map_err(|e| Error::data_file(path, e.to_string()))?
                .to_rgb8();
            Ok(Photo {
                width: img.width() as usize,
                height: img.height() as usize,
                rgb: img.into_raw(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny MNIST (3 train, 2 test digits of 4x4) and photos of known colours: the output is
    /// `|patch - digit|`, the same for a seed, different for another, and test digits only see
    /// the test photos.
    #[test]
    fn blends_deterministically_from_the_right_photos() {
        let dir = tempfile::tempdir().unwrap();
        let mnist = dir.path().join("mnist");
        std::fs::create_dir_all(&mnist).unwrap();
        let digits: Vec<u8> = (0..3 * 16).map(|i| (i * 5) as u8).collect();
        write_idx_u8(
            mnist.join("train-images-idx3-ubyte.gz"),
            &[3, 4, 4],
            &digits,
        )
        .unwrap();
        write_idx_u8(mnist.join("train-labels-idx1-ubyte.gz"), &[3], &[1, 2, 3]).unwrap();
        write_idx_u8(
            mnist.join("t10k-images-idx3-ubyte.gz"),
            &[2, 4, 4],
            &digits[..32],
        )
        .unwrap();
        write_idx_u8(mnist.join("t10k-labels-idx1-ubyte.gz"), &[2], &[4, 5]).unwrap();
        let bsds = dir.path().join("bsds");
        for (sub, colour) in [
            ("train", [200u8, 10, 50]),
            ("val", [0, 0, 255]),
            ("test", [0, 0, 255]),
        ] {
            std::fs::create_dir_all(bsds.join(sub)).unwrap();
            let img = image::RgbImage::from_pixel(9, 7, image::Rgb(colour));
            img.save(bsds.join(sub).join("p.png")).unwrap();
        }
        let out = |name: &str| dir.path().join(name);
        let m = generate(&mnist, &bsds, &out("a"), 7).unwrap();
        assert_eq!((m.n_train, m.n_test, m.photos), (3, 2, (1, 2)));
        let train = read_idx(out("a").join("mnist-m-train-images-idx4-ubyte.gz")).unwrap();
        assert_eq!(train.shape, [3, 4, 4, 3]);
        for (i, px) in train.values.chunks_exact(3).enumerate() {
            let d = digits[i] as f32;
            assert_eq!(px, [(200.0 - d).abs(), (10.0 - d).abs(), (50.0 - d).abs()]);
        }
        let test = read_idx(out("a").join("mnist-m-test-images-idx4-ubyte.gz")).unwrap();
        for (i, px) in test.values.chunks_exact(3).enumerate() {
            let d = digits[i] as f32;
            assert_eq!(px, [d, d, (255.0 - d).abs()]);
        }
        let labels = read_idx(out("a").join("mnist-m-test-labels-idx1-ubyte.gz")).unwrap();
        assert_eq!(labels.values, [4.0, 5.0]);
        generate(&mnist, &bsds, &out("b"), 7).unwrap();
        for f in &m.files {
            let name = f.file_name().unwrap();
            assert_eq!(
                std::fs::read(f).unwrap(),
                std::fs::read(out("b").join(name)).unwrap()
            );
        }
        let err = generate(&mnist, &dir.path().join("none"), &out("c"), 7).unwrap_err();
        assert!(err.to_string().contains("none"), "{err}");
    }
}
