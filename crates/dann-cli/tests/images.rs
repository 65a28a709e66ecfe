//! Images through the one deep path: IDX files in, a convolutional feature extractor from the
//! config, the same trainer, model files, `eval` and `predict` as the MLP.

use std::fs;
use std::path::Path;

use common::{cnn_config, eval_json, train_cmd, write_bars};
use dann::data::write_idx_u8;

mod common;

/// `train` with the config `text` fails with `message`.
fn refused_config(source: &Path, target: &Path, dir: &Path, text: &str, message: &str) {
    let config = dir.join("refused.toml");
    fs::write(&config, text).unwrap();
    let mut cmd = train_cmd(source, target, &dir.join("refused"));
    cmd.arg("--config").arg(&config);
    common::refused(cmd, &[message]);
}

#[test]
fn a_cnn_trains_saves_and_evaluates_through_the_one_path() {
    let dir = tempfile::tempdir().unwrap();
    let source = write_bars(dir.path(), "source", 120, 0, true);
    let target = write_bars(dir.path(), "target", 120, 40, false);
    let test = write_bars(dir.path(), "test", 60, 40, true);
    let config = dir.path().join("cnn.toml");
    fs::write(
        &config,
        cnn_config(1)
            + r#"
[model.label]
hidden = [16]
activation = "relu"
[train]
iterations = 150
standardize = true
batch_size = 32
log_every = 50
[train.lr]
kind = "constant"
value = 0.01
[train.lambda]
kind = "ganin"
max = 1.0
"#,
    )
    .unwrap();
    let out = dir.path().join("model");
    train_cmd(&source, &target, &out)
        .arg("--config")
        .arg(&config)
        .arg("--target-test")
        .arg(&test)
        .assert()
        .success();
    let spec = fs::read_to_string(out.join("model.json")).unwrap();
    assert!(spec.contains("\"conv\""), "{spec}");
    let e = eval_json(&out, &test);
    assert_eq!(e["n"], 60);
    eprintln!("CNN on shifted bars: {e}");
    // Image inputs: the run's report has the t-SNE map of both domains, inlined.
    let png = image::open(out.join("tsne.png")).unwrap();
    assert!(png.width() > 100 && png.height() > 100);
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("id=\"tsne\" alt=\"t-SNE map\" src=\"data:image/png;base64,"));
    assert!(e["accuracy"].as_f64().unwrap() > 0.6, "{e}");
    // A t-SNE map of the model's features: a PNG and the embedding of both domains as CSV.
    let map = dir.path().join("map.png");
    common::dann()
        .args(["tsne", "--n", "40", "--model"])
        .arg(&out)
        .arg("--source")
        .arg(&source)
        .arg("--target")
        .arg(&test)
        .arg("--out")
        .arg(&map)
        .assert()
        .success();
    let png = image::open(&map).unwrap().to_rgb8();
    assert_eq!((png.width(), png.height()), (800, 800));
    // Its legend, top left: a blue (source) and an orange (target) dot.
    assert_eq!(png.get_pixel(24, 22).0, [31, 119, 180]);
    assert_eq!(png.get_pixel(24, 46).0, [255, 127, 14]);
    let csv = fs::read_to_string(dir.path().join("map.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 80, "{csv}");
    assert_eq!(csv.lines().filter(|l| l.contains(",target,")).count(), 40);
    // The metrics came from the same trainer; the engine was burn (the kernels run no
    // convolutions), and asking for the kernels is refused, naming why.
    let metrics = fs::read_to_string(out.join("metrics.jsonl")).unwrap();
    assert_eq!(metrics.lines().count(), 3);
    train_cmd(&source, &target, &dir.path().join("x"))
        .arg("--config")
        .arg(&config)
        .args(["--engine", "shallow"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("model.conv"));
    // A model whose input shape does not match the rows is refused before training.
    refused_config(
        &source,
        &target,
        dir.path(),
        "[model.conv]\ninput = [3, 8, 8]\nlayers = [{ channels = 2, kernel = 3 }]\n",
        "model.conv.input [3, 8, 8] holds 192",
    );
}

/// Grey 8x8 source, colour 10x10 target (channels last in the IDX file, as MNIST-M's):
/// `[train.images]` maps both to 3 x 8 x 8 in [0, 1] minus the channel means, from the config
/// alone; the model keeps the preprocessing and `eval` applies it to colour test images.
#[test]
fn grey_source_and_colour_target_meet_through_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let source = write_bars(dir.path(), "source", 120, 0, true);
    // Colour 10x10: the same bars, one pixel of border, tinted.
    let colour = |name: &str, n: usize, labelled: bool| {
        let mut pixels = Vec::with_capacity(n * 300);
        let mut labels = Vec::new();
        for i in 0..n {
            let class = (i % 2) as u8;
            let at = (i / 2) % 6 + 2;
            for y in 0..10 {
                for x in 0..10 {
                    let on = if class == 0 { x == at } else { y == at };
                    let v: u8 = if on { 220 } else { 30 };
                    pixels.extend([v, v / 2, 255 - v]);
                }
            }
            labels.push(class);
        }
        let images = dir.path().join(format!("{name}-images-idx4-ubyte.gz"));
        write_idx_u8(&images, &[n, 10, 10, 3], &pixels).unwrap();
        if labelled {
            write_idx_u8(
                dir.path().join(format!("{name}-labels-idx1-ubyte.gz")),
                &[n],
                &labels,
            )
            .unwrap();
        }
        images
    };
    let target = colour("target", 120, false);
    let test = colour("test", 40, true);
    let config = dir.path().join("cnn.toml");
    fs::write(
        &config,
        cnn_config(3)
            + r#"
[train]
iterations = 60
batch_size = 32
[train.images]
channels = 3
size = [8, 8]
scale = 0.00392156862745098
subtract_mean = true
"#,
    )
    .unwrap();
    let out = dir.path().join("model");
    train_cmd(&source, &target, &out)
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert_eq!(
        spec["images"]["means"].as_array().unwrap().len(),
        3,
        "{spec}"
    );
    assert_eq!(spec["n_features"], 192);
    let e = eval_json(&out, &test);
    assert_eq!(e["n"], 40, "{e}");
    // Without the preprocessing in the config the widths do not match, and the error says so.
    refused_config(
        &source,
        &target,
        dir.path(),
        "[model.feature]\nhidden = [4]\n[train]\niterations = 5\n",
        "[train.images] size",
    );
}
