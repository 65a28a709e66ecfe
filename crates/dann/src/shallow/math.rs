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
