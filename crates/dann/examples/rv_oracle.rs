//! How good is reverse validation's pick? For each Amazon pair, scores every (lambda, hidden)
//! candidate as `dann reproduce amazon` does, then *looks at the target test labels* (which the
//! selection never does) to show the chosen candidate's accuracy beside the best and the mean
//! candidate's. A diagnostic of the model selection, not a result.
//!
//! ```text
//! cargo run --release -p dann --example rv_oracle -- 0 books:kitchen,dvd:books
//! ```
//!
//! Arguments: seed (default 0) and pairs (default all); the data folder is `$DANN_DATA_DIR`
//! or `data`. Settings are `AmazonConfig::default()`'s.

use std::path::PathBuf;

use dann::Mode;
use dann::amazon::{AmazonConfig, PairSplits, load_domain, parse_pairs};
use dann::metrics::accuracy;
use dann::shallow::ShallowConfig;
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed: u64 = args.first().map_or(Ok(0), |s| s.parse())?;
    let pairs = parse_pairs(args.get(1).map_or("all", String::as_str))?;
    let dir = PathBuf::from(std::env::var("DANN_DATA_DIR").unwrap_or_else(|_| "data".into()));
    let mut config = AmazonConfig::default();
    config.shallow.seed = seed;
    println!("| pair | chosen (lambda, hidden) | chosen | best candidate | mean candidate |");
    println!("|---|---|---|---|---|");
    let mut sums = [0.0; 3];
    for (s, t) in &pairs {
        let (source, target) = (load_domain(&dir, s)?, load_domain(&dir, t)?);
        let parts = PairSplits::new(&source, &target, seed)?;
        let (s_train, test) = (&parts.s_train, &parts.test);
        let truth = test.labels().unwrap_or_default();
        let rv = config.reverse_validation();
        let selection = rv.select(s_train, &parts.s_val, &parts.t_train, &parts.t_val)?;
        let chosen = accuracy(&selection.best_model.predict(test), truth);
        let accs: Vec<f64> = selection
            .candidates
            .par_iter()
            .map(|c| -> dann::Result<f64> {
                let model = ShallowConfig {
                    mode: Mode::Dann,
                    hidden: c.hidden,
                    lambda: c.lambda,
                    ..config.shallow.clone()
                }
                .fit(s_train, &parts.t_train, Some(&parts.s_val))?
                .model;
                Ok(accuracy(&model.predict(test), truth))
            })
            .collect::<dann::Result<_>>()?;
        let best = accs.iter().copied().fold(f64::MIN, f64::max);
        let mean = accs.iter().sum::<f64>() / accs.len() as f64;
        for (sum, v) in sums.iter_mut().zip([chosen, best, mean]) {
            *sum += v;
        }
        println!(
            "| {s} -> {t} | ({:.3}, {}) | {chosen:.3} | {best:.3} | {mean:.3} |",
            selection.lambda, selection.hidden
        );
    }
    let n = pairs.len() as f64;
    println!(
        "| **mean** | | {:.4} | {:.4} | {:.4} |",
        sums[0] / n,
        sums[1] / n,
        sums[2] / n
    );
    Ok(())
}
