//! `dann reproduce amazon`: the paper's Table 1 (and Figure 3) on the Amazon reviews.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use dann::analysis::reverse_validation::lambda_grid;
use dann::experiments::amazon::{self, AmazonConfig, FeatureSpace, Report};

use super::{reproduction_out, write_file};
use crate::reproduce_config::{AmazonOptions, ReproduceConfig};
use crate::run_config::RunConfig;

#[derive(Debug, Args)]
pub struct AmazonArgs {
    #[command(flatten)]
    options: AmazonOptions,
    /// Run configuration whose `[reproduce.amazon]` section holds any of these settings
    /// (same names, e.g. `pairs = "books:kitchen"`, `hidden = [50]`, `pad = true`); a flag
    /// overrides the file. The resolved settings are written to --out as reproduce.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Replace an earlier table in --out.
    #[arg(long)]
    force: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn amazon(args: AmazonArgs) -> Result<()> {
    let file = match &args.config {
        Some(path) => RunConfig::load(path)?.reproduce.amazon,
        None => AmazonOptions::default(),
    };
    let a = args.options.or(file);
    let features = a.features.unwrap_or_default();
    let mut config = AmazonConfig {
        pairs: amazon::parse_pairs(a.pairs.as_deref().unwrap_or("all"))?,
        pad: a.pad,
        score: a.rv_score.unwrap_or_default(),
        rv_splits: a.rv_splits.unwrap_or(1),
        data_dir: dann::data::data_dir(a.data_dir.clone()),
        ..Default::default()
    }
    .with_features(features)
    .with_seed(a.seed.unwrap_or(0));
    if let Some(layers) = a.msda_layers {
        if features != FeatureSpace::Msda {
            bail!("--msda-layers needs --features msda");
        }
        config.msda.layers = layers;
    }
    if config.rv_splits == 0 {
        bail!("--rv-splits must be at least 1");
    }
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
    if let Some(h) = a.hidden.clone() {
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
        args.force,
    )?;
    write_resolved(
        &out,
        ReproduceConfig {
            amazon: a,
            ..Default::default()
        },
    )?;
    if config.features == FeatureSpace::Msda && !args.json {
        eprintln!(
            "fitting mSDA on the four domains' training reviews and transforming all reviews (a few minutes)"
        );
    }
    let start = std::time::Instant::now();
    let results = amazon::run(&config, |r| {
        if !args.json {
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
    if args.json {
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

/// Writes `reproduce.toml` into `out`: the settings the run used, flags and file merged, as a
/// `[reproduce.*]` section that `--config` reads back.
pub(super) fn write_resolved(out: &std::path::Path, reproduce: ReproduceConfig) -> Result<()> {
    #[derive(serde::Serialize)]
    struct Only {
        reproduce: ReproduceConfig,
    }
    let text =
        toml::to_string_pretty(&Only { reproduce }).context("cannot serialise the settings")?;
    write_file(&out.join("reproduce.toml"), &text)
}
