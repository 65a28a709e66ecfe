//! `dann select`: the paper's whole method on the user's own pair, without target labels:
//! reverse validation over a grid, the source-only baseline, the comparison and the PADs.

use anyhow::{Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::Cancel;
use dann::run::{Job, RunDir, SelectOverrides, select_run};

use super::RunArgs;

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// The files (--target-test is `dann train`'s), the config ([shallow]: the training
    /// settings every candidate shares, default the paper's Algorithm 1 with the authors'
    /// settings; [select]: the grid, default the paper's 9 lambdas x hidden 50, 100 at lr
    /// 1e-3; [select] engine = "burn" makes every candidate the [model] and [train] of the
    /// config with the grid's lambda, hidden width and initial learning rate, trained with
    /// burn: "auto" does so when [model]/[train] are not the paper's shallow network) and
    /// --force. --out receives the chosen DANN (model, config.toml), source-only/
    /// (the baseline), candidates.md, candidates.csv, select.json.
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    overrides: SelectOverrides,
    /// Print the outcome as one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// No summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Reads the pair, runs [`select_run`] into --out and prints its report and summary.
pub fn run<B: AutodiffBackend>(a: SelectArgs, device: &B::Device) -> Result<()> {
    let (config, files) = a.run.resolve()?;
    if a.run.files.target_test.is_some() {
        bail!("--target-test is for dann train: dann select never reads target labels");
    }
    let (source, target, out) = files.required("")?;
    let dir = RunDir::new(out);
    let mut job = Job::new(source, target, None, config).with_config_file(a.run.config_file());
    let pending = dir.begin(&job.inputs())?;
    dir.refuse_to_replace(a.run.force)?;
    let (source, target, _) = job.load_data(false, None)?;
    let source = crate::output::noted(&job.source, source);
    let target = crate::output::noted(&job.target, target);
    let quiet = a.quiet;
    let mut say = |line: &str| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    let run = select_run::<B>(
        pending,
        &job.config,
        &a.overrides,
        (&source, &target),
        &mut say,
        &Cancel::default(), // Ctrl-C ends the process; the run folder stays whole
        device,
    )?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&run.report)?);
    }
    // Written into the finished folder (atomically): a run stopped before has no page, and
    // `dann report` writes it.
    let page = crate::report::write_select_page(&run.dir);
    if let Err(e) = &page {
        eprintln!("warning: no select.html for {}: {e:#}", run.dir.display());
    }
    if !a.quiet {
        eprint!("{}", run.summary);
        eprintln!(
            "wrote {} (select.html, candidates.md, select.json, source-only/)",
            run.dir.display()
        );
    }
    Ok(())
}
