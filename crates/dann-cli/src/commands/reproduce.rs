//! `dann reproduce amazon`: the paper's Table 1 (and Figure 3) on the Amazon reviews.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use dann::experiments::amazon::{self, FeatureSpace, Report};
use dann::run::{AmazonOptions, ReproduceConfig, RunConfig, fresh_dir, overlay};

use super::write_file;

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
    let file = RunConfig::load_or_default(args.config.as_deref())?.reproduce;
    let options = overlay(&file.amazon, &args.options)?;
    let config = options.config()?;
    let files = ["amazon.md", "amazon.csv", "amazon.html"].map(String::from);
    let out = fresh_dir(options.out.as_deref(), "amazon", &files, args.force)?;
    let resolved = ReproduceConfig {
        amazon: options,
        ..Default::default()
    };
    resolved.write_resolved(&out)?;
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
    write_file(&out.join("amazon.md"), &report.markdown())?;
    write_file(&out.join("amazon.csv"), &report.csv()?)?;
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
