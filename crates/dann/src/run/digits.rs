//! `reproduce digits` as the fronts drive it: the data of a [`DigitsPlan`], each model
//! trained and its files written, and the report.

use std::path::Path;

use burn::tensor::backend::AutodiffBackend;

use super::dir::{RunDir, jsonl};
use super::reproduce::DigitsPlan;
use crate::analysis::tsne::TsneMap;
use crate::deep::FittedDann;
use crate::error::Result;
use crate::experiments::digits::{
    DigitsData, DigitsReport, ModelKind, ModelResult, fit_model, published,
};
use crate::training::{MetricsRecord, TrainListener};

/// One model of a digits reproduction, trained.
#[derive(Debug)]
pub struct DigitsModel<B: burn::tensor::backend::Backend> {
    /// The trained model.
    pub fitted: FittedDann<B>,
    /// Its accuracies.
    pub result: ModelResult,
    /// Its t-SNE map on both domains' test images (also written as CSV), for the
    /// source-only and DANN models when the plan asks for maps.
    pub tsne: Option<TsneMap>,
}

impl DigitsPlan {
    /// Reads the pair's data (building MNIST-M when no folder is given), drawing the subset.
    pub fn load_data(&self) -> Result<DigitsData> {
        let mut data = DigitsData::load(self.pair, &self.data_dir, self.mnist_m.as_deref(), 0)?;
        if let Some(n) = self.subset {
            data = data.subset(n, self.seed);
        }
        Ok(data)
    }

    /// The file `<stem>-<what>-<model>.<ext>` in `out`.
    pub fn model_file(
        &self,
        out: &Path,
        what: &str,
        kind: ModelKind,
        ext: &str,
    ) -> std::path::PathBuf {
        out.join(format!("{}-{what}-{}.{ext}", self.stem(), kind.name()))
    }

    /// Trains `kind` on `data`, reporting to `listener`, and writes into `out` its metrics
    /// (`<stem>-metrics-<model>.jsonl`) and, for the source-only and DANN models, the t-SNE
    /// map's CSV (`<stem>-tsne-<model>.csv`; the front draws the PNG beside it); saves the
    /// model into `models_out/<model>` when the plan says so.
    pub fn fit_model<B: AutodiffBackend>(
        &self,
        kind: ModelKind,
        data: &DigitsData,
        out: &Path,
        listener: &mut dyn TrainListener,
        device: &B::Device,
    ) -> Result<DigitsModel<B::InnerBackend>> {
        let mut records: Vec<MetricsRecord> = Vec::new();
        let (fitted, result) = fit_model::<B>(
            kind,
            &self.settings,
            data,
            &mut (listener, &mut records),
            device,
        )?;
        let dir = RunDir::new(out);
        dir.write(
            &format!("{}-metrics-{}.jsonl", self.stem(), kind.name()),
            &jsonl(&records)?,
        )?;
        let tsne = if self.tsne.n > 0 && kind != ModelKind::TrainOnTarget {
            let map = self
                .tsne
                .embed(&fitted, &data.source_test, &data.target_test)?;
            let csv = self.model_file(out, "tsne", kind, "csv");
            crate::files::write_text(&csv, &map.csv())?;
            Some(map)
        } else {
            None
        };
        if let Some(dir) = &self.models_out {
            fitted.save(dir.join(kind.name()))?;
        }
        Ok(DigitsModel {
            fitted,
            result,
            tsne,
        })
    }

    /// The report of the `models` trained on `data`, the whole run having taken `seconds`.
    pub fn report(
        &self,
        data: &DigitsData,
        models: Vec<ModelResult>,
        seconds: f64,
    ) -> DigitsReport {
        DigitsReport {
            pair: self.pair,
            variant: self.variant,
            seed: self.seed,
            iterations: self.settings.train.iterations,
            batch_size: self.settings.train.batch_size,
            subset: self.subset,
            train_images: [data.source.len(), data.target.len()],
            test_images: data.target_test.len(),
            models,
            published: published(self.pair),
            seconds,
        }
    }
}
