//! `dann data`: building data sets from raw parts, and describing data files (the module is
//! not `data`, which names the library's data layer here).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use dann::data::info::{FileInfo, peak_rss_bytes};
use dann::data::mnist_m;
use dann::run::{DataOverrides, RunConfig};

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

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Data files or image folders (any format `train` reads).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Run configuration whose [data] section says how to read the files.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    data: DataOverrides,
}

/// `dann data info`: reads each file as `train` would and describes it, every file even when
/// some cannot be read (their errors come after the descriptions, and the exit status says
/// so); the peak resident memory of the process at the end measures what loading cost (see
/// benchmarks/memory/peak_rss.sh).
pub fn info(a: InfoArgs) -> Result<()> {
    let mut options = a
        .data
        .apply(&RunConfig::load_or_default(a.config.as_deref())?.data)?;
    let paths: Vec<&std::path::Path> = a.files.iter().map(PathBuf::as_path).collect();
    let mut errors: Vec<String> = Vec::new();
    // Each error with its causes, as the CLI prints a single one.
    let chain = |e: dann::Error| crate::output::error_lines(&e.into());
    if let Err(e) = options.settle_index_base(&paths) {
        errors.push(chain(e));
    }
    let mut infos = Vec::new();
    for p in &paths {
        match FileInfo::read(p, &options) {
            Ok(i) => infos.push(i),
            Err(e) => errors.push(chain(e)),
        }
    }
    let peak = peak_rss_bytes();
    if a.json {
        let v = serde_json::json!({ "files": infos, "errors": errors, "peak_rss_bytes": peak });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for i in &infos {
            println!("{}", i.describe());
        }
        if let Some(p) = peak {
            println!(
                "peak resident memory of this process: {:.1} MB",
                p as f64 / 1e6
            );
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    for e in &errors {
        eprint!("{e}");
    }
    anyhow::bail!(
        "{} of {} files read and described; {} error(s), each above",
        infos.len(),
        paths.len(),
        errors.len()
    )
}
