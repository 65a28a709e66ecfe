//! Shallow DANN with hand-written sparse kernels: the paper's Algorithm 1 (Ganin et al.,
//! JMLR 2016, sec. 4.1) and a minibatch variant.
//!
//! Network: `G_f(x) = sigm(b + W x)` (one hidden layer), `G_y = softmax(c + V G_f)`,
//! `G_d = sigm(d + u . G_f)` (probability of "target"). Inputs stay sparse: a step touches only
//! the weight rows of the input's non-zero features, so it costs `O(nnz x hidden)` instead of
//! `O(n_features x hidden)`.
//!
//! [`ShallowDann::gradients`] is the gradient of exactly the objective that the burn model
//! trains ([`crate::loss::cross_entropy`] + [`crate::loss::domain_loss`], gradient reversal of
//! weight `lambda`), and the initial weights for a seed equal those of
//! [`crate::DannConfig::shallow`]; a test checks both against burn. Algorithm 1 sums the
//! domain losses of its source and target example and moves the domain classifier with step
//! `mu * lambda`; in terms of our averaged domain loss that is a reversal weight of `2 lambda`
//! and a domain-classifier step scaled by `2 lambda`, which is what [`ShallowDann::step`] does.

mod blocked;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Features, Row};
use crate::mlp::linear_init_values;
use crate::sampler::EndlessSampler;
use crate::trainer::{Mode, check_training_data};
use crate::{Error, Result};

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

/// Borrowed view of a [`ShallowDann`]'s parameters (same layout as [`Gradients`]).
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct Parameters<'a> {
    pub w: &'a [f32],
    pub b: &'a [f32],
    pub v: &'a [f32],
    pub c: &'a [f32],
    pub u: &'a [f32],
    pub d: f32,
}

/// A shallow DANN (one sigmoid hidden layer) with sparse kernels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShallowDann {
    n_features: usize,
    hidden: usize,
    n_classes: usize,
    /// `[n_features][hidden]`: row `k` holds the weights of input feature `k`.
    w: Vec<f32>,
    b: Vec<f32>,
    /// `[hidden][n_classes]`.
    v: Vec<f32>,
    c: Vec<f32>,
    u: Vec<f32>,
    d: f32,
}

/// Per-step scratch space, reused across steps (see [`ShallowDann::sgd_step`]).
#[derive(Debug, Default)]
pub struct Scratch {
    /// Hidden activations, one row of `hidden` per example.
    h: Vec<f32>,
    /// Gradient at the hidden pre-activations, one row per example.
    ga: Vec<f32>,
    gv: Vec<f32>,
    gc: Vec<f32>,
    gu: Vec<f32>,
    p: Vec<f32>,
}

impl ShallowDann {
    /// A network with the same initial weights as `DannConfig::shallow(hidden).init(..,
    /// seed, ..)` ([`ShallowInit::Burn`]).
    pub fn new(n_features: usize, hidden: usize, n_classes: usize, seed: u64) -> Result<Self> {
        Self::with_init(n_features, hidden, n_classes, seed, ShallowInit::Burn)
    }

    /// A network initialised by `init` from `seed`.
    pub fn with_init(
        n_features: usize,
        hidden: usize,
        n_classes: usize,
        seed: u64,
        init: ShallowInit,
    ) -> Result<Self> {
        if n_features == 0 || hidden == 0 || n_classes < 2 {
            return Err(Error::Data(format!(
                "shallow DANN needs features, hidden units and 2+ classes (got {n_features}, {hidden}, {n_classes})"
            )));
        }
        let rng = &mut ChaCha8Rng::seed_from_u64(seed);
        let ((w, b), (v, c), (u, d)) = match init {
            ShallowInit::Burn => (
                linear_init_values(n_features, hidden, rng),
                linear_init_values(hidden, n_classes, rng),
                linear_init_values(hidden, 1, rng),
            ),
            ShallowInit::Glorot => (
                glorot_uniform(n_features, hidden, rng),
                glorot_uniform(hidden, n_classes, rng),
                (vec![0.0; hidden], vec![0.0]),
            ),
        };
        Ok(Self {
            n_features,
            hidden,
            n_classes,
            w,
            b,
            v,
            c,
            u,
            d: d[0],
        })
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of hidden units.
    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The parameters, in the layout of [`Gradients`].
    pub fn parameters(&self) -> Parameters<'_> {
        Parameters {
            w: &self.w,
            b: &self.b,
            v: &self.v,
            c: &self.c,
            u: &self.u,
            d: self.d,
        }
    }

    /// `G_f(x) = sigm(b + W x)` into `h` (`hidden` values).
    #[inline(always)]
    pub fn hidden_into(&self, x: Row<'_>, h: &mut [f32]) {
        let hd = self.hidden;
        h.copy_from_slice(&self.b);
        x.for_each_nonzero(|k, xk| {
            let wk = &self.w[k * hd..(k + 1) * hd];
            for (hj, &wj) in h.iter_mut().zip(wk) {
                *hj += xk * wj;
            }
        });
        for hj in h.iter_mut() {
            *hj = sigmoid(*hj);
        }
    }

    /// Class probabilities `softmax(c + V h)` into `p`.
    #[inline(always)]
    fn class_proba(&self, h: &[f32], p: &mut [f32]) {
        p.copy_from_slice(&self.c);
        for (j, &hj) in h.iter().enumerate() {
            let vj = &self.v[j * self.n_classes..(j + 1) * self.n_classes];
            for (pc, &v) in p.iter_mut().zip(vj) {
                *pc += hj * v;
            }
        }
        softmax_in_place(p);
    }

    /// Domain logit `d + u . h` (positive: target).
    #[inline(always)]
    fn domain_logit(&self, h: &[f32]) -> f32 {
        self.d + h.iter().zip(&self.u).map(|(a, b)| a * b).sum::<f32>()
    }

    /// Class probabilities for every row of `data` (`[n][n_classes]`, row-major).
    pub fn predict_proba(&self, data: &Dataset) -> Vec<f32> {
        let h = self.features(data);
        let mut out = vec![0.0; data.len() * self.n_classes];
        for (p, h) in out
            .chunks_exact_mut(self.n_classes)
            .zip(h.chunks_exact(self.hidden))
        {
            self.class_proba(h, p);
        }
        out
    }

    /// Most probable class per row.
    pub fn predict(&self, data: &Dataset) -> Vec<usize> {
        self.predict_proba(data)
            .chunks_exact(self.n_classes)
            .map(crate::metrics::argmax)
            .collect()
    }

    /// Hidden representation `G_f(x)` of every row (`[n][hidden]`, row-major). Dense inputs
    /// go through matrix products, sparse ones through the sparse kernel.
    pub fn features(&self, data: &Dataset) -> Vec<f32> {
        let mut out = vec![0.0; data.len() * self.hidden];
        match data.features() {
            Features::Dense(m) if m.n_cols() == self.n_features => {
                blocked::dense_hidden(self, m.as_slice(), &mut out);
            }
            _ => pulp::Arch::new().dispatch(
                #[inline(always)]
                || {
                    for (i, h) in out.chunks_exact_mut(self.hidden).enumerate() {
                        self.hidden_into(Row::of(data, i), h);
                    }
                },
            ),
        }
        out
    }

    /// Forward and backward pass over a batch: fills `s` with the hidden activations and the
    /// pre-activation gradients of each row, and the gradients of `V, c, u, d, b`. Returns
    /// `(label loss, domain loss, gb, gd)`. `xw`, when given, holds `W^T x` of every row
    /// (source rows, then target rows; `hidden` values each), computed by the caller.
    #[inline(always)]
    fn backward(
        &self,
        source: &[(Row<'_>, usize)],
        target: &[Row<'_>],
        lambda: f32,
        s: &mut Scratch,
        xw: Option<&[f32]>,
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
        let adversarial = !target.is_empty();
        let ns = source.len().max(1) as f32;
        let nt = target.len().max(1) as f32;
        let examples = source
            .iter()
            .map(|&(x, y)| (x, Some(y)))
            .chain(target.iter().map(|&x| (x, None)));
        for (r, (x, y)) in examples.enumerate() {
            let h = &mut s.h[r * hd..(r + 1) * hd];
            match xw {
                Some(xw) => {
                    for ((hj, &a), &b) in h.iter_mut().zip(&xw[r * hd..(r + 1) * hd]).zip(&self.b) {
                        *hj = sigmoid(a + b);
                    }
                }
                None => self.hidden_into(x, h),
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
        let (_, _, gb, gd) = self.backward(source, target, lambda, &mut s, None);
        let hd = self.hidden;
        let mut w = vec![0.0; self.n_features * hd];
        let rows = source.iter().map(|r| r.0).chain(target.iter().copied());
        for (r, x) in rows.enumerate() {
            let ga = &s.ga[r * hd..(r + 1) * hd];
            x.for_each_nonzero(|k, xk| {
                for (g, &a) in w[k * hd..(k + 1) * hd].iter_mut().zip(ga) {
                    *g += xk * a;
                }
            });
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
    /// The step runs under `pulp`'s run-time dispatch: everything it calls is inlined into a
    /// function compiled for the best instruction set the CPU has (AVX2 and FMA on x86-64),
    /// so the row loops use the widest vectors without building for a specific CPU.
    fn step_with(
        &mut self,
        source: &[(Row<'_>, usize)],
        target: &[Row<'_>],
        lambda: f32,
        domain_step: f32,
        lr: f32,
        s: &mut Scratch,
    ) -> (f32, f32) {
        pulp::Arch::new().dispatch(
            #[inline(always)]
            || {
                let (label_loss, domain_loss, gb, gd) =
                    self.backward(source, target, lambda, s, None);
                let hd = self.hidden;
                let rows = source.iter().map(|r| r.0).chain(target.iter().copied());
                for (r, x) in rows.enumerate() {
                    let ga = &s.ga[r * hd..(r + 1) * hd];
                    x.for_each_nonzero(|k, xk| {
                        let scale = lr * xk;
                        for (w, &a) in self.w[k * hd..(k + 1) * hd].iter_mut().zip(ga) {
                            *w -= scale * a;
                        }
                    });
                }
                self.step_head(&gb, gd, !target.is_empty(), domain_step, lr, s);
                (label_loss, domain_loss)
            },
        )
    }

    /// The SGD update of everything but `W`: `b, V, c` and, when adversarial, `u, d`.
    #[inline(always)]
    fn step_head(
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
}

/// `(weights, zero biases)` of an `n_in -> n_out` layer, uniform in `+-sqrt(6 / (n_in +
/// n_out))` (Glorot and Bengio 2010), in the `[n_in][n_out]` layout.
fn glorot_uniform(n_in: usize, n_out: usize, rng: &mut ChaCha8Rng) -> (Vec<f32>, Vec<f32>) {
    let bound = (6.0 / (n_in + n_out) as f64).sqrt() as f32;
    let weights = (0..n_in * n_out)
        .map(|_| rng.random_range(-bound..bound))
        .collect();
    (weights, vec![0.0; n_out])
}

#[inline(always)]
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

#[inline(always)]
fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[inline(always)]
fn softplus(z: f32) -> f32 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

#[inline(always)]
fn softmax_in_place(p: &mut [f32]) {
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

/// Settings of [`ShallowTrainer`]: the paper's Algorithm 1 when `batch_size == 1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShallowConfig {
    /// DANN or source-only (the paper's NN).
    pub mode: Mode,
    /// Hidden units.
    pub hidden: usize,
    /// Adaptation weight `lambda` of Algorithm 1 (constant).
    pub lambda: f64,
    /// Learning rate `mu` (constant, 1e-3 in the paper's Amazon experiment).
    pub lr: f64,
    /// Source examples per step (1: Algorithm 1); each is paired with a random target example.
    pub batch_size: usize,
    /// Passes over the source (upper bound when early stopping).
    pub epochs: usize,
    /// Early-stopping horizon in epochs (0: never stop early); how it is used depends on
    /// `stopping`.
    pub patience: usize,
    /// Early-stopping rule, when validating.
    pub stopping: Stopping,
    /// Seed of the initial weights and of the example order.
    pub seed: u64,
    /// How steps update the input weights (the result is the same up to float rounding).
    pub kernel: Kernel,
    /// Initial weights.
    pub init: ShallowInit,
}

/// When [`ShallowConfig::fit`] stops early and which epoch's weights it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stopping {
    /// Keep the first epoch with the lowest validation error; stop `patience` epochs after it.
    #[default]
    Fixed,
    /// The authors' rule (`DANN.py`): an epoch whose validation error is at most the best
    /// so far becomes the best (ties keep the later weights), and training goes on while
    /// `e <= max(patience, 1.5 b)` (epochs counted from 0, as theirs: `e` the current one,
    /// `b` the best), so that late improvements buy proportionally more epochs.
    Growing,
}

impl Stopping {
    /// Whether validation error `err` replaces the best so far, `best`.
    fn improves(self, err: f64, best: f64) -> bool {
        match self {
            Stopping::Fixed => err < best,
            Stopping::Growing => err <= best,
        }
    }

    /// Whether to stop after 1-based `epoch`, the best being 1-based `best_epoch`.
    fn stops(self, patience: usize, epoch: usize, best_epoch: usize) -> bool {
        if patience == 0 {
            return false;
        }
        match self {
            Stopping::Fixed => epoch - best_epoch >= patience,
            Stopping::Growing => epoch - 1 > patience.max((best_epoch - 1) * 3 / 2),
        }
    }
}

/// Initial weights of a [`ShallowDann`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShallowInit {
    /// As the authors' code: `W` and `V` uniform in `+-sqrt(6 / (fan_in + fan_out))`, zero
    /// biases and a zero domain classifier, so that the adversarial gradient starts at zero.
    /// With a random domain classifier the early steps push the features along a random
    /// direction, and the features come out *more* domain-separable than a plain NN's
    /// (`examples/pad_probe.rs`).
    #[default]
    Glorot,
    /// burn's default initialisation, the same values as
    /// [`crate::DannConfig::shallow`]`(hidden).init(.., seed, ..)` (for comparisons with the
    /// burn model).
    Burn,
}

/// How [`ShallowConfig::fit`] updates the input weights `W`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// `Blocked` when source and target are dense with at least [`Kernel::BLOCKED_MIN_FEATURES`]
    /// features, else `Sparse`.
    #[default]
    Auto,
    /// Per step, touch the weight rows of each input's non-zero features: `O(nnz x hidden)`.
    Sparse,
    /// The same updates a block of steps at a time with dense matrix products (faer gemm);
    /// for dense, wide inputs such as mSDA features.
    Blocked,
}

impl Kernel {
    /// Input width from which `Auto` picks `Blocked` for dense data.
    pub const BLOCKED_MIN_FEATURES: usize = 256;

    fn resolve(self, source: &Dataset, target: &Dataset) -> Kernel {
        let dense = |d: &Dataset| matches!(d.features(), Features::Dense(_));
        match self {
            Kernel::Auto
                if dense(source)
                    && dense(target)
                    && source.n_features() >= Self::BLOCKED_MIN_FEATURES =>
            {
                Kernel::Blocked
            }
            Kernel::Auto => Kernel::Sparse,
            k => k,
        }
    }
}

impl Default for ShallowConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Dann,
            hidden: 100,
            lambda: 0.1,
            lr: 1e-3,
            batch_size: 1,
            epochs: 10,
            patience: 3,
            stopping: Stopping::Fixed,
            seed: 0,
            kernel: Kernel::Auto,
            init: ShallowInit::Glorot,
        }
    }
}

impl ShallowConfig {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if self.hidden == 0 {
            return Err(Error::config("shallow.hidden", "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::config("shallow.batch_size", "must be at least 1"));
        }
        if self.epochs == 0 {
            return Err(Error::config("shallow.epochs", "must be at least 1"));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::config(
                "shallow.lr",
                format!("must be > 0, got {}", self.lr),
            ));
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return Err(Error::config(
                "shallow.lambda",
                format!("must be >= 0, got {}", self.lambda),
            ));
        }
        Ok(())
    }

    /// Trains on labelled `source` and unlabelled `target`. With `validation` (labelled), the
    /// weights of the epoch with the lowest validation error are kept and training stops early
    /// as `stopping` says.
    pub fn fit(
        &self,
        source: &Dataset,
        target: &Dataset,
        validation: Option<&Dataset>,
    ) -> Result<ShallowFit> {
        self.check()?;
        let labels = check_training_data(source, target)?;
        let mut model = ShallowDann::with_init(
            source.n_features(),
            self.hidden,
            source.class_names().len(),
            self.seed,
            self.init,
        )?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x5ba1_1000);
        let mut targets = EndlessSampler::new(target.len(), self.seed ^ 0x5ba1_1001);
        let mut order: Vec<usize> = (0..source.len()).collect();
        let mut scratch = Scratch::default();
        let (lambda, domain_step) = match self.mode {
            Mode::Dann => (2.0 * self.lambda as f32, 2.0 * self.lambda as f32),
            Mode::SourceOnly => (0.0, 0.0),
        };
        let mut best: Option<(f64, ShallowDann, usize)> = None;
        let mut history = Vec::new();
        let kernel = self.kernel.resolve(source, target);
        let adversarial = self.mode == Mode::Dann;
        let rows_per_step = self.batch_size * if adversarial { 2 } else { 1 };
        let steps_per_block = match kernel {
            Kernel::Blocked => (blocked::BLOCK_ROWS / rows_per_step).max(1),
            _ => 1,
        };
        let inputs = blocked::Inputs {
            source,
            labels,
            target,
            lambda,
            domain_step,
            lr: self.lr as f32,
        };
        let mut blocks = blocked::Blocked::default();
        let mut src: Vec<(Row<'_>, usize)> = Vec::with_capacity(self.batch_size);
        let mut tgt: Vec<Row<'_>> = Vec::with_capacity(self.batch_size);
        let mut target_idx: Vec<usize> = Vec::new();
        for epoch in 1..=self.epochs {
            order.shuffle(&mut rng);
            let (mut label_sum, mut domain_sum, mut steps) = (0.0f64, 0.0f64, 0usize);
            let mut on_step = |l: f32, d: f32| {
                if !l.is_finite() || !d.is_finite() {
                    return Err(Error::Data(format!(
                        "shallow training diverged in epoch {epoch}; lower the learning rate"
                    )));
                }
                label_sum += f64::from(l);
                domain_sum += f64::from(d);
                steps += 1;
                Ok(())
            };
            for block in order.chunks(self.batch_size * steps_per_block) {
                // Reused across steps: this is the hot loop. Targets are drawn per step, in
                // the same order for both kernels.
                target_idx.clear();
                if adversarial {
                    target_idx.extend((0..block.len()).map(|_| targets.next().unwrap_or(0)));
                }
                if kernel == Kernel::Blocked {
                    let steps: Vec<blocked::Step<'_>> = block
                        .chunks(self.batch_size)
                        .enumerate()
                        .map(|(k, chunk)| blocked::Step {
                            source: chunk,
                            target: target_idx
                                .get(k * self.batch_size..k * self.batch_size + chunk.len())
                                .unwrap_or_default(),
                        })
                        .collect();
                    blocks.run(&mut model, &steps, &inputs, &mut scratch, &mut on_step)?;
                    continue;
                }
                let step = blocked::Step {
                    source: block,
                    target: &target_idx,
                };
                inputs.rows(&step, &mut src, &mut tgt);
                let (l, d) = model.step_with(
                    &src,
                    &tgt,
                    lambda,
                    domain_step,
                    self.lr as f32,
                    &mut scratch,
                );
                on_step(l, d)?;
            }
            let validation_error = validation.map(|v| {
                let truth = v.labels().unwrap_or_default();
                1.0 - crate::metrics::accuracy(&model.predict(v), truth)
            });
            history.push(EpochRecord {
                epoch,
                label_loss: label_sum / steps as f64,
                domain_loss: (self.mode == Mode::Dann).then(|| domain_sum / steps as f64),
                validation_error,
            });
            if let Some(err) = validation_error {
                match &best {
                    Some((b, _, _)) if !self.stopping.improves(err, *b) => {}
                    _ => best = Some((err, model.clone(), epoch)),
                }
                let best_epoch = best.as_ref().map_or(epoch, |b| b.2);
                if self.stopping.stops(self.patience, epoch, best_epoch) {
                    break;
                }
            }
        }
        let (model, best_epoch) = match best {
            Some((_, m, e)) => (m, e),
            None => (model, history.len()),
        };
        Ok(ShallowFit {
            model,
            best_epoch,
            history,
        })
    }
}

/// Per-epoch training record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean label loss over the epoch's steps.
    pub label_loss: f64,
    /// Mean domain loss (DANN only).
    pub domain_loss: Option<f64>,
    /// Validation error after the epoch, when validating.
    pub validation_error: Option<f64>,
}

/// Result of [`ShallowConfig::fit`].
#[derive(Debug, Clone)]
pub struct ShallowFit {
    /// The kept model (best validation epoch, else the last).
    pub model: ShallowDann,
    /// Epoch the model comes from.
    pub best_epoch: usize,
    /// One record per epoch run.
    pub history: Vec<EpochRecord>,
}

impl ShallowFit {
    /// Validation error of the kept model, as recorded after its epoch (`None` without
    /// validation).
    pub fn validation_error(&self) -> Option<f64> {
        self.history
            .get(self.best_epoch.checked_sub(1)?)?
            .validation_error
    }
}

impl ShallowDann {
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
pub(crate) mod tests {
    use burn::backend::{Autodiff, Flex};
    use burn::tensor::{Int, Tensor, TensorData};
    use rand::Rng;

    use super::*;
    use crate::data::{CsrMatrix, Features};
    use crate::loss::{cross_entropy, domain_loss};
    use crate::model::DannConfig;

    type B = Autodiff<Flex>;

    fn random_sparse(n: usize, d: usize, rng: &mut ChaCha8Rng) -> Dataset {
        let mut indptr = vec![0];
        let (mut idx, mut val) = (Vec::new(), Vec::new());
        for _ in 0..n {
            for k in 0..d {
                if rng.random::<f32>() < 0.3 {
                    idx.push(k as u32);
                    val.push(rng.random_range(0.0..3.0f32).round() + 1.0);
                }
            }
            indptr.push(idx.len());
        }
        Dataset::unlabelled(Features::Sparse(
            CsrMatrix::new(d, indptr, idx, val).unwrap(),
        ))
    }

    fn dense_rows(data: &Dataset) -> Vec<f32> {
        let d = data.n_features();
        let mut out = vec![0.0; data.len() * d];
        for (i, row) in out.chunks_exact_mut(d).enumerate() {
            data.features().write_row(i, row);
        }
        out
    }

    fn close(a: &[f32], b: &[f32], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= 1e-5 + 1e-4 * y.abs(),
                "{what}[{i}]: {x} vs burn {y}"
            );
        }
    }

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
        let src_rows: Vec<(Row<'_>, usize)> =
            (0..4).map(|i| (Row::of(&src, i), labels[i])).collect();
        let tgt_rows: Vec<Row<'_>> = (0..3).map(|i| Row::of(&tgt, i)).collect();
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
        let s: Vec<(Row<'_>, usize)> = vec![(Row::of(&src, 0), 1), (Row::of(&src, 1), 0)];
        let t: Vec<Row<'_>> = vec![Row::of(&tgt, 0), Row::of(&tgt, 1)];
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

    /// `n` dense rows of `d` features in [-1, 1), labelled by the sign of the first.
    pub(crate) fn random_dense_labelled(n: usize, d: usize, rng: &mut ChaCha8Rng) -> Dataset {
        let values: Vec<f32> = (0..n * d).map(|_| rng.random_range(-1.0..1.0f32)).collect();
        let labels = (0..n).map(|i| usize::from(values[i * d] > 0.0)).collect();
        Dataset::labelled(
            Features::Dense(crate::data::DenseMatrix::new(n, d, values).unwrap()),
            labels,
            vec!["a".into(), "b".into()],
        )
        .unwrap()
    }

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

    /// Hidden features of dense data (matrix products) equal those of the same rows stored
    /// sparse (per-row kernel).
    #[test]
    fn dense_and_sparse_inference_agree() {
        let rng = &mut ChaCha8Rng::seed_from_u64(4);
        let sparse = random_sparse(300, 40, rng);
        let dense = Dataset::unlabelled(Features::Dense(
            crate::data::DenseMatrix::new(300, 40, dense_rows(&sparse)).unwrap(),
        ));
        let model = ShallowDann::new(40, 6, 3, 8).unwrap();
        close(&model.features(&dense), &model.features(&sparse), "G_f");
        close(
            &model.predict_proba(&dense),
            &model.predict_proba(&sparse),
            "G_y",
        );
    }

    #[test]
    fn algorithm_1_learns_a_separable_task() {
        let rng = &mut ChaCha8Rng::seed_from_u64(5);
        let data = random_sparse(200, 20, rng);
        let labels: Vec<usize> = (0..200)
            .map(|i| {
                let mut row = [0.0; 20];
                data.features().write_row(i, &mut row);
                usize::from(row[0] + row[1] > row[2] + row[3])
            })
            .collect();
        let source = Dataset::labelled(
            data.features().clone(),
            labels,
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        let cfg = ShallowConfig {
            hidden: 20,
            lr: 0.05,
            epochs: 30,
            patience: 0,
            lambda: 0.05,
            ..Default::default()
        };
        let fit = cfg.fit(&source, &data, None).unwrap();
        let acc = crate::metrics::accuracy(&fit.model.predict(&source), source.labels().unwrap());
        assert!(acc > 0.9, "training accuracy {acc}");
        assert_eq!(fit.history.len(), 30);
        assert!(fit.history[29].label_loss < fit.history[0].label_loss);
    }

    #[test]
    fn stopping_rules() {
        // Ties: only the authors' rule moves the best epoch forward.
        assert!(Stopping::Growing.improves(0.1, 0.1));
        assert!(!Stopping::Fixed.improves(0.1, 0.1));
        assert!(Stopping::Fixed.improves(0.05, 0.1) && Stopping::Growing.improves(0.05, 0.1));
        // Fixed: `patience` epochs after the best.
        assert!(!Stopping::Fixed.stops(30, 30, 1) && Stopping::Fixed.stops(30, 31, 1));
        assert!(!Stopping::Fixed.stops(30, 70, 41) && Stopping::Fixed.stops(30, 71, 41));
        // Growing, counted from 0 as `DANN.py`: best at t = 0 -> runs t = 0..=31 (32 epochs);
        // best at t = 40 -> continue_until = 60, the last epoch run is t = 61.
        assert!(!Stopping::Growing.stops(30, 31, 1) && Stopping::Growing.stops(30, 32, 1));
        assert!(!Stopping::Growing.stops(30, 61, 41) && Stopping::Growing.stops(30, 62, 41));
        // int(1.5 * 41) = 61: best at t = 41 -> last epoch t = 62.
        assert!(!Stopping::Growing.stops(30, 62, 42) && Stopping::Growing.stops(30, 63, 42));
        // patience 0: never.
        assert!(!Stopping::Fixed.stops(0, 500, 1) && !Stopping::Growing.stops(0, 500, 1));
    }

    /// `fit` keeps the epoch each rule names and stops where it says: the first lowest
    /// validation error (fixed) or the last (growing, ties included).
    #[test]
    fn fit_keeps_and_stops_as_the_rule_says() {
        let rng = &mut ChaCha8Rng::seed_from_u64(5);
        let source = random_dense_labelled(60, 8, rng);
        let target = random_dense_labelled(60, 8, rng).without_labels();
        // A small validation set: its error takes few values, so ties happen.
        let validation = random_dense_labelled(15, 8, rng);
        let mut saw_tie_after_best = false;
        for stopping in [Stopping::Fixed, Stopping::Growing] {
            let fit = ShallowConfig {
                hidden: 4,
                lr: 0.2,
                epochs: 60,
                patience: 8,
                stopping,
                ..Default::default()
            }
            .fit(&source, &target, Some(&validation))
            .unwrap();
            let errors: Vec<f64> = fit
                .history
                .iter()
                .map(|r| r.validation_error.unwrap())
                .collect();
            let min = errors.iter().copied().fold(f64::INFINITY, f64::min);
            let at_min: Vec<usize> = (1..=errors.len())
                .filter(|&e| errors[e - 1] == min)
                .collect();
            let expected_best = match stopping {
                Stopping::Fixed => at_min[0],
                Stopping::Growing => *at_min.last().unwrap(),
            };
            assert_eq!(fit.best_epoch, expected_best, "{stopping:?} {errors:?}");
            saw_tie_after_best |= at_min.len() > 1;
            // The run ends at the first epoch the rule stops at (or at `epochs`).
            let mut best = (f64::INFINITY, 0);
            let mut stop = 60;
            for (i, &err) in errors.iter().enumerate() {
                if stopping.improves(err, best.0) {
                    best = (err, i + 1);
                }
                if stopping.stops(8, i + 1, best.1) {
                    stop = i + 1;
                    break;
                }
            }
            assert_eq!(fit.history.len(), stop, "{stopping:?}");
            let kept = 1.0
                - crate::metrics::accuracy(
                    &fit.model.predict(&validation),
                    validation.labels().unwrap(),
                );
            assert_eq!(kept, min);
            assert_eq!(fit.validation_error(), Some(min));
        }
        assert!(saw_tie_after_best, "the data should produce a tie");
    }
}
