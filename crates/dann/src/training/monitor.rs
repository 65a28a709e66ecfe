//! What the records measure besides the losses: accuracy on (up to `monitor_rows` of) the
//! labelled source and, when given, on a labelled target test set that is never trained on.
//! Both training engines use it.

use crate::data::Dataset;
use crate::error::Result;
use crate::metrics::{accuracy, r2};
use crate::problem::Task;

/// The labelled rows the records are measured on.
#[derive(Debug, Clone)]
pub(crate) struct Monitor {
    source: Dataset,
    target_test: Option<Dataset>,
    task: Task,
}

impl Monitor {
    /// Up to `rows` evenly spaced rows of labelled `source`.
    pub(crate) fn new(source: &Dataset, rows: usize, task: Task) -> Self {
        let n = source.len().min(rows.max(1));
        let step = source.len() as f64 / n as f64;
        let picked: Vec<usize> = (0..n).map(|i| (i as f64 * step) as usize).collect();
        Self {
            source: source.subset(&picked),
            target_test: None,
            task,
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
            Some(t) => {
                let t = t.clone().with_n_features(source.n_features())?;
                Some(match self.task {
                    Task::Classification => t.align_classes(source.class_names())?,
                    Task::Regression => {
                        t.label_values()?;
                        t
                    }
                })
            }
            None => None,
        };
        Ok(self)
    }

    /// Applies `f` (e.g. an input transformation) to every monitored data set.
    pub(crate) fn map(self, f: impl Fn(&Dataset) -> Result<Dataset>) -> Result<Self> {
        Ok(Self {
            source: f(&self.source)?,
            target_test: self.target_test.as_ref().map(&f).transpose()?,
            task: self.task,
        })
    }

    /// `(source R^2, target R^2)` of a regression model's `predict_values`.
    pub(crate) fn r2s(
        &self,
        predict: impl Fn(&Dataset) -> Result<Vec<f64>>,
    ) -> Result<(f64, Option<f64>)> {
        let measure = |d: &Dataset| -> Result<f64> { Ok(r2(&predict(d)?, &d.label_values()?)) };
        let target = match &self.target_test {
            Some(t) => Some(measure(t)?),
            None => None,
        };
        Ok((measure(&self.source)?, target))
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
