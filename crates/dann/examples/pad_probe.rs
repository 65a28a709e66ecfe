//! How the initial weights and the learning rate change the proxy A-distance (PAD) of shallow
//! DANN features, with everything else fixed (no early stopping, no model selection).
//!
//! ```text
//! cargo run --release -p dann --example pad_probe -- books kitchen 1e-3 30
//! ```
//!
//! Arguments: source and target domain, learning rate, epochs (defaults: books kitchen 1e-3
//! 30); the data folder is `$DANN_DATA_DIR` or `data`. For each initialisation it prints the
//! target test accuracy and the PAD of the hidden features of a plain NN and of DANN for
//! several lambdas. With burn's initialisation (random domain classifier) DANN's features come
//! out *more* separable than the NN's; with the authors' (zero domain classifier) and their
//! learning rate of 1e-3 they come out less, as in the paper's Figure 3.

use dann::Mode;
use dann::analysis::proxy_a_distance::proxy_a_distance;
use dann::data::{Dataset, DenseMatrix, Features};
use dann::experiments::amazon::load_domain;
use dann::metrics::accuracy;
use dann::shallow::{ShallowConfig, ShallowDann, ShallowInit};

fn hidden(model: &ShallowDann, data: &Dataset) -> dann::Result<Dataset> {
    let values = model.features(data);
    Ok(Dataset::unlabelled(Features::Dense(DenseMatrix::new(
        data.len(),
        model.hidden(),
        values,
    )?)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or(default.to_string());
    let (source_name, target_name) = (arg(0, "books"), arg(1, "kitchen"));
    let lr: f64 = arg(2, "1e-3").parse()?;
    let epochs: usize = arg(3, "30").parse()?;
    let dir = dann::data::data_dir(None);
    let source = load_domain(&dir, &source_name)?;
    let target = load_domain(&dir, &target_name)?;
    let target_train = target.train.clone().without_labels();
    let source_unlabelled = source.train.clone().without_labels();
    let truth = target.test.labels().unwrap_or_default();
    println!("{source_name} -> {target_name}, lr {lr}, {epochs} epochs, 50 hidden units");
    for init in [ShallowInit::Burn, ShallowInit::Glorot] {
        for (mode, lambda) in [
            (Mode::SourceOnly, 0.0),
            (Mode::Dann, 0.1),
            (Mode::Dann, 1.0),
        ] {
            let fit = ShallowConfig {
                mode,
                lambda,
                hidden: 50,
                lr,
                epochs,
                patience: 0,
                init,
                ..ShallowConfig::default()
            }
            .fit(&source.train, &target_train, None)?;
            let pad = proxy_a_distance(
                &hidden(&fit.model, &source_unlabelled)?,
                &hidden(&fit.model, &target_train)?,
                None,
                0,
            )?;
            let acc = accuracy(&fit.model.predict(&target.test), truth);
            let name = match mode {
                Mode::SourceOnly => "NN".to_string(),
                Mode::Dann => format!("DANN lambda {lambda}"),
            };
            println!(
                "init {init:?}  {name:<16} target accuracy {acc:.3}  PAD {:.3}",
                pad.pad
            );
        }
    }
    Ok(())
}
