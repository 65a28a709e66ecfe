//! Deferred loss reads: a step's losses as device tensors, and their sums over the steps not
//! read back yet. On a GPU every read waits for the device, so the trainer keeps the sums
//! there and reads them at records and checkpoints only; on the CPU it reads every step.

use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use crate::training::listener::StepOutput;

fn scalar<B: Backend>(t: Tensor<B, 1>) -> f64 {
    use burn::tensor::ElementConversion;
    t.into_scalar().elem::<f64>()
}

/// One step's losses, on the device: the label loss and, in DANN mode, the domain loss and
/// the domain classifier's accuracy.
pub(super) struct StepTensors<B: Backend> {
    pub(super) label_loss: Tensor<B, 1>,
    pub(super) domain: Option<(Tensor<B, 1>, Tensor<B, 1>)>,
    pub(super) lambda: f64,
    pub(super) lr: f64,
}

impl<B: Backend> StepTensors<B> {
    /// Reads the losses back (on a GPU this waits for the step to finish).
    pub(super) fn read(self) -> StepOutput {
        let (domain_loss, domain_accuracy) = match self.domain {
            Some((l, a)) => (Some(scalar(l)), Some(scalar(a))),
            None => (None, None),
        };
        StepOutput {
            label_loss: scalar(self.label_loss),
            domain_loss,
            domain_accuracy,
            lambda: self.lambda,
            lr: self.lr,
        }
    }
}

/// The sums, on the device, of the steps not read back yet.
pub(super) struct Unread<B: Backend> {
    n: usize,
    sum: StepTensors<B>,
}

impl<B: Backend> Unread<B> {
    pub(super) fn new(step: StepTensors<B>) -> Self {
        Self { n: 1, sum: step }
    }

    pub(super) fn add(self, step: StepTensors<B>) -> Self {
        let domain = match (self.sum.domain, step.domain) {
            (Some((l, a)), Some((l2, a2))) => Some((l + l2, a + a2)),
            _ => None,
        };
        Self {
            n: self.n + 1,
            sum: StepTensors {
                label_loss: self.sum.label_loss + step.label_loss,
                domain,
                lambda: step.lambda,
                lr: step.lr,
            },
        }
    }

    /// The mean output of the unread steps (lambda and lr of the last) and their number.
    pub(super) fn read(self) -> (StepOutput, usize) {
        let n = self.n;
        let mut out = self.sum.read();
        out.label_loss /= n as f64;
        out.domain_loss = out.domain_loss.map(|l| l / n as f64);
        out.domain_accuracy = out.domain_accuracy.map(|a| a / n as f64);
        (out, n)
    }
}
