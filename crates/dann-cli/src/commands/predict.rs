//! `dann predict`: the predicted label and class probabilities of every row (the predicted
//! number, for a regression model), as CSV.

use std::path::PathBuf;

use anyhow::Result;
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use dann::metrics::argmax;
use dann::run::RunConfig;

use crate::output::{noted, refuse_to_replace, write_output};

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Model directory written by `dann train`.
    #[arg(long)]
    model: PathBuf,
    /// Data (labels, if any, are ignored).
    #[arg(long)]
    data: PathBuf,
    /// Output CSV: row (data rows counted from 1), label, probability, then one probability
    /// column per class (for a regression model: row, value); `-`
    /// prints it to stdout. An existing file is refused unless --force; a symlink is written
    /// through (the file it points to is replaced, the link stays); a device or descriptor
    /// such as /dev/null or /dev/stdout is written directly.
    #[arg(long)]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
    /// Config whose [data] section says how to read --data (default: the model's config.toml).
    /// The columns are the model's, matched by name: their order does not matter.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Skip columns the model does not have instead of refusing the file ([data]
    /// ignore_extra_columns).
    #[arg(long)]
    ignore_extra_columns: bool,
}

pub fn run<B: AutodiffBackend>(a: PredictArgs, device: &B::Device) -> Result<()> {
    refuse_to_replace(&a.out, "out", a.force)?;
    let (model, mut options) =
        RunConfig::load_model::<B::InnerBackend>(&a.model, a.config.as_deref(), device)?;
    options.ignore_extra_columns |= a.ignore_extra_columns;
    let data = noted(&a.data, model.read(&a.data, &options)?).without_labels();
    let data = model.prepare(data)?;
    if model.task() == dann::Task::Regression {
        let values = model.predict_values(&data)?;
        let write = |w: &mut dyn std::io::Write| -> std::io::Result<()> {
            let mut w = csv::Writer::from_writer(w);
            w.write_record(["row", "value"])?;
            for (i, v) in values.iter().enumerate() {
                // The network computes in f32: its shortest form says all it knows.
                w.write_record([(i + 1).to_string(), format!("{}", *v as f32)])?;
            }
            w.flush()
        };
        return write_output(&a.out, write);
    }
    let proba = model.predict_proba(&data)?;
    let classes = model.class_names();
    let write = |w: &mut dyn std::io::Write| -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(w);
        let mut header = vec!["row".to_string(), "label".into(), "probability".into()];
        header.extend(classes.iter().map(|c| format!("p_{c}")));
        w.write_record(&header)?;
        for i in 0..proba.n_rows() {
            let row = proba.row(i);
            let best = argmax(row);
            // Data rows count from 1, as in every output (a header line is not a row).
            let mut record = vec![
                (i + 1).to_string(),
                classes[best].clone(),
                format!("{:.6}", row[best]),
            ];
            record.extend(row.iter().map(|v| format!("{v:.6}")));
            w.write_record(&record)?;
        }
        w.flush()
    };
    write_output(&a.out, write)
}
