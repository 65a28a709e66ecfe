//! Analyses that need no target labels: how shifted a target is ([`proxy_a_distance`],
//! [`shift`]), which hyper-parameters to pick ([`reverse_validation`]) and what the features
//! look like ([`tsne`]).

pub mod proxy_a_distance;
pub mod reverse_validation;
pub mod shift;
pub mod tsne;
