//! The convolutional part of a feature extractor: 2-D convolutions, each followed by optional
//! batch normalisation, an activation and optional max-pooling. Rows come in flattened
//! (`[batch, C * H * W]`, channels first) and leave flattened, so the trainer, the batches and
//! the heads are the MLP's.
//!
//! On the CPU a convolution, its ReLU and its pooling run as one [`fused`] operation on the
//! hand-written [`kernels`].

pub mod fused;
pub mod kernels;

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig};
use burn::tensor::module::max_pool2d;
use burn::tensor::{Tensor, TensorData, backend::Backend};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::nn::mlp::{Activation, uniform_init};

/// One convolution layer: `channels` filters of `kernel x kernel` (stride 1, `padding` zeros
/// on each side), then max-pooling over `pool x pool` windows (1: none) moved by
/// `pool_stride` (default: `pool`, windows side by side).
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
    /// Max-pooling window (1: no pooling).
    #[serde(default = "one")]
    pub pool: usize,
    /// Max-pooling stride (default: the window, `pool`); the paper's SVHN network pools
    /// 3x3 windows with stride 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_stride: Option<usize>,
}

fn one() -> usize {
    1
}

impl ConvLayerConfig {
    /// A layer without padding or pooling.
    pub fn new(channels: usize, kernel: usize) -> Self {
        Self {
            channels,
            kernel,
            padding: 0,
            pool: 1,
            pool_stride: None,
        }
    }

    /// With `padding` zeros on each side.
    pub fn with_padding(mut self, padding: usize) -> Self {
        self.padding = padding;
        self
    }

    /// With max-pooling over `window x window`, moved by `stride`.
    pub fn with_pool(mut self, window: usize, stride: usize) -> Self {
        self.pool = window;
        self.pool_stride = (stride != window).then_some(stride);
        self
    }

    /// The pooling stride.
    pub fn stride(&self) -> usize {
        self.pool_stride.unwrap_or(self.pool)
    }
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
                ConvLayerConfig::new(32, 5).with_pool(2, 2),
                ConvLayerConfig::new(48, 5).with_pool(2, 2),
            ],
            activation: Activation::Relu,
            batch_norm: false,
        }
    }
}

impl ConvConfig {
    /// The paper's SVHN feature extractor (JMLR 2016, appendix, Figure 4): conv 5x5 64, ReLU,
    /// max-pool 3x3 stride 2; conv 5x5 64, ReLU, max-pool 3x3 stride 2; conv 5x5 128, ReLU;
    /// on 3 x 32 x 32 inputs. The convolutions keep the size (padding 2), as in the Caffe
    /// and TensorFlow versions of the network; without it the third one would not fit.
    pub fn svhn() -> Self {
        Self {
            input: [3, 32, 32],
            layers: vec![
                ConvLayerConfig::new(64, 5).with_padding(2).with_pool(3, 2),
                ConvLayerConfig::new(64, 5).with_padding(2).with_pool(3, 2),
                ConvLayerConfig::new(128, 5).with_padding(2),
            ],
            activation: Activation::Relu,
            batch_norm: false,
        }
    }

    /// The paper's GTSRB feature extractor (JMLR 2016, appendix, Figure 4): conv 5x5 96,
    /// ReLU, max-pool 2; conv 3x3 144, ReLU, max-pool 2; conv 5x5 256, ReLU, max-pool 2; on
    /// 3 x 40 x 40 inputs.
    pub fn gtsrb() -> Self {
        Self {
            input: [3, 40, 40],
            layers: vec![
                ConvLayerConfig::new(96, 5).with_pool(2, 2),
                ConvLayerConfig::new(144, 3).with_pool(2, 2),
                ConvLayerConfig::new(256, 5).with_pool(2, 2),
            ],
            activation: Activation::Relu,
            batch_norm: false,
        }
    }

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
            if l.channels == 0 || l.kernel == 0 || l.pool == 0 || l.stride() == 0 {
                return Err(Error::config(
                    field,
                    "channels, kernel, pool and pool_stride must be at least 1",
                ));
            }
            let (ph, pw) = (h + 2 * l.padding, w + 2 * l.padding);
            if ph < l.kernel || pw < l.kernel {
                return Err(Error::config(
                    field,
                    format!("a {0}x{0} kernel does not fit a {h}x{w} input", l.kernel),
                ));
            }
            let (ch, cw) = (ph - l.kernel + 1, pw - l.kernel + 1);
            if ch < l.pool || cw < l.pool {
                return Err(Error::config(
                    field,
                    format!("pooling over {0}x{0} leaves nothing", l.pool),
                ));
            }
            (h, w) = (
                (ch - l.pool) / l.stride() + 1,
                (cw - l.pool) / l.stride() + 1,
            );
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
            pools: self.layers.iter().map(|l| [l.pool, l.stride()]).collect(),
            paddings: self.layers.iter().map(|l| l.padding).collect(),
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
    /// Window and stride of each layer's max-pooling.
    #[module(skip)]
    pools: Vec<[usize; 2]>,
    /// Zero padding of each layer's convolution.
    #[module(skip)]
    paddings: Vec<usize>,
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
            let [p, s] = self.pools[i];
            // The fused kernels where they apply (burn's CPU backend, ReLU, no batch norm).
            if self.norms.is_empty()
                && self.activation == Activation::Relu
                && let Some(bias) = &conv.bias
            {
                let padding = self.paddings[i];
                match fused::conv_relu_pool(x, conv.weight.val(), bias.val(), padding, [p, s]) {
                    Ok(y) => {
                        x = y;
                        continue;
                    }
                    Err((back, _, _)) => x = back,
                }
            }
            x = conv.forward(x);
            if let Some(norm) = self.norms.get(i) {
                x = norm.forward(x);
            }
            x = self.activation.apply(x);
            if p > 1 || s > 1 {
                x = max_pool2d(x, [p, p], [s, s], [0, 0], [1, 1], false);
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
    fn the_papers_svhn_and_gtsrb_stacks_have_their_shapes() {
        // 32 -> conv(pad 2) 32 -> pool 3/2 15 -> 15 -> 7 -> 7.
        assert_eq!(ConvConfig::svhn().output_shape().unwrap(), [128, 7, 7]);
        // 40 -> 36 -> 18 -> 16 -> 8 -> 4 -> 2.
        assert_eq!(ConvConfig::gtsrb().output_shape().unwrap(), [256, 2, 2]);
        let cfg = ConvConfig {
            input: [1, 9, 9],
            layers: vec![ConvLayerConfig::new(2, 3).with_pool(3, 2)],
            ..Default::default()
        };
        // 9 -> 7 -> (7 - 3) / 2 + 1 = 3: the forward pass agrees with the shape.
        assert_eq!(cfg.output_shape().unwrap(), [2, 3, 3]);
        let device = Default::default();
        let stack = cfg
            .init::<Flex>(&mut ChaCha8Rng::seed_from_u64(0), &device)
            .unwrap();
        let y = stack.forward(Tensor::<Flex, 2>::ones([1, 81], &device));
        assert_eq!(y.dims(), [1, 18]);
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
