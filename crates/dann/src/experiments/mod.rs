//! The papers' experiments: the two-moons toy problem ([`moons`], sec. 5.1.1), the Amazon
//! reviews sentiment benchmark ([`amazon`], sec. 5.1.2-5.1.3, Table 1, Figure 3) and the
//! digits ([`digits`], sec. 5.2.2, Table 2: MNIST -> MNIST-M, MNIST <-> USPS); and a shifted
//! regression ([`drift`]) of our own.

pub mod amazon;
pub mod digits;
pub mod drift;
pub mod moons;
