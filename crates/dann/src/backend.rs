//! The backends this crate names; model code takes any burn `Backend`.

/// The default CPU backend (burn's pure-Rust `flex`).
pub type CpuBackend = burn::backend::Flex;
/// [`CpuBackend`] with automatic differentiation, for training.
pub type CpuAutodiff = burn::backend::Autodiff<CpuBackend>;

/// Whether `B` is [`CpuBackend`] (pass an autodiff backend's `InnerBackend`): there, reading
/// a scalar back costs nothing and the fused convolution kernels run.
pub fn is_cpu<B: burn::tensor::backend::Backend>() -> bool {
    std::any::TypeId::of::<B>() == std::any::TypeId::of::<CpuBackend>()
}
