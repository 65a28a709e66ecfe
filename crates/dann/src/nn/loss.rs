//! Losses of the two heads: softmax cross-entropy for labels, logistic loss for domains.

use burn::tensor::{Int, Tensor, activation, backend::Backend};

/// Mean softmax cross-entropy: logits `[batch, n_classes]`, class indices `[batch]` -> `[1]`.
pub fn cross_entropy<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
    let log_p = activation::log_softmax(logits, 1);
    log_p.gather(1, targets.unsqueeze_dim(1)).mean().neg()
}

/// `log(1 + exp(z))`, computed stably as `-log(sigmoid(-z))` (burn's log-sum-exp form).
///
/// Not `max(z, 0) + log(1 + exp(-|z|))`: burn differentiates `relu` and `abs` to 0 at 0, so
/// that form has a zero gradient at `z = 0`, where a zero-initialised domain classifier
/// starts, and such a classifier never learns.
pub fn softplus<B: Backend, const D: usize>(z: Tensor<B, D>) -> Tensor<B, D> {
    activation::log_sigmoid(z.neg()).neg()
}

/// The domain term of the DANN objective: the logistic loss of the domain classifier averaged
/// over the source rows and over the target rows, then over the two domains,
/// `(1/n sum_s log(1 + e^{z}) + 1/n' sum_t log(1 + e^{-z})) / 2`, where a logit `z > 0` means
/// "target". Logits `[n, 1]` and `[n', 1]` -> `[1]`; `ln 2` at chance.
///
/// JMLR 2016 eq. (18) sums the two means; halving them keeps the loss on the usual
/// per-example scale (and equal to the pooled mean for half/half batches). It only rescales
/// `lambda` and the domain classifier's step; see `crate::shallow` for the exact Algorithm 1.
pub fn domain_loss<B: Backend>(
    source_logits: Tensor<B, 2>,
    target_logits: Tensor<B, 2>,
) -> Tensor<B, 1> {
    (softplus(source_logits).mean() + softplus(target_logits.neg()).mean()).mul_scalar(0.5)
}

/// Fraction of source and target rows whose domain (logit > 0 means target) is predicted
/// right.
pub fn domain_accuracy<B: Backend>(
    source_logits: Tensor<B, 2>,
    target_logits: Tensor<B, 2>,
) -> f64 {
    // Counted exactly (integers), divided in f64.
    let n = (source_logits.dims()[0] + target_logits.dims()[0]).max(1) as f64;
    let right_s = source_logits
        .lower_equal_elem(0.0)
        .int()
        .sum()
        .into_scalar();
    let right_t = target_logits.greater_elem(0.0).int().sum().into_scalar();
    (num_traits_cast(right_s) + num_traits_cast(right_t)) / n
}

/// [`domain_accuracy`] as a `[1]` tensor on the logits' device (nothing is read back; in the
/// backend's float precision).
pub fn domain_accuracy_tensor<B: Backend>(
    source_logits: Tensor<B, 2>,
    target_logits: Tensor<B, 2>,
) -> Tensor<B, 1> {
    let n = (source_logits.dims()[0] + target_logits.dims()[0]).max(1) as f64;
    let right_s = source_logits.lower_equal_elem(0.0).int().sum();
    let right_t = target_logits.greater_elem(0.0).int().sum();
    (right_s + right_t).float().div_scalar(n)
}

fn num_traits_cast<E: burn::tensor::ElementConversion>(x: E) -> f64 {
    x.elem::<f64>()
}

#[cfg(test)]
mod tests {
    use burn::backend::Flex;
    use burn::tensor::TensorData;

    use super::*;

    type B = Flex;

    #[test]
    fn cross_entropy_matches_hand_computation() {
        let device = Default::default();
        let logits = Tensor::<B, 2>::from_floats([[1.0, 2.0, 0.5], [0.0, 0.0, 3.0]], &device);
        let targets = Tensor::<B, 1, Int>::from_data(TensorData::from([1i64, 0]), &device);
        let loss: f32 = cross_entropy(logits, targets).into_scalar();
        // -(log softmax([1,2,.5])[1] + log softmax([0,0,3])[0]) / 2, by hand in f64.
        let lse1 = (1f64.exp() + 2f64.exp() + 0.5f64.exp()).ln();
        let lse2 = (1.0 + 1.0 + 3f64.exp()).ln();
        let want = ((lse1 - 2.0) + (lse2 - 0.0)) / 2.0;
        assert!((f64::from(loss) - want).abs() < 1e-5, "{loss} vs {want}");
    }

    #[test]
    fn domain_loss_is_stable_logistic_loss() {
        let device = Default::default();
        let zs = [-30.0f32, 0.0, 2.0];
        let zt = [-1.0f32, 40.0];
        let t = |v: &[f32]| {
            Tensor::<B, 2>::from_data(TensorData::new(v.to_vec(), [v.len(), 1]), &device)
        };
        let loss: f32 = domain_loss(t(&zs), t(&zt)).into_scalar();
        // -log(1 - sigmoid(z)) for source rows, -log(sigmoid(z)) for target rows, each
        // averaged, then the two averaged; in f64.
        let sig = |z: f32| 1.0 / (1.0 + (-f64::from(z)).exp());
        let ls = zs.iter().map(|&z| -(1.0 - sig(z)).ln()).sum::<f64>() / 3.0;
        let lt = zt.iter().map(|&z| -sig(z).ln()).sum::<f64>() / 2.0;
        assert!(loss.is_finite());
        assert!(
            (f64::from(loss) - (ls + lt) / 2.0).abs() < 1e-5,
            "{loss} vs {}",
            (ls + lt) / 2.0
        );
        // Right: source -30 and 0 (0 is not > 0), target 40; wrong: source 2, target -1.
        assert!((domain_accuracy(t(&zs), t(&zt)) - 0.6).abs() < 1e-12);
    }

    /// At a logit of 0 the logistic loss has slope 1/2 (sigmoid(0)); the domain loss averages
    /// each domain's rows and halves the sum, so each source logit gets `1/2 * 1/2 * 1/n`
    /// and each target logit minus that.
    #[test]
    fn domain_loss_has_its_gradient_at_zero_and_a_zero_head_learns() {
        use burn::backend::Autodiff;
        type A = Autodiff<Flex>;
        let device = Default::default();
        let zs = Tensor::<A, 2>::zeros([2, 1], &device).require_grad();
        let zt = Tensor::<A, 2>::zeros([1, 1], &device).require_grad();
        let grads = domain_loss(zs.clone(), zt.clone()).backward();
        let gs = zs
            .grad(&grads)
            .unwrap()
            .into_data()
            .to_vec::<f32>()
            .unwrap();
        let gt = zt
            .grad(&grads)
            .unwrap()
            .into_data()
            .to_vec::<f32>()
            .unwrap();
        assert_eq!(gs, [0.125, 0.125]);
        assert_eq!(gt, [-0.25]);
        // A zero-initialised linear domain head z = w x: source rows x = 1, target x = -1.
        // The weight gets 1/4 (mean x_s - mean x_t) = 1/2 and learns.
        let w = Tensor::<A, 2>::zeros([1, 1], &device).require_grad();
        let xs = Tensor::<A, 2>::ones([3, 1], &device);
        let xt = Tensor::<A, 2>::ones([3, 1], &device).neg();
        let grads = domain_loss(xs.matmul(w.clone()), xt.matmul(w.clone())).backward();
        let gw = w.grad(&grads).unwrap().into_data().to_vec::<f32>().unwrap();
        assert!((gw[0] - 0.5).abs() < 1e-6, "{gw:?}");
    }
}
