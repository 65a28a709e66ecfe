//! Training one model of a digit experiment and measuring it on both test sets.

use burn::tensor::backend::AutodiffBackend;

use super::config::ModelKind;
use super::data::DigitsData;
use super::report::ModelResult;
use crate::data::Dataset;
use crate::deep::fitted::FittedDann;
use crate::error::Result;
use crate::learner::Dann;
use crate::training::listener::TrainListener;

/// Trains `kind` with `settings` (see [`ModelKind::settings`]) on `data`, reporting to
/// `listener` (its records carry the target test accuracy), and measures it on both test
/// sets.
pub fn fit_model<B: AutodiffBackend>(
    kind: ModelKind,
    settings: &Dann,
    data: &DigitsData,
    listener: &mut dyn TrainListener,
    device: &B::Device,
) -> Result<(FittedDann<B::InnerBackend>, ModelResult)> {
    let start = std::time::Instant::now();
    let (source, target) = match kind {
        ModelKind::SourceOnly | ModelKind::Dann => (&data.source, &data.target),
        ModelKind::TrainOnTarget => (&data.target_labelled, &data.target),
    };
    let fitted = kind.settings(settings).fit_with::<B>(
        source,
        target,
        Some(&data.target_test),
        listener,
        device,
    )?;
    let seconds = start.elapsed().as_secs_f64();
    let accuracy = |test: &Dataset| -> Result<f64> {
        Ok(fitted.evaluate(&fitted.prepare(test.clone())?)?.accuracy)
    };
    let result = ModelResult {
        model: kind,
        target_accuracy: accuracy(&data.target_test)?,
        source_accuracy: accuracy(&data.source_test)?,
        seconds,
    };
    Ok((fitted, result))
}
