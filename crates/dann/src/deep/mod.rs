//! Deep DANN on burn: the three-part network ([`DannModel`]: `G_f`, `G_y`, `G_d`), the
//! training loop ([`Trainer`]), its checkpoints ([`Checkpoints`]) and the trained model
//! ([`FittedDann`]: predict, evaluate, save, load). Its settings ([`Dann`](crate::Dann),
//! [`TrainConfig`](crate::training::TrainConfig), the paper's
//! [`schedule`](crate::training::schedule)s) live in [`training`](crate::training), shared
//! with the [`shallow`](crate::shallow) kernels. Everything is generic over burn's `Backend`.

pub(crate) mod batch;
pub(crate) mod checkpoint;
pub(crate) mod deferred;
pub(crate) mod fitted;
pub(crate) mod model;
pub(crate) mod optimizer;
pub(crate) mod spec;
pub(crate) mod trainer;

pub use checkpoint::{CHECKPOINT_FILE, Checkpoints};
pub use fitted::{FittedDann, SPEC_FILE, WEIGHTS_FILE};
pub use model::{DannConfig, DannModel};
pub use spec::{ModelSpec, WeightsCheck};
pub use trainer::Trainer;
