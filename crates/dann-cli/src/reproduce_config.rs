//! The settings of `reproduce amazon` and `reproduce digits`: each is both the command's
//! flags and a section of the run configuration file (`[reproduce.amazon]`,
//! `[reproduce.digits]`); a flag given on the command line overrides the file.

use std::path::{Path, PathBuf};

use clap::Args;
use dann::analysis::reverse_validation::RvScore;
use dann::experiments::amazon::FeatureSpace;
use dann::experiments::digits::{ModelKind, Pair, Variant};
use dann::shallow::Stopping;
use serde::{Deserialize, Serialize};

/// `[reproduce]`: one section per experiment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReproduceConfig {
    /// `reproduce amazon`.
    #[serde(skip_serializing_if = "is_default")]
    pub amazon: AmazonOptions,
    /// `reproduce digits`.
    #[serde(skip_serializing_if = "is_default")]
    pub digits: DigitsOptions,
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

impl ReproduceConfig {
    /// Whether no setting is given (then the section is left out of a written file).
    pub fn is_unset(&self) -> bool {
        *self == Self::default()
    }

    /// Relative paths taken as relative to `base` (the config file's folder).
    pub(crate) fn rebase(&mut self, base: &Path) {
        for p in [
            &mut self.amazon.data_dir,
            &mut self.amazon.out,
            &mut self.digits.data_dir,
            &mut self.digits.mnist_m,
            &mut self.digits.out,
            &mut self.digits.models_out,
        ] {
            rebase(p, base);
        }
    }
}

/// `path` made relative to `base` when it is relative.
pub(crate) fn rebase(path: &mut Option<PathBuf>, base: &Path) {
    if let Some(p) = path
        && p.is_relative()
    {
        *p = base.join(&*p);
    }
}

/// `reproduce amazon`'s settings (flags, or keys of `[reproduce.amazon]`).
#[derive(Debug, Clone, Default, PartialEq, Args, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmazonOptions {
    /// `all` or a list like `books:kitchen,dvd:books` (default: all).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairs: Option<String>,
    /// Folder holding amazon/*.svmlight.gz (default: $DANN_DATA_DIR, else ./data).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// Where to write amazon.md, amazon.csv and amazon.html (default: a fresh
    /// runs/amazon-<UTC time>). An earlier table there is refused unless --force.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
    /// Also compute the proxy A-distance on raw inputs, NN and DANN features (Figure 3).
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pad: bool,
    /// Maximum epochs per model, early stopping may end sooner (default: 200, 20 for mSDA).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epochs: Option<usize>,
    /// Learning rate of the shallow networks (default: the paper's 1e-3).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// Early-stopping horizon in epochs (see --stopping), 0: never stop early
    /// (default: 30, 5 for mSDA).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patience: Option<usize>,
    /// Early-stopping rule: `growing` is the authors' (ties count as improvements, training
    /// goes on until epoch max(--patience, 1.5 x best epoch)); `fixed` stops --patience epochs
    /// after the first best epoch (default: growing, fixed for mSDA).
    #[arg(long, value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopping: Option<Stopping>,
    /// Number of lambda values of the reverse-validation grid (log-spaced in [1e-2, 1];
    /// default: the paper's grid).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<usize>,
    /// Hidden sizes to try, e.g. 50,100 (default: the paper's grid).
    #[arg(long, value_delimiter = ',')]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Vec<usize>>,
    /// What ranks reverse validation's candidates: the reverse model's error on the held-out
    /// source reviews (the paper's, default) or its log loss there.
    #[arg(long, value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rv_score: Option<RvScore>,
    /// Hold-out splits each candidate's reverse validation is averaged over (default 1: the
    /// paper's; each extra split trains every candidate once more).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rv_splits: Option<usize>,
    /// Seed (default 0).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Input representation: the raw counts (Table 1a, default) or mSDA features (5 layers,
    /// corruption 0.5, fitted on all four domains' unlabelled training reviews).
    #[arg(long, value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<FeatureSpace>,
    /// Stacked mSDA layers with --features msda (default: the paper's 5; fewer is faster,
    /// each layer adds 5,000 dimensions).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msda_layers: Option<usize>,
}

impl AmazonOptions {
    /// These settings, each missing one taken from `file`.
    pub fn or(self, file: Self) -> Self {
        Self {
            pairs: self.pairs.or(file.pairs),
            data_dir: self.data_dir.or(file.data_dir),
            out: self.out.or(file.out),
            pad: self.pad || file.pad,
            epochs: self.epochs.or(file.epochs),
            lr: self.lr.or(file.lr),
            patience: self.patience.or(file.patience),
            stopping: self.stopping.or(file.stopping),
            lambdas: self.lambdas.or(file.lambdas),
            hidden: self.hidden.or(file.hidden),
            rv_score: self.rv_score.or(file.rv_score),
            rv_splits: self.rv_splits.or(file.rv_splits),
            seed: self.seed.or(file.seed),
            features: self.features.or(file.features),
            msda_layers: self.msda_layers.or(file.msda_layers),
        }
    }
}

/// `reproduce digits`' settings (flags, or keys of `[reproduce.digits]`).
#[derive(Debug, Clone, Default, PartialEq, Args, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigitsOptions {
    /// Source and target: mnist:mnist-m (the paper's Table 2, default), mnist:usps,
    /// usps:mnist, or any other two of mnist, mnist-m, usps.
    #[arg(long, value_parser = parse_pair)]
    #[serde(skip_serializing_if = "Option::is_none", with = "pair_text")]
    pub pair: Option<Pair>,
    /// Training recipe: the paper's (SGD, annealed learning rate; default) or batch norm +
    /// Adam.
    #[arg(long, value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
    /// Folder holding mnist/, usps/ and bsds500/ (default: $DANN_DATA_DIR, else ./data).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// Folder holding MNIST-M as IDX (mnist-m-{train,test}-{images-idx4,labels-idx1}-ubyte.gz,
    /// e.g. from `dann data mnist-m` or converted from Ganin's files); default: built from
    /// the data folder's mnist/ and bsds500/ with seed 0 (a few seconds).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mnist_m: Option<PathBuf>,
    /// Where to write the report (<pair>.md, .json, .html), the t-SNE maps and the metrics of
    /// each model (default: a fresh runs/digits-<pair>-<UTC time>). An earlier report of the
    /// same pair and variant there is refused unless --force.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
    /// Also save the trained models into this folder (one subfolder per model).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models_out: Option<PathBuf>,
    /// Which models to train (comma-separated; default all): source-only, dann,
    /// train-on-target.
    #[arg(long, value_delimiter = ',', value_parser = parse_model)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<ModelKind>>,
    /// Iterations per model (default: the preset's 10,000).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// Train on at most this many images per domain (and test on at most as many), drawn
    /// with --seed: a quick check, not the experiment.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subset: Option<usize>,
    /// Rows per domain in the t-SNE maps of the source-only and DANN models (default 1000;
    /// 0: no maps).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsne_n: Option<usize>,
    /// Seed of the weights, the batches and the subset draw (default 0).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl DigitsOptions {
    /// These settings, each missing one taken from `file`.
    pub fn or(self, file: Self) -> Self {
        Self {
            pair: self.pair.or(file.pair),
            variant: self.variant.or(file.variant),
            data_dir: self.data_dir.or(file.data_dir),
            mnist_m: self.mnist_m.or(file.mnist_m),
            out: self.out.or(file.out),
            models_out: self.models_out.or(file.models_out),
            models: self.models.or(file.models),
            iterations: self.iterations.or(file.iterations),
            subset: self.subset.or(file.subset),
            tsne_n: self.tsne_n.or(file.tsne_n),
            seed: self.seed.or(file.seed),
        }
    }
}

fn parse_pair(s: &str) -> Result<Pair, String> {
    s.parse().map_err(|e: dann::Error| e.to_string())
}

fn parse_model(s: &str) -> Result<ModelKind, String> {
    ModelKind::ALL
        .into_iter()
        .find(|k| k.name() == s.trim())
        .ok_or_else(|| {
            format!("unknown model {s:?}; expected source-only, dann or train-on-target")
        })
}

/// A digits pair in a file as the flag writes it, `"mnist:mnist-m"`.
mod pair_text {
    use dann::experiments::digits::Pair;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(pair: &Option<Pair>, s: S) -> Result<S::Ok, S::Error> {
        match pair {
            Some(p) => s.serialize_str(&p.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Pair>, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map(Some).map_err(serde::de::Error::custom)
    }
}
