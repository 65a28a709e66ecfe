//! The convolutional part of a feature extractor: 2-D convolutions, each followed by optional
//! batch normalisation, an activation and optional max-pooling. Rows come in flattened
//! (`[batch, C * H * W]`, channels first) and leave flattened, so the trainer, the batches and
//! the heads are the MLP's.

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig};
use burn::tensor::module::max_pool2d;
use burn::tensor::{Tensor, TensorData, backend::Backend};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::mlp::{Activation, uniform_init};
use crate::error::{Error, Result};

/// One convolution layer: `channels` filters of `kernel x kernel` (stride 1, `padding` zeros
/// on each side), then max-pooling over `pool x pool` windows (1: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvLayerConfig {
    /// Output channels.
    pub channels: usize,
    /// Kernel size.
    pub kernel: usize,
    /// Zero padding on each side.
    #[serde(default)]
    pub padding: usize,
    /// Max-pooling window and stride (1: no pooling).
    #[serde(default = "one")]
    pub pool: usize,
}

fn one() -> usize {
    1
}

/// Settings of a [`ConvStack`]: the input shape and the layers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConvConfig {
    /// Shape of one input sample, `[channels, height, width]`; rows hold it flattened in that
    /// order (as the IDX loader writes images).
    pub input: [usize; 3],
    /// The layers, input side first.
    pub layers: Vec<ConvLayerConfig>,
    /// Activation after each convolution (after batch normalisation).
    pub activation: Activation,
    /// Batch normalisation after each convolution.
    pub batch_norm: bool,
}

impl Default for ConvConfig {
    /// The paper's MNIST feature extractor (JMLR 2016, appendix): conv 5x5 32, ReLU, max-pool
    /// 2; conv 5x5 48, ReLU, max-pool 2; on 3 x 28 x 28 inputs (MNIST-M, and MNIST with its
    /// grey channel repeated).
    fn default() -> Self {
        Self {
            input: [3, 28, 28],
            layers: vec![
                ConvLayerConfig {
                    channels: 32,
                    kernel: 5,
                    padding: 0,
                    pool: 2,
                },
                ConvLayerConfig {
                    channels: 48,
                    kernel: 5,
                    padding: 0,
                    pool: 2,
                },
            ],
            activation: Activation::Relu,
            batch_norm: false,
        }
    }
}

impl ConvConfig {
    /// Values per input row: `C * H * W`.
    pub fn n_inputs(&self) -> usize {
        self.input.iter().product()
    }

    /// Shape `[C, H, W]` after every layer; fails, naming the layer, when one does not fit.
    pub fn output_shape(&self) -> Result<[usize; 3]> {
        let [mut c, mut h, mut w] = self.input;
        if c == 0 || h == 0 || w == 0 {
            return Err(Error::config(
                "model.conv.input",
                format!("{:?} has a zero size", self.input),
            ));
        }
        for (i, l) in self.layers.iter().enumerate() {
            let field = format!("model.conv.layers[{i}]");
            if l.channels == 0 || l.kernel == 0 || l.pool == 0 {
                return Err(Error::config(
                    field,
                    "channels, kernel and pool must be at least 1",
                ));
            }
            let (ph, pw) = (h + 2 * l.padding, w + 2 * l.padding);
            if ph < l.kernel || pw < l.kernel {
                return Err(Error::config(
                    field,
                    format!("a {0}x{0} kernel does not fit a {h}x{w} input", l.kernel),
                ));
            }
            (h, w) = ((ph - l.kernel + 1) / l.pool, (pw - l.kernel + 1) / l.pool);
            if h == 0 || w == 0 {
                return Err(Error::config(
                    field,
                    format!("pooling over {0}x{0} leaves nothing", l.pool),
                ));
            }
            c = l.channels;
        }
        Ok([c, h, w])
    }

    /// Values per output row: the flattened output shape.
    pub fn n_outputs(&self) -> Result<usize> {
        Ok(self.output_shape()?.iter().product())
    }

    /// Builds the stack, drawing every weight from `rng` (`U(+-1/sqrt(fan_in))`, PyTorch's
    /// default), so that a seed gives the same network on every backend.
    pub fn init<B: Backend>(
        &self,
        rng: &mut ChaCha8Rng,
        device: &B::Device,
    ) -> Result<ConvStack<B>> {
        self.output_shape()?;
        let mut convs = Vec::with_capacity(self.layers.len());
        let mut norms = Vec::new();
        let mut c_in = self.input[0];
        for l in &self.layers {
            let k = l.kernel;
            let fan_in = c_in * k * k;
            let mut conv = Conv2dConfig::new([c_in, l.channels], [k, k])
                .with_padding(burn::nn::PaddingConfig2d::Explicit(
                    l.padding, l.padding, l.padding, l.padding,
                ))
                .init(device);
            let weight = uniform_init(l.channels * fan_in, fan_in, rng);
            let bias = uniform_init(l.channels, fan_in, rng);
            conv.weight =
                Param::from_data(TensorData::new(weight, [l.channels, c_in, k, k]), device);
            conv.bias = Some(Param::from_data(
                TensorData::new(bias, [l.channels]),
                device,
            ));
            convs.push(conv);
            if self.batch_norm {
                norms.push(BatchNormConfig::new(l.channels).init(device));
            }
            c_in = l.channels;
        }
        Ok(ConvStack {
            convs,
            norms,
            pools: self.layers.iter().map(|l| l.pool).collect(),
            activation: self.activation,
            input: self.input,
        })
    }
}

/// Convolutions over flattened image rows (built by [`ConvConfig::init`]).
#[derive(Module, Debug)]
pub struct ConvStack<B: Backend> {
    convs: Vec<Conv2d<B>>,
    norms: Vec<BatchNorm<B>>,
    #[module(skip)]
    pools: Vec<usize>,
    #[module(skip)]
    activation: Activation,
    #[module(skip)]
    input: [usize; 3],
}

impl<B: Backend> ConvStack<B> {
    /// Rows `[batch, C * H * W]` -> flattened feature maps `[batch, C' * H' * W']`.
    pub fn forward(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        let [n, _] = x.dims();
        let [c, h, w] = self.input;
        let mut x: Tensor<B, 4> = x.reshape([n, c, h, w]);
        for (i, conv) in self.convs.iter().enumerate() {
            x = conv.forward(x);
            if let Some(norm) = self.norms.get(i) {
                x = norm.forward(x);
            }
            x = self.activation.apply(x);
            let p = self.pools[i];
            if p > 1 {
                x = max_pool2d(x, [p, p], [p, p], [0, 0], [1, 1], false);
            }
        }
        let [n, c, h, w] = x.dims();
        x.reshape([n, c * h * w])
    }
}

#[cfg(test)]
mod tests {
    use burn::backend::Flex;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn the_papers_mnist_stack_has_its_shapes() {
        let cfg = ConvConfig::default();
        assert_eq!(cfg.output_shape().unwrap(), [48, 4, 4]);
        assert_eq!((cfg.n_inputs(), cfg.n_outputs().unwrap()), (2352, 768));
        let device = Default::default();
        let rng = &mut ChaCha8Rng::seed_from_u64(1);
        let stack = cfg.init::<Flex>(rng, &device).unwrap();
        let y = stack.forward(Tensor::<Flex, 2>::ones([2, 2352], &device));
        assert_eq!(y.dims(), [2, 768]);
        // The same seed gives the same weights.
        let again = cfg
            .init::<Flex>(&mut ChaCha8Rng::seed_from_u64(1), &device)
            .unwrap();
        let y2 = again.forward(Tensor::<Flex, 2>::ones([2, 2352], &device));
        assert_eq!(y.into_data(), y2.into_data());
    }

    #[test]
    fn layers_that_do_not_fit_are_named() {
        let mut cfg = ConvConfig {
            input: [1, 6, 6],
            ..Default::default()
        };
        let err = cfg.output_shape().unwrap_err().to_string();
        assert!(err.contains("model.conv.layers[1]"), "{err}");
        cfg.layers[0].channels = 0;
        let err = cfg.output_shape().unwrap_err().to_string();
        assert!(err.contains("model.conv.layers[0]"), "{err}");
        cfg.input = [0, 6, 6];
        assert!(
            cfg.output_shape()
                .unwrap_err()
                .to_string()
                .contains("model.conv.input")
        );
    }
}
