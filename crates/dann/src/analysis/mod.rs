//! Analyses that need no target labels: how shifted a target is ([`proxy_a_distance`],
//! [`shift`]) and which hyper-parameters to pick ([`reverse_validation`]).

pub mod proxy_a_distance;
pub mod reverse_validation;
pub mod shift;
