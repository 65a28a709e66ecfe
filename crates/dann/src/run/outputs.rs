//! What `dann train` measures beside a trained model for its report: the shift between the
//! domains before and after the model's features (`shift.json`) and a t-SNE map of the
//! features (`tsne.csv`, drawn by the front as `tsne.png`).

use burn::tensor::backend::Backend;
use rand::SeedableRng;
use rand::seq::SliceRandom;

use crate::analysis::shift::{Shift, measure_shift};
use crate::analysis::tsne::TsneSettings;
use crate::data::{Dataset, Features};
use crate::deep::FittedDann;
use crate::error::Result;

/// Rows per domain the report's shift is measured on (a seeded sample of each set).
pub const SHIFT_ROWS: usize = 2000;
/// Rows per domain of the report's t-SNE map.
pub const TSNE_ROWS: usize = 500;

/// The shift between `source` and `target` on the model's inputs (after its preprocessing)
/// and on its features `G_f(x)`, each measured on [`SHIFT_ROWS`] rows per domain: the
/// content of a run's `shift.json`.
pub fn shift_summary<B: Backend>(
    fitted: &FittedDann<B>,
    source: &Dataset,
    target: &Dataset,
) -> Result<serde_json::Value> {
    let sample = |d: &Dataset, seed: u64| -> Result<Dataset> {
        let mut idx: Vec<usize> = (0..d.len()).collect();
        idx.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        idx.truncate(SHIFT_ROWS);
        idx.sort_unstable();
        fitted.prepare(d.subset(&idx).without_labels())
    };
    let (s, t) = (sample(source, 1)?, sample(target, 2)?);
    let inputs = measure_shift(s.clone(), t.clone(), None, 0)?;
    let features = measure_shift(s, t, Some(fitted), 0)?;
    let summary = |m: &Shift| {
        serde_json::json!({
            "pad": m.pad_interval, "auc": m.auc, "p_value": m.p_value,
            "rows_per_domain": m.rows_per_domain, "verdict": m.verdict(),
        })
    };
    Ok(serde_json::json!({ "inputs": summary(&inputs), "features": summary(&features) }))
}

/// The t-SNE map of a run's report ([`TSNE_ROWS`] rows per domain), when the inputs are
/// images or dense feature vectors of at least 16 columns (not the toy 2-d problems, not
/// sparse counts).
pub fn tsne_settings(source: &Dataset) -> Option<TsneSettings> {
    let dense = matches!(source.features(), Features::Dense(_));
    (dense && source.n_features() >= 16).then(|| TsneSettings {
        n: TSNE_ROWS,
        ..TsneSettings::default()
    })
}
