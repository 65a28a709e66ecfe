//! The configured optimiser behind one type, so the trainer holds either.

use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{Adam, AdamConfig, GradientsParams, Optimizer, Sgd, SgdConfig};
use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder, RecorderError};
use burn::tensor::backend::AutodiffBackend;

use super::model::DannModel;
use crate::training::config::OptimizerConfig;

pub(super) enum AnyOptimizer<B: AutodiffBackend> {
    Sgd(OptimizerAdaptor<Sgd<B::InnerBackend>, DannModel<B>, B>),
    Adam(OptimizerAdaptor<Adam, DannModel<B>, B>),
}

impl<B: AutodiffBackend> AnyOptimizer<B> {
    pub(super) fn new(config: &OptimizerConfig) -> Self {
        let decay = |w: f64| (w > 0.0).then(|| WeightDecayConfig::new(w as f32));
        match *config {
            OptimizerConfig::Sgd {
                momentum,
                weight_decay,
            } => {
                let momentum = (momentum > 0.0).then_some(MomentumConfig {
                    momentum,
                    dampening: 0.0,
                    nesterov: false,
                });
                AnyOptimizer::Sgd(
                    SgdConfig::new()
                        .with_momentum(momentum)
                        .with_weight_decay(decay(weight_decay))
                        .init(),
                )
            }
            OptimizerConfig::Adam {
                beta1,
                beta2,
                weight_decay,
            } => AnyOptimizer::Adam(
                AdamConfig::new()
                    .with_beta_1(beta1 as f32)
                    .with_beta_2(beta2 as f32)
                    .with_weight_decay(decay(weight_decay))
                    .init(),
            ),
        }
    }

    pub(super) fn step(
        &mut self,
        lr: f64,
        model: DannModel<B>,
        grads: GradientsParams,
    ) -> DannModel<B> {
        match self {
            AnyOptimizer::Sgd(o) => o.step(lr, model, grads),
            AnyOptimizer::Adam(o) => o.step(lr, model, grads),
        }
    }

    /// The optimiser's state (momenta, Adam's moments and step counts) as bytes.
    pub(super) fn state_bytes(&self) -> Result<Vec<u8>, RecorderError> {
        let recorder = NamedMpkBytesRecorder::<FullPrecisionSettings>::default();
        match self {
            AnyOptimizer::Sgd(o) => Recorder::<B>::record(&recorder, o.to_record(), ()),
            AnyOptimizer::Adam(o) => Recorder::<B>::record(&recorder, o.to_record(), ()),
        }
    }

    /// The same optimiser with the state of [`state_bytes`](Self::state_bytes).
    pub(super) fn with_state_bytes(
        self,
        bytes: Vec<u8>,
        device: &B::Device,
    ) -> Result<Self, RecorderError> {
        let recorder = NamedMpkBytesRecorder::<FullPrecisionSettings>::default();
        Ok(match self {
            AnyOptimizer::Sgd(o) => {
                AnyOptimizer::Sgd(o.load_record(Recorder::<B>::load(&recorder, bytes, device)?))
            }
            AnyOptimizer::Adam(o) => {
                AnyOptimizer::Adam(o.load_record(Recorder::<B>::load(&recorder, bytes, device)?))
            }
        })
    }
}
