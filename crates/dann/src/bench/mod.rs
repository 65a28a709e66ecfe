//! Speed measurements: the shallow update against burn's dense one and PyTorch
//! ([`shallow`]), and the paper's MNIST network's training step with the fused convolution
//! kernels, burn's own operations and PyTorch ([`cnn`]). What the `dann bench` commands
//! print; the helpers they share are here.

pub mod cnn;
pub mod selftest;
pub mod shallow;

use std::path::Path;
use std::time::Instant;

use rand::{Rng, SeedableRng};

use crate::data::{Dataset, DenseMatrix, Features};
use crate::error::{Error, Result};

/// Median and range of a rate over repeated timings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// The median.
    pub median: f64,
    /// The lowest.
    pub low: f64,
    /// The highest.
    pub high: f64,
}

impl Rate {
    /// Of these rates (at least one).
    ///
    /// ```
    /// let r = dann::bench::Rate::of(vec![3.0, 1.0, 2.0]);
    /// assert_eq!((r.median, r.low, r.high), (2.0, 1.0, 3.0));
    /// ```
    pub fn of(mut rates: Vec<f64>) -> Self {
        rates.sort_by(f64::total_cmp);
        Rate {
            median: rates[rates.len() / 2],
            low: rates[0],
            high: rates[rates.len() - 1],
        }
    }
}

/// `work / seconds` of `repeats` timings of `run` (the first error stops it).
pub fn rate(repeats: usize, work: usize, mut run: impl FnMut() -> Result<()>) -> Result<Rate> {
    let rates = (0..repeats.max(1))
        .map(|_| {
            let start = Instant::now();
            run()?;
            Ok(work as f64 / start.elapsed().as_secs_f64())
        })
        .collect::<Result<_>>()?;
    Ok(Rate::of(rates))
}

/// Runs a reference script with `python3` (the first on PATH) and `args`; its stdout must be
/// one JSON object. A failure names the script and its last line of stderr.
pub fn run_reference<'a>(
    script: &Path,
    args: impl IntoIterator<Item = &'a std::ffi::OsStr>,
) -> Result<serde_json::Value> {
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .map_err(|e| Error::Data(format!("cannot run python3 {}: {e}", script.display())))?;
    if !out.status.success() {
        return Err(Error::Data(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::data_file(script, format!("printed no JSON: {e}")))
}

/// A number the reference script printed under `key`.
pub(crate) fn reference_number(v: &serde_json::Value, key: &str) -> Result<f64> {
    v[key]
        .as_f64()
        .ok_or_else(|| Error::Data(format!("no {key} in the script's output")))
}

/// `n` random images of 3 x 28 x 28 (labelled with 10 classes when `labelled`).
///
/// ```
/// let images = dann::bench::random_images(4, true, 0)?;
/// assert_eq!(images.sample_shape(), vec![3, 28, 28]);
/// assert_eq!(images.class_names().len(), 10);
/// # Ok::<(), dann::Error>(())
/// ```
pub fn random_images(n: usize, labelled: bool, seed: u64) -> Result<Dataset> {
    let rng = &mut rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let values = (0..n * 2352)
        .map(|_| rng.random_range(0.0..1.0f32))
        .collect();
    let features = Features::Dense(DenseMatrix::new(n, 2352, values)?);
    let data = if labelled {
        let labels = (0..n).map(|i| i % 10).collect();
        Dataset::labelled(features, labels, (0..10).map(|c| c.to_string()).collect())?
    } else {
        Dataset::unlabelled(features)
    };
    data.with_sample_shape(vec![3, 28, 28])
}
