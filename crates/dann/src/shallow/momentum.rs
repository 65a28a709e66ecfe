//! SGD with momentum on the kernels, as burn's (and PyTorch's) undampened momentum:
//! `v <- mu v + g`, `w <- w - lr v`, for every parameter, every step.
//!
//! The input weights `W` get a gradient only in the rows of a batch's non-zero features, but
//! with momentum every row with a velocity still moves. Those moves are applied lazily. A
//! row last touched at step `a` holds `w_{a-1}` and `v_a` (its own update `lr_a v_a` still
//! pending); with no gradient until step `b` it reaches
//! `w_b = w_{a-1} - sum_{s=a..b} lr_s mu^(s-a) v_a` and `v_b = mu^(b-a) v_a`. A prefix sum
//! `Q_s = sum_{r<s} lr_r mu^r` gives that sum in `O(1)`, so a batch brings the rows it reads
//! up to date in `O(hidden)` each and a step costs `O(nnz x hidden)`, as plain SGD does.
//! Every few dozen steps (before `mu^t` gets small enough to cost precision) all rows are
//! brought up to date and the sums start again.
//!
//! The velocities of `W` are stored scaled to the base: a row last updated at step `a` keeps
//! `u = v_a / mu^a`, so that its velocity at a later step `s` without a gradient is `mu^s u`,
//! its catch-up is `w -= (Q_{b+1} - Q_a) u` (one pass that writes only `W`), and a gradient
//! `g` at step `s` adds `g / mu^s` to `u`.

use super::math::{axpy, dispatch, sigmoid};
use super::model::ShallowDann;
use super::sparse::{Forward, Scratch};
use crate::data::Row;

/// Velocities and the lazy bookkeeping of `W`.
#[derive(Debug)]
pub(super) struct Momentum {
    mu: f32,
    /// `mu^i` for `i` up to the steps of a base.
    powers: Vec<f64>,
    /// Velocities of `W`, scaled to the base (see the module docs).
    vw: Vec<f32>,
    vb: Vec<f32>,
    vv: Vec<f32>,
    vc: Vec<f32>,
    vu: Vec<f32>,
    vd: f32,
    /// The step (counted from the base) whose update each row of `W` still owes; 0: none.
    touched_at: Vec<u32>,
    /// Steps done since the base.
    t: u32,
    /// `prefix[s] = sum_{r<s} lr_r mu^r` (`lr_0 = 0`), so `prefix[0] = prefix[1] = 0`.
    prefix: Vec<f64>,
}

impl Momentum {
    /// Zero velocities for `model`; `mu` in `(0, 1)`.
    pub(super) fn new(model: &ShallowDann, mu: f64) -> Self {
        let (d, hd, nc) = (model.n_features, model.hidden, model.n_classes);
        let steps_per_base = ((1e-6f64).ln() / mu.ln()).floor().clamp(1.0, 256.0) as usize;
        Self {
            mu: mu as f32,
            powers: (0..=steps_per_base + 1)
                .map(|i| mu.powi(i as i32))
                .collect(),
            vw: vec![0.0; d * hd],
            vb: vec![0.0; hd],
            vv: vec![0.0; hd * nc],
            vc: vec![0.0; nc],
            vu: vec![0.0; hd],
            vd: 0.0,
            touched_at: vec![0; d],
            t: 0,
            prefix: vec![0.0, 0.0],
        }
    }

    /// Steps per base.
    fn steps_per_base(&self) -> u32 {
        (self.powers.len() - 2) as u32
    }

    /// How far a row of `W` last updated at step `a` moves along its scaled velocity to reach
    /// step `to`: `Q_{to+1} - Q_a`.
    #[inline(always)]
    fn shift(&self, a: usize, to: u32) -> f32 {
        (self.prefix[to as usize + 1] - self.prefix[a]) as f32
    }

    /// Brings every row of `W` up to date, unscales the velocities and starts a new base.
    /// Call before reading the model.
    pub(super) fn sync_all(&mut self, model: &mut ShallowDann) {
        let hd = model.hidden;
        let rescale = self.powers[self.t as usize] as f32;
        for k in 0..model.n_features {
            let shift = self.shift(self.touched_at[k] as usize, self.t);
            let r = k * hd..(k + 1) * hd;
            catch_up(&mut model.w[r.clone()], &self.vw[r.clone()], shift);
            for u in &mut self.vw[r] {
                *u *= rescale;
            }
        }
        self.t = 0;
        self.touched_at.fill(0);
        self.prefix.truncate(2);
    }

    /// One step of learning rate `lr` on a batch, with a gradient reversal of weight `lambda`
    /// and the domain classifier on its plain gradient (the burn model's objective). Returns
    /// `(label loss, domain loss)` before the update.
    pub(super) fn step(
        &mut self,
        model: &mut ShallowDann,
        source: &[(Row<'_>, usize)],
        target: &[Row<'_>],
        lambda: f32,
        lr: f32,
        s: &mut Scratch,
    ) -> (f32, f32) {
        if self.t == self.steps_per_base() {
            self.sync_all(model);
        }
        let hd = model.hidden;
        let now = self.t + 1;
        let mu = self.mu;
        let rows = || source.iter().map(|r| r.0).chain(target.iter().copied());
        dispatch(
            #[inline(always)]
            || {
                // The forward pass (as `hidden_into`), each row of W brought to `w_{now-1}`
                // (its velocity to `mu v_{now-1}`) the first time the batch reads it.
                s.h.resize((source.len() + target.len()) * hd, 0.0);
                for (x, h) in rows().zip(s.h.chunks_exact_mut(hd)) {
                    h.copy_from_slice(&model.b);
                    x.for_each_nonzero(
                        #[inline(always)]
                        |k, xk| {
                            let r = k * hd..(k + 1) * hd;
                            if self.touched_at[k] != now {
                                let shift = self.shift(self.touched_at[k] as usize, now - 1);
                                catch_up(&mut model.w[r.clone()], &self.vw[r.clone()], shift);
                                self.touched_at[k] = now;
                            }
                            axpy(h, xk, &model.w[r]);
                        },
                    );
                    for hj in h.iter_mut() {
                        *hj = sigmoid(*hj);
                    }
                }
                let (label_loss, domain_loss, gb, gd) =
                    model.backward(source, target, lambda, s, Forward::Done);
                // v_now = mu v_{now-1} + g, scaled: u += g / mu^now; the row's own update,
                // lr v_now, is left pending.
                let unscale = (1.0 / self.powers[now as usize]) as f32;
                for (r, x) in rows().enumerate() {
                    let ga = &s.ga[r * hd..(r + 1) * hd];
                    x.for_each_nonzero(
                        #[inline(always)]
                        |k, xk| {
                            axpy(&mut self.vw[k * hd..(k + 1) * hd], xk * unscale, ga);
                        },
                    );
                }
                let update = |p: &mut [f32], v: &mut [f32], g: &[f32]| {
                    for ((p, v), &g) in p.iter_mut().zip(v.iter_mut()).zip(g) {
                        *v = mu * *v + g;
                        *p -= lr * *v;
                    }
                };
                update(&mut model.b, &mut self.vb, &gb);
                update(&mut model.v, &mut self.vv, &s.gv);
                update(&mut model.c, &mut self.vc, &s.gc);
                if !target.is_empty() {
                    update(&mut model.u, &mut self.vu, &s.gu);
                    self.vd = mu * self.vd + gd;
                    model.d -= lr * self.vd;
                }
                self.t = now;
                let last = self.prefix[now as usize];
                self.prefix
                    .push(last + f64::from(lr) * self.powers[now as usize]);
                (label_loss, domain_loss)
            },
        )
    }
}

/// Moves a row of `W` `shift` along its scaled velocity `u`.
#[inline(always)]
fn catch_up(w: &mut [f32], u: &[f32], shift: f32) {
    for (w, &u) in w.iter_mut().zip(u) {
        *w -= shift * u;
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::testing::{close, random_sparse};

    /// Lazy momentum equals dense momentum (every parameter's velocity updated every step)
    /// over enough steps to cross several bases, on sparse rows that leave many weight rows
    /// untouched for long stretches.
    #[test]
    fn lazy_momentum_equals_dense_momentum() {
        let rng = &mut ChaCha8Rng::seed_from_u64(2);
        let (d, hd) = (40, 5);
        let src = random_sparse(6, d, rng);
        let tgt = random_sparse(6, d, rng);
        // After the first 100 steps only features 0..5 are read: the other rows keep moving
        // on their velocity alone, across several bases.
        let mut narrow = |n| random_sparse(n, 5, rng).with_n_features(d).unwrap();
        let (src_late, tgt_late) = (narrow(6), narrow(6));
        let mu = 0.9;
        let mut lazy = ShallowDann::new(d, hd, 2, 1).unwrap();
        let mut dense = lazy.clone();
        let mut momentum = Momentum::new(&lazy, mu);
        assert!(
            momentum.steps_per_base() < 200,
            "{}",
            momentum.steps_per_base()
        );
        let mut s = Scratch::default();
        // Dense reference: every parameter's full gradient, every velocity, every step.
        let mut vel = [
            vec![0.0f32; d * hd],
            vec![0.0; hd],
            vec![0.0; hd * 2],
            vec![0.0; 2],
            vec![0.0; hd],
        ];
        let mut vd = 0.0f32;
        for step in 0..400 {
            // Each step reads a single source and target row: most of W gets no gradient.
            let (i, j) = (step % 6, (step * 5 + 1) % 6);
            let (src, tgt) = if step < 100 {
                (&src, &tgt)
            } else {
                (&src_late, &tgt_late)
            };
            let source = [(src.row(i), step % 2)];
            let target = [tgt.row(j)];
            let lr = 0.05 / (1.0 + step as f32 * 0.01);
            momentum.step(&mut lazy, &source, &target, 0.3, lr, &mut s);
            let g = dense.gradients(&source, &target, 0.3);
            let params = [
                (&mut dense.w, &g.w),
                (&mut dense.b, &g.b),
                (&mut dense.v, &g.v),
                (&mut dense.c, &g.c),
                (&mut dense.u, &g.u),
            ];
            for ((p, g), v) in params.into_iter().zip(&mut vel) {
                for ((p, v), &g) in p.iter_mut().zip(v.iter_mut()).zip(g) {
                    *v = mu as f32 * *v + g;
                    *p -= lr * *v;
                }
            }
            vd = mu as f32 * vd + g.d;
            dense.d -= lr * vd;
        }
        momentum.sync_all(&mut lazy);
        close(&lazy.w, &dense.w, "W");
        close(&lazy.b, &dense.b, "b");
        close(&lazy.v, &dense.v, "V");
        close(&lazy.u, &dense.u, "u");
        assert!((lazy.d - dense.d).abs() < 1e-5);
        assert!(
            lazy.w
                .iter()
                .zip(&ShallowDann::new(d, hd, 2, 1).unwrap().w)
                .any(|(a, b)| (a - b).abs() > 1e-2),
            "training moved W"
        );
    }
}
