//! The DANN paper's sentiment experiment (Ganin et al., JMLR 2016, sec. 5.1.2-5.1.3, Table 1a
//! and Figure 3) on the Amazon reviews of Blitzer et al. (2007) as preprocessed by the authors:
//! 5,000 unigram/bigram count features, 4 domains, 2,000 labelled training reviews each.
//!
//! For every ordered pair of domains: the source's training reviews are the labelled source,
//! the target's training reviews (labels dropped) the unlabelled target, and the target's test
//! reviews measure accuracy. Model selection never looks at target labels:
//! - DANN (shallow, [`crate::shallow`]): lambda and the hidden size by reverse validation
//!   ([`crate::analysis::reverse_validation`]), early stopping on the source validation part;
//! - NN (the same network without the domain term): hidden size and early stopping on the
//!   source validation part;
//! - linear SVM: `C` over the paper's grid on the source validation part.
//!
//! `dann reproduce amazon` runs it; `results/amazon.md` holds the table it made.

mod config;
mod report;
mod run;
mod tables;

pub use config::{AmazonConfig, FeatureSpace, parse_pairs};
pub use report::{PairPad, PairResult, Report, ScoredCandidate};
pub use run::{Domain, load_domain, run, run_pair};
pub use tables::{DOMAINS, N_FEATURES, PAPER_TABLE_1A, PAPER_TABLE_1B, all_pairs};
