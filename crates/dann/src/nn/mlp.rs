//! Multi-layer perceptron block used for the feature extractor, label predictor and domain
//! classifier.

use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::{Tensor, TensorData, activation, backend::Backend};
use rand::distr::{Distribution, Uniform};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Non-linearity after each hidden layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// Logistic sigmoid (the paper's shallow network).
    #[default]
    Sigmoid,
    /// Rectified linear unit.
    Relu,
    /// Hyperbolic tangent.
    Tanh,
}

impl Activation {
    pub(crate) fn apply<B: Backend, const D: usize>(self, x: Tensor<B, D>) -> Tensor<B, D> {
        match self {
            Activation::Sigmoid => activation::sigmoid(x),
            Activation::Relu => activation::relu(x),
            Activation::Tanh => activation::tanh(x),
        }
    }
}

/// Settings of an [`Mlp`]: hidden layer sizes, their activation and dropout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpConfig {
    /// Sizes of the hidden layers, input side first; empty for none.
    pub hidden: Vec<usize>,
    /// Activation after each hidden layer.
    pub activation: Activation,
    /// Dropout probability after each hidden layer (training only), in `[0, 1)`.
    pub dropout: f64,
}

impl Default for MlpConfig {
    fn default() -> Self {
        Self {
            hidden: Vec::new(),
            activation: Activation::Sigmoid,
            dropout: 0.0,
        }
    }
}

impl MlpConfig {
    /// An MLP with these hidden sizes, sigmoid, no dropout.
    pub fn new(hidden: impl Into<Vec<usize>>) -> Self {
        Self {
            hidden: hidden.into(),
            ..Self::default()
        }
    }

    /// Sets the activation.
    pub fn with_activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Sets the dropout probability.
    pub fn with_dropout(mut self, dropout: f64) -> Self {
        self.dropout = dropout;
        self
    }

    /// Checks the settings; `field` names this block in errors.
    pub fn check(&self, field: &str) -> Result<()> {
        if let Some(i) = self.hidden.iter().position(|&h| h == 0) {
            return Err(Error::config(
                format!("{field}.hidden[{i}]"),
                "layer sizes must be at least 1",
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::config(
                format!("{field}.dropout"),
                format!("must be in [0, 1), got {}", self.dropout),
            ));
        }
        Ok(())
    }

    /// Size of the output for an input of size `d_input`.
    pub fn output_size(&self, d_input: usize) -> usize {
        self.hidden.last().copied().unwrap_or(d_input)
    }

    /// Builds the block for inputs of size `d_input`, drawing its weights from `rng` (see
    /// [`linear`]).
    pub fn init<B: Backend>(
        &self,
        d_input: usize,
        rng: &mut ChaCha8Rng,
        device: &B::Device,
    ) -> Mlp<B> {
        let mut layers = Vec::with_capacity(self.hidden.len());
        let mut d = d_input;
        for &h in &self.hidden {
            layers.push(linear(d, h, rng, device));
            d = h;
        }
        Mlp {
            layers,
            dropout: DropoutConfig::new(self.dropout).init(),
            activation: self.activation,
        }
    }
}

/// `n` values drawn from `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` (PyTorch's default for linear
/// and convolution layers) by `rng`.
pub(crate) fn uniform_init(n: usize, fan_in: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let bound = 1.0 / (fan_in as f32).sqrt();
    let dist = Uniform::new_inclusive(-bound, bound).expect("finite bounds");
    (0..n).map(|_| dist.sample(rng)).collect()
}

/// A linear layer `[d_input] -> [d_output]` with weights and bias drawn from
/// `U(-1/sqrt(d_input), 1/sqrt(d_input))` (PyTorch's `nn.Linear` default) by our own seeded
/// generator, so that a seed gives the same network on every backend and in every thread.
pub fn linear<B: Backend>(
    d_input: usize,
    d_output: usize,
    rng: &mut ChaCha8Rng,
    device: &B::Device,
) -> Linear<B> {
    let (weight, bias) = linear_init_values(d_input, d_output, rng);
    linear_from_values(d_input, d_output, weight, bias, device)
}

/// A linear layer `[d_input] -> [d_output]` with the given weights (`[d_input][d_output]`,
/// row-major) and bias.
pub fn linear_from_values<B: Backend>(
    d_input: usize,
    d_output: usize,
    weight: Vec<f32>,
    bias: Vec<f32>,
    device: &B::Device,
) -> Linear<B> {
    Linear {
        weight: Param::from_data(TensorData::new(weight, [d_input, d_output]), device),
        bias: Some(Param::from_data(TensorData::new(bias, [d_output]), device)),
    }
}

/// The values [`linear`] draws: weights `[d_input][d_output]` row-major, then the bias.
pub fn linear_init_values(
    d_input: usize,
    d_output: usize,
    rng: &mut ChaCha8Rng,
) -> (Vec<f32>, Vec<f32>) {
    let bound = 1.0 / (d_input as f32).sqrt();
    let dist = Uniform::new_inclusive(-bound, bound).expect("finite bounds");
    let weight: Vec<f32> = (0..d_input * d_output).map(|_| dist.sample(rng)).collect();
    let bias: Vec<f32> = (0..d_output).map(|_| dist.sample(rng)).collect();
    (weight, bias)
}

/// `x -> dropout(act(W_k ... dropout(act(W_1 x + b_1)) ... + b_k))`; the identity when it has
/// no hidden layers.
#[derive(Module, Debug)]
pub struct Mlp<B: Backend> {
    pub(crate) layers: Vec<Linear<B>>,
    dropout: Dropout,
    #[module(skip)]
    activation: Activation,
}

impl<B: Backend> Mlp<B> {
    /// Input `[batch, d_in]` -> output `[batch, d_out]`.
    pub fn forward(&self, mut x: Tensor<B, 2>) -> Tensor<B, 2> {
        for layer in &self.layers {
            x = self
                .dropout
                .forward(self.activation.apply(layer.forward(x)));
        }
        x
    }
}
