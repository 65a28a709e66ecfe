//! The images of a digits experiment, read with the IDX loader.

use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;

use super::config::{Domain, Pair};
use crate::data::{Dataset, load_idx, mnist_m};
use crate::error::{Error, Result};

/// The training and test images of one domain, labelled: `(train, test)`. MNIST and USPS
/// come from `data_dir/mnist` and `data_dir/usps` (LeCun's file names; USPS's prefixed
/// `usps-`), MNIST-M from the folder `mnist_m` (`mnist-m-{train,test}-images-idx4-ubyte.gz`,
/// as `dann data mnist-m` writes them).
pub fn load_domain(domain: Domain, data_dir: &Path, mnist_m: &Path) -> Result<(Dataset, Dataset)> {
    let (dir, train, test) = match domain {
        Domain::Mnist => (
            data_dir.join("mnist"),
            "train-images-idx3-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
        ),
        Domain::Usps => (
            data_dir.join("usps"),
            "usps-train-images-idx3-ubyte.gz",
            "usps-t10k-images-idx3-ubyte.gz",
        ),
        Domain::MnistM => (
            mnist_m.to_path_buf(),
            "mnist-m-train-images-idx4-ubyte.gz",
            "mnist-m-test-images-idx4-ubyte.gz",
        ),
    };
    let read = |name: &str| -> Result<Dataset> {
        let path = dir.join(name);
        let data = load_idx(&path)?;
        if data.labels().is_none() {
            return Err(Error::data_file(
                path,
                format!("no labels file beside it ({domain} needs its labels)"),
            ));
        }
        Ok(data)
    };
    Ok((read(train)?, read(test)?))
}

/// Everything a digits experiment trains and measures on.
#[derive(Debug, Clone)]
pub struct DigitsData {
    /// The source's labelled training images.
    pub source: Dataset,
    /// The target's training images without labels (what DANN sees).
    pub target: Dataset,
    /// The same target training images with their labels (only the train-on-target model
    /// reads them).
    pub target_labelled: Dataset,
    /// The source's test images (for the t-SNE maps).
    pub source_test: Dataset,
    /// The target's test images: every reported accuracy.
    pub target_test: Dataset,
}

impl DigitsData {
    /// Reads both domains of `pair` (see [`load_domain`]). MNIST-M comes from `mnist_m` when
    /// given; without it, it is built from `data_dir/mnist` and `data_dir/bsds500` with
    /// `mnist_m_seed` into a temporary folder (a few seconds) that is removed after reading.
    pub fn load(
        pair: Pair,
        data_dir: &Path,
        mnist_m: Option<&Path>,
        mnist_m_seed: u64,
    ) -> Result<Self> {
        let uses_mnist_m = pair.source == Domain::MnistM || pair.target == Domain::MnistM;
        let built = match mnist_m {
            None if uses_mnist_m => Some(TempDir::new("mnist-m")?),
            _ => None,
        };
        if let Some(dir) = &built {
            mnist_m::generate(
                &data_dir.join("mnist"),
                &data_dir.join("bsds500"),
                &dir.0,
                mnist_m_seed,
            )?;
        }
        let mnist_m_dir = match (&built, mnist_m) {
            (Some(dir), _) => dir.0.clone(),
            (None, Some(dir)) => dir.to_path_buf(),
            (None, None) => PathBuf::new(),
        };
        let (source, source_test) = load_domain(pair.source, data_dir, &mnist_m_dir)?;
        let (target_labelled, target_test) = load_domain(pair.target, data_dir, &mnist_m_dir)?;
        Ok(Self {
            source,
            target: target_labelled.clone().without_labels(),
            target_labelled,
            source_test,
            target_test,
        })
    }

    /// At most `n` training images per domain (drawn with `seed`, the same draw for the
    /// target with and without labels); test sets at most `n` images too.
    pub fn subset(self, n: usize, seed: u64) -> Self {
        let rng = &mut ChaCha8Rng::seed_from_u64(seed);
        let mut pick = |data: &Dataset| -> Vec<usize> {
            if data.len() <= n {
                return (0..data.len()).collect();
            }
            let mut rows = sample(rng, data.len(), n).into_vec();
            rows.sort_unstable();
            rows
        };
        let source_rows = pick(&self.source);
        let target_rows = pick(&self.target);
        let source_test_rows = pick(&self.source_test);
        let target_test_rows = pick(&self.target_test);
        Self {
            source: self.source.subset(&source_rows),
            target: self.target.subset(&target_rows),
            target_labelled: self.target_labelled.subset(&target_rows),
            source_test: self.source_test.subset(&source_test_rows),
            target_test: self.target_test.subset(&target_test_rows),
        }
    }
}

/// A folder under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("dann-{what}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
