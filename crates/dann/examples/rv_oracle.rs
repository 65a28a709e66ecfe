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

use dann::experiments::amazon::{AmazonConfig, PairSplits, load_domain, parse_pairs};
use dann::metrics::accuracy;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed: u64 = args.first().map_or(Ok(0), |s| s.parse())?;
    let pairs = parse_pairs(args.get(1).map_or("all", String::as_str))?;
    let dir = dann::data::data_dir(None);
    let mut config = AmazonConfig::default();
    config.shallow.seed = seed;
    println!("| pair | chosen (lambda, hidden) | chosen | best candidate | mean candidate |");
    println!("|---|---|---|---|---|");
    let mut sums = [0.0; 3];
    for (s, t) in &pairs {
        let (source, target) = (load_domain(&dir, s)?, load_domain(&dir, t)?);
        let parts = PairSplits::new(&source, &target, seed)?;
        let truth = parts.test.labels().unwrap_or_default();
        let selection = config.reverse_validation().select(
            &parts.s_train,
            &parts.s_val,
            &parts.t_train,
            &parts.t_val,
        )?;
        let accs: Vec<f64> = selection
            .forward_models
            .iter()
            .map(|m| accuracy(&m.predict(&parts.test), truth))
            .collect();
        let chosen = accs[selection.best];
        let best = accs.iter().copied().fold(f64::MIN, f64::max);
        let mean = accs.iter().sum::<f64>() / accs.len() as f64;
        for (sum, v) in sums.iter_mut().zip([chosen, best, mean]) {
            *sum += v;
        }
        println!(
            "| {s} -> {t} | ({:.3}, {}) | {chosen:.3} | {best:.3} | {mean:.3} |",
            selection.winner().lambda,
            selection.winner().hidden
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
