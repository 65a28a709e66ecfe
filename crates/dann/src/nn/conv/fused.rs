//! The fused convolution-ReLU-max-pool layer as a burn operation. On burn's CPU backend
//! (`Flex`, and `Autodiff<Flex>` for training) it runs the hand-written [`kernels`]
//! (forward, and a backward node that gives the input, weight and bias gradients); on any
//! other backend it declines and the caller runs burn's own operations. Model code stays
//! generic: the choice is made at run time from the backend's type.
//!
//! [`kernels`]: super::kernels

use std::any::{Any, TypeId};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::tensor::{Tensor, TensorData, TensorPrimitive, backend::Backend};

use super::kernels::{self, ConvShape, Saved};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns the fused kernels on or off for the whole process (on by default); off, every
/// backend runs burn's own convolution, activation and pooling (`dann bench cnn` measures
/// both).
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

thread_local! {
    static ON_THIS_THREAD: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Whether the fused kernels are on (for this thread: see [`with_enabled`]).
pub fn enabled() -> bool {
    ON_THIS_THREAD
        .get()
        .unwrap_or_else(|| ENABLED.load(Ordering::Relaxed))
}

/// Runs `f` with the fused kernels on or off for the calling thread only (where burn builds
/// the model's operations), whatever [`set_enabled`] says; e.g. to compare both paths in
/// tests that run side by side.
pub fn with_enabled<T>(enabled: bool, f: impl FnOnce() -> T) -> T {
    let before = ON_THIS_THREAD.replace(Some(enabled));
    let out = f();
    ON_THIS_THREAD.set(before);
    out
}

/// `max_pool(relu(conv(x, weight) + bias))` on the fused kernels when `B` is burn's CPU
/// backend (with or without autodiff) and they are [`enabled`]; otherwise `Err` hands the
/// tensors back for burn's own operations.
#[allow(clippy::type_complexity)]
pub fn conv_relu_pool<B: Backend>(
    x: Tensor<B, 4>,
    weight: Tensor<B, 4>,
    bias: Tensor<B, 1>,
    padding: usize,
    pool: [usize; 2],
) -> Result<Tensor<B, 4>, (Tensor<B, 4>, Tensor<B, 4>, Tensor<B, 1>)> {
    if !enabled() {
        return Err((x, weight, bias));
    }
    let [batch, c, h, w] = x.dims();
    let [o, _, k, _] = weight.dims();
    let shape = ConvShape {
        batch,
        input: [c, h, w],
        channels: o,
        kernel: k,
        padding,
        pool: pool[0],
        stride: pool[1],
    };
    let f32 = burn::tensor::DType::F32;
    if x.dtype() != f32 || weight.dtype() != f32 || bias.dtype() != f32 {
        return Err((x, weight, bias));
    }
    if TypeId::of::<B>() == TypeId::of::<Autodiff<Flex>>() {
        let out = tracked(shape, cast(x), cast(weight), cast(bias));
        Ok(cast(out))
    } else if crate::backend::is_cpu::<B>() {
        let x = contiguous(cast::<_, Tensor<Flex, 4>>(x).into_primitive().tensor());
        let weight = contiguous(cast::<_, Tensor<Flex, 4>>(weight).into_primitive().tensor());
        let bias = contiguous(cast::<_, Tensor<Flex, 1>>(bias).into_primitive().tensor());
        let (out, _) = kernels::forward(&shape, f32s(&x), f32s(&weight), f32s(&bias));
        let out = Tensor::<Flex, 4>::from_primitive(TensorPrimitive::Float(flex_tensor(
            out,
            out_dims(&shape),
        )));
        Ok(cast(out))
    } else {
        Err((x, weight, bias))
    }
}

/// `t` as the type `U` it is (checked by the caller through `TypeId`).
fn cast<T: 'static, U: 'static>(t: T) -> U {
    let any: Box<dyn Any> = Box::new(t);
    *any.downcast::<U>().expect("the caller checked the type")
}

fn out_dims(s: &ConvShape) -> [usize; 4] {
    let [ph, pw] = s.out_size();
    [s.batch, s.channels, ph, pw]
}

/// `t` with its values side by side from the start of its buffer (copied only when they are
/// not), so that [`f32s`] borrows them without a copy.
fn contiguous(t: FlexTensor) -> FlexTensor {
    if t.as_slice::<f32>().is_some() {
        t
    } else {
        t.to_contiguous()
    }
}

/// The values of a contiguous `f32` tensor (see [`contiguous`]; the dtype is checked before).
fn f32s(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>()
        .expect("a contiguous f32 tensor (checked by the caller)")
}

/// A CPU tensor owning `values` (no copy).
fn flex_tensor<const D: usize>(values: Vec<f32>, dims: [usize; D]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, dims))
}

/// The backward node: what the forward pass kept.
#[derive(Debug)]
struct FusedBackward;

#[derive(Debug, Clone)]
struct State {
    shape: ConvShape,
    x: FlexTensor,
    weight: FlexTensor,
    saved: Arc<Saved>,
}

impl Backward<Flex, 3> for FusedBackward {
    type State = State;

    fn backward(self, ops: Ops<State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_w, node_b] = ops.parents;
        let grad = contiguous(grads.consume::<Flex>(&ops.node));
        let State {
            shape,
            x,
            weight,
            saved,
        } = ops.state;
        let (dx, dw, db) = kernels::backward(
            &shape,
            f32s(&x),
            f32s(&weight),
            &saved,
            f32s(&grad),
            node_x.is_some(),
        );
        if let (Some(node), Some(dx)) = (node_x, dx) {
            let [c, h, w] = shape.input;
            grads.register::<Flex>(node.id, flex_tensor(dx, [shape.batch, c, h, w]));
        }
        if let Some(node) = node_w {
            let [c, ..] = shape.input;
            let k = shape.kernel;
            grads.register::<Flex>(node.id, flex_tensor(dw, [shape.channels, c, k, k]));
        }
        if let Some(node) = node_b {
            grads.register::<Flex>(node.id, flex_tensor(db, [shape.channels]));
        }
    }
}

/// The forward pass on `Autodiff<Flex>`, with its backward node when a gradient is needed.
fn tracked(
    shape: ConvShape,
    x: Tensor<Autodiff<Flex>, 4>,
    weight: Tensor<Autodiff<Flex>, 4>,
    bias: Tensor<Autodiff<Flex>, 1>,
) -> Tensor<Autodiff<Flex>, 4> {
    let (x, weight, bias) = (
        x.into_primitive().tensor(),
        weight.into_primitive().tensor(),
        bias.into_primitive().tensor(),
    );
    let xv = contiguous(x.primitive.clone());
    let wv = contiguous(weight.primitive.clone());
    let bv = contiguous(bias.primitive.clone());
    let (out, saved) = kernels::forward(&shape, f32s(&xv), f32s(&wv), f32s(&bv));
    let out = flex_tensor(out, out_dims(&shape));
    let result = match FusedBackward
        .prepare::<NoCheckpointing>([x.node.clone(), weight.node.clone(), bias.node.clone()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(
            State {
                shape,
                x: xv,
                weight: wv,
                saved: Arc::new(saved),
            },
            out,
        ),
        OpsKind::UnTracked(prep) => prep.finish(out),
    };
    Tensor::from_primitive(TensorPrimitive::Float(result))
}

#[cfg(test)]
mod tests {
    use burn::tensor::activation::relu;
    use burn::tensor::module::{conv2d, max_pool2d};
    use burn::tensor::ops::ConvOptions;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    type B = Autodiff<Flex>;

    fn values<const D: usize>(t: Tensor<Flex, D>) -> Vec<f32> {
        t.into_data().into_vec::<f32>().unwrap()
    }

    fn random<const D: usize>(dims: [usize; D], rng: &mut ChaCha8Rng) -> Tensor<B, D> {
        let n = dims.iter().product();
        let v: Vec<f32> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        Tensor::from_data(TensorData::new(v, dims), &Default::default())
    }

    fn close(what: &str, got: Tensor<Flex, 4>, want: Tensor<Flex, 4>) {
        assert_eq!(got.dims(), want.dims(), "{what}");
        let (got, want) = (values(got), values(want));
        let scale = want.iter().fold(1f32, |m, v| m.max(v.abs()));
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= 2e-5 * scale,
                "{what}[{i}]: fused {g}, burn {w} (scale {scale})"
            );
        }
    }

    /// The fused layer against burn's conv2d, relu and max_pool2d: the output and the
    /// gradients of the input, the weight and the bias of `sum(output * g)`, for random `g`.
    fn agrees(
        batch: usize,
        input: [usize; 3],
        channels: usize,
        kernel: usize,
        padding: usize,
        pool: [usize; 2],
    ) {
        let rng = &mut ChaCha8Rng::seed_from_u64(batch as u64 * 31 + channels as u64);
        let [c, h, w] = input;
        let x = random([batch, c, h, w], rng);
        let weight = random([channels, c, kernel, kernel], rng);
        let bias = random([channels], rng).mul_scalar(0.3);
        let run = |fused: bool| {
            let (x, weight, bias) = (
                x.clone().require_grad(),
                weight.clone().require_grad(),
                bias.clone().require_grad(),
            );
            let y = if fused {
                conv_relu_pool(x.clone(), weight.clone(), bias.clone(), padding, pool)
                    .unwrap_or_else(|_| panic!("the fused kernels run on Autodiff<Flex>"))
            } else {
                let options = ConvOptions::new([1, 1], [padding, padding], [1, 1], 1);
                let y = relu(conv2d(
                    x.clone(),
                    weight.clone(),
                    Some(bias.clone()),
                    options,
                ));
                if pool != [1, 1] {
                    max_pool2d(y, [pool[0]; 2], [pool[1]; 2], [0, 0], [1, 1], false)
                } else {
                    y
                }
            };
            (y, x, weight, bias)
        };
        let (want, ..) = run(false);
        let g = random(want.dims(), &mut ChaCha8Rng::seed_from_u64(9));
        let grads =
            |(y, x, weight, bias): (Tensor<B, 4>, Tensor<B, 4>, Tensor<B, 4>, Tensor<B, 1>)| {
                let out = y.clone().inner();
                let grads = (y * g.clone()).sum().backward();
                let [o] = bias.dims();
                (
                    out,
                    x.grad(&grads).expect("input gradient"),
                    weight.grad(&grads).expect("weight gradient"),
                    bias.grad(&grads)
                        .expect("bias gradient")
                        .reshape([1, 1, 1, o]),
                )
            };
        let burn = grads(run(false));
        let fused = grads(run(true));
        let label = format!(
            "batch {batch}, {input:?} -> {channels}, k {kernel}, pad {padding}, pool {pool:?}"
        );
        close(&format!("output, {label}"), fused.0, burn.0);
        close(&format!("input gradient, {label}"), fused.1, burn.1);
        close(&format!("weight gradient, {label}"), fused.2, burn.2);
        close(&format!("bias gradient, {label}"), fused.3, burn.3);
    }

    #[test]
    fn the_fused_layer_computes_what_burn_computes() {
        // The paper's MNIST layers.
        agrees(4, [3, 28, 28], 32, 5, 0, [2, 2]);
        agrees(3, [32, 12, 12], 48, 5, 0, [2, 2]);
        // Odd sizes: one image, channel counts that are no multiple of a SIMD width, padding,
        // overlapping pooling windows (SVHN's 3x3 stride 2), no pooling, a 1x1 kernel.
        agrees(1, [5, 9, 7], 7, 3, 2, [3, 2]);
        agrees(2, [1, 6, 6], 3, 3, 0, [1, 1]);
        agrees(5, [2, 5, 5], 1, 1, 0, [2, 2]);
    }

    /// The paper's whole MNIST network: a few DANN steps (every parameter's gradient and the
    /// momentum update) with the fused kernels and with burn's own operations give the same
    /// class probabilities, on a batch of 2 + 2 and of 7 + 7 images.
    #[test]
    fn the_model_trains_the_same_on_both_paths() {
        use crate::data::{Dataset, DenseMatrix, Features};
        use crate::deep::model::DannConfig;
        use crate::deep::trainer::Trainer;
        use crate::training::config::TrainConfig;
        let rng = &mut ChaCha8Rng::seed_from_u64(5);
        let mut images = |n: usize| {
            let v = (0..n * 2352)
                .map(|_| rng.random_range(0.0..1.0f32))
                .collect();
            Features::Dense(DenseMatrix::new(n, 2352, v).unwrap())
        };
        let source = Dataset::labelled(
            images(20),
            (0..20).map(|i| i % 10).collect(),
            (0..10).map(|c| c.to_string()).collect(),
        )
        .unwrap()
        .with_sample_shape(vec![3, 28, 28])
        .unwrap();
        let target = Dataset::unlabelled(images(20))
            .with_sample_shape(vec![3, 28, 28])
            .unwrap();
        for batch in [4, 14] {
            let config = TrainConfig {
                iterations: 4,
                batch_size: batch,
                log_every: 0,
                ..TrainConfig::paper()
            };
            let train = |fused: bool| {
                with_enabled(fused, || {
                    let model = Trainer::<B>::new(
                        &DannConfig::mnist(),
                        &config,
                        &source,
                        &target,
                        &Default::default(),
                    )
                    .unwrap()
                    .fit(&mut ())
                    .unwrap();
                    model.predict_proba(&target).unwrap()
                })
            };
            let (fused, burn) = (train(true), train(false));
            let worst = fused
                .as_slice()
                .iter()
                .zip(burn.as_slice())
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                worst < 1e-5,
                "batch {batch}: probabilities differ by {worst}"
            );
        }
    }

    #[test]
    fn inference_on_flex_matches_training_on_autodiff() {
        let rng = &mut ChaCha8Rng::seed_from_u64(3);
        let x = random([2, 3, 10, 10], rng);
        let weight = random([4, 3, 3, 3], rng);
        let bias = random([4], rng);
        let trained = conv_relu_pool(x.clone(), weight.clone(), bias.clone(), 1, [2, 2])
            .ok()
            .unwrap()
            .inner();
        let inferred = conv_relu_pool(x.inner(), weight.inner(), bias.inner(), 1, [2, 2])
            .ok()
            .unwrap();
        assert_eq!(values(trained), values(inferred));
    }
}
