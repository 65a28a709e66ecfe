//! What the records measure besides the losses: accuracy on (up to `monitor_rows` of) the
//! labelled source and, when given, on a labelled target test set that is never trained on.
//! Both training engines use it.

use crate::data::Dataset;
use crate::error::Result;
use crate::metrics::accuracy;

/// The labelled rows the records are measured on.
#[derive(Debug, Clone)]
pub(crate) struct Monitor {
    source: Dataset,
    target_test: Option<Dataset>,
}

impl Monitor {
    /// Up to `rows` evenly spaced rows of labelled `source`.
    pub(crate) fn new(source: &Dataset, rows: usize) -> Self {
        let n = source.len().min(rows.max(1));
        let step = source.len() as f64 / n as f64;
        let picked: Vec<usize> = (0..n).map(|i| (i as f64 * step) as usize).collect();
        Self {
            source: source.subset(&picked),
            target_test: None,
        }
    }

    /// Also measures labelled `target_test`, aligned to `source`'s width and classes.
    pub(crate) fn with_target_test(
        mut self,
        source: &Dataset,
        target_test: Option<&Dataset>,
    ) -> Result<Self> {
        self.target_test = match target_test {
            Some(t) if t.labels().is_none() => {
                return Err(t.error("the target test data must be labelled"));
            }
            Some(t) => Some(
                t.clone()
                    .with_n_features(source.n_features())?
                    .align_classes(source.class_names())?,
            ),
            None => None,
        };
        Ok(self)
    }

    /// Applies `f` (e.g. an input transformation) to every monitored data set.
    pub(crate) fn map(self, f: impl Fn(&Dataset) -> Result<Dataset>) -> Result<Self> {
        Ok(Self {
            source: f(&self.source)?,
            target_test: self.target_test.as_ref().map(&f).transpose()?,
        })
    }

    /// `(source accuracy, target accuracy)` of a model's `predict`.
    pub(crate) fn accuracies(
        &self,
        predict: impl Fn(&Dataset) -> Result<Vec<usize>>,
    ) -> Result<(f64, Option<f64>)> {
        let measure = |d: &Dataset| -> Result<f64> {
            Ok(accuracy(&predict(d)?, d.labels().unwrap_or_default()))
        };
        let target = match &self.target_test {
            Some(t) => Some(measure(t)?),
            None => None,
        };
        Ok((measure(&self.source)?, target))
    }
}
