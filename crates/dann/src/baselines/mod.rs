//! The paper's baselines besides the source-only network: a linear SVM on the inputs and
//! mSDA features (marginalized stacked denoising autoencoders) to train on.

pub mod msda;
pub mod svm;
