//! Trainer behaviour: typed step output, reproducibility, the source-only path, records,
//! input checks.

mod common;

use common::{B, moons, moons_dann};
use dann::data::{CsrMatrix, Dataset, DenseMatrix, Features};
use dann::{Mode, TrainConfig, Trainer};

#[test]
fn steps_report_losses_and_domain_accuracy() {
    let p = moons(0);
    let dann = moons_dann(100, 0);
    let mut trainer = Trainer::<B>::new(
        &dann.model,
        &dann.train,
        &p.source,
        &p.target,
        &Default::default(),
    )
    .unwrap();
    let first = trainer.step();
    assert!(
        first.label_loss > 0.3,
        "initial loss near ln 2: {}",
        first.label_loss
    );
    let d = first.domain_accuracy.unwrap();
    assert!((0.0..=1.0).contains(&d));
    assert!(first.domain_loss.unwrap() > 0.0);
    assert_eq!(first.lambda, 6.0);
    for _ in 0..99 {
        trainer.step();
    }
    assert_eq!(trainer.iteration(), 100);
    let later = trainer.step();
    assert!(
        later.label_loss < first.label_loss,
        "{} !< {}",
        later.label_loss,
        first.label_loss
    );
}

#[test]
fn source_only_has_no_domain_term() {
    let p = moons(0);
    let mut dann = moons_dann(10, 0);
    dann.train.mode = Mode::SourceOnly;
    let mut trainer = Trainer::<B>::new(
        &dann.model,
        &dann.train,
        &p.source,
        &p.target,
        &Default::default(),
    )
    .unwrap();
    let out = trainer.step();
    assert_eq!(out.domain_loss, None);
    assert_eq!(out.domain_accuracy, None);
    assert_eq!(out.lambda, 0.0);
}

#[test]
fn same_seed_same_model_other_seed_other_model() {
    let p = moons(3);
    let fit = |seed| {
        moons_dann(200, seed)
            .fit::<B>(&p.source, &p.target, &Default::default())
            .unwrap()
            .predict_proba(&p.target_test)
            .unwrap()
    };
    let (a, b, c) = (fit(5), fit(5), fit(6));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn records_carry_source_and_target_accuracy() {
    let p = moons(0);
    let mut dann = moons_dann(300, 0);
    dann.train.log_every = 100;
    let mut records = Vec::new();
    dann.fit_with::<B>(
        &p.source,
        &p.target,
        Some(&p.target_test),
        &mut records,
        &Default::default(),
    )
    .unwrap();
    let iters: Vec<usize> = records.iter().map(|r| r.iteration).collect();
    assert_eq!(iters, [100, 200, 300]);
    for r in &records {
        assert!((0.0..=1.0).contains(&r.source_accuracy));
        assert!(r.target_accuracy.is_some());
        assert!(r.domain_accuracy.is_some());
    }
    assert!(records[2].source_accuracy > 0.8);
}

#[test]
fn adam_and_standardisation_train_too() {
    let p = moons(1);
    let mut dann = moons_dann(1500, 0);
    dann.train.optimizer = dann::OptimizerConfig::Adam {
        beta1: 0.9,
        beta2: 0.999,
        weight_decay: 0.0,
    };
    dann.train.lr = dann::training::schedule::LrSchedule::Constant { value: 0.01 };
    dann.train.standardize = dann::Standardize::Yes;
    let fitted = dann
        .fit::<B>(&p.source, &p.target, &Default::default())
        .unwrap();
    assert!(fitted.spec().standardizer.is_some());
    assert!(fitted.evaluate(&p.source).unwrap().accuracy > 0.9);
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let p = moons(0);
    let dann = moons_dann(10, 0);
    let device = Default::default();
    let unlabelled = p.target.clone();
    let err = dann.fit::<B>(&unlabelled, &p.target, &device).unwrap_err();
    assert!(err.to_string().contains("must be labelled"), "{err}");

    let wide = Dataset::unlabelled(Features::Dense(
        DenseMatrix::new(2, 3, vec![0.0; 6]).unwrap(),
    ));
    let err = dann.fit::<B>(&p.source, &wide, &device).unwrap_err();
    assert!(err.to_string().contains("features"), "{err}");

    let empty = Dataset::unlabelled(Features::Sparse(
        CsrMatrix::new(2, vec![0], vec![], vec![]).unwrap(),
    ));
    let err = dann.fit::<B>(&p.source, &empty, &device).unwrap_err();
    assert!(err.to_string().contains("no rows"), "{err}");

    let mut bad = dann.clone();
    bad.train = TrainConfig {
        batch_size: 1,
        ..bad.train
    };
    let err = bad.fit::<B>(&p.source, &p.target, &device).unwrap_err();
    assert!(err.to_string().contains("train.batch_size"), "{err}");

    let err = dann
        .fit_with::<B>(&p.source, &p.target, Some(&p.target), &mut (), &device)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("target test data must be labelled"),
        "{err}"
    );
}

#[test]
fn divergence_is_reported() {
    use dann::Engine;
    use dann::nn::mlp::Activation;
    let p = moons(0);
    // ReLU gives NaN; sigmoid units saturate and the loss explodes while staying finite
    // (it used to exit 0 with a loss of 4e30): on both engines, every case is caught.
    for (activation, engine, lr) in [
        (Activation::Relu, Engine::Burn, 1e30),
        (Activation::Sigmoid, Engine::Burn, 1e9),
        (Activation::Sigmoid, Engine::Burn, 1e30),
        (Activation::Sigmoid, Engine::Shallow, 1e9),
        (Activation::Sigmoid, Engine::Shallow, 1e30),
    ] {
        let mut dann = moons_dann(200, 0);
        dann.model.feature.activation = activation;
        dann.train.engine = engine;
        dann.train.lr = dann::training::schedule::LrSchedule::Constant { value: lr };
        let err = dann
            .fit::<B>(&p.source, &p.target, &Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("diverged") && err.contains("train.lr") && !err.contains("Some("),
            "{activation:?} {engine:?} {lr}: {err}"
        );
    }
    // Losses read at records only (a GPU's way): noticed at the next read.
    let mut dann = moons_dann(200, 0);
    dann.model.feature.activation = Activation::Relu;
    dann.train.log_every = 50;
    dann.train.lr = dann::training::schedule::LrSchedule::Constant { value: 1e30 };
    let trainer = Trainer::<B>::new(
        &dann.model,
        &dann.train,
        &p.source,
        &p.target,
        &Default::default(),
    )
    .unwrap()
    .with_reads_every_step(false);
    let err = trainer.fit(&mut ()).unwrap_err().to_string();
    assert!(
        err.contains("diverged") && err.contains("iteration 50"),
        "{err}"
    );
}

/// The trainer owns the whole run: after some steps by hand, `fit` goes on from its own
/// iteration, optimiser state and batch streams to the model an uninterrupted run gives, and
/// its records count from where it was.
#[test]
fn fit_continues_a_trainer_from_where_it_stands() {
    let p = moons(1);
    let mut dann = moons_dann(60, 1);
    dann.train.log_every = 20;
    // The burn trainer's own run (auto would pick the kernels for this network).
    dann.train.engine = dann::Engine::Burn;
    let device = Default::default();
    let whole = dann.fit::<B>(&p.source, &p.target, &device).unwrap();
    let mut trainer =
        Trainer::<B>::new(&dann.model, &dann.train, &p.source, &p.target, &device).unwrap();
    for _ in 0..25 {
        trainer.step();
    }
    let mut records: Vec<dann::MetricsRecord> = Vec::new();
    let resumed = trainer.fit(&mut records).unwrap();
    let iterations: Vec<usize> = records.iter().map(|r| r.iteration).collect();
    assert_eq!(iterations, [40, 60]);
    let (a, b) = (
        whole.predict_proba(&p.target_test).unwrap(),
        resumed.predict_proba(&p.target_test).unwrap(),
    );
    assert_eq!(a.as_slice(), b.as_slice());
    // A trainer that has done every iteration has nothing left to run.
    let mut done =
        Trainer::<B>::new(&dann.model, &dann.train, &p.source, &p.target, &device).unwrap();
    for _ in 0..60 {
        done.step();
    }
    let mut none: Vec<dann::MetricsRecord> = Vec::new();
    done.fit(&mut none).unwrap();
    assert!(none.is_empty());
}

/// `[train.images] noise` perturbs the training batches only: it changes the trained model,
/// reproducibly for a seed, and never the predictions of a trained one.
#[test]
fn input_noise_changes_training_not_prediction() {
    use dann::Engine;
    use dann::data::images::ImagePrep;
    let p = moons(3);
    let as_image = |d: &Dataset| d.clone().with_sample_shape(vec![1, 1, 2]).unwrap();
    let (s, t, v) = (
        as_image(&p.source),
        as_image(&p.target),
        as_image(&p.target_test),
    );
    let fit = |noise: f32| {
        let mut dann = moons_dann(200, 5);
        dann.train.engine = Engine::Burn;
        dann.train.images = Some(ImagePrep {
            noise,
            ..Default::default()
        });
        let fitted = dann.fit::<B>(&s, &t, &Default::default()).unwrap();
        let v = fitted.prepare(v.clone()).unwrap();
        let first = fitted.predict_proba(&v).unwrap();
        assert_eq!(first, fitted.predict_proba(&v).unwrap());
        first
    };
    let (clean, noisy) = (fit(0.0), fit(0.3));
    assert_ne!(clean, noisy);
    assert_eq!(noisy, fit(0.3));
}

/// Counts the `on_step` calls and keeps the records.
#[derive(Default)]
struct Heard {
    steps: Vec<usize>,
    records: Vec<dann::MetricsRecord>,
}

impl dann::TrainListener for Heard {
    fn on_step(&mut self, iteration: usize, _total: usize, _output: &dann::StepOutput) {
        self.steps.push(iteration);
    }

    fn on_record(&mut self, record: &dann::MetricsRecord) {
        self.records.push(record.clone());
    }
}

/// On a GPU the losses stay on the device between records; forced here on the CPU, the run
/// gives the same model and the same records (up to f32 sums) with `on_step` at the records
/// only, for DANN and for source-only training.
#[test]
fn losses_read_at_records_only_give_the_same_run() {
    let p = moons(2);
    for mode in [Mode::Dann, Mode::SourceOnly] {
        let mut dann = moons_dann(250, 4);
        dann.train.mode = mode;
        dann.train.log_every = 100;
        let run = |every_step: bool| {
            let trainer = Trainer::<B>::new(
                &dann.model,
                &dann.train,
                &p.source,
                &p.target,
                &Default::default(),
            )
            .unwrap()
            .with_reads_every_step(every_step);
            let mut heard = Heard::default();
            let model = trainer.fit(&mut heard).unwrap();
            (model.predict_proba(&p.target_test).unwrap(), heard)
        };
        let (eager_model, eager) = run(true);
        let (lazy_model, lazy) = run(false);
        assert_eq!(eager_model.as_slice(), lazy_model.as_slice(), "{mode:?}");
        assert_eq!(eager.steps, (1..=250).collect::<Vec<_>>());
        assert_eq!(lazy.steps, vec![100, 200, 250], "{mode:?}");
        assert_eq!(eager.records.len(), 3);
        for (e, l) in eager.records.iter().zip(&lazy.records) {
            assert_eq!(e.iteration, l.iteration);
            assert!(
                (e.label_loss - l.label_loss).abs() < 1e-5 * e.label_loss.max(1.0),
                "{e:?} {l:?}"
            );
            assert_eq!(e.domain_loss.is_some(), mode == Mode::Dann);
            if let (Some(a), Some(b)) = (e.domain_loss, l.domain_loss) {
                assert!((a - b).abs() < 1e-5, "{e:?} {l:?}");
            }
            if let (Some(a), Some(b)) = (e.domain_accuracy, l.domain_accuracy) {
                assert!((a - b).abs() < 1e-5, "{e:?} {l:?}");
            }
            assert_eq!(
                (e.source_accuracy, e.lambda, e.lr),
                (l.source_accuracy, l.lambda, l.lr)
            );
        }
    }
}
