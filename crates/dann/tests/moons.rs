//! The paper's toy result (JMLR 2016 sec. 5.1.1, Figure 2): on two moons with the target
//! rotated by 35 degrees, DANN classifies the target far better than the same network trained
//! on the source alone.

mod common;

use common::{B, moons, moons_dann};
use dann::Mode;

#[test]
fn dann_beats_source_only_on_rotated_moons() {
    let seeds = [0u64, 1, 2];
    let mut gains = Vec::new();
    for seed in seeds {
        let problem = moons(seed);
        let mut acc = [0.0; 2];
        for (i, mode) in [Mode::SourceOnly, Mode::Dann].into_iter().enumerate() {
            let mut dann = moons_dann(10_000, seed);
            dann.train.mode = mode;
            let fitted = dann
                .fit::<B>(&problem.source, &problem.target, &Default::default())
                .unwrap();
            assert!(fitted.evaluate(&problem.source).unwrap().accuracy > 0.97);
            acc[i] = fitted.evaluate(&problem.target_test).unwrap().accuracy;
        }
        eprintln!("seed {seed}: source-only {:.3}, DANN {:.3}", acc[0], acc[1]);
        gains.push(acc[1] - acc[0]);
    }
    let mean_gain = gains.iter().sum::<f64>() / gains.len() as f64;
    assert!(mean_gain > 0.08, "mean gain {mean_gain:.3} ({gains:?})");
    assert!(
        gains.iter().all(|&g| g > 0.0),
        "DANN must win on every seed: {gains:?}"
    );
}

/// `dann demo moons`' default, the authors' procedure (Algorithm 1, single-example plain SGD
/// steps, 500 epochs): DANN ahead of source-only on every seed, by a clear mean margin.
#[test]
fn the_authors_procedure_wins_on_every_seed() {
    use dann::experiments::moons::{MoonsConfig, MoonsDemo, MoonsProcedure, authors_settings};
    let demo = MoonsDemo {
        problem: MoonsConfig::default(),
        procedure: MoonsProcedure::Authors(authors_settings()),
        seeds: (0..4).collect(),
    };
    let r = demo.run::<common::B>(&Default::default()).unwrap();
    for (seed, (d, s)) in r
        .dann
        .target_accuracy_per_seed
        .iter()
        .zip(&r.source_only.target_accuracy_per_seed)
        .enumerate()
    {
        assert!(d > s, "seed {seed}: DANN {d} vs source-only {s}");
    }
    assert!(
        r.dann.target_accuracy > r.source_only.target_accuracy + 0.05,
        "{r:?}"
    );
    assert_eq!(r.dann.source_accuracy, 1.0);
}
