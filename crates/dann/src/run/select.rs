//! `dann select` on a run directory: the whole method ([`select`](crate::selection::select))
//! on the user's pair, the two chosen models saved with the configs that retrain them, the
//! candidates' tables and `select.json`.

use std::path::Path;
use std::time::Instant;

use burn::tensor::backend::Backend;

use super::config::RunConfig;
use super::dir::{BASELINE_DIR, RunDir};
use super::pending::PendingRun;
use crate::data::{Dataset, HoldOut, Schema};
use crate::deep::DannConfig;
use crate::error::{Error, Result};
use crate::learner::fitted_from_shallow;
use crate::selection::{Outcome, SelectConfig, SelectReport, select};
use crate::shallow::{ShallowConfig, ShallowDann};

/// Runs the selection with the shared settings `base` over `grid` on `source` and `target`
/// (`config` says how they were read), and writes into the run `dir` (begun with
/// [`RunDir::begin`] before the data was read, put in place here as a whole): the chosen DANN
/// (model and the `config.toml` that retrains it), the chosen baseline in [`BASELINE_DIR`],
/// `candidates.md`, `candidates.csv` and `select.json` (the report, also returned).
pub fn select_into<B: Backend>(
    mut dir: PendingRun,
    config: &RunConfig,
    (base, grid): (&ShallowConfig, &SelectConfig),
    source: &Dataset,
    target: &Dataset,
    device: &B::Device,
) -> Result<(SelectReport, Outcome)> {
    let start = Instant::now();
    let parts = HoldOut::new(source, target, base.validation, base.seed)?;
    let outcome = select(base, grid, &parts, source, target, base.seed)?;
    let seconds = start.elapsed().as_secs_f64();
    let baseline_dir = dir.path().join(BASELINE_DIR);
    let dann_cfg = outcome.dann_config(base);
    let baseline_cfg = outcome.baseline_config(base);
    for (path, cfg, net) in [
        (dir.path(), &dann_cfg, outcome.dann.best_model()),
        (
            baseline_dir.as_path(),
            &baseline_cfg,
            &outcome.baseline.model,
        ),
    ] {
        let resolved = RunConfig {
            model: DannConfig::shallow(cfg.hidden),
            shallow: Some(cfg.clone()),
            select: grid.clone(),
            ..config.clone()
        };
        save_model::<B>(path, &resolved, net, source, device)?;
    }
    dir.write("candidates.md", &outcome.candidates_markdown())?;
    dir.write("candidates.csv", &outcome.candidates_csv()?)?;
    let report = SelectReport::new(
        &outcome,
        &parts,
        (&dann_cfg, dir.out().to_path_buf()),
        (&baseline_cfg, dir.out().join(BASELINE_DIR)),
        seconds,
    );
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| Error::Data(format!("cannot serialise the report: {e}")))?;
    dir.write("select.json", &(json + "\n"))?;
    dir.commit()?;
    Ok((report, outcome))
}

/// Saves `net` as a model in `dir` with `config`, which retrains it (`dann train --config
/// dir/config.toml` on the same files gives the same model).
fn save_model<B: Backend>(
    dir: &Path,
    config: &RunConfig,
    net: &ShallowDann,
    source: &Dataset,
    device: &B::Device,
) -> Result<()> {
    let fitted = fitted_from_shallow::<B>(
        net,
        &config.model,
        source.class_names().to_vec(),
        None,
        device,
    )?
    .with_schema(Some(Schema::of(source)));
    let run = RunDir::new(dir);
    run.create()?;
    run.write(RunConfig::FILE, &config.to_toml()?)?;
    fitted.save(dir)
}
