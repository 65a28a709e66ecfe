//! `dann select` on data already read, for every front (the command line, Python): the
//! engine the settings resolve to ([`RunConfig::select_engine`]), the announcement of what
//! will be scored, the selection written into the run folder, and its report.

use std::path::PathBuf;

use burn::tensor::backend::AutodiffBackend;

use super::config::RunConfig;
use super::overrides::SelectOverrides;
use super::pending::PendingRun;
use super::select::{select_deep_into, select_into};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::selection::SelectEngine;
use crate::training::Cancel;

/// What a selection wrote and says.
#[derive(Debug, Clone)]
pub struct SelectRun {
    /// `select.json`'s report (the shallow or the deep selection's).
    pub report: serde_json::Value,
    /// The summary `dann select` prints.
    pub summary: String,
    /// The folder of the chosen DANN (its source-only baseline in
    /// [`BASELINE_DIR`](super::dir::BASELINE_DIR) inside).
    pub dir: PathBuf,
}

/// Runs `dann select` with `config` (its `[select]` under `overrides`) on `source` and
/// `target` into the run folder `pending` (begun with [`RunDir::begin`](super::RunDir::begin)
/// before the data was read): reverse validation on the shallow kernels or, when the
/// settings resolve to burn, over deep candidates. `say` hears one line on what will be
/// scored before it starts. Raising `cancel` (another thread: the Python front's Ctrl-C)
/// stops it with [`Error::Cancelled`] within an epoch or step of each candidate, writing
/// nothing into the run folder.
pub fn select_run<B: AutodiffBackend>(
    pending: PendingRun,
    config: &RunConfig,
    overrides: &SelectOverrides,
    data: (&Dataset, &Dataset),
    say: &mut dyn FnMut(&str),
    cancel: &Cancel,
    device: &B::Device,
) -> Result<SelectRun> {
    let run = select_on::<B>(pending, config, overrides, data, say, cancel, device);
    // A cancelled candidate may have stopped as a training run does; the selection says so.
    match run {
        Err(Error::Interrupted { .. } | Error::Cancelled { .. }) if cancel.is_requested() => {
            Err(Error::Cancelled {
                what: "the selection".into(),
            })
        }
        other => other,
    }
}

fn select_on<B: AutodiffBackend>(
    pending: PendingRun,
    config: &RunConfig,
    overrides: &SelectOverrides,
    (source, target): (&Dataset, &Dataset),
    say: &mut dyn FnMut(&str),
    cancel: &Cancel,
    device: &B::Device,
) -> Result<SelectRun> {
    let (base, grid) = overrides.apply(config)?;
    if config.select_engine()? == SelectEngine::Burn {
        let trainers =
            grid.burn_lrs(&config.train).len() * grid.burn_optimizers(&config.train).len();
        say(&format!(
            "scoring {} deep (burn) DANN candidates by reverse validation (2 networks each) \
             and {} source-only candidates, on {} threads",
            grid.lambdas.len() * grid.hidden.len() * trainers,
            grid.hidden.len() * trainers,
            rayon::current_num_threads()
        ));
        let report =
            select_deep_into::<B>(pending, config, &grid, (source, target), cancel, device)?;
        return Ok(SelectRun {
            report: json(&report)?,
            summary: report.summary(),
            dir: report.dann_dir.clone(),
        });
    }
    let lrs = grid.shallow_lrs().len();
    say(&format!(
        "scoring {} DANN candidates x {} hold-out split(s) by reverse validation (2 networks \
         each) and {} source-only candidates, on {} threads",
        grid.lambdas.len() * grid.hidden.len() * lrs,
        grid.splits,
        grid.hidden.len() * lrs,
        rayon::current_num_threads()
    ));
    let dir = pending.out().to_path_buf();
    let (report, outcome) = select_into::<B::InnerBackend>(
        pending,
        config,
        (&base, &grid),
        (source, target),
        cancel,
        device,
    )?;
    Ok(SelectRun {
        report: json(&report)?,
        summary: report.summary(&outcome),
        dir,
    })
}

fn json<T: serde::Serialize>(report: &T) -> Result<serde_json::Value> {
    serde_json::to_value(report)
        .map_err(|e| Error::Data(format!("cannot serialise the report: {e}")))
}
