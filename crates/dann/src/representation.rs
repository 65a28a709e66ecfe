//! What every trained model offers to the analyses: the learned representation `G_f(x)`.

use crate::data::{Dataset, DenseMatrix, Features};
use crate::error::Result;

/// A trained feature extractor `G_f`: the burn model ([`crate::deep::FittedDann`]) and the
/// shallow network ([`crate::shallow::ShallowDann`]) both map input rows to their hidden
/// representation, which the proxy A-distance and the shift analysis measure.
pub trait FeatureMap {
    /// Number of input features the model takes.
    fn n_inputs(&self) -> usize;

    /// `G_f(x)` of every row of `data`, `[n, d_feat]`; `data` must have
    /// [`n_inputs`](Self::n_inputs) features.
    fn feature_matrix(&self, data: &Dataset) -> Result<DenseMatrix>;

    /// The representation of `data` as an unlabelled data set, ready for any learner.
    fn feature_dataset(&self, data: &Dataset) -> Result<Dataset> {
        Ok(Dataset::unlabelled(Features::Dense(
            self.feature_matrix(data)?,
        )))
    }
}
