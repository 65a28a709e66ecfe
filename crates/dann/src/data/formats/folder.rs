//! Image folders: one subfolder per class (its name is the class), PNG or JPEG images in it,
//! all of one size. Grey sets stay one channel, sets with any colour image load as RGB; values
//! are the bytes (0-255), rows channels first, the sample shape `[C, H, W]`.

use std::path::{Path, PathBuf};

use image::DynamicImage;
use rayon::prelude::*;

use crate::data::dataset::Dataset;
use crate::data::matrix::{DenseMatrix, Features};
use crate::error::{Error, Result};

/// Whether `path` names a PNG or JPEG file (by extension).
pub(crate) fn is_image(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "png" | "jpg" | "jpeg")
}

/// The entries of `dir`, sorted by path.
pub(crate) fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(dir, e)))
        .collect::<Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

/// Decodes one image (PNG or JPEG, detected by content) from any reader; `name` is what
/// errors call it.
pub fn read_image(mut reader: impl std::io::Read, name: impl AsRef<Path>) -> Result<DynamicImage> {
    let path = name.as_ref();
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let format = image::guess_format(&bytes).map_err(|e| {
        Error::data_file(path, format!("not a PNG or JPEG image ({e})"))
            .fix("re-save it as PNG or remove it")
    })?;
    let mut decoder = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    // Crafted headers claiming huge sizes are refused before any allocation.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(1 << 14);
    limits.max_image_height = Some(1 << 14);
    limits.max_alloc = Some(1 << 30);
    decoder.limits(limits);
    decoder.decode().map_err(|e| {
        Error::data_file(
            path,
            format!("cannot decode the image ({e}): the file is damaged"),
        )
        .fix("re-save or remove it")
    })
}

/// Whether `path` is hidden (its name starts with `.`: `.DS_Store`, macOS's `._x.png`
/// resource forks, `.ipynb_checkpoints`) or is macOS's `__MACOSX` folder in a zip.
fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy())
        .is_some_and(|n| n.starts_with('.') || n == "__MACOSX")
}

/// Loads an image folder (see the module docs). Hidden entries (a name starting with `.`,
/// e.g. macOS's `._x.png`; `__MACOSX`) and files that are not PNG or JPEG by their extension
/// (`Thumbs.db`) are skipped, counted in a [note](Dataset::notes). Fails, naming the file, on
/// an image that cannot be decoded or whose size differs from the first one's, and on a
/// folder without class subfolders or images.
pub fn load_image_folder(dir: impl AsRef<Path>) -> Result<Dataset> {
    let dir = dir.as_ref();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut skipped: Vec<PathBuf> = Vec::new();
    for class_dir in sorted_entries(dir)?.into_iter().filter(|p| p.is_dir()) {
        if is_hidden(&class_dir) {
            skipped.push(class_dir);
            continue;
        }
        let class = class_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for file in sorted_entries(&class_dir)? {
            if is_image(&file) && !is_hidden(&file) {
                files.push((file, class.clone()));
            } else {
                skipped.push(file);
            }
        }
    }
    if files.is_empty() {
        return Err(
            Error::data_file(dir, "no PNG or JPEG images in class subfolders").fix(format!(
                "put each image in {}/<class>/<image>.png",
                dir.display()
            )),
        );
    }
    let images: Vec<DynamicImage> = files
        .par_iter()
        .map(|(path, _)| {
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            read_image(file, path)
        })
        .collect::<Result<_>>()?;
    let (w, h) = (images[0].width() as usize, images[0].height() as usize);
    if let Some((i, _)) = images
        .iter()
        .enumerate()
        .find(|(_, im)| (im.width() as usize, im.height() as usize) != (w, h))
    {
        return Err(Error::data_file(
            &files[i].0,
            format!(
                "{}x{} pixels, but {} is {w}x{h}; every image of a folder must have one size",
                images[i].width(),
                images[i].height(),
                files[0].0.display()
            ),
        )
        .fix("resize them, or give [train.images] size after loading them as separate sets"));
    }
    let colour = images.iter().any(|im| im.color().has_color());
    let c = if colour { 3 } else { 1 };
    let plane = h * w;
    let mut values = vec![0f32; images.len() * c * plane];
    for (im, dst) in images.iter().zip(values.chunks_exact_mut(c * plane)) {
        if colour {
            for (p, px) in im.to_rgb8().pixels().enumerate() {
                for ch in 0..3 {
                    dst[ch * plane + p] = f32::from(px[ch]);
                }
            }
        } else {
            for (p, px) in im.to_luma8().pixels().enumerate() {
                dst[p] = f32::from(px[0]);
            }
        }
    }
    let features = Features::Dense(DenseMatrix::new(images.len(), c * plane, values)?);
    let labels = files.into_iter().map(|(_, class)| class).collect();
    let data = Dataset::from_raw_labels(features, labels)?
        .with_origin(dir)
        .with_sample_shape(vec![c, h, w])?;
    Ok(match skipped.first() {
        None => data,
        Some(first) => data.with_note(format!(
            "skipped {} hidden or non-image entries (e.g. {})",
            skipped.len(),
            first.strip_prefix(dir).unwrap_or(first).display()
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_subfolders_and_sizes_must_agree() {
        let dir = tempfile::tempdir().unwrap();
        for (class, value) in [("cat", 10u8), ("dog", 200)] {
            std::fs::create_dir_all(dir.path().join(class)).unwrap();
            for i in 0..2u8 {
                let img = image::GrayImage::from_pixel(3, 2, image::Luma([value + i]));
                img.save(dir.path().join(class).join(format!("{i}.png")))
                    .unwrap();
            }
        }
        let data = load_image_folder(dir.path()).unwrap();
        assert_eq!(data.sample_shape(), [1, 2, 3]);
        assert_eq!(data.class_names(), ["cat", "dog"]);
        assert_eq!(data.labels().unwrap(), [0, 0, 1, 1]);
        let mut row = vec![0f32; 6];
        data.features().write_row(3, &mut row);
        assert_eq!(row, [201.0; 6]);
        // One colour image makes the set RGB.
        image::RgbImage::from_pixel(3, 2, image::Rgb([1, 2, 3]))
            .save(dir.path().join("dog").join("c.png"))
            .unwrap();
        let data = load_image_folder(dir.path()).unwrap();
        assert_eq!(data.sample_shape(), [3, 2, 3]);
        let mut rgb = vec![0f32; 18];
        data.features().write_row(4, &mut rgb);
        assert_eq!(rgb, [[1.0; 6], [2.0; 6], [3.0; 6]].concat());
        // A different size is refused, naming the file.
        image::GrayImage::new(4, 4)
            .save(dir.path().join("cat").join("big.png"))
            .unwrap();
        let err = load_image_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("big.png") && err.contains("one size"), "{err}");
        std::fs::remove_file(dir.path().join("cat").join("big.png")).unwrap();
        // Hidden and non-image files are skipped and counted (macOS's `._x.png` stopped the
        // whole folder); an image that is not hidden and does not decode still errors.
        std::fs::write(dir.path().join("cat").join("._0.png"), b"\0\x05\x16\x07").unwrap();
        std::fs::write(dir.path().join("dog").join(".DS_Store"), b"\0\0\0\x01Bud1").unwrap();
        std::fs::write(dir.path().join("dog").join("Thumbs.db"), b"x").unwrap();
        let data = load_image_folder(dir.path()).unwrap();
        assert_eq!(data.len(), 5);
        assert_eq!(data.notes().len(), 1);
        assert!(
            data.notes()[0].starts_with("skipped 3 hidden or non-image entries (e.g. cat/._0.png)"),
            "{:?}",
            data.notes()
        );
        std::fs::write(dir.path().join("dog").join("bad.png"), b"x").unwrap();
        let err = load_image_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("bad.png"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        let err = load_image_folder(empty.path()).unwrap_err().to_string();
        assert!(err.contains("no PNG or JPEG"), "{err}");
    }
}
