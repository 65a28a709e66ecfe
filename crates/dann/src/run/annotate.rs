//! The comments `dann config` prints: one line above every key saying what it does, and the
//! optional keys shown commented out where they are unset.

/// `(table, key, note)`: the line printed above `key` in `[table]` (`[[table]]` for arrays
/// of tables).
const NOTES: &[(&str, &str, &str)] = &[
    (
        "model.conv",
        "input",
        "[channels, height, width] of one image; rows hold it flattened in that order",
    ),
    (
        "model.conv",
        "activation",
        "after each convolution (after batch normalisation): relu | sigmoid | tanh",
    ),
    (
        "model.conv",
        "batch_norm",
        "batch normalisation after each convolution",
    ),
    (
        "model.conv.layers",
        "channels",
        "output channels of this convolution",
    ),
    ("model.conv.layers", "kernel", "kernel size (square)"),
    ("model.conv.layers", "padding", "zero padding on each side"),
    (
        "model.conv.layers",
        "pool_stride",
        "max-pooling stride (unset: the window)",
    ),
    (
        "model.conv.layers",
        "pool",
        "max-pooling window after it (1: none)",
    ),
    (
        "model.feature",
        "hidden",
        "units of each hidden layer of G_f, the feature extractor (its last layer is the features)",
    ),
    (
        "model.feature",
        "activation",
        "sigmoid (the paper's) | relu | tanh",
    ),
    (
        "model.feature",
        "dropout",
        "dropout rate after each hidden layer while training (0: none)",
    ),
    (
        "model.label",
        "hidden",
        "hidden layers of G_y, the label predictor, before its softmax (none: the paper's)",
    ),
    (
        "model.label",
        "activation",
        "of G_y's hidden layers: sigmoid | relu | tanh",
    ),
    (
        "model.label",
        "dropout",
        "dropout rate after G_y's hidden layers",
    ),
    (
        "model.domain",
        "hidden",
        "hidden layers of G_d, the domain classifier, before its logistic output",
    ),
    (
        "model.domain",
        "activation",
        "of G_d's hidden layers: sigmoid | relu | tanh",
    ),
    (
        "model.domain",
        "dropout",
        "dropout rate after G_d's hidden layers",
    ),
    (
        "train",
        "engine",
        "auto (the hand-written kernels when they can run these settings, else burn) | shallow | burn",
    ),
    (
        "train",
        "mode",
        "dann | source_only (no domain classifier: the baseline)",
    ),
    (
        "train",
        "task",
        "classification | regression (a numeric label, squared loss, one output; burn engine)",
    ),
    ("train", "iterations", "training steps (batches)"),
    (
        "train",
        "batch_size",
        "rows per step, source and target together",
    ),
    (
        "train",
        "source_fraction",
        "share of each batch taken from the source (the paper's half)",
    ),
    (
        "train",
        "standardize",
        "auto (dense rows of numbers, unless on one fixed scale like pixels) | true | false; saved with the model",
    ),
    (
        "train",
        "max_label_shift",
        "source-only is trained too and kept when its target class proportions are further than this (0-1) and it is as sure of the target as of the source; 1: off",
    ),
    ("train", "seed", "weights, batch order and noise"),
    (
        "train",
        "log_every",
        "a metrics record (metrics.jsonl) every N iterations",
    ),
    (
        "train",
        "monitor_rows",
        "at most this many rows of each set are scored for each record",
    ),
    ("train.optimizer", "kind", "sgd | adam"),
    (
        "train.optimizer",
        "momentum",
        "SGD momentum (the paper's 0.9)",
    ),
    (
        "train.optimizer",
        "weight_decay",
        "L2 penalty on the weights (0: none)",
    ),
    ("train.optimizer", "beta1", "Adam's first-moment decay"),
    ("train.optimizer", "beta2", "Adam's second-moment decay"),
    (
        "train.lr",
        "kind",
        "annealed: mu0 / (1 + alpha p)^beta, p the share of training done (the paper's) | constant (value)",
    ),
    ("train.lr", "mu0", "initial learning rate"),
    ("train.lr", "alpha", "how fast the rate falls"),
    ("train.lr", "beta", "the decay's power"),
    ("train.lr", "value", "the constant learning rate"),
    (
        "train.lambda",
        "kind",
        "ganin: max (2 / (1 + exp(-gamma p)) - 1), rising from 0 (the paper's) | constant (value)",
    ),
    (
        "train.lambda",
        "max",
        "the weight of the domain loss at the end (the paper's 1; 3 on dense rows by default)",
    ),
    ("train.lambda", "gamma", "how fast lambda rises"),
    (
        "train.lambda",
        "max_sparse",
        "max on sparse rows (SVMlight, bags of words); unset: max everywhere",
    ),
    ("train.lambda", "value", "the constant adaptation weight"),
    (
        "train.images",
        "channels",
        "output channels: grey repeated to 3, colour averaged to 1; unset: as read",
    ),
    (
        "train.images",
        "size",
        "[height, width] of the output; unset: as read",
    ),
    (
        "train.images",
        "fit",
        "how images reach size: pad (centre, padding or cropping) | resize (bilinear)",
    ),
    (
        "train.images",
        "scale",
        "factor applied to every value (1/255 maps bytes to [0, 1])",
    ),
    (
        "train.images",
        "subtract_mean",
        "subtract the training images' per-channel mean (saved with the model)",
    ),
    (
        "train.images",
        "noise",
        "standard deviation of Gaussian noise on training inputs (0: none)",
    ),
    (
        "data",
        "format",
        "auto (from the file name) | csv | parquet | svmlight | idx | npy | images (a folder)",
    ),
    (
        "data",
        "missing",
        "error: an empty/NA/NaN cell is refused | impute: source median + indicator, or a <missing> category",
    ),
    (
        "data",
        "max_line_bytes",
        "longest text line read (refused beyond, naming the line)",
    ),
    ("data", "max_field_bytes", "longest CSV cell read"),
    (
        "data",
        "max_gzip_ratio",
        "largest expansion of a .gz file (a guard against gzip bombs)",
    ),
    (
        "data.csv",
        "header",
        "auto (line 1 is data when all its cells are numbers) | true | false",
    ),
    ("data.csv", "delimiter", "the field separator"),
    (
        "data.svmlight",
        "index_base",
        "auto (decided from the files, stored with the model) | 0 | 1: the first feature's index",
    ),
    ("shallow", "mode", "dann | source_only"),
    (
        "shallow",
        "hidden",
        "hidden units of the one-hidden-layer network",
    ),
    ("shallow", "lambda", "constant adaptation weight"),
    ("shallow", "lr", "constant learning rate"),
    (
        "shallow",
        "batch_size",
        "source examples per step, each paired with a target example",
    ),
    (
        "shallow",
        "epochs",
        "at most; early stopping on the held-out source rows",
    ),
    (
        "shallow",
        "patience",
        "epochs without improvement before stopping",
    ),
    ("shallow", "stopping", "growing (the authors' rule) | fixed"),
    (
        "shallow",
        "validation",
        "share of source and target held out (0: none, no early stopping)",
    ),
    ("shallow", "seed", "weights, example order, held-out split"),
    (
        "shallow",
        "kernel",
        "auto | sparse | blocked (dense inputs of 256+ features)",
    ),
    ("shallow", "init", "glorot (the authors') | burn"),
    (
        "select",
        "lambdas",
        "the adaptation weights tried (the paper's 9 values from 0.01 to 1)",
    ),
    ("select", "hidden", "the hidden-layer sizes tried"),
    (
        "select",
        "score",
        "error | log_loss: what ranks the reverse models on the held-out source rows",
    ),
    (
        "select",
        "pad",
        "measure the proxy A-distance of each candidate's features",
    ),
    (
        "select",
        "splits",
        "hold-out splits each candidate's score is averaged over",
    ),
    (
        "select",
        "engine",
        "auto | shallow (the paper's Algorithm 1 on the kernels) | burn ([model] and [train] per candidate)",
    ),
];

/// `(table, key, example, note)`: keys shown commented out, with an example value, when
/// the configuration leaves them unset.
const OPTIONAL: &[(&str, &str, &str, &str)] = &[
    (
        "data",
        "label_column",
        "\"y\"",
        "CSV/Parquet label column, a name or 0-based index (--label-column); default: a column named `label`; a target may lack it",
    ),
    (
        "data",
        "ignore_columns",
        "[\"id\"]",
        "columns that are not features, e.g. IDs and timestamps (--ignore-columns)",
    ),
    (
        "data",
        "categorical",
        "[\"zip\"]",
        "columns one-hot encoded even when they hold numbers (text columns always are)",
    ),
    (
        "data",
        "ignore_extra_columns",
        "true",
        "a file read for a model may have columns the model lacks (--ignore-extra-columns)",
    ),
    (
        "train",
        "checkpoint_every",
        "2000",
        "burn engine: a checkpoint every N iterations (dann train --resume continues from it)",
    ),
    (
        "select",
        "lrs",
        "[0.001]",
        "learning rates tried; unset: 1e-3 (shallow), [train]'s initial rate (burn)",
    ),
    (
        "select",
        "optimizers",
        "[{ kind = \"sgd\" }, { kind = \"adam\" }]",
        "burn only; unset: [train]'s optimiser",
    ),
];

/// `text` (TOML as `toml` writes it) with a comment line above each key that has a note,
/// and the unset optional keys of each table shown commented out under its header.
pub(super) fn annotate(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    let mut table = "";
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('[') {
            table = line.trim_matches(|c| c == '[' || c == ']');
            out.push_str(line);
            out.push('\n');
            let body = table_body(text, i);
            for (_, key, example, note) in OPTIONAL.iter().filter(|o| o.0 == table) {
                if !body.iter().any(|l| is_key(l, key)) {
                    out.push_str(&format!("# {key} = {example}    # {note}\n"));
                }
            }
            continue;
        }
        if let Some((_, _, note)) = NOTES
            .iter()
            .find(|(t, k, _)| *t == table && is_key(line, k))
        {
            out.push_str(&format!("# {note}\n"));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The lines of the table whose header is line `header` of `text`, up to the next header.
fn table_body(text: &str, header: usize) -> Vec<&str> {
    text.lines()
        .skip(header + 1)
        .take_while(|l| !l.starts_with('['))
        .collect()
}

fn is_key(line: &str, key: &str) -> bool {
    line.strip_prefix(key)
        .is_some_and(|rest| rest.starts_with(" ="))
}

/// The `(table, key)` pairs that have a note: for the test that every printed key has one.
#[cfg(test)]
pub(super) fn has_note(table: &str, key: &str) -> bool {
    NOTES.iter().any(|(t, k, _)| *t == table && *k == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::config::{Preset, RunConfig};
    use crate::run::network::Network;

    /// Every configuration `dann config` can print: each key has its comment line right
    /// above it, and the text reads back as the same configuration.
    #[test]
    fn every_key_is_explained_and_the_text_reads_back() {
        let configs = [
            RunConfig::starting_point(None, false).unwrap(),
            RunConfig::starting_point(None, true).unwrap(),
            RunConfig::starting_point(Some(Network::Mnist), false).unwrap(),
            RunConfig::starting_point(Some(Network::Svhn), false).unwrap(),
            RunConfig::preset(Preset::Paper),
        ];
        for config in configs {
            let plain = config.to_toml().unwrap();
            let text = config.to_annotated_toml().unwrap();
            let back: RunConfig = toml::from_str(&text).unwrap();
            assert_eq!(back.to_toml().unwrap(), plain);
            let lines: Vec<&str> = text.lines().collect();
            let mut table = "";
            for (i, line) in lines.iter().enumerate() {
                if line.starts_with('[') {
                    table = line.trim_matches(|c| c == '[' || c == ']');
                    continue;
                }
                let Some((key, _)) = line.split_once(" = ") else {
                    continue; // a continued array, a comment, a blank line
                };
                if key.starts_with('#') || key.starts_with(' ') {
                    continue;
                }
                assert!(has_note(table, key), "[{table}] {key} has no note");
                assert!(lines[i - 1].starts_with("# "), "[{table}] {key}: {text}");
            }
        }
    }

    #[test]
    fn unset_optional_keys_are_shown_commented_out() {
        let text = annotate("[data]\nformat = \"auto\"\nlabel_column = \"y\"\n[train]\nseed = 0\n");
        assert!(!text.contains("# label_column"), "{text}");
        assert!(text.contains("# ignore_columns = [\"id\"]"), "{text}");
        assert!(text.contains("# checkpoint_every = 2000"), "{text}");
        assert!(
            text.contains("# weights, batch order and noise\nseed = 0"),
            "{text}"
        );
    }
}
