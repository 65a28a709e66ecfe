//! The two engines: the hand-written kernels follow burn's trainer step for step on the
//! shallow network (same weights, batches, schedules, momentum, standardisation, records), and
//! `auto` picks the kernels exactly when they can run the settings.

mod common;

use common::{B, amazon, moons, moons_dann};
use dann::nn::mlp::Activation;
use dann::training::OptimizerConfig;
use dann::{Dann, Engine, MetricsRecord, Mode};

/// Trains `dann` on both engines and checks that the models and the records agree.
fn engines_agree(
    dann: &Dann,
    source: &dann::Dataset,
    target: &dann::Dataset,
    test: &dann::Dataset,
    tol: f32,
) {
    let device = Default::default();
    let run = |engine| {
        let mut d = dann.clone();
        d.train.engine = engine;
        assert_eq!(d.engine().unwrap(), engine);
        let mut records: Vec<MetricsRecord> = Vec::new();
        let fitted = d
            .fit_with::<B>(source, target, Some(test), &mut records, &device)
            .unwrap();
        let mut proba = fitted.predict_proba(test).unwrap().as_slice().to_vec();
        // The domain classifier too: it comes over with the rest of the network.
        proba.extend(fitted.domain_proba(test).unwrap());
        (proba, records)
    };
    let (p_burn, r_burn) = run(Engine::Burn);
    let (p_shallow, r_shallow) = run(Engine::Shallow);
    let worst = p_burn
        .iter()
        .zip(&p_shallow)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst < tol,
        "class and domain probabilities differ by up to {worst}"
    );
    assert_eq!(r_burn.len(), r_shallow.len());
    for (a, b) in r_burn.iter().zip(&r_shallow) {
        assert_eq!(a.iteration, b.iteration);
        assert_eq!((a.lambda, a.lr), (b.lambda, b.lr));
        assert!((a.label_loss - b.label_loss).abs() < 1e-3, "{a:?}\n{b:?}");
        match (a.domain_loss, b.domain_loss) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-3, "{a:?}\n{b:?}"),
            (x, y) => assert_eq!(x.is_some(), y.is_some()),
        }
        assert!(
            (a.source_accuracy - b.source_accuracy).abs() < 0.02,
            "{a:?}\n{b:?}"
        );
    }
}

#[test]
fn kernels_follow_burn_on_dense_moons() {
    let p = moons(0);
    engines_agree(
        &moons_dann(150, 0),
        &p.source,
        &p.target,
        &p.target_test,
        2e-3,
    );
    // Source-only, without momentum, and with standardised inputs.
    let mut d = moons_dann(150, 1);
    d.train.mode = Mode::SourceOnly;
    d.train.optimizer = OptimizerConfig::Sgd {
        momentum: 0.0,
        weight_decay: 0.0,
    };
    d.train.standardize = dann::Standardize::Yes;
    engines_agree(&d, &p.source, &p.target, &p.target_test, 2e-3);
}

/// The default settings (the paper's schedules, momentum 0.9, 32 + 32 rows) on sparse
/// Amazon reviews, standardised (scale only: they stay sparse).
#[test]
fn kernels_follow_burn_on_sparse_reviews() {
    let source = amazon("books_train").subset(&(0..600).collect::<Vec<_>>());
    let target = amazon("kitchen_train")
        .subset(&(0..600).collect::<Vec<_>>())
        .without_labels();
    let test = amazon("kitchen_test").subset(&(0..300).collect::<Vec<_>>());
    let mut dann = Dann::default();
    dann.model = dann::DannConfig::shallow(20);
    dann.train.iterations = 120;
    dann.train.log_every = 40;
    engines_agree(&dann, &source, &target, &test, 2e-3);
    dann.train.standardize = dann::Standardize::Yes;
    dann.train.lr = dann::training::schedule::LrSchedule::Constant { value: 1e-3 };
    engines_agree(&dann, &source, &target, &test, 2e-3);
}

#[test]
fn auto_picks_the_kernels_only_when_they_can_run_the_settings() {
    assert_eq!(Dann::default().engine().unwrap(), Engine::Shallow);
    let mut relu = Dann::default();
    relu.model.feature.activation = Activation::Relu;
    assert_eq!(relu.engine().unwrap(), Engine::Burn);
    let mut deep = Dann::default();
    deep.model.feature.hidden = vec![50, 20];
    assert_eq!(deep.engine().unwrap(), Engine::Burn);
    let mut adam = Dann::default();
    adam.train.optimizer = OptimizerConfig::Adam {
        beta1: 0.9,
        beta2: 0.999,
        weight_decay: 0.0,
    };
    assert_eq!(adam.engine().unwrap(), Engine::Burn);
    adam.train.engine = Engine::Shallow;
    let err = adam.engine().unwrap_err().to_string();
    assert!(
        err.contains("train.engine") && err.contains("adam"),
        "{err}"
    );
    let mut forced = Dann::default();
    forced.train.engine = Engine::Burn;
    assert_eq!(forced.engine().unwrap(), Engine::Burn);
}

/// Stops after `after` steps.
struct StopAfter {
    after: usize,
    steps: usize,
}

impl dann::TrainListener for StopAfter {
    fn on_step(&mut self, _: usize, _: usize, _: &dann::StepOutput) {}

    fn interrupted(&mut self) -> bool {
        self.steps += 1;
        self.steps > self.after
    }
}

#[test]
fn a_listener_stops_either_engine_between_steps() {
    let problem = moons(0);
    let (source, target) = (&problem.source, &problem.target);
    for engine in [Engine::Burn, Engine::Shallow] {
        let mut d = moons_dann(1_000_000, 0);
        d.train.engine = engine;
        let mut stop = StopAfter { after: 7, steps: 0 };
        let err = d
            .fit_with::<B>(source, target, None, &mut stop, &Default::default())
            .unwrap_err();
        assert!(
            matches!(err, dann::Error::Interrupted { iteration: 8 }),
            "{engine:?}: {err}"
        );
    }
}
