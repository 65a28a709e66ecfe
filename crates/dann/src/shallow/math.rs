//! Scalar and vector helpers of the kernels, inlined into their SIMD-dispatched loops.

#[inline(always)]
pub(super) fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

#[inline(always)]
pub(super) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[inline(always)]
pub(super) fn softplus(z: f32) -> f32 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

#[inline(always)]
pub(super) fn softmax_in_place(p: &mut [f32]) {
    let m = p.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in p.iter_mut() {
        *v = (*v - m).exp();
        sum += *v;
    }
    for v in p.iter_mut() {
        *v /= sum;
    }
}

/// Runs `f` compiled for the best instruction set the CPU has (AVX2 and FMA on most x86-64),
/// through `pulp`'s run-time dispatch. `f`, and every loop it should speed up, must be
/// `#[inline(always)]` (closures included): code not inlined into the dispatched function runs
/// the baseline instructions. `f` is called as `FnMut`, whose call is the closure's own body;
/// a closure called as `FnOnce` goes through a shim that is not inlined. Results are the same
/// on every path: Rust never fuses a multiply and an add on its own, and the loops that
/// vectorise are element-wise (sums over an index stay sequential).
#[inline(always)]
pub(super) fn dispatch<R>(f: impl FnMut() -> R) -> R {
    struct Op<F>(F);
    impl<R, F: FnMut() -> R> pulp::WithSimd for Op<F> {
        type Output = R;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(mut self, _: S) -> R {
            (self.0)()
        }
    }
    pulp::Arch::new().dispatch(Op(f))
}
