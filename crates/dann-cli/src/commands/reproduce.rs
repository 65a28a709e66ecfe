//! `dann reproduce amazon`: the paper's Table 1 (and Figure 3) on the Amazon reviews.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use dann::analysis::reverse_validation::{RvScore, lambda_grid};
use dann::experiments::amazon::{self, AmazonConfig, FeatureSpace, Report};
use dann::shallow::Stopping;

use super::{DataDirArg, reproduction_out, write_file};

#[derive(Debug, Args)]
pub struct AmazonArgs {
    /// `all` or a list like `books:kitchen,dvd:books`.
    #[arg(long, default_value = "all")]
    pairs: String,
    #[command(flatten)]
    data_dir: DataDirArg,
    /// Where to write amazon.md and amazon.csv (default: a fresh runs/amazon-<UTC time>). An
    /// earlier table there is refused unless --force.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an earlier table in --out.
    #[arg(long)]
    force: bool,
    /// Also compute the proxy A-distance on raw inputs, NN and DANN features (Figure 3).
    #[arg(long)]
    pad: bool,
    /// Maximum epochs per model, early stopping may end sooner (default: 200, 20 for mSDA).
    #[arg(long)]
    epochs: Option<usize>,
    /// Learning rate of the shallow networks (default: the paper's 1e-3).
    #[arg(long)]
    lr: Option<f64>,
    /// Early-stopping horizon in epochs (see --stopping), 0: never stop early
    /// (default: 30, 5 for mSDA).
    #[arg(long)]
    patience: Option<usize>,
    /// Early-stopping rule: `growing` is the authors' (ties count as improvements, training
    /// goes on until epoch max(--patience, 1.5 x best epoch)); `fixed` stops --patience epochs
    /// after the first best epoch (default: growing, fixed for mSDA).
    #[arg(long, value_enum)]
    stopping: Option<Stopping>,
    /// Number of lambda values of the reverse-validation grid (log-spaced in [1e-2, 1]).
    #[arg(long)]
    lambdas: Option<usize>,
    /// Hidden sizes to try, e.g. 50,100.
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// What ranks reverse validation's candidates: the reverse model's error on the held-out
    /// source reviews (the paper's) or its log loss there.
    #[arg(long, value_enum, default_value_t = RvScore::Error)]
    rv_score: RvScore,
    /// Hold-out splits each candidate's reverse validation is averaged over (1: the paper's;
    /// each extra split trains every candidate once more).
    #[arg(long, default_value_t = 1)]
    rv_splits: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Input representation: the raw counts (Table 1a) or mSDA features (5 layers,
    /// corruption 0.5, fitted on all four domains' unlabelled training reviews).
    #[arg(long, value_enum, default_value_t = FeatureSpace::Raw)]
    features: FeatureSpace,
    /// Stacked mSDA layers with --features msda (the paper's 5; fewer is faster, each layer
    /// adds 5,000 dimensions).
    #[arg(long, default_value_t = 5)]
    msda_layers: usize,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn amazon(a: AmazonArgs) -> Result<()> {
    let mut config = AmazonConfig {
        pairs: amazon::parse_pairs(&a.pairs)?,
        pad: a.pad,
        score: a.rv_score,
        rv_splits: a.rv_splits,
        data_dir: a.data_dir.resolve(),
        ..Default::default()
    }
    .with_features(a.features)
    .with_seed(a.seed);
    if a.msda_layers != 5 && a.features != FeatureSpace::Msda {
        bail!("--msda-layers needs --features msda");
    }
    config.msda.layers = a.msda_layers;
    if let Some(e) = a.epochs {
        config.shallow.epochs = e;
    }
    if let Some(lr) = a.lr {
        config.shallow.lr = lr;
    }
    if let Some(p) = a.patience {
        config.shallow.patience = p;
    }
    if let Some(s) = a.stopping {
        config.shallow.stopping = s;
    }
    if let Some(n) = a.lambdas {
        if n == 0 {
            bail!("--lambdas must be at least 1");
        }
        config.lambdas = lambda_grid(n);
    }
    if let Some(h) = a.hidden {
        config.hidden = h;
    }
    config.shallow.check()?;
    let out = reproduction_out(
        a.out.as_deref(),
        "amazon",
        &[
            "amazon.md".into(),
            "amazon.csv".into(),
            "amazon.html".into(),
        ],
        a.force,
    )?;
    if config.features == FeatureSpace::Msda && !a.json {
        eprintln!(
            "fitting mSDA on the four domains' training reviews and transforming all reviews (a few minutes)"
        );
    }
    let start = std::time::Instant::now();
    let results = amazon::run(&config, |r| {
        if !a.json {
            eprintln!(
                "{:>11} -> {:<11} DANN {:.3}  NN {:.3}  SVM {:.3}  ({:.0} s)",
                r.source, r.target, r.dann, r.nn, r.svm, r.seconds
            );
        }
    })
    .with_context(|| format!("Amazon data under {}", config.data_dir.display()))?;
    let report = Report::new(results, start.elapsed().as_secs_f64());
    for (name, text) in [
        ("amazon.md", report.markdown()),
        ("amazon.csv", report.csv()?),
    ] {
        write_file(&out.join(name), &text)?;
    }
    crate::report::write_amazon_page(&report, &out)?;
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.markdown());
        eprintln!(
            "wrote {}/amazon.md, amazon.csv and amazon.html",
            out.display()
        );
    }
    Ok(())
}
