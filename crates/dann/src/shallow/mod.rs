//! Shallow DANN with hand-written sparse kernels: the paper's Algorithm 1 (Ganin et al.,
//! JMLR 2016, sec. 4.1) and a minibatch variant.
//!
//! Network: `G_f(x) = sigm(b + W x)` (one hidden layer), `G_y = softmax(c + V G_f)`,
//! `G_d = sigm(d + u . G_f)` (probability of "target"). Inputs stay sparse: a step touches only
//! the weight rows of the input's non-zero features, so it costs `O(nnz x hidden)` instead of
//! `O(n_features x hidden)`.
//!
//! [`ShallowDann::gradients`] is the gradient of exactly the objective that the burn model
//! trains ([`crate::nn::loss::cross_entropy`] + [`crate::nn::loss::domain_loss`], gradient reversal of
//! weight `lambda`), and the initial weights for a seed equal those of
//! [`crate::deep::DannConfig::shallow`]; a test checks both against burn. Algorithm 1 sums the
//! domain losses of its source and target example and moves the domain classifier with step
//! `mu * lambda`; in terms of our averaged domain loss that is a reversal weight of `2 lambda`
//! and a domain-classifier step scaled by `2 lambda`, which is what [`ShallowDann::sgd_step`] does.

mod blocked;
mod engine;
mod fit;
mod init;
mod math;
mod model;
mod momentum;
mod sparse;
mod stopping;

pub use engine::{IterationsFit, check_supported, fit_iterations, unsupported};
pub use fit::{EpochRecord, Kernel, ShallowConfig, ShallowFit};
pub use init::ShallowInit;
pub use model::{Parameters, ShallowDann};
pub use sparse::{Gradients, Scratch};
pub use stopping::Stopping;
