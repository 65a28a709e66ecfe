//! Losses of the two heads: softmax cross-entropy for labels, logistic loss for domains.

use burn::tensor::{Int, Tensor, activation, backend::Backend};

/// Mean softmax cross-entropy: logits `[batch, n_classes]`, class indices `[batch]` -> `[1]`.
pub fn cross_entropy<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
    let log_p = activation::log_softmax(logits, 1);
    log_p.gather(1, targets.unsqueeze_dim(1)).mean().neg()
}

/// Mean logistic (binary cross-entropy) loss of the domain classifier, computed from logits in
/// the stable form `max(z, 0) - z y + log(1 + exp(-|z|))`: logits `[batch, 1]`, domain
/// labels `[batch, 1]` (1 = target, 0 = source) -> `[1]`.
pub fn domain_loss<B: Backend>(logits: Tensor<B, 2>, is_target: Tensor<B, 2>) -> Tensor<B, 1> {
    let relu = activation::relu(logits.clone());
    let soft = logits.clone().abs().neg().exp().log1p();
    (relu - logits * is_target + soft).mean()
}

/// Fraction of rows whose domain (logit > 0 means target) is predicted right.
pub fn domain_accuracy<B: Backend>(logits: Tensor<B, 2>, is_target: Tensor<B, 2>) -> f64 {
    let n = logits.dims()[0].max(1) as f64;
    let predicted = logits.greater_elem(0.0).float();
    let correct = predicted.equal(is_target).int().sum().into_scalar();
    num_traits_cast(correct) / n
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
        let z = [-30.0f32, -1.0, 0.0, 2.0, 40.0];
        let y = [0.0f32, 1.0, 1.0, 0.0, 1.0];
        let logits = Tensor::<B, 2>::from_data(TensorData::new(z.to_vec(), [5, 1]), &device);
        let labels = Tensor::<B, 2>::from_data(TensorData::new(y.to_vec(), [5, 1]), &device);
        let loss: f32 = domain_loss(logits.clone(), labels.clone()).into_scalar();
        let want: f64 = z
            .iter()
            .zip(&y)
            .map(|(&z, &y)| {
                let p = 1.0 / (1.0 + (-f64::from(z)).exp());
                -(f64::from(y) * p.max(1e-300).ln()
                    + (1.0 - f64::from(y)) * (1.0 - p).max(1e-300).ln())
            })
            .sum::<f64>()
            / 5.0;
        assert!(loss.is_finite());
        assert!((f64::from(loss) - want).abs() < 1e-5, "{loss} vs {want}");
        // Predicted: s, s, s (0 is not > 0), t, t; right: 1st, 4th wrong, 5th.
        assert!((domain_accuracy(logits, labels) - 0.4).abs() < 1e-12);
    }
}
