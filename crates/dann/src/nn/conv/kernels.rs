//! A 2-D convolution (stride 1, zero padding) with bias, ReLU and max-pooling, fused, on
//! `f32` slices: forward and the three backward products, each one gemm (faer) over the
//! im2col matrix of a chunk of images, chunks spread over the rayon threads.
//!
//! burn's CPU backend runs a 2-D convolution as a 3-D one behind layout copies; on the paper's
//! MNIST network about three quarters of its step was copying and allocation around the gemm
//! (see `results/cnn_cpu.md`). These kernels are what the burn model computes (tests compare
//! outputs and every gradient) with one im2col copy per direction.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;

/// The shapes of one fused layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvShape {
    /// Images.
    pub batch: usize,
    /// Input channels, height, width.
    pub input: [usize; 3],
    /// Output channels.
    pub channels: usize,
    /// Kernel size.
    pub kernel: usize,
    /// Zero padding on each side.
    pub padding: usize,
    /// Max-pooling window (1: none).
    pub pool: usize,
    /// Max-pooling stride.
    pub stride: usize,
}

impl ConvShape {
    /// Height and width of the convolution's output.
    pub fn conv_size(&self) -> [usize; 2] {
        let [_, h, w] = self.input;
        let k = self.kernel;
        [h + 2 * self.padding + 1 - k, w + 2 * self.padding + 1 - k]
    }

    /// Height and width after pooling.
    pub fn out_size(&self) -> [usize; 2] {
        let [ch, cw] = self.conv_size();
        [
            (ch - self.pool) / self.stride + 1,
            (cw - self.pool) / self.stride + 1,
        ]
    }

    /// Values per output image.
    pub fn out_len(&self) -> usize {
        let [ph, pw] = self.out_size();
        self.channels * ph * pw
    }

    fn in_len(&self) -> usize {
        self.input.iter().product()
    }

    /// Rows of the im2col matrix: `C * K * K`.
    fn patch(&self) -> usize {
        self.input[0] * self.kernel * self.kernel
    }

    /// Images per chunk: about 4,096 im2col columns, enough for an efficient gemm. It does
    /// not depend on the number of threads, so neither do the results: the chunks' weight and
    /// bias gradients are summed in chunk order whichever thread computed them.
    fn chunk(&self) -> usize {
        let [ch, cw] = self.conv_size();
        (4096 / (ch * cw).max(1)).clamp(1, self.batch.max(1))
    }
}

/// What the backward pass needs from the forward one: for each pooled output, the position
/// (in its channel's convolution output) of the maximum, or `u32::MAX` where the maximum was
/// not positive (ReLU passes no gradient there).
#[derive(Debug, Clone)]
pub struct Saved {
    argmax: Vec<u32>,
}

/// The output columns `ox` whose input column `ox + kx - padding` lies inside a row of
/// `w` values, and that input column for the first of them.
fn valid(kx: usize, padding: usize, w: usize, cw: usize) -> (std::ops::Range<usize>, usize) {
    let first = padding.saturating_sub(kx);
    let last = (w + padding).saturating_sub(kx).min(cw);
    (first..last.max(first), first + kx - padding)
}

/// `dst = src` for the short rows of im2col (a few to a few dozen values), in fixed-size
/// blocks that compile to vector moves rather than calls to `memcpy`.
fn copy_short(dst: &mut [f32], src: &[f32]) {
    let mut d = dst.chunks_exact_mut(8);
    let mut s = src.chunks_exact(8);
    for (a, b) in (&mut d).zip(&mut s) {
        let b: &[f32; 8] = b.try_into().expect("chunks of 8");
        a.copy_from_slice(b);
    }
    for (a, b) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *a = *b;
    }
}

/// im2col of images `x` (`nb` images): row `(c, ky, kx)`, column `(image, oy, ox)`.
fn im2col(s: &ConvShape, x: &[f32], nb: usize, cols: &mut Vec<f32>) {
    let [c_in, h, w] = s.input;
    let [ch, cw] = s.conv_size();
    let (k, p) = (s.kernel, s.padding);
    let n_cols = nb * ch * cw;
    // Without padding every value is written below; with it, the border stays zero.
    cols.resize(s.patch() * n_cols, 0.0);
    if p > 0 {
        cols.fill(0.0);
    }
    for c in 0..c_in {
        for ky in 0..k {
            // Output rows whose input row oy + ky - p is inside the image.
            let rows = p.saturating_sub(ky)..(h + p).saturating_sub(ky).min(ch);
            for kx in 0..k {
                let (span, x0) = valid(kx, p, w, cw);
                let row = &mut cols[((c * k + ky) * k + kx) * n_cols..][..n_cols];
                for n in 0..nb {
                    let image = &x[(n * c_in + c) * h * w..][..h * w];
                    for oy in rows.clone() {
                        let y = oy + ky - p;
                        let out = &mut row[(n * ch + oy) * cw..][span.clone()];
                        copy_short(out, &image[y * w + x0..][..span.len()]);
                    }
                }
            }
        }
    }
}

/// Adds the im2col-shaped `cols` back onto images `dx` (the transpose of [`im2col`]).
fn col2im(s: &ConvShape, cols: &[f32], nb: usize, dx: &mut [f32]) {
    let [c_in, h, w] = s.input;
    let [ch, cw] = s.conv_size();
    let (k, p) = (s.kernel, s.padding);
    let n_cols = nb * ch * cw;
    for c in 0..c_in {
        for ky in 0..k {
            let rows = p.saturating_sub(ky)..(h + p).saturating_sub(ky).min(ch);
            for kx in 0..k {
                let (span, x0) = valid(kx, p, w, cw);
                let row = &cols[((c * k + ky) * k + kx) * n_cols..][..n_cols];
                for n in 0..nb {
                    let image = &mut dx[(n * c_in + c) * h * w..][..h * w];
                    for oy in rows.clone() {
                        let y = oy + ky - p;
                        let src = &row[(n * ch + oy) * cw..][span.clone()];
                        let line = &mut image[y * w + x0..][..span.len()];
                        line.iter_mut().zip(src).for_each(|(d, v)| *d += v);
                    }
                }
            }
        }
    }
}

/// `max_pool(relu(conv(x, weight) + bias))` for `x` of `[batch, C, H, W]` and `weight` of
/// `[O, C, K, K]`; returns `[batch, O, H', W']` and what the backward pass needs.
pub fn forward(s: &ConvShape, x: &[f32], weight: &[f32], bias: &[f32]) -> (Vec<f32>, Saved) {
    let [ch, cw] = s.conv_size();
    let [ph, pw] = s.out_size();
    let (o_len, in_len, chunk) = (s.out_len(), s.in_len(), s.chunk());
    let mut out = vec![0f32; s.batch * o_len];
    let mut argmax = vec![u32::MAX; s.batch * o_len];
    out.par_chunks_mut(chunk * o_len)
        .zip(argmax.par_chunks_mut(chunk * o_len))
        .enumerate()
        .for_each_init(
            || (Vec::new(), Vec::new()),
            |(cols, conv), (i, (out, argmax))| {
                let nb = out.len() / o_len;
                let n_cols = nb * ch * cw;
                im2col(s, &x[i * chunk * in_len..][..nb * in_len], nb, cols);
                conv.resize(s.channels * n_cols, 0.0);
                matmul(
                    MatMut::from_row_major_slice_mut(conv, s.channels, n_cols),
                    Accum::Replace,
                    MatRef::from_row_major_slice(weight, s.channels, s.patch()),
                    MatRef::from_row_major_slice(cols, s.patch(), n_cols),
                    1.0,
                    Par::Seq,
                );
                for o in 0..s.channels {
                    for n in 0..nb {
                        let plane = &conv[o * n_cols + n * ch * cw..][..ch * cw];
                        let at = (n * s.channels + o) * ph * pw;
                        pool_plane(
                            s,
                            plane,
                            bias[o],
                            &mut out[at..][..ph * pw],
                            &mut argmax[at..][..ph * pw],
                        );
                    }
                }
            },
        );
    (out, Saved { argmax })
}

/// ReLU and max-pooling of one channel's convolution output `plane` (bias `b` added): the
/// pooled values into `out` and the position of each window's maximum into `argmax`, where
/// the value is positive (`out` and `argmax` start as 0 and `u32::MAX`).
fn pool_plane(s: &ConvShape, plane: &[f32], b: f32, out: &mut [f32], argmax: &mut [u32]) {
    let [_, cw] = s.conv_size();
    let [ph, pw] = s.out_size();
    let mut keep = |k: usize, best: f32, at: usize| {
        let v = best + b;
        if v > 0.0 {
            out[k] = v;
            argmax[k] = at as u32;
        }
    };
    if s.pool == 2 && s.stride == 2 {
        // The paper's pooling: two rows at a time, windows side by side.
        for py in 0..ph {
            let top = &plane[2 * py * cw..][..2 * pw];
            let bottom = &plane[(2 * py + 1) * cw..][..2 * pw];
            for px in 0..pw {
                let (mut best, mut at) = (top[2 * px], 2 * py * cw + 2 * px);
                for (v, q) in [
                    (top[2 * px + 1], at + 1),
                    (bottom[2 * px], at + cw),
                    (bottom[2 * px + 1], at + cw + 1),
                ] {
                    if v > best {
                        (best, at) = (v, q);
                    }
                }
                keep(py * pw + px, best, at);
            }
        }
        return;
    }
    for py in 0..ph {
        for px in 0..pw {
            let (mut best, mut best_at) = (f32::NEG_INFINITY, 0);
            for dy in 0..s.pool {
                let row = (py * s.stride + dy) * cw + px * s.stride;
                for (dx, &v) in plane[row..][..s.pool].iter().enumerate() {
                    if v > best {
                        (best, best_at) = (v, row + dx);
                    }
                }
            }
            keep(py * pw + px, best, best_at);
        }
    }
}

/// The gradients of [`forward`]'s output `grad` (`[batch, O, H', W']`) with respect to the
/// input (when `want_input`), the weight and the bias.
pub fn backward(
    s: &ConvShape,
    x: &[f32],
    weight: &[f32],
    saved: &Saved,
    grad: &[f32],
    want_input: bool,
) -> (Option<Vec<f32>>, Vec<f32>, Vec<f32>) {
    let [ch, cw] = s.conv_size();
    let [ph, pw] = s.out_size();
    let (in_len, chunk, patch) = (s.in_len(), s.chunk(), s.patch());
    let mut dx = vec![0f32; if want_input { s.batch * in_len } else { 0 }];
    let n_chunks = s.batch.div_ceil(chunk);
    let slots: Vec<Option<&mut [f32]>> = if want_input {
        dx.chunks_mut(chunk * in_len).map(Some).collect()
    } else {
        (0..n_chunks).map(|_| None).collect()
    };
    let partial: Vec<(Vec<f32>, Vec<f32>)> = slots
        .into_par_iter()
        .enumerate()
        .map_init(Vec::new, |cols, (i, dx)| {
            let nb = chunk.min(s.batch - i * chunk);
            let n_cols = nb * ch * cw;
            let mut dconv = vec![0f32; s.channels * n_cols];
            let mut dbias = vec![0f32; s.channels];
            for n in 0..nb {
                for o in 0..s.channels {
                    let at = ((i * chunk + n) * s.channels + o) * ph * pw;
                    let plane = &mut dconv[o * n_cols + n * ch * cw..][..ch * cw];
                    for k in 0..ph * pw {
                        let q = saved.argmax[at + k];
                        if q != u32::MAX {
                            plane[q as usize] += grad[at + k];
                            dbias[o] += grad[at + k];
                        }
                    }
                }
            }
            im2col(s, &x[i * chunk * in_len..][..nb * in_len], nb, cols);
            let mut dw = vec![0f32; s.channels * patch];
            let dconv_m = MatRef::from_row_major_slice(&dconv, s.channels, n_cols);
            matmul(
                MatMut::from_row_major_slice_mut(&mut dw, s.channels, patch),
                Accum::Replace,
                dconv_m,
                MatRef::from_row_major_slice(cols, patch, n_cols).transpose(),
                1.0,
                Par::Seq,
            );
            if let Some(dx) = dx {
                matmul(
                    MatMut::from_row_major_slice_mut(cols, patch, n_cols),
                    Accum::Replace,
                    MatRef::from_row_major_slice(weight, s.channels, patch).transpose(),
                    dconv_m,
                    1.0,
                    Par::Seq,
                );
                col2im(s, cols, nb, dx);
            }
            (dw, dbias)
        })
        .collect();
    let mut dw = vec![0f32; s.channels * patch];
    let mut dbias = vec![0f32; s.channels];
    for (w, b) in partial {
        dw.iter_mut().zip(&w).for_each(|(a, b)| *a += b);
        dbias.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
    }
    (want_input.then_some(dx), dw, dbias)
}
