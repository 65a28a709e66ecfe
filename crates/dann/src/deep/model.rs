//! The DANN network: feature extractor `G_f`, label predictor `G_y` and domain classifier
//! `G_d` (Ganin et al., JMLR 2016, sec. 4, Figure 1).

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Tensor, backend::Backend};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::nn::conv::{ConvConfig, ConvStack};
use crate::nn::grl::reverse_gradient;
use crate::nn::mlp::{Activation, Mlp, MlpConfig, linear};

/// Architecture of a DANN: an optional convolutional stack, then three MLP blocks. The
/// feature extractor `G_f` is the convolutions (`[model.conv]`, for images) followed by the
/// `feature` MLP (which may then have no hidden layers); the label predictor and the domain
/// classifier each end in a linear output layer added on top of their hidden layers (softmax
/// over the classes; one logistic output for "target domain").
///
/// The paper's shallow network (sec. 5.1) is `feature.hidden = [h]`, sigmoid, with empty
/// label and domain blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DannConfig {
    /// Convolutions at the bottom of `G_f`, for image rows (none by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conv: Option<ConvConfig>,
    /// Feature extractor `G_f` (above the convolutions, if any).
    pub feature: MlpConfig,
    /// Hidden layers of the label predictor `G_y` before its softmax layer.
    pub label: MlpConfig,
    /// Hidden layers of the domain classifier `G_d` before its logistic output.
    pub domain: MlpConfig,
}

impl Default for DannConfig {
    /// The paper's shallow network with 100 sigmoid hidden units.
    fn default() -> Self {
        Self::shallow(100)
    }
}

impl DannConfig {
    /// The paper's shallow DANN: one sigmoid hidden layer of `hidden` units.
    pub fn shallow(hidden: usize) -> Self {
        Self {
            conv: None,
            feature: MlpConfig::new([hidden]),
            label: MlpConfig::default(),
            domain: MlpConfig::default(),
        }
    }

    /// The paper's MNIST network (JMLR 2016, appendix): [`ConvConfig::default`] on
    /// `3 x 28 x 28` inputs (768 features), label head 100-100 (ReLU) before its softmax,
    /// domain head 100 (ReLU) before its logistic output.
    pub fn mnist() -> Self {
        Self {
            conv: Some(ConvConfig::default()),
            feature: MlpConfig::new([]),
            label: MlpConfig::new([100, 100]).with_activation(Activation::Relu),
            domain: MlpConfig::new([100]).with_activation(Activation::Relu),
        }
    }

    /// The paper's SVHN network (JMLR 2016, appendix, Figure 4): [`ConvConfig::svhn`] on
    /// `3 x 32 x 32` inputs, label head 3072-2048 (ReLU), domain head 1024-1024 (ReLU).
    pub fn svhn() -> Self {
        Self {
            conv: Some(ConvConfig::svhn()),
            feature: MlpConfig::new([]),
            label: MlpConfig::new([3072, 2048]).with_activation(Activation::Relu),
            domain: MlpConfig::new([1024, 1024]).with_activation(Activation::Relu),
        }
    }

    /// The paper's GTSRB network (JMLR 2016, appendix, Figure 4): [`ConvConfig::gtsrb`] on
    /// `3 x 40 x 40` inputs, label head 512 (ReLU), domain head 1024-1024 (ReLU).
    pub fn gtsrb() -> Self {
        Self {
            conv: Some(ConvConfig::gtsrb()),
            feature: MlpConfig::new([]),
            label: MlpConfig::new([512]).with_activation(Activation::Relu),
            domain: MlpConfig::new([1024, 1024]).with_activation(Activation::Relu),
        }
    }

    /// Checks every block.
    pub fn check(&self) -> Result<()> {
        if let Some(conv) = &self.conv {
            conv.output_shape()?;
        }
        self.feature.check("model.feature")?;
        self.label.check("model.label")?;
        self.domain.check("model.domain")
    }

    /// Width of `G_f(x)` for rows of `n_features` values: the feature MLP's output, on the
    /// flattened convolution output when there are convolutions.
    pub fn feature_size(&self, n_features: usize) -> usize {
        let d_in = match &self.conv {
            Some(c) => c.n_outputs().unwrap_or(0),
            None => n_features,
        };
        self.feature.output_size(d_in)
    }

    /// Builds the network for `n_features` inputs and `n_classes` classes; the initial weights
    /// depend only on `seed` (not on the backend).
    pub fn init<B: Backend>(
        &self,
        n_features: usize,
        n_classes: usize,
        seed: u64,
        device: &B::Device,
    ) -> Result<DannModel<B>> {
        if n_classes < 2 {
            return Err(Error::Data(format!(
                "need at least 2 classes in the labelled source data, found {n_classes}"
            )));
        }
        self.init_outputs(n_features, n_classes, seed, device)
    }

    /// [`init`](Self::init) with a label head of `n_outputs` outputs (1 for a regression);
    /// checks the settings and that there are features.
    pub fn init_outputs<B: Backend>(
        &self,
        n_features: usize,
        n_outputs: usize,
        seed: u64,
        device: &B::Device,
    ) -> Result<DannModel<B>> {
        self.check()?;
        if n_features == 0 {
            return Err(Error::Data("the data has no features".into()));
        }
        let rng = &mut ChaCha8Rng::seed_from_u64(seed);
        let (conv, d_in) = match &self.conv {
            Some(c) => {
                if c.n_inputs() != n_features {
                    return Err(Error::Data(format!(
                        "rows of {n_features} values, but model.conv.input {:?} holds {}",
                        c.input,
                        c.n_inputs()
                    )));
                }
                (Some(c.init(rng, device)?), c.n_outputs()?)
            }
            None => (None, n_features),
        };
        let d_feat = self.feature.output_size(d_in);
        let d_label = self.label.output_size(d_feat);
        let d_domain = self.domain.output_size(d_feat);
        Ok(DannModel {
            conv,
            feature: self.feature.init(d_in, rng, device),
            label: self.label.init(d_feat, rng, device),
            label_out: linear(d_label, n_outputs, rng, device),
            domain: self.domain.init(d_feat, rng, device),
            domain_out: linear(d_domain, 1, rng, device),
        })
    }
}

/// A DANN network (built by [`DannConfig::init`]).
#[derive(Module, Debug)]
pub struct DannModel<B: Backend> {
    pub(crate) conv: Option<ConvStack<B>>,
    pub(crate) feature: Mlp<B>,
    pub(crate) label: Mlp<B>,
    pub(crate) label_out: Linear<B>,
    pub(crate) domain: Mlp<B>,
    pub(crate) domain_out: Linear<B>,
}

impl<B: Backend> DannModel<B> {
    /// `G_f`: inputs `[batch, n_features]` (images flattened, channels first) -> features
    /// `[batch, d_feat]`.
    pub fn features(&self, x: Tensor<B, 2>) -> Tensor<B, 2> {
        match &self.conv {
            Some(conv) => self.feature.forward(conv.forward(x)),
            None => self.feature.forward(x),
        }
    }

    /// `G_y`: features `[batch, d_feat]` -> class logits `[batch, n_classes]`.
    pub fn classify(&self, h: Tensor<B, 2>) -> Tensor<B, 2> {
        self.label_out.forward(self.label.forward(h))
    }

    /// `G_d` behind a gradient reversal layer of weight `lambda`: features `[batch, d_feat]`
    /// -> domain logits `[batch, 1]` (positive means "target"). The domain classifier's own
    /// parameters get the plain gradient; only the features below it get `-lambda` times it.
    pub fn discriminate(&self, h: Tensor<B, 2>, lambda: f64) -> Tensor<B, 2> {
        let h = reverse_gradient(h, lambda);
        self.domain_out.forward(self.domain.forward(h))
    }
}

#[cfg(test)]
mod tests {
    use burn::backend::Flex;

    use super::*;

    #[test]
    fn shapes_follow_the_config() {
        let device = Default::default();
        let cfg = DannConfig {
            conv: None,
            feature: MlpConfig::new([8, 6]),
            label: MlpConfig::new([4]),
            domain: MlpConfig::new([5]),
        };
        let model = cfg.init::<Flex>(3, 4, 0, &device).unwrap();
        let x = Tensor::<Flex, 2>::zeros([2, 3], &device);
        let h = model.features(x);
        assert_eq!(h.dims(), [2, 6]);
        assert_eq!(model.classify(h.clone()).dims(), [2, 4]);
        assert_eq!(model.discriminate(h, 1.0).dims(), [2, 1]);
    }

    #[test]
    fn the_papers_mnist_network_has_its_shapes() {
        let device = Default::default();
        let model = DannConfig::mnist()
            .init::<Flex>(2352, 10, 0, &device)
            .unwrap();
        let h = model.features(Tensor::<Flex, 2>::zeros([3, 2352], &device));
        assert_eq!(h.dims(), [3, 768]);
        assert_eq!(model.classify(h.clone()).dims(), [3, 10]);
        assert_eq!(model.discriminate(h, 1.0).dims(), [3, 1]);
        let err = DannConfig::mnist()
            .init::<Flex>(784, 10, 0, &device)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("model.conv.input [3, 28, 28] holds 2352"),
            "{err}"
        );
    }

    #[test]
    fn the_papers_svhn_and_gtsrb_networks_have_their_shapes() {
        let device = Default::default();
        for (cfg, d, classes, features) in [
            (DannConfig::svhn(), 3 * 32 * 32, 10, 128 * 7 * 7),
            (DannConfig::gtsrb(), 3 * 40 * 40, 43, 256 * 2 * 2),
        ] {
            assert_eq!(cfg.feature_size(d), features);
            let model = cfg.init::<Flex>(d, classes, 0, &device).unwrap();
            let h = model.features(Tensor::<Flex, 2>::zeros([2, d], &device));
            assert_eq!(h.dims(), [2, features]);
            assert_eq!(model.classify(h.clone()).dims(), [2, classes]);
            assert_eq!(model.discriminate(h, 1.0).dims(), [2, 1]);
        }
    }

    #[test]
    fn init_rejects_bad_settings() {
        let device = Default::default();
        let mut cfg = DannConfig::shallow(0);
        let err = cfg.init::<Flex>(3, 2, 0, &device).unwrap_err().to_string();
        assert!(err.contains("model.feature.hidden[0]"), "{err}");
        cfg = DannConfig::shallow(4);
        cfg.domain.dropout = 1.5;
        assert!(cfg.init::<Flex>(3, 2, 0, &device).is_err());
        let err = DannConfig::shallow(4)
            .init::<Flex>(3, 1, 0, &device)
            .unwrap_err();
        assert!(err.to_string().contains("at least 2 classes"));
    }
}
