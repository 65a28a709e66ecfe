//! `dann data`: building data sets from raw parts, and describing data files (the module is
//! not `data`, which names the library's data layer here).

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
}

/// What `dann data info` reports about one file.
#[derive(Debug, serde::Serialize)]
struct FileInfo {
    path: PathBuf,
    format: String,
    rows: usize,
    features: usize,
    sample_shape: Vec<usize>,
    /// Stored non-zeros, for sparse data.
    nonzeros: Option<usize>,
    /// Class name and number of rows, in class order; empty when unlabelled.
    classes: Vec<(String, usize)>,
    /// Bytes of the loaded features and labels.
    bytes_in_memory: usize,
    seconds: f64,
}

/// `dann data info`: reads each file as `train` would and describes it; the peak resident
/// memory of the process at the end measures what loading cost (see
/// benchmarks/memory/peak_rss.sh).
pub fn info(a: InfoArgs) -> Result<()> {
    let mut options = match &a.config {
        Some(p) => crate::run_config::RunConfig::load(p)?.data,
        None => dann::data::LoadOptions::default(),
    };
    let paths: Vec<&std::path::Path> = a.files.iter().map(PathBuf::as_path).collect();
    options.settle_index_base(&paths)?;
    let mut infos = Vec::new();
    for path in &a.files {
        let start = Instant::now();
        let format = options.resolve_format(path)?;
        let data = super::load(path, &options)?;
        let seconds = start.elapsed().as_secs_f64();
        let (nonzeros, feature_bytes) = match data.features() {
            dann::data::Features::Dense(m) => (None, m.as_slice().len() * 4),
            dann::data::Features::Sparse(m) => (Some(m.nnz()), m.nnz() * 8 + (m.n_rows() + 1) * 8),
        };
        let classes = data
            .class_names()
            .iter()
            .cloned()
            .zip(data.class_counts())
            .collect();
        infos.push(FileInfo {
            path: path.clone(),
            format: format!("{format:?}").to_lowercase(),
            rows: data.len(),
            features: data.n_features(),
            sample_shape: data.sample_shape(),
            nonzeros,
            classes,
            bytes_in_memory: feature_bytes + data.labels().map_or(0, |l| l.len() * 8),
            seconds,
        });
    }
    let peak = peak_rss_bytes();
    if a.json {
        let v = serde_json::json!({ "files": infos, "peak_rss_bytes": peak });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let mb = |b: usize| b as f64 / 1e6;
    for i in &infos {
        let layout = match i.nonzeros {
            Some(nnz) => format!(
                "sparse, {nnz} non-zeros ({:.2}%)",
                100.0 * nnz as f64 / (i.rows * i.features).max(1) as f64
            ),
            None => format!("dense, samples of {:?}", i.sample_shape),
        };
        let classes = if i.classes.is_empty() {
            "unlabelled".to_string()
        } else {
            let list: Vec<String> = i.classes.iter().map(|(c, n)| format!("{c}: {n}")).collect();
            format!("{} classes [{}]", i.classes.len(), list.join(", "))
        };
        println!(
            "{}: {}, {} rows x {} features ({layout}), {classes}; {:.1} MB in memory, read in {:.2} s",
            i.path.display(),
            i.format,
            i.rows,
            i.features,
            mb(i.bytes_in_memory),
            i.seconds
        );
    }
    if let Some(p) = peak {
        println!("peak resident memory of this process: {:.1} MB", mb(p));
    }
    Ok(())
}

/// The peak resident set size of this process (Linux: `VmHWM` of /proc/self/status).
fn peak_rss_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
