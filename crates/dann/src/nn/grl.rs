//! Gradient reversal layer (GRL), Ganin et al. JMLR 2016 sec. 4.2 eq. (13)-(14).
//!
//! `R_lambda(x) = x` in the forward pass and `dR_lambda/dx = -lambda I` in the backward pass.
//! Placed between the feature extractor and the domain classifier it lets one ordinary
//! backward pass train the domain classifier to tell the domains apart while pushing the
//! features, with weight `lambda`, to make them indistinguishable.

use burn::tensor::{Tensor, backend::Backend};

/// Applies the gradient reversal `R_lambda` to `x` (any shape).
///
/// Implemented as `x_detached + lambda' * (x - x_detached)` with `lambda' = -lambda`: the
/// second term is exactly zero in the forward pass, so the output equals `x` bit for bit, and
/// its gradient is `-lambda` because `x_detached` carries none. It therefore works on every
/// backend and needs no custom autodiff node; on a backend without autodiff it is the identity.
///
/// ```
/// use burn::backend::{Autodiff, Flex};
/// use burn::tensor::Tensor;
///
/// type B = Autodiff<Flex>;
/// let device = Default::default();
/// let x = Tensor::<B, 1>::from_floats([1.0, -2.0], &device).require_grad();
/// let y = dann::nn::grl::reverse_gradient(x.clone(), 0.5);
/// assert_eq!(y.to_data().to_vec::<f32>().unwrap(), vec![1.0, -2.0]);
/// let grads = y.sum().backward();
/// let gx = x.grad(&grads).unwrap().to_data().to_vec::<f32>().unwrap();
/// assert_eq!(gx, vec![-0.5, -0.5]);
/// ```
pub fn reverse_gradient<B: Backend, const D: usize>(x: Tensor<B, D>, lambda: f64) -> Tensor<B, D> {
    let detached = x.clone().detach();
    detached.clone() + (x - detached).mul_scalar(-lambda)
}

#[cfg(test)]
mod tests {
    use burn::backend::{Autodiff, Flex};
    use burn::tensor::{Distribution, Tensor};

    use super::*;

    type B = Autodiff<Flex>;

    #[test]
    fn forward_is_identity_and_gradient_is_minus_lambda_w() {
        let device = Default::default();
        B::seed(&device, 7);
        let x =
            Tensor::<B, 2>::random([4, 3], Distribution::Normal(0.0, 1.0), &device).require_grad();
        let w = Tensor::<B, 2>::random([4, 3], Distribution::Normal(0.0, 1.0), &device);
        for lambda in [0.0, 0.3, 1.0, 6.0] {
            let y = reverse_gradient(x.clone(), lambda);
            assert_eq!(y.to_data(), x.to_data(), "forward must equal x exactly");
            let grads = (y * w.clone()).sum().backward();
            let gx: Vec<f32> = x.grad(&grads).unwrap().to_data().to_vec().unwrap();
            let want: Vec<f32> = w.to_data().to_vec::<f32>().unwrap();
            for (g, w) in gx.iter().zip(&want) {
                let expected = -(lambda as f32) * w;
                assert!(
                    (g - expected).abs() < 1e-6,
                    "lambda {lambda}: {g} vs {expected}"
                );
            }
        }
    }

    #[test]
    fn gradient_below_the_layer_is_reversed_only_there() {
        // z = sum(a * x) + sum(GRL(a * x)): d/da = x - lambda x.
        let device = Default::default();
        let a = Tensor::<B, 1>::from_floats([2.0, 3.0], &device).require_grad();
        let x = Tensor::<B, 1>::from_floats([1.0, -1.0], &device);
        let h = a.clone() * x;
        let z = h.clone().sum() + reverse_gradient(h, 0.25).sum();
        let grads = z.backward();
        let ga: Vec<f32> = a.grad(&grads).unwrap().to_data().to_vec().unwrap();
        assert_eq!(ga, vec![0.75, -0.75]);
    }
}
