//! `dann data`: building data sets from raw parts (the module is not `data`, which names the
//! library's data layer here).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use dann::data::mnist_m;

#[derive(Debug, Args)]
pub struct MnistMArgs {
    /// Folder with LeCun's MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
    /// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz).
    #[arg(long)]
    mnist: PathBuf,
    /// BSDS500 folder with train/, val/ and test/ photos (JPEG or PNG): training digits take
    /// their patches from train/, test digits from val/ and test/.
    #[arg(long)]
    bsds: PathBuf,
    /// Output folder: mnist-m-{train,test}-{images-idx4,labels-idx1}-ubyte.gz.
    #[arg(long)]
    out: PathBuf,
    /// Seed of the photo and patch choices (the output depends on it alone).
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

pub fn mnist_m(a: MnistMArgs) -> Result<()> {
    let start = Instant::now();
    let m = mnist_m::generate(&a.mnist, &a.bsds, &a.out, a.seed)
        .with_context(|| format!("cannot build MNIST-M into {}", a.out.display()))?;
    eprintln!(
        "MNIST-M: {} train digits on patches of {} photos, {} test digits on {} others, seed {}, \
         {:.0} s; wrote {}",
        m.n_train,
        m.photos.0,
        m.n_test,
        m.photos.1,
        a.seed,
        start.elapsed().as_secs_f64(),
        m.files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}
