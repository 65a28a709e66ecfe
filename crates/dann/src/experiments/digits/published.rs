//! The published target accuracies the digit experiments compare with.

use serde::Serialize;

use super::config::{Domain, Pair};

/// Published target accuracies of a pair, with where they come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Published {
    /// Source-only network.
    pub source_only: f64,
    /// DANN.
    pub dann: f64,
    /// Trained on the labelled target, when published.
    pub train_on_target: Option<f64>,
    /// The paper and table.
    pub citation: &'static str,
    /// How its protocol differs from ours, if it does.
    pub protocol: &'static str,
}

/// The published numbers for `pair`, if any.
pub fn published(pair: Pair) -> Option<Published> {
    use Domain::*;
    const ADDA: &str = "Tzeng et al., Adversarial Discriminative Domain Adaptation, CVPR 2017, \
                        Table 2 (rows \"Source only\" and \"Gradient reversal\", i.e. DANN)";
    const ADDA_PROTOCOL: &str = "2,000 MNIST and 1,800 USPS training images drawn at random \
                                 and a LeNet; ours trains on the full training sets with the \
                                 paper's MNIST network";
    match (pair.source, pair.target) {
        (Mnist, MnistM) => Some(Published {
            source_only: 0.5225,
            dann: 0.7666,
            train_on_target: Some(0.9596),
            citation: "Ganin et al., JMLR 2016, Table 2",
            protocol: "the same network, preprocessing and schedules; MNIST-M built by our \
                       generator from BSDS500 (the paper's recipe, not its files)",
        }),
        (Mnist, Usps) => Some(Published {
            source_only: 0.752,
            dann: 0.771,
            train_on_target: None,
            citation: ADDA,
            protocol: ADDA_PROTOCOL,
        }),
        (Usps, Mnist) => Some(Published {
            source_only: 0.571,
            dann: 0.730,
            train_on_target: None,
            citation: ADDA,
            protocol: ADDA_PROTOCOL,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_numbers_exist_for_the_three_pairs() {
        for p in ["mnist:mnist-m", "mnist:usps", "usps:mnist"] {
            let n = published(p.parse().unwrap()).unwrap();
            assert!(n.dann > n.source_only, "{p}");
        }
        assert!(published("usps:mnist-m".parse().unwrap()).is_none());
    }
}
