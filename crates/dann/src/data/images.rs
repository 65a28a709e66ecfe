//! Image preprocessing: to a common number of channels and size, scaled, minus the per-channel
//! mean of the training images (the paper's only preprocessing). Fitted once on the training
//! images ([`ImagePrep::fit`]), saved with the model and applied to every later input
//! ([`FittedImagePrep::transform`]), so that `eval` and `predict` see what training saw.

use serde::{Deserialize, Serialize};

use crate::data::dataset::Dataset;
use crate::data::matrix::{DenseMatrix, Features};
use crate::error::{Error, Result, non_negative, positive};

/// How images reach [`ImagePrep::size`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    /// Centre them, padding with zeros or cropping (USPS's 16x16 digits inside MNIST's 28x28).
    #[default]
    Pad,
    /// Resample them (bilinear).
    Resize,
}

/// Settings of the image preprocessing (`[train.images]`); every step is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImagePrep {
    /// Channels of the output: grey images are repeated to 3, colour ones averaged to 1.
    pub channels: Option<usize>,
    /// `[height, width]` of the output.
    pub size: Option<[usize; 2]>,
    /// How images reach `size`.
    pub fit: Fit,
    /// Factor applied to every value (`1/255` maps bytes to `[0, 1]`).
    pub scale: f32,
    /// Subtract the per-channel mean of the training images.
    pub subtract_mean: bool,
    /// Standard deviation of Gaussian noise added to every training input value, after the
    /// other steps (augmentation: training batches only, never at `eval` or `predict`); 0:
    /// none.
    pub noise: f32,
}

impl Default for ImagePrep {
    fn default() -> Self {
        Self {
            channels: None,
            size: None,
            fit: Fit::Pad,
            scale: 1.0,
            subtract_mean: false,
            noise: 0.0,
        }
    }
}

/// An [`ImagePrep`] with the channel means of the training images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedImagePrep {
    /// The settings.
    pub prep: ImagePrep,
    /// Mean of each output channel over the training images (after scaling); empty without
    /// `subtract_mean`.
    pub means: Vec<f32>,
}

impl ImagePrep {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if matches!(self.channels, Some(c) if c != 1 && c != 3) {
            return Err(Error::config("train.images.channels", "must be 1 or 3"));
        }
        if matches!(self.size, Some([h, w]) if h == 0 || w == 0) {
            return Err(Error::config(
                "train.images.size",
                "sizes must be at least 1",
            ));
        }
        positive("train.images.scale", self.scale)?;
        non_negative("train.images.noise", self.noise)
    }

    /// Fits the channel means on `training` (every image of every set, after the other
    /// steps).
    pub fn fit(&self, training: &[&Dataset]) -> Result<FittedImagePrep> {
        self.check()?;
        for data in training {
            image_shape(data)?;
        }
        let unfitted = FittedImagePrep {
            prep: self.clone(),
            means: Vec::new(),
        };
        if !self.subtract_mean {
            return Ok(unfitted);
        }
        let mut sums: Vec<f64> = Vec::new();
        let mut count = 0usize;
        for data in training {
            let t = unfitted.transform(data)?;
            let [c, h, w] = image_shape(&t)?;
            sums.resize(c, 0.0);
            let mut row = vec![0f32; c * h * w];
            for i in 0..t.len() {
                t.features().write_row(i, &mut row);
                for (ch, plane) in row.chunks_exact(h * w).enumerate() {
                    sums[ch] += plane.iter().map(|&v| f64::from(v)).sum::<f64>();
                }
            }
            count += t.len() * h * w;
        }
        Ok(FittedImagePrep {
            prep: self.clone(),
            means: sums
                .iter()
                .map(|s| (s / count.max(1) as f64) as f32)
                .collect(),
        })
    }
}

impl FittedImagePrep {
    /// `data` (images, `[C, H, W]` rows) preprocessed; labels, classes and origin kept. Fails,
    /// naming the file, for data without an image shape or with channels it cannot map.
    pub fn transform(&self, data: &Dataset) -> Result<Dataset> {
        let [c, h, w] = image_shape(data)?;
        let p = &self.prep;
        let c_out = p.channels.unwrap_or(c);
        if c_out != c && c != 1 && c_out != 1 {
            return Err(data.error(format!("images of {c} channels cannot become {c_out}")));
        }
        let [h_out, w_out] = p.size.unwrap_or([h, w]);
        let mut out = Vec::with_capacity(data.len() * c_out * h_out * w_out);
        let mut row = vec![0f32; c * h * w];
        let mut planes: Vec<Vec<f32>> = Vec::with_capacity(c_out);
        for i in 0..data.len() {
            data.features().write_row(i, &mut row);
            planes.clear();
            let input: Vec<&[f32]> = row.chunks_exact(h * w).collect();
            for ch in 0..c_out {
                let plane: Vec<f32> = if c == c_out {
                    input[ch].to_vec()
                } else if c == 1 {
                    input[0].to_vec()
                } else {
                    (0..h * w)
                        .map(|k| input.iter().map(|pl| pl[k]).sum::<f32>() / c as f32)
                        .collect()
                };
                planes.push(match p.fit {
                    _ if [h, w] == [h_out, w_out] => plane,
                    Fit::Pad => pad_or_crop(&plane, h, w, h_out, w_out),
                    Fit::Resize => bilinear(&plane, h, w, h_out, w_out),
                });
            }
            for (ch, plane) in planes.iter().enumerate() {
                let mean = self.means.get(ch).copied().unwrap_or(0.0);
                out.extend(plane.iter().map(|&v| v * p.scale - mean));
            }
        }
        let features = Features::Dense(DenseMatrix::new(data.len(), c_out * h_out * w_out, out)?);
        data.with_features(features)?
            .with_sample_shape(vec![c_out, h_out, w_out])
    }
}

/// `[C, H, W]` of an image data set.
fn image_shape(data: &Dataset) -> Result<[usize; 3]> {
    match data.sample_shape()[..] {
        [c, h, w] => Ok([c, h, w]),
        _ => Err(data.error(format!(
            "image preprocessing needs images (rows of shape [C, H, W], e.g. from IDX \
             files), these rows have shape {:?}",
            data.sample_shape()
        ))),
    }
}

/// The plane centred in `h_out x w_out`: zeros around it, or its centre when larger.
fn pad_or_crop(plane: &[f32], h: usize, w: usize, h_out: usize, w_out: usize) -> Vec<f32> {
    let mut out = vec![0f32; h_out * w_out];
    for y in 0..h_out {
        // Output row y shows input row y + (h - h_out) / 2 (signed).
        let sy = y as isize + (h as isize - h_out as isize) / 2;
        if sy < 0 || sy >= h as isize {
            continue;
        }
        for x in 0..w_out {
            let sx = x as isize + (w as isize - w_out as isize) / 2;
            if sx >= 0 && sx < w as isize {
                out[y * w_out + x] = plane[sy as usize * w + sx as usize];
            }
        }
    }
    out
}

/// Bilinear resampling with aligned pixel centres.
fn bilinear(plane: &[f32], h: usize, w: usize, h_out: usize, w_out: usize) -> Vec<f32> {
    let coord = |o: usize, n_out: usize, n_in: usize| -> (usize, usize, f32) {
        let s = ((o as f32 + 0.5) * n_in as f32 / n_out as f32 - 0.5).clamp(0.0, (n_in - 1) as f32);
        let i0 = s.floor() as usize;
        (i0, (i0 + 1).min(n_in - 1), s - i0 as f32)
    };
    let mut out = Vec::with_capacity(h_out * w_out);
    for y in 0..h_out {
        let (y0, y1, fy) = coord(y, h_out, h);
        for x in 0..w_out {
            let (x0, x1, fx) = coord(x, w_out, w);
            let top = plane[y0 * w + x0] * (1.0 - fx) + plane[y0 * w + x1] * fx;
            let bottom = plane[y1 * w + x0] * (1.0 - fx) + plane[y1 * w + x1] * fx;
            out.push(top * (1.0 - fy) + bottom * fy);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(c: usize, h: usize, w: usize, values: Vec<f32>) -> Dataset {
        let n = values.len() / (c * h * w);
        Dataset::unlabelled(Features::Dense(
            DenseMatrix::new(n, c * h * w, values).unwrap(),
        ))
        .with_sample_shape(vec![c, h, w])
        .unwrap()
    }

    #[test]
    fn grey_to_colour_padded_scaled_and_centred() {
        // One 1x2x2 grey image, padded to 4x4, repeated to 3 channels, scaled by 1/2, minus
        // the channel means of the training set (itself).
        let data = images(1, 2, 2, vec![2.0, 4.0, 6.0, 8.0]);
        let prep = ImagePrep {
            channels: Some(3),
            size: Some([4, 4]),
            scale: 0.5,
            subtract_mean: true,
            ..Default::default()
        };
        let fitted = prep.fit(&[&data]).unwrap();
        // The mean of the padded, scaled image: (1 + 2 + 3 + 4) / 16.
        assert_eq!(fitted.means, [0.625, 0.625, 0.625]);
        let t = fitted.transform(&data).unwrap();
        assert_eq!(t.sample_shape(), [3, 4, 4]);
        let mut row = vec![0f32; 48];
        t.features().write_row(0, &mut row);
        let plane: Vec<f32> = row[..16].to_vec();
        let m = 0.625;
        #[rustfmt::skip]
        let expected = [
            -m, -m, -m, -m,
            -m, 1.0 - m, 2.0 - m, -m,
            -m, 3.0 - m, 4.0 - m, -m,
            -m, -m, -m, -m,
        ];
        assert_eq!(plane, expected);
        assert_eq!(&row[16..32], &row[..16]);
    }

    #[test]
    fn colour_to_grey_resized_and_rows_refused() {
        let data = images(3, 1, 2, vec![0.0, 3.0, 3.0, 6.0, 6.0, 9.0]);
        let prep = ImagePrep {
            channels: Some(1),
            size: Some([1, 4]),
            fit: Fit::Resize,
            ..Default::default()
        };
        let t = prep.fit(&[&data]).unwrap().transform(&data).unwrap();
        let mut row = vec![0f32; 4];
        t.features().write_row(0, &mut row);
        // The grey image is [3, 6]; resampled to 4 columns with aligned centres.
        assert_eq!(row, [3.0, 3.75, 5.25, 6.0]);
        let flat = Dataset::unlabelled(Features::Dense(
            DenseMatrix::new(1, 4, vec![0.0; 4]).unwrap(),
        ));
        let err = prep.fit(&[&flat]).unwrap_err().to_string();
        assert!(err.contains("needs images"), "{err}");
        let bad = ImagePrep {
            channels: Some(2),
            ..Default::default()
        };
        assert!(
            bad.check()
                .unwrap_err()
                .to_string()
                .contains("train.images.channels")
        );
        let noisy = ImagePrep {
            noise: -0.1,
            ..Default::default()
        };
        let err = noisy.check().unwrap_err().to_string();
        assert!(err.contains("train.images.noise"), "{err}");
    }
}
