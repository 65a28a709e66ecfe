//! The paper's digit experiments (Ganin et al., JMLR 2016, sec. 5.2.2, Table 2): MNIST ->
//! MNIST-M with the paper's network, and MNIST <-> USPS with the same network.
//!
//! For a pair `source:target` three models are trained, with the same network, preprocessing,
//! batches, schedules and number of iterations:
//! - source-only: the labelled source alone (DANN without the domain term);
//! - DANN: the labelled source and the unlabelled target training images;
//! - train-on-target: the target's training images *with* their labels (the upper bound).
//!
//! Each is measured on the target's test images. Nothing looks at target labels to choose a
//! setting: every setting is fixed in advance ([`preset`], the paper's where it gives one).
//! `dann reproduce digits` runs it; `results/digits/` holds what it wrote.

mod config;
mod data;
mod published;
mod report;
mod run;

pub use config::{Domain, ITERATIONS, ModelKind, Pair, Variant, preset};
pub use data::{DigitsData, load_domain};
pub use published::{Published, published};
pub use report::{DigitsReport, ModelResult};
pub use run::fit_model;
