//! The sparse kernels: forward and backward pass over a batch of rows, touching only the
//! weight rows of each input's non-zero features, and the fused SGD update (Algorithm 1 and
//! its minibatch variant).

use super::math::{axpy, sigmoid, softplus};
use super::model::ShallowDann;
use crate::data::{Dataset, Row};

/// One step: source rows (with labels) and target rows, as indices into the data sets.
pub(super) struct Step<'a> {
    pub source: &'a [usize],
    pub target: &'a [usize],
}

/// The data and step sizes of a run, shared by both kernels.
pub(super) struct Inputs<'a> {
    pub source: &'a Dataset,
    pub labels: &'a [usize],
    pub target: &'a Dataset,
    pub lambda: f32,
    pub domain_step: f32,
    pub lr: f32,
}

impl<'a> Inputs<'a> {
    /// The rows of `step` as the kernels take them: source rows with labels, target rows.
    pub(super) fn rows(
        &self,
        step: &Step<'_>,
        src: &mut Vec<(Row<'a>, usize)>,
        tgt: &mut Vec<Row<'a>>,
    ) {
        src.clear();
        src.extend(
            step.source
                .iter()
                .map(|&i| (self.source.row(i), self.labels[i])),
        );
        tgt.clear();
        tgt.extend(step.target.iter().map(|&i| self.target.row(i)));
    }
}

/// Gradients of the objective, dense (for tests and inspection).
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// `dL/dW`, `[n_features][hidden]` (the layout of burn's `Linear` weight).
    pub w: Vec<f32>,
    /// `dL/db`, `[hidden]`.
    pub b: Vec<f32>,
    /// `dL/dV`, `[hidden][n_classes]`.
    pub v: Vec<f32>,
    /// `dL/dc`, `[n_classes]`.
    pub c: Vec<f32>,
    /// `dL/du`, `[hidden]`.
    pub u: Vec<f32>,
    /// `dL/dd`.
    pub d: f32,
}

/// Where [`ShallowDann::backward`] gets the hidden activations of a batch.
#[derive(Debug, Clone, Copy)]
pub(super) enum Forward<'a> {
    /// Computes them from the rows.
    Compute,
    /// From `W^T x` of every row, computed by the caller (the bias is added here).
    PreActivations(&'a [f32]),
    /// The caller already wrote them into [`Scratch`]'s `h`, as `Compute` would.
    Done,
}

/// Per-step scratch space, reused across steps (see [`ShallowDann::sgd_step`]).
#[derive(Debug, Default)]
pub struct Scratch {
    /// Hidden activations, one row of `hidden` per example.
    pub(super) h: Vec<f32>,
    /// Gradient at the hidden pre-activations, one row per example.
    pub(super) ga: Vec<f32>,
    pub(super) gv: Vec<f32>,
    pub(super) gc: Vec<f32>,
    pub(super) gu: Vec<f32>,
    pub(super) p: Vec<f32>,
    /// Rows of the last batch whose domain the domain classifier got right.
    pub(super) domain_right: usize,
}

impl ShallowDann {
    /// Forward and backward pass over a batch: fills `s` with the hidden activations and the
    /// pre-activation gradients of each row, and the gradients of `V, c, u, d, b`. Returns
    /// `(label loss, domain loss, gb, gd)`. `forward` says where the hidden activations come
    /// from (rows are source rows, then target rows; `hidden` values each).
    #[inline(always)]
    pub(super) fn backward(
        &self,
        source: &[(Row<'_>, usize)],
        target: &[Row<'_>],
        lambda: f32,
        s: &mut Scratch,
        forward: Forward<'_>,
    ) -> (f32, f32, Vec<f32>, f32) {
        let (hd, nc) = (self.hidden, self.n_classes);
        let rows = source.len() + target.len();
        s.h.resize(rows * hd, 0.0);
        s.ga.resize(rows * hd, 0.0);
        s.gv.clear();
        s.gv.resize(hd * nc, 0.0);
        s.gc.clear();
        s.gc.resize(nc, 0.0);
        s.gu.clear();
        s.gu.resize(hd, 0.0);
        s.p.resize(nc, 0.0);
        let mut gb = vec![0.0f32; hd];
        let mut gd = 0.0f32;
        let (mut label_loss, mut domain_loss) = (0.0f32, 0.0f32);
        s.domain_right = 0;
        let adversarial = !target.is_empty();
        let ns = source.len().max(1) as f32;
        let nt = target.len().max(1) as f32;
        let examples = source
            .iter()
            .map(|&(x, y)| (x, Some(y)))
            .chain(target.iter().map(|&x| (x, None)));
        for (r, (x, y)) in examples.enumerate() {
            let h = &mut s.h[r * hd..(r + 1) * hd];
            match forward {
                Forward::Done => {}
                Forward::PreActivations(xw) => {
                    for ((hj, &a), &b) in h.iter_mut().zip(&xw[r * hd..(r + 1) * hd]).zip(&self.b) {
                        *hj = sigmoid(a + b);
                    }
                }
                Forward::Compute => self.hidden_into(x, h),
            }
            let ga = &mut s.ga[r * hd..(r + 1) * hd];
            ga.fill(0.0);
            if let Some(y) = y {
                // Label head: dL/dz = (p - e_y) / ns.
                self.class_proba(h, &mut s.p);
                label_loss -= s.p[y].max(f32::MIN_POSITIVE).ln() / ns;
                s.p[y] -= 1.0;
                for dz in s.p.iter_mut() {
                    *dz /= ns;
                }
                for (c, &dz) in s.gc.iter_mut().zip(&s.p) {
                    *c += dz;
                }
                for (j, &hj) in h.iter().enumerate() {
                    let vj = &self.v[j * nc..(j + 1) * nc];
                    let gvj = &mut s.gv[j * nc..(j + 1) * nc];
                    let mut back = 0.0;
                    for ((g, &v), &dz) in gvj.iter_mut().zip(vj).zip(&s.p) {
                        *g += hj * dz;
                        back += v * dz;
                    }
                    ga[j] = back;
                }
            }
            if adversarial {
                // Domain head, label 0 for source and 1 for target, averaged per domain and
                // over the two domains: dL/dz = (sigm(z) - t) / (2 n_domain).
                let z = self.domain_logit(h);
                let (t, n) = if y.is_some() { (0.0, ns) } else { (1.0, nt) };
                s.domain_right += usize::from((z > 0.0) == (t > 0.5));
                domain_loss += (softplus(z) - t * z) / (2.0 * n);
                let dz = (sigmoid(z) - t) / (2.0 * n);
                gd += dz;
                // Gradient reversal: the features get -lambda times the domain gradient.
                for ((g, gaj), (&hj, &uj)) in
                    s.gu.iter_mut()
                        .zip(ga.iter_mut())
                        .zip(h.iter().zip(&self.u))
                {
                    *g += dz * hj;
                    *gaj -= lambda * dz * uj;
                }
            }
            for ((gaj, &hj), gbj) in ga.iter_mut().zip(h.iter()).zip(gb.iter_mut()) {
                *gaj *= hj * (1.0 - hj);
                *gbj += *gaj;
            }
        }
        (label_loss, domain_loss, gb, gd)
    }

    /// Dense gradients of `cross_entropy + domain_loss` (with a gradient reversal of weight
    /// `lambda`) on a batch; `target` empty means the source-only objective.
    pub fn gradients(
        &self,
        source: &[(Row<'_>, usize)],
        target: &[Row<'_>],
        lambda: f32,
    ) -> Gradients {
        let mut s = Scratch::default();
        let (_, _, gb, gd) = self.backward(source, target, lambda, &mut s, Forward::Compute);
        let hd = self.hidden;
        let mut w = vec![0.0; self.n_features * hd];
        let rows = source.iter().map(|r| r.0).chain(target.iter().copied());
        for (r, x) in rows.enumerate() {
            let ga = &s.ga[r * hd..(r + 1) * hd];
            x.for_each_nonzero(
                #[inline(always)]
                |k, xk| {
                    for (g, &a) in w[k * hd..(k + 1) * hd].iter_mut().zip(ga) {
                        *g += xk * a;
                    }
                },
            );
        }
        Gradients {
            w,
            b: gb,
            v: s.gv,
            c: s.gc,
            u: s.gu,
            d: gd,
        }
    }

    /// One SGD step of learning rate `lr` on a batch. With one source and one target row and
    /// `domain_step = 2 lambda` this is one iteration of Algorithm 1 (see the module docs).
    /// Returns `(label loss, domain loss)` before the update.
    ///
    /// The step runs under run-time dispatch (`math::dispatch`): compiled for AVX2 and FMA
    /// where the CPU has them, with the same results as the baseline build.
    pub(super) fn step_with(
        &mut self,
        source: &[(Row<'_>, usize)],
        target: &[Row<'_>],
        lambda: f32,
        domain_step: f32,
        lr: f32,
        s: &mut Scratch,
    ) -> (f32, f32) {
        super::math::dispatch(
            #[inline(always)]
            || {
                let (label_loss, domain_loss, gb, gd) =
                    self.backward(source, target, lambda, s, Forward::Compute);
                let hd = self.hidden;
                let rows = source.iter().map(|r| r.0).chain(target.iter().copied());
                for (r, x) in rows.enumerate() {
                    let ga = &s.ga[r * hd..(r + 1) * hd];
                    x.for_each_nonzero(
                        #[inline(always)]
                        |k, xk| {
                            let scale = lr * xk;
                            for (w, &a) in self.w[k * hd..(k + 1) * hd].iter_mut().zip(ga) {
                                *w -= scale * a;
                            }
                        },
                    );
                }
                self.step_head(&gb, gd, !target.is_empty(), domain_step, lr, s);
                (label_loss, domain_loss)
            },
        )
    }

    /// The SGD update of everything but `W`: `b, V, c` and, when adversarial, `u, d`.
    #[inline(always)]
    pub(super) fn step_head(
        &mut self,
        gb: &[f32],
        gd: f32,
        adversarial: bool,
        domain_step: f32,
        lr: f32,
        s: &Scratch,
    ) {
        axpy(&mut self.b, -lr, gb);
        axpy(&mut self.v, -lr, &s.gv);
        axpy(&mut self.c, -lr, &s.gc);
        if adversarial {
            axpy(&mut self.u, -lr * domain_step, &s.gu);
            self.d -= lr * domain_step * gd;
        }
    }

    /// One step of the minibatch variant on the given rows (public for benchmarks): source
    /// rows with labels, target rows, Algorithm 1's `lambda` and learning rate.
    pub fn sgd_step(
        &mut self,
        source: &[(Row<'_>, usize)],
        target: &[Row<'_>],
        lambda: f32,
        lr: f32,
        scratch: &mut Scratch,
    ) -> (f32, f32) {
        self.step_with(source, target, 2.0 * lambda, 2.0 * lambda, lr, scratch)
    }
}

#[cfg(test)]
mod tests {
    use burn::backend::{Autodiff, Flex};
    use burn::tensor::{Int, Tensor, TensorData};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::deep::model::DannConfig;
    use crate::nn::loss::{cross_entropy, domain_loss};
    use crate::testing::{close, dense_rows, random_sparse};

    type B = Autodiff<Flex>;

    /// The sparse kernels against burn's autodiff on the same weights and inputs: outputs
    /// and every parameter's gradient agree within float tolerance.
    #[test]
    fn kernels_match_burn_outputs_and_gradients() {
        let (d, hd, nc, seed) = (12, 7, 3, 42);
        let rng = &mut ChaCha8Rng::seed_from_u64(9);
        let src = random_sparse(4, d, rng);
        let tgt = random_sparse(3, d, rng);
        let labels = [2usize, 0, 1, 2];
        let lambda = 0.7f32;
        let ours = ShallowDann::new(d, hd, nc, seed).unwrap();
        let device = Default::default();
        let model = DannConfig::shallow(hd)
            .init::<B>(d, nc, seed, &device)
            .unwrap();

        // Outputs: hidden features and class probabilities.
        let xs = Tensor::<B, 2>::from_data(TensorData::new(dense_rows(&src), [4, d]), &device);
        let xt = Tensor::<B, 2>::from_data(TensorData::new(dense_rows(&tgt), [3, d]), &device);
        let h = model.features(Tensor::cat(vec![xs, xt], 0));
        let burn_h: Vec<f32> = h.to_data().to_vec().unwrap();
        let mut our_h = ours.features(&src);
        our_h.extend(ours.features(&tgt));
        close(&our_h, &burn_h, "G_f");
        let burn_p =
            burn::tensor::activation::softmax(model.classify(h.clone().narrow(0, 0, 4)), 1);
        close(
            &ours.predict_proba(&src),
            &burn_p.to_data().to_vec::<f32>().unwrap(),
            "G_y",
        );

        // Gradients of label loss + domain loss through the gradient reversal layer.
        let ys = Tensor::<B, 1, Int>::from_data(
            TensorData::new(labels.iter().map(|&l| l as i64).collect::<Vec<_>>(), [4]),
            &device,
        );
        let logits = model.discriminate(h.clone(), f64::from(lambda));
        let loss = cross_entropy(model.classify(h.narrow(0, 0, 4)), ys)
            + domain_loss(logits.clone().narrow(0, 0, 4), logits.narrow(0, 4, 3));
        let grads = loss.backward();
        let g = |p: &burn::module::Param<Tensor<B, 2>>| -> Vec<f32> {
            p.grad(&grads).unwrap().to_data().to_vec().unwrap()
        };
        let g1 = |p: &burn::module::Param<Tensor<B, 1>>| -> Vec<f32> {
            p.grad(&grads).unwrap().to_data().to_vec().unwrap()
        };
        let src_rows: Vec<(Row<'_>, usize)> = (0..4).map(|i| (src.row(i), labels[i])).collect();
        let tgt_rows: Vec<Row<'_>> = (0..3).map(|i| tgt.row(i)).collect();
        let ours_g = ours.gradients(&src_rows, &tgt_rows, lambda);
        let feat = &model.feature.layers[0];
        close(&ours_g.w, &g(&feat.weight), "dW");
        close(&ours_g.b, &g1(feat.bias.as_ref().unwrap()), "db");
        close(&ours_g.v, &g(&model.label_out.weight), "dV");
        close(&ours_g.c, &g1(model.label_out.bias.as_ref().unwrap()), "dc");
        close(&ours_g.u, &g(&model.domain_out.weight), "du");
        close(
            &[ours_g.d],
            &g1(model.domain_out.bias.as_ref().unwrap()),
            "dd",
        );
    }

    /// A step with the fused sparse update equals a dense gradient step.
    #[test]
    fn sparse_step_applies_the_gradient() {
        let rng = &mut ChaCha8Rng::seed_from_u64(1);
        let src = random_sparse(2, 9, rng);
        let tgt = random_sparse(2, 9, rng);
        let model = ShallowDann::new(9, 5, 2, 3).unwrap();
        let s: Vec<(Row<'_>, usize)> = vec![(src.row(0), 1), (src.row(1), 0)];
        let t: Vec<Row<'_>> = vec![tgt.row(0), tgt.row(1)];
        let (lambda, lr) = (0.3f32, 0.1f32);
        let g = model.gradients(&s, &t, 2.0 * lambda);
        let mut stepped = model.clone();
        stepped.sgd_step(&s, &t, lambda, lr, &mut Scratch::default());
        let want_w: Vec<f32> = model.w.iter().zip(&g.w).map(|(w, g)| w - lr * g).collect();
        close(&stepped.w, &want_w, "W");
        let want_u: Vec<f32> = model
            .u
            .iter()
            .zip(&g.u)
            .map(|(u, g)| u - lr * 2.0 * lambda * g)
            .collect();
        close(&stepped.u, &want_u, "u (domain step scaled by 2 lambda)");
    }
}
