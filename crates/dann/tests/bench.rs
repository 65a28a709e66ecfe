//! The speed measurements run (small sizes: what they measure, not how fast).

use dann::CpuAutodiff;
use dann::bench::cnn::CnnBench;
use dann::bench::selftest::selftest;
use dann::bench::shallow::ShallowBench;

#[test]
fn the_shallow_bench_measures_every_path() {
    let bench = ShallowBench {
        data_dir: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data").into()),
        sparse_steps: 50,
        dense_steps: 3,
        torch_script: None,
        torch_steps: 0,
        repeats: 1,
        dense_width: 40,
        dense_rows: 10,
    };
    let speeds = bench.run::<CpuAutodiff>(&Default::default()).unwrap();
    assert!(speeds.sparse > 0.0 && speeds.dense > 0.0);
    let (per_example, blocked) = speeds.wide.unwrap();
    assert!(per_example > 0.0 && blocked > 0.0);
    assert!(speeds.table().contains("dann blocked kernel"));
    assert_eq!(speeds.json()["dense_width"], 40);
    let none = ShallowBench {
        sparse_steps: 0,
        ..bench
    };
    assert!(none.run::<CpuAutodiff>(&Default::default()).is_err());
}

#[test]
fn the_cnn_bench_times_the_fused_path() {
    let bench = CnnBench {
        batch: 2,
        steps: 1,
        repeats: 1,
        torch_script: None,
        skip_burn: true,
        warmup: 1,
        torch_device: None,
    };
    let speeds = bench.run::<CpuAutodiff>(&Default::default()).unwrap();
    assert!(speeds.fused.steps.median > 0.0 && speeds.burn.is_none());
    assert!(speeds.text().contains("fused conv kernels"));
    assert_eq!(speeds.json()["batch"], 2);
}

#[test]
fn the_cpu_agrees_with_itself() {
    let t = selftest::<CpuAutodiff>(1, 1e-3, &Default::default()).unwrap();
    assert!(t.ok(), "{t:?}");
    assert_eq!(t.steps, 1);
}
