//! The backends this crate names; model code takes any burn `Backend`.

/// The default CPU backend (burn's pure-Rust `flex`).
pub type CpuBackend = burn::backend::Flex;
/// [`CpuBackend`] with automatic differentiation, for training.
pub type CpuAutodiff = burn::backend::Autodiff<CpuBackend>;
