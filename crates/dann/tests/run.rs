//! The fronts' calls (`dann::run`): a training run filling its directory on both engines,
//! the settings merged over a config file, `select` and `shift` on files, the reproductions'
//! settings.

use std::fs;
use std::path::{Path, PathBuf};

use dann::analysis::tsne::TsneSettings;
use dann::experiments::digits::{ModelKind, Variant};
use dann::experiments::moons::MoonsConfig;
use dann::run::{
    AmazonOptions, DigitsOptions, Job, RunConfig, RunDir, SelectOverrides, Start, TrainOverrides,
    select_into, select_run, shift_files, train_burn, train_shallow,
};
use dann::selection::SelectEngine;
use dann::shallow::ShallowConfig;
use dann::{Cancel, CpuAutodiff, CpuBackend, Mode};

/// The two-moons problem as CSV files (`x,y,label`) in `dir`: source, target, target test.
fn moons_csv(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let p = MoonsConfig {
        n_per_class: 60,
        ..MoonsConfig::default()
    }
    .generate()
    .unwrap();
    let write = |name: &str, data: &dann::Dataset| {
        let mut text = String::from("x,y,label\n");
        let mut row = [0f32; 2];
        for i in 0..data.len() {
            data.features().write_row(i, &mut row);
            let label = data.labels().map_or(0, |l| l[i]);
            text += &format!("{},{},{}\n", row[0], row[1], ["upper", "lower"][label]);
        }
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    };
    (
        write("source.csv", &p.source),
        write("target.csv", &p.target),
        write("target_test.csv", &p.target_test),
    )
}

fn short_config() -> RunConfig {
    let mut config = RunConfig {
        model: dann::DannConfig::shallow(8),
        ..RunConfig::default()
    };
    config.train.iterations = 40;
    config.train.log_every = 10;
    config
}

#[test]
fn a_burn_run_fills_its_directory_and_refuses_to_replace_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (s, t, tt) = moons_csv(tmp.path());
    let dir = RunDir::new(tmp.path().join("run"));
    let job = Job::new(&s, &t, Some(&tt), short_config());
    let mut run = train_burn::<CpuAutodiff>(
        job.clone(),
        &dir,
        Start::Fresh { force: false },
        &mut (),
        &Default::default(),
    )
    .unwrap();
    // The run is staged beside the folder until it is put in place as a whole.
    assert!(!dir.holds_model() && run.dir.path().join("model.json").exists());
    run.dir.commit().unwrap();
    assert!(dir.holds_model() && !run.dir.path().exists());
    assert_eq!(run.records.len(), 4);
    assert!(run.kept.is_none() && run.resumed_from == 0);
    assert!(run.tsne.is_none(), "2-d inputs get no t-SNE map");
    let metrics = fs::read_to_string(dir.path().join("metrics.jsonl")).unwrap();
    assert_eq!(metrics.lines().count(), 4);
    let shift: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("shift.json")).unwrap()).unwrap();
    assert!(shift["inputs"]["auc"].is_object() && shift["features"]["verdict"].is_string());
    let saved = RunConfig::load(&dir.path().join(RunConfig::FILE)).unwrap();
    assert_eq!(saved.train.iterations, 40);
    // The map of any model's features: `n` rows of each domain, source first.
    let (source, target) = (
        dann::data::load(&s, &Default::default()).unwrap(),
        dann::data::load(&t, &Default::default()).unwrap(),
    );
    let map = TsneSettings {
        n: 15,
        ..TsneSettings::default()
    }
    .embed(&run.fitted, &source, &target)
    .unwrap();
    assert_eq!((map.len(), map.xy.len()), (30, 60));
    assert_eq!(map.domains.iter().filter(|d| **d == "source").count(), 15);
    assert!(map.xy.iter().all(|v| v.is_finite()));
    assert_eq!(map.csv().lines().count(), 31);
    assert!(dir.holds_model());
    let err = train_burn::<CpuAutodiff>(
        job.clone(),
        &dir,
        Start::Fresh { force: false },
        &mut (),
        &Default::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("already holds a model"), "{err}");
    // Forced, a failing run (a missing target) leaves the old model and metrics whole.
    let bad = Job::new(&s, &tmp.path().join("missing.csv"), None, short_config());
    train_burn::<CpuAutodiff>(
        bad,
        &dir,
        Start::Fresh { force: true },
        &mut (),
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(
        fs::read_to_string(dir.path().join("metrics.jsonl")).unwrap(),
        metrics
    );
    let err = train_burn::<CpuAutodiff>(job, &dir, Start::Resume, &mut (), &Default::default());
    assert!(err.is_err() || dir.holds_model());
}

#[test]
fn a_shallow_run_trains_by_epochs_and_records_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (s, t, tt) = moons_csv(tmp.path());
    let dir = RunDir::new(tmp.path().join("run"));
    let config = RunConfig {
        shallow: Some(ShallowConfig {
            hidden: 6,
            epochs: 3,
            patience: 0,
            ..ShallowConfig::default()
        }),
        ..RunConfig::default()
    };
    let mut run = train_shallow::<CpuBackend>(
        Job::new(&s, &t, Some(&tt), config),
        &dir,
        false,
        &Default::default(),
    )
    .unwrap();
    run.dir.commit().unwrap();
    assert_eq!(run.fit.history.len(), 3);
    assert!(
        run.target_accuracy
            .is_some_and(|a| (0.0..=1.0).contains(&a))
    );
    let lines = fs::read_to_string(dir.path().join("metrics.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 3);
    let saved = RunConfig::load(&dir.path().join(RunConfig::FILE)).unwrap();
    assert_eq!(saved.model, dann::DannConfig::shallow(6));
}

#[test]
fn flags_override_the_file_and_reach_the_shallow_section() {
    let mut config = RunConfig {
        shallow: Some(ShallowConfig::default()),
        ..RunConfig::default()
    };
    config.train.iterations = 123;
    let flags = TrainOverrides {
        mode: Some(Mode::SourceOnly),
        seed: Some(9),
        ..TrainOverrides::default()
    };
    let merged = flags.apply(&config).unwrap();
    assert_eq!(
        merged.train.iterations, 123,
        "an unset flag keeps the file's"
    );
    assert_eq!(
        (merged.train.mode, merged.train.seed),
        (Mode::SourceOnly, 9)
    );
    let shallow = merged.shallow.unwrap();
    assert_eq!((shallow.mode, shallow.seed), (Mode::SourceOnly, 9));
    let err = TrainOverrides {
        iterations: Some(5),
        ..TrainOverrides::default()
    }
    .check_shallow()
    .unwrap_err();
    assert!(err.to_string().contains("epochs"), "{err}");

    let select = SelectOverrides {
        hidden: Some(vec![7]),
        no_pad: true,
        seed: Some(3),
        ..SelectOverrides::default()
    };
    let (base, grid) = select.apply(&RunConfig::default()).unwrap();
    assert_eq!(
        (grid.hidden.clone(), grid.pad, base.seed),
        (vec![7], false, 3)
    );
    assert_eq!(grid.lambdas, RunConfig::default().select.lambdas);
}

#[test]
fn select_and_shift_run_on_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (s, t, _) = moons_csv(tmp.path());
    let mut job = Job::new(&s, &t, None, RunConfig::default());
    let (source, target, _) = job.load_data(false, None).unwrap();
    let base = ShallowConfig {
        hidden: 5,
        epochs: 3,
        patience: 0,
        ..ShallowConfig::default()
    };
    let grid = dann::selection::SelectConfig {
        lambdas: vec![0.1, 1.0],
        hidden: vec![5],
        pad: false,
        ..Default::default()
    };
    let dir = RunDir::new(tmp.path().join("select"));
    let (report, outcome) = select_into::<CpuBackend>(
        dir.begin(&[]).unwrap(),
        &job.config,
        (&base, &grid),
        (&source, &target),
        &Default::default(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(report.candidates.len(), 2);
    assert!(
        dir.path()
            .join("source-only")
            .join(RunConfig::FILE)
            .exists()
    );
    let table = fs::read_to_string(dir.path().join("candidates.md")).unwrap();
    assert_eq!(table, outcome.candidates_markdown());
    assert_eq!(table.lines().count(), 2 + 2 + 1);
    assert!(
        report
            .summary(&outcome)
            .contains("reverse-validation error")
    );

    // A selection cancelled (the Python front's Ctrl-C) stops with `Cancelled` on either
    // engine and leaves its run folder as it was.
    let cancel = Cancel::new();
    cancel.request();
    for engine in [SelectEngine::Shallow, SelectEngine::Burn] {
        let mut config = job.config.clone();
        config.select.engine = engine;
        let dir = RunDir::new(tmp.path().join(format!("cancelled-{engine:?}")));
        let err = select_run::<CpuAutodiff>(
            dir.begin(&[]).unwrap(),
            &config,
            &SelectOverrides::default(),
            (&source, &target),
            &mut |_| {},
            &cancel,
            &Default::default(),
        )
        .unwrap_err();
        assert!(
            matches!(err, dann::Error::Cancelled { .. }),
            "{engine:?}: {err}"
        );
        assert!(!dir.path().join("select.json").exists(), "{engine:?}");
    }

    let (shift, _) = shift_files::<CpuBackend>(
        &s,
        &t,
        None,
        None,
        &Default::default(),
        0,
        &Default::default(),
    )
    .unwrap();
    let (on_model, _) = shift_files::<CpuBackend>(
        &s,
        &t,
        Some(dir.path()),
        None,
        &Default::default(),
        0,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(shift.rows_per_domain, on_model.rows_per_domain);
    let json = shift.to_json(1.5).unwrap();
    assert_eq!(json["pad"], serde_json::json!(shift.pad.pad));
    assert!(shift.describe(1.5).starts_with(&shift.verdict()));
    assert_eq!(shift.exceeds(Some(2.0)), None);
}

#[test]
fn the_reproductions_settings_default_to_the_papers() {
    let amazon = AmazonOptions::default().config().unwrap();
    assert_eq!(amazon.pairs.len(), 12);
    let err = AmazonOptions {
        msda_layers: Some(2),
        ..AmazonOptions::default()
    }
    .config()
    .unwrap_err();
    assert!(err.to_string().contains("--features msda"), "{err}");

    let plan = DigitsOptions::default().plan().unwrap();
    assert_eq!(plan.stem(), "mnist-mnist-m");
    assert_eq!(plan.models, ModelKind::ALL.to_vec());
    let plan = DigitsOptions {
        variant: Some(Variant::BnAdam),
        models: Some(vec![ModelKind::Dann, ModelKind::SourceOnly]),
        iterations: Some(50),
        ..DigitsOptions::default()
    }
    .plan()
    .unwrap();
    assert_eq!(plan.stem(), "mnist-mnist-m-bn-adam");
    assert_eq!(
        plan.models,
        [ModelKind::SourceOnly, ModelKind::Dann],
        "in report order"
    );
    assert_eq!(plan.settings.train.log_every, 5);
    let err = DigitsOptions {
        subset: Some(0),
        ..DigitsOptions::default()
    }
    .plan()
    .unwrap_err();
    assert!(err.to_string().contains("--subset"), "{err}");
}
