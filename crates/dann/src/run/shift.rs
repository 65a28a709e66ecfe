//! `dann shift` on files: both read as a model was trained (or as a config says), then the
//! shift measured on the inputs or on the model's features.

use std::path::Path;
use std::time::Instant;

use burn::tensor::backend::Backend;

use super::config::RunConfig;
use super::overrides::DataOverrides;
use crate::analysis::shift::{Shift, measure_shift};
use crate::data::{Dataset, Format, IndexBase, LoadOptions};
use crate::error::Result;
use crate::representation::FeatureMap;

/// Measures the shift between the files `source` and `target` (labels ignored), with
/// `seed` (`data` over the config's `[data]`): on the features of the model in `model` when given (the files read with its
/// `config.toml`'s `[data]` unless `config` says otherwise), else on the inputs (read with
/// `config`'s `[data]`, images of two sizes brought to one by its `[train.images]`). Both
/// files are read with one SVMlight index base, whose features are named by their index as
/// written (`index 17`). Returns the shift and the seconds the measurement took.
pub fn shift_files<B: Backend>(
    source: &Path,
    target: &Path,
    model: Option<&Path>,
    config: Option<&Path>,
    data: &DataOverrides,
    seed: u64,
    device: &B::Device,
) -> Result<(Shift, f64)> {
    // With a model, the files are read as it was trained unless --config says otherwise; the
    // config is read once.
    let (model, options, images) = match model {
        Some(dir) => {
            let (fitted, options) = RunConfig::load_model::<B>(dir, config, device)?;
            (Some(fitted), options, None)
        }
        None => {
            let config = RunConfig::load_or_default(config)?;
            (None, config.data, config.train.images)
        }
    };
    let mut options = data.apply(&options)?;
    options.settle_index_base(&[source, target])?;
    // With a model, each file is read by its schema (columns by name); without, the target
    // is read against the source (the same columns, the source's categories).
    let (s, t) = match &model {
        Some(m) => (m.read(source, &options)?, m.read(target, &options)?),
        None => crate::problem::read_pair(source, target, &options, false)?,
    };
    let (source, target) = (
        named(s.without_labels(), source, &options)?,
        named(t.without_labels(), target, &options)?,
    );
    // Images of two sizes or colourings meet through the config's [train.images], as in
    // training (the model, when given, applies its own).
    let (source, target) = match images {
        Some(prep) => {
            let fitted = prep.fit(&[&source, &target])?;
            (fitted.transform(&source)?, fitted.transform(&target)?)
        }
        None => (source, target),
    };
    let model = model.as_ref().map(|m| m as &dyn FeatureMap);
    let start = Instant::now();
    let shift = measure_shift(source, target, model, seed)?;
    Ok((shift, start.elapsed().as_secs_f64()))
}

/// SVMlight features named by their index as written in the file (`index 17`), in the base
/// the files were read with; other data keeps its names (a CSV header's) or `column k`.
fn named(data: Dataset, path: &Path, options: &LoadOptions) -> Result<Dataset> {
    if data.has_feature_names() || options.resolve_format(path)? != Format::Svmlight {
        return Ok(data);
    }
    let base = usize::from(options.svmlight.index_base == IndexBase::One);
    let names = (0..data.n_features())
        .map(|k| format!("index {}", k + base))
        .collect();
    data.with_feature_names(names)
}
