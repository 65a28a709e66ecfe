//! Exact per-example SGD on dense inputs, a block of steps at a time with matrix products.
//!
//! Per-example SGD changes the input weights by one rank-one term per row,
//! `W -= lr x_r ga_r^T` (`ga_r`: the gradient at row `r`'s hidden pre-activations). Inside a
//! block of steps that started from `W_0`, row `r`'s pre-activation under the current weights
//! is therefore
//!
//! `W^T x_r = W_0^T x_r - sum over rows s of earlier steps of lr (x_s . x_r) ga_s`,
//!
//! so one product `X W_0` and one Gram matrix `X X^T` per block give every row's
//! pre-activation at `O(rows x hidden)` per row, and one product `X^T GA` applies the block's
//! updates. The trajectory is the per-example kernel's up to float rounding (a test checks
//! it), but the work is three matrix products (faer's gemm) instead of two matrix-vector
//! passes over `W` per row: on 30,000 dense mSDA features this is several times faster.

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::{Accum, MatMut, MatRef, Par};

use super::model::ShallowDann;
use super::sparse::{Forward, Inputs, Scratch, Step};
use crate::data::Row;

/// Rows (source and target together) per block: the Gram matrix costs `rows x n_features`
/// per row against `4 hidden x n_features` for the weight products, so a block about as
/// large as the hidden layer balances gemm efficiency against the Gram matrix's cost.
pub(super) const BLOCK_ROWS: usize = 32;

/// Buffers of the blocked kernel, reused across blocks.
#[derive(Debug, Default)]
pub(super) struct Blocked {
    /// The block's rows, `[rows][n_features]`.
    x: Vec<f32>,
    /// `X W_0`, then the corrected pre-activations, `[rows][hidden]`.
    xw: Vec<f32>,
    /// `X X^T` (strictly lower part used), `[rows][rows]`.
    gram: Vec<f32>,
    /// `lr * ga` of every row processed so far, `[rows][hidden]`.
    ga: Vec<f32>,
}

impl Blocked {
    /// Runs `steps` in order, as [`ShallowDann::step_with`] would one by one; `on_step` sees
    /// each step's `(label loss, domain loss)` and may stop the block by returning an error.
    pub(super) fn run<'a, E>(
        &mut self,
        model: &mut ShallowDann,
        steps: &[Step<'_>],
        inputs: &Inputs<'a>,
        scratch: &mut Scratch,
        mut on_step: impl FnMut(f32, f32) -> Result<(), E>,
    ) -> Result<(), E> {
        let (d, hd) = (model.n_features, model.hidden);
        let rows: usize = steps.iter().map(|s| s.source.len() + s.target.len()).sum();
        self.x.resize(rows * d, 0.0);
        self.xw.resize(rows * hd, 0.0);
        self.gram.resize(rows * rows, 0.0);
        self.ga.resize(rows * hd, 0.0);
        let row_indices = steps.iter().flat_map(|s| {
            let src = s.source.iter().map(|&i| (inputs.source, i));
            src.chain(s.target.iter().map(|&i| (inputs.target, i)))
        });
        for ((data, i), dst) in row_indices.zip(self.x.chunks_exact_mut(d)) {
            data.features().write_row(i, dst);
        }
        let x = MatRef::from_row_major_slice(&self.x, rows, d);
        matmul(
            MatMut::from_row_major_slice_mut(&mut self.xw, rows, hd),
            Accum::Replace,
            x,
            MatRef::from_row_major_slice(&model.w, d, hd),
            1.0,
            Par::Seq,
        );
        triangular::matmul(
            MatMut::from_row_major_slice_mut(&mut self.gram, rows, rows),
            BlockStructure::StrictTriangularLower,
            Accum::Replace,
            x,
            BlockStructure::Rectangular,
            x.transpose(),
            BlockStructure::Rectangular,
            1.0,
            Par::Seq,
        );

        let mut src: Vec<(Row<'a>, usize)> = Vec::new();
        let mut tgt: Vec<Row<'a>> = Vec::new();
        let mut r0 = 0;
        for step in steps {
            let n = step.source.len() + step.target.len();
            // Earlier steps' updates, seen through the Gram matrix.
            for r in r0..r0 + n {
                let pre = &mut self.xw[r * hd..(r + 1) * hd];
                let g = &self.gram[r * rows..r * rows + r0];
                for (s, &xsr) in g.iter().enumerate() {
                    for (p, &a) in pre.iter_mut().zip(&self.ga[s * hd..(s + 1) * hd]) {
                        *p -= xsr * a;
                    }
                }
            }
            inputs.rows(step, &mut src, &mut tgt);
            let (l, dl, gb, gd) = model.backward(
                &src,
                &tgt,
                inputs.lambda,
                scratch,
                Forward::PreActivations(&self.xw[r0 * hd..(r0 + n) * hd]),
            );
            for (dst, &g) in self.ga[r0 * hd..(r0 + n) * hd]
                .iter_mut()
                .zip(&scratch.ga[..n * hd])
            {
                *dst = inputs.lr * g;
            }
            model.step_head(
                &gb,
                gd,
                !tgt.is_empty(),
                inputs.domain_step,
                inputs.lr,
                scratch,
            );
            r0 += n;
            on_step(l, dl)?;
        }
        // The block's updates of W at once: W -= X^T (lr GA).
        matmul(
            MatMut::from_row_major_slice_mut(&mut model.w, d, hd),
            Accum::Add,
            x.transpose(),
            MatRef::from_row_major_slice(&self.ga, rows, hd),
            -1.0,
            Par::Seq,
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::problem::Mode;
    use crate::shallow::fit::{Kernel, ShallowConfig};
    use crate::shallow::init::ShallowInit;
    use crate::testing::{close, random_dense_labelled};

    /// The blocked dense kernel follows the per-example kernel's trajectory: after several
    /// epochs (many blocks, a partial last block) the weights agree up to float rounding, for
    /// Algorithm 1, the minibatch variant and source-only training.
    #[test]
    fn blocked_kernel_matches_the_per_example_kernel() {
        let rng = &mut ChaCha8Rng::seed_from_u64(11);
        let source = random_dense_labelled(75, 300, rng);
        let target = random_dense_labelled(60, 300, rng).without_labels();
        for (mode, batch_size) in [(Mode::Dann, 1), (Mode::Dann, 3), (Mode::SourceOnly, 1)] {
            let cfg = ShallowConfig {
                mode,
                batch_size,
                hidden: 9,
                lambda: 0.5,
                lr: 0.05,
                epochs: 4,
                patience: 0,
                ..Default::default()
            };
            let fit = |kernel| {
                ShallowConfig {
                    kernel,
                    ..cfg.clone()
                }
                .fit(&source, &target, None)
                .unwrap()
            };
            let (a, b) = (fit(Kernel::Sparse), fit(Kernel::Blocked));
            assert_eq!(Kernel::Auto.resolve(&source, &target), Kernel::Blocked);
            let (pa, pb) = (a.model.parameters(), b.model.parameters());
            let moved =
                pa.w.iter()
                    .zip(
                        &ShallowDann::with_init(300, 9, 2, 0, ShallowInit::Glorot)
                            .unwrap()
                            .w,
                    )
                    .any(|(x, y)| (x - y).abs() > 1e-2);
            assert!(moved, "{mode:?}/{batch_size}: training did not move W");
            close(pb.w, pa.w, "W");
            close(pb.b, pa.b, "b");
            close(pb.v, pa.v, "V");
            close(pb.u, pa.u, "u");
            for (ra, rb) in a.history.iter().zip(&b.history) {
                assert!((ra.label_loss - rb.label_loss).abs() < 1e-4);
            }
        }
    }
}
