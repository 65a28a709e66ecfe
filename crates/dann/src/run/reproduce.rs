//! The settings of `reproduce amazon` and `reproduce digits`: each is both the command's
//! flags and a section of the run configuration file (`[reproduce.amazon]`,
//! `[reproduce.digits]`); a flag given on the command line overrides the file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::reverse_validation::{RvScore, lambda_grid};
use crate::analysis::tsne::TsneSettings;
use crate::data::data_dir;
use crate::error::{Error, Result};
use crate::experiments::amazon::{self, AmazonConfig, FeatureSpace};
use crate::experiments::digits::{self, ModelKind, Pair, Variant};
use crate::files::rebase;
use crate::learner::Dann;
use crate::shallow::Stopping;

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
    pub(super) fn rebase(&mut self, base: &Path) {
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

/// `reproduce amazon`'s settings (flags, or keys of `[reproduce.amazon]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct AmazonOptions {
    /// `all` or a list like `books:kitchen,dvd:books` (default: all).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairs: Option<String>,
    /// Folder holding amazon/*.svmlight.gz (default: $DANN_DATA_DIR, else ./data).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// Where to write amazon.md, amazon.csv and amazon.html (default: a fresh
    /// `runs/amazon-<UTC time>`). An earlier table there is refused unless --force.
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
    /// Also compute the proxy A-distance on raw inputs, NN and DANN features (Figure 3).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pad: bool,
    /// Maximum epochs per model, early stopping may end sooner (default: 200, 20 for mSDA).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epochs: Option<usize>,
    /// Learning rate of the shallow networks (default: the paper's 1e-3).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// Early-stopping horizon in epochs (see --stopping), 0: never stop early
    /// (default: 30, 5 for mSDA).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patience: Option<usize>,
    /// Early-stopping rule: `growing` is the authors' (ties count as improvements, training
    /// goes on until epoch max(--patience, 1.5 x best epoch)); `fixed` stops --patience epochs
    /// after the first best epoch (default: growing, fixed for mSDA).
    #[cfg_attr(feature = "clap", arg(long, value_enum))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopping: Option<Stopping>,
    /// Number of lambda values of the reverse-validation grid (log-spaced in [1e-2, 1];
    /// default: the paper's grid).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<usize>,
    /// Hidden sizes to try, e.g. 50,100 (default: the paper's grid).
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ','))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Vec<usize>>,
    /// What ranks reverse validation's candidates: the reverse model's error on the held-out
    /// source reviews (the paper's, default) or its log loss there.
    #[cfg_attr(feature = "clap", arg(long, value_enum))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rv_score: Option<RvScore>,
    /// Hold-out splits each candidate's reverse validation is averaged over (default 1: the
    /// paper's; each extra split trains every candidate once more).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rv_splits: Option<usize>,
    /// Seed (default 0).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Input representation: the raw counts (Table 1a, default) or mSDA features (5 layers,
    /// corruption 0.5, fitted on all four domains' unlabelled training reviews).
    #[cfg_attr(feature = "clap", arg(long, value_enum))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<FeatureSpace>,
    /// Stacked mSDA layers with --features msda (default: the paper's 5; fewer is faster,
    /// each layer adds 5,000 dimensions).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msda_layers: Option<usize>,
}

/// `reproduce digits`' settings (flags, or keys of `[reproduce.digits]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct DigitsOptions {
    /// Source and target: mnist:mnist-m (the paper's Table 2, default), mnist:usps,
    /// usps:mnist, or any other two of mnist, mnist-m, usps.
    #[cfg_attr(feature = "clap", arg(long, value_parser = parse_pair))]
    #[serde(skip_serializing_if = "Option::is_none", with = "pair_text")]
    pub pair: Option<Pair>,
    /// Training recipe: the paper's (SGD, annealed learning rate; default) or batch norm +
    /// Adam.
    #[cfg_attr(feature = "clap", arg(long, value_enum))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
    /// Folder holding mnist/, usps/ and bsds500/ (default: $DANN_DATA_DIR, else ./data).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// Folder holding MNIST-M as IDX (mnist-m-{train,test}-{images-idx4,labels-idx1}-ubyte.gz,
    /// e.g. from `dann data mnist-m` or converted from Ganin's files); default: built from
    /// the data folder's mnist/ and bsds500/ with seed 0 (a few seconds).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mnist_m: Option<PathBuf>,
    /// Where to write the report (`<pair>.md`, `.json`, `.html`), the t-SNE maps and the metrics of
    /// each model (default: a fresh `runs/digits-<pair>-<UTC time>`). An earlier report of the
    /// same pair and variant there is refused unless --force.
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
    /// Also save the trained models into this folder (one subfolder per model).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models_out: Option<PathBuf>,
    /// Which models to train (comma-separated; default all): source-only, dann,
    /// train-on-target.
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ',', value_parser = parse_model))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<ModelKind>>,
    /// Iterations per model (default: the preset's 10,000).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// Train on at most this many images per domain (and test on at most as many), drawn
    /// with --seed: a quick check, not the experiment.
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subset: Option<usize>,
    /// Rows per domain in the t-SNE maps of the source-only and DANN models (default 1000;
    /// 0: no maps).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsne_n: Option<usize>,
    /// Seed of the weights, the batches and the subset draw (default 0).
    #[cfg_attr(feature = "clap", arg(long))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

#[cfg(feature = "clap")]
fn parse_pair(s: &str) -> Result<Pair, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

#[cfg(feature = "clap")]
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
    use crate::experiments::digits::Pair;
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

impl AmazonOptions {
    /// The experiment these settings describe (the paper's wherever one is not given), checked.
    pub fn config(&self) -> Result<AmazonConfig> {
        let features = self.features.unwrap_or_default();
        let mut config = AmazonConfig {
            pairs: amazon::parse_pairs(self.pairs.as_deref().unwrap_or("all"))?,
            pad: self.pad,
            score: self.rv_score.unwrap_or_default(),
            rv_splits: self.rv_splits.unwrap_or(1),
            data_dir: data_dir(self.data_dir.clone()),
            ..Default::default()
        }
        .with_features(features)
        .with_seed(self.seed.unwrap_or(0));
        if let Some(layers) = self.msda_layers {
            if features != FeatureSpace::Msda {
                return Err(Error::Data("--msda-layers needs --features msda".into()));
            }
            config.msda.layers = layers;
        }
        if config.rv_splits == 0 {
            return Err(Error::Data("--rv-splits must be at least 1".into()));
        }
        let s = &mut config.shallow;
        s.epochs = self.epochs.unwrap_or(s.epochs);
        s.lr = self.lr.unwrap_or(s.lr);
        s.patience = self.patience.unwrap_or(s.patience);
        s.stopping = self.stopping.unwrap_or(s.stopping);
        if let Some(n) = self.lambdas {
            if n == 0 {
                return Err(Error::Data("--lambdas must be at least 1".into()));
            }
            config.lambdas = lambda_grid(n);
        }
        if let Some(h) = self.hidden.clone() {
            config.hidden = h;
        }
        config.shallow.check().map_err(|e| match e {
            // A bad value from a flag is named by the flag.
            Error::Config { field, message } => {
                let flag = match field.as_str() {
                    "shallow.lr" if self.lr.is_some() => "--lr",
                    "shallow.epochs" if self.epochs.is_some() => "--epochs",
                    _ => return Error::Config { field, message },
                };
                Error::config(flag, message)
            }
            e => e,
        })?;
        Ok(config)
    }
}

impl DigitsOptions {
    /// The reproduction these settings describe (the paper's MNIST -> MNIST-M wherever one is
    /// not given), checked.
    pub fn plan(&self) -> Result<DigitsPlan> {
        let pair = match self.pair {
            Some(p) => p,
            None => "mnist:mnist-m".parse()?,
        };
        let variant = self.variant.unwrap_or_default();
        let seed = self.seed.unwrap_or(0);
        let models = self
            .models
            .clone()
            .unwrap_or_else(|| ModelKind::ALL.to_vec());
        let mut settings = digits::preset(pair, variant);
        settings.train.seed = seed;
        if let Some(n) = self.iterations {
            settings.train.iterations = n;
            settings.train.log_every = settings.train.log_every.min(n.div_ceil(10).max(1));
        }
        settings.check()?;
        if self.subset == Some(0) {
            return Err(Error::Data("--subset must be at least 1".into()));
        }
        if models.is_empty() {
            return Err(Error::Data("--models names no model".into()));
        }
        Ok(DigitsPlan {
            pair,
            variant,
            seed,
            tsne: TsneSettings {
                n: self.tsne_n.unwrap_or(1000),
                seed,
                ..TsneSettings::default()
            },
            models: ModelKind::ALL
                .into_iter()
                .filter(|k| models.contains(k))
                .collect(),
            settings,
            subset: self.subset,
            data_dir: data_dir(self.data_dir.clone()),
            mnist_m: self.mnist_m.clone(),
            models_out: self.models_out.clone(),
        })
    }
}

/// What `reproduce digits` runs: [`DigitsOptions`] resolved.
#[derive(Debug, Clone)]
pub struct DigitsPlan {
    /// Source and target.
    pub pair: Pair,
    /// The training recipe.
    pub variant: Variant,
    /// Seed of the weights, the batches and the subset draw.
    pub seed: u64,
    /// The t-SNE maps of the source-only and DANN models (`n = 0`: none).
    pub tsne: TsneSettings,
    /// The models to train, in the order they are trained and reported.
    pub models: Vec<ModelKind>,
    /// The training settings (the preset, with the seed and iterations given).
    pub settings: Dann,
    /// At most this many images per domain.
    pub subset: Option<usize>,
    /// Folder holding mnist/, usps/ and bsds500/.
    pub data_dir: PathBuf,
    /// Folder holding MNIST-M as IDX, if not built from the data folder.
    pub mnist_m: Option<PathBuf>,
    /// Where to save the trained models too.
    pub models_out: Option<PathBuf>,
}

impl DigitsPlan {
    /// The stem of the report's files: `mnist-mnist-m`, `mnist-usps-bn-adam`, ...
    pub fn stem(&self) -> String {
        match self.variant {
            Variant::Paper => format!("{}-{}", self.pair.source, self.pair.target),
            Variant::BnAdam => format!("{}-{}-bn-adam", self.pair.source, self.pair.target),
        }
    }
}

impl ReproduceConfig {
    /// The file a reproduction writes its resolved settings to.
    pub const FILE: &str = "reproduce.toml";

    /// Writes `reproduce.toml` into `out`: the settings the run used, flags and file merged,
    /// as a `[reproduce.*]` section that `--config` reads back.
    pub fn write_resolved(&self, out: &Path) -> Result<()> {
        #[derive(Serialize)]
        struct Only<'a> {
            reproduce: &'a ReproduceConfig,
        }
        let text = toml::to_string_pretty(&Only { reproduce: self })
            .map_err(|e| Error::config("reproduce", format!("cannot serialise: {e}")))?;
        crate::files::write_text(&out.join(Self::FILE), &text)
    }
}
