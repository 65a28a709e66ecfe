//! The papers' experiments: the two-moons toy problem ([`moons`], sec. 5.1.1) and the Amazon
//! reviews sentiment benchmark ([`amazon`], sec. 5.1.2-5.1.3, Table 1, Figure 3).

pub mod amazon;
pub mod moons;
