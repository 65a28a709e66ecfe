//! The adaptation problem every learner here solves: a labelled source and an unlabelled
//! target with the same inputs ([`TrainingPair`]), and whether to adapt to the target at all
//! ([`Mode`]). The burn trainer, the shallow kernels, reverse validation and the experiments
//! all take these.

use serde::{Deserialize, Serialize};

use std::path::Path;

use crate::data::Dataset;
use crate::data::{LoadOptions, load_named};
use crate::error::{Error, Result};

/// DANN, or the same network trained on the source alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Domain-adversarial training.
    #[default]
    Dann,
    /// No domain term: the paper's "NN" baseline.
    SourceOnly,
}

impl Mode {
    /// Its name, as the command line spells it: `dann`, `source-only`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Dann => "dann",
            Mode::SourceOnly => "source-only",
        }
    }
}

/// What the label head learns: classes (softmax cross-entropy) or a number (squared loss).
/// The domain head is the same either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// The label is a class: a name or an integer.
    #[default]
    Classification,
    /// The label is a number; the network predicts it with one output, trained on the
    /// squared error of the source's standardised labels.
    Regression,
}

impl Task {
    /// Its name, as the config file spells it: `classification`, `regression`.
    pub fn name(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
        }
    }
}

/// How a regression's labels are scaled for training, fitted on the source's labels and saved
/// with the model: the network learns `(y - mean) / std` and its output is mapped back.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LabelScale {
    /// Mean of the source's labels.
    pub mean: f64,
    /// Their standard deviation (positive).
    pub std: f64,
}

impl LabelScale {
    /// The mean and standard deviation of `values`; `None` when they do not vary.
    pub fn fit(values: &[f32]) -> Option<Self> {
        let n = values.len().max(1) as f64;
        let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = values
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        (var > 0.0 && var.is_finite()).then(|| Self {
            mean,
            std: var.sqrt(),
        })
    }

    /// A label as the network learns it.
    pub fn scale(&self, value: f32) -> f32 {
        ((f64::from(value) - self.mean) / self.std) as f32
    }

    /// The network's output as a label.
    pub fn unscale(&self, output: f32) -> f64 {
        f64::from(output) * self.std + self.mean
    }
}

/// A labelled source and a target that fit together: the source is labelled, both have
/// rows, and both have the same number of features. The target's labels, if any, are never
/// read.
#[derive(Debug, Clone, Copy)]
pub struct TrainingPair<'a> {
    source: &'a Dataset,
    target: &'a Dataset,
    source_labels: &'a [usize],
    task: Task,
}

impl<'a> TrainingPair<'a> {
    /// Checks `source` and `target` for a classification (see the type's docs).
    pub fn new(source: &'a Dataset, target: &'a Dataset) -> Result<Self> {
        Self::for_task(source, target, Task::Classification)
    }

    /// Checks `source` and `target` for `task`: a classification needs at least two classes
    /// that look like classes, a regression labels that are numbers
    /// ([`Dataset::label_values`]) and not all equal.
    pub fn for_task(source: &'a Dataset, target: &'a Dataset, task: Task) -> Result<Self> {
        let source_labels = source.require_labels("the source data")?;
        for (what, ds) in [("source", source), ("target", target)] {
            if ds.is_empty() {
                return Err(ds.error(format!("the {what} data has no rows")));
            }
        }
        match task {
            // A set with two class names may still hold rows of one class only (a
            // self-labelled target in reverse validation); only a single class name is refused.
            Task::Classification => {
                if let [only] = source.class_names() {
                    return Err(source.error(format!(
                        "every source row has the class {only:?}; a classifier needs labelled \
                         rows of at least two classes",
                    )));
                }
                check_class_labels(source)?;
            }
            Task::Regression => {
                source.label_values()?;
                if let [only] = source.class_names() {
                    return Err(source.error(format!(
                        "every source row has the label {only}: a regression needs labels \
                         that vary"
                    )));
                }
            }
        }
        if source.n_features() != target.n_features() {
            return Err(Error::Data(format!(
                "source {} has {} features but target {} has {}",
                source.display_name(),
                source.n_features(),
                target.display_name(),
                target.n_features()
            )));
        }
        Ok(Self {
            source,
            target,
            source_labels,
            task,
        })
    }

    /// What the label head learns.
    pub fn task(&self) -> Task {
        self.task
    }

    /// The labelled source.
    pub fn source(&self) -> &'a Dataset {
        self.source
    }

    /// The target.
    pub fn target(&self) -> &'a Dataset {
        self.target
    }

    /// Class indices of the source rows.
    pub fn source_labels(&self) -> &'a [usize] {
        self.source_labels
    }

    /// Number of input features of both.
    pub fn n_features(&self) -> usize {
        self.source.n_features()
    }

    /// Number of source classes (of distinct labels, in a regression).
    pub fn n_classes(&self) -> usize {
        self.source.class_names().len()
    }

    /// Number of outputs of the label head: one per class, one for a regression.
    pub fn n_outputs(&self) -> usize {
        match self.task {
            Task::Classification => self.n_classes(),
            Task::Regression => 1,
        }
    }
}

/// Pads two data sets to the wider one's number of features: sparse files may stop short of
/// the last feature. Fails when the narrower one is dense.
pub fn align_widths(a: Dataset, b: Dataset) -> Result<(Dataset, Dataset)> {
    let (da, db) = (a.n_features(), b.n_features());
    let dense = |d: &Dataset| matches!(d.features(), crate::data::Features::Dense(_));
    // A dense set cannot grow: name both sets, the narrower one first.
    if da != db && ((da < db && dense(&a)) || (db < da && dense(&b))) {
        let (narrow, wide) = if da < db { (&a, &b) } else { (&b, &a) };
        let (sa, sb) = (a.sample_shape(), b.sample_shape());
        if sa.len() == 3 && sb.len() == 3 {
            return Err(Error::Data(format!(
                "{} holds images of {sa:?} (channels, height, width) but {} of {sb:?}: give both \
                 one size, or set [train.images] size = [height, width] (and channels) to bring \
                 them to one",
                a.display_name(),
                b.display_name()
            )));
        }
        return Err(Error::Data(format!(
            "{} has {} features but {} has {}: source and target need the same columns",
            narrow.display_name(),
            narrow.n_features(),
            wide.display_name(),
            wide.n_features()
        )));
    }
    let width = da.max(db);
    Ok((a.with_n_features(width)?, b.with_n_features(width)?))
}

/// Reads a source (labelled) and a target (without labels) with `options`, at one width
/// ([`align_widths`]) unless `images` (image preprocessing brings them to one shape later). A
/// file without rows is refused, named, and so is a source without labels (saying why, e.g.
/// no column named `label`). CSV and Parquet files are read by [`read_pair`]: the target's
/// columns matched to the source's by name, both encoded by the source's schema.
pub fn load_pair(
    source: &Path,
    target: &Path,
    options: &LoadOptions,
    images: bool,
) -> Result<(Dataset, Dataset)> {
    let (s, t) = read_pair(source, target, options, true)?;
    check_pair((s, t), (source, target), images)
}

/// [`load_pair`] for a trained model (`dann train --init`): both files read through the
/// model's `schema` ([`load_for`](crate::data::load_for): columns by name, the model's
/// categories), the target's labels dropped.
pub fn load_pair_for(
    schema: &crate::data::Schema,
    source: &Path,
    target: &Path,
    options: &LoadOptions,
    images: bool,
) -> Result<(Dataset, Dataset)> {
    let s = crate::data::load_for(schema, source, options)?;
    let t = crate::data::load_for(schema, target, options)?.without_labels();
    check_pair((s, t), (source, target), images)
}

/// A source and a target read together, labels not required (e.g. to measure their
/// shift): CSV and Parquet files through the source's schema (the target's columns matched
/// by name, its categories the source's), other formats each as they are. The target's
/// labels are dropped.
pub fn read_pair(
    source: &Path,
    target: &Path,
    options: &LoadOptions,
    label_required: bool,
) -> Result<(Dataset, Dataset)> {
    if options.is_tabular(source)? && options.is_tabular(target)? {
        return crate::data::read_tabular_pair(source, target, options, label_required);
    }
    Ok((
        load_named(source, options)?,
        load_named(target, options)?.without_labels(),
    ))
}

/// Refuses an empty file or an unlabelled source; brings the two to one width unless
/// `images`.
fn check_pair(
    (s, t): (Dataset, Dataset),
    (source, target): (&Path, &Path),
    images: bool,
) -> Result<(Dataset, Dataset)> {
    for (data, path) in [(&s, source), (&t, target)] {
        if data.is_empty() {
            return Err(Error::Data(format!(
                "{} has no rows: training needs rows in both domains",
                path.display()
            )));
        }
    }
    // Before the widths are compared: a source whose label column was not found has one
    // column more than the target, and "no label column found" is the cause to report.
    s.require_labels("the source data")?;
    if images {
        return Ok((s, t));
    }
    align_widths(s, t)
}

/// Refuses labels that cannot be classes: non-integer numbers (a regression target, or the
/// wrong column), or nearly as many classes as rows.
fn check_class_labels(source: &Dataset) -> Result<()> {
    let names = source.class_names();
    let fix = "give each row a class name or an integer class, or pick the label column with \
               data.csv.label_column; for a numeric label, set [train] task = \"regression\"";
    if let Some(bad) = names
        .iter()
        .find(|n| n.parse::<f64>().is_ok_and(|v| v.fract() != 0.0))
    {
        return Err(source
            .error(format!(
                "the label `{bad}` is a fractional number, not a class (a regression target, or \
                 the wrong column?)"
            ))
            .fix(fix));
    }
    let n = source.len();
    if names.len() > 100 && names.len() * 2 > n {
        return Err(source
            .error(format!(
                "{} distinct labels in {n} rows, too many to be classes (an identifier or a \
                 continuous column?)",
                names.len()
            ))
            .fix(fix));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{CsrMatrix, DenseMatrix, Features};

    fn dense(n: usize, d: usize) -> Dataset {
        Dataset::unlabelled(Features::Dense(
            DenseMatrix::new(n, d, vec![1.0; n * d]).unwrap(),
        ))
    }

    #[test]
    fn pair_checks_labels_rows_and_widths() {
        let labelled = Dataset::labelled(
            dense(2, 3).features().clone(),
            vec![0, 1],
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        let target = dense(4, 3);
        let pair = TrainingPair::new(&labelled, &target).unwrap();
        assert_eq!((pair.n_features(), pair.n_classes()), (3, 2));
        assert_eq!(pair.source_labels(), [0, 1]);
        let err = |s: &Dataset, t: &Dataset| TrainingPair::new(s, t).unwrap_err().to_string();
        assert!(err(&dense(2, 3), &dense(2, 3)).contains("must be labelled"));
        assert!(err(&labelled, &dense(0, 3)).contains("target data has no rows"));
        assert!(err(&labelled, &dense(2, 4)).contains("3 features but target"));
        let one_class =
            Dataset::labelled(dense(2, 3).features().clone(), vec![0, 0], vec!["b".into()])
                .unwrap();
        let msg = err(&one_class, &target);
        assert!(
            msg.contains("class \"b\"") && msg.contains("two classes"),
            "{msg}"
        );
    }

    #[test]
    fn align_widths_pads_sparse_and_refuses_narrow_dense() {
        let sparse = Dataset::unlabelled(Features::Sparse(
            CsrMatrix::new(2, vec![0, 1], vec![1], vec![1.0]).unwrap(),
        ));
        let (a, b) = align_widths(sparse.clone(), dense(1, 5)).unwrap();
        assert_eq!((a.n_features(), b.n_features()), (5, 5));
        let err = align_widths(dense(1, 1), sparse).unwrap_err().to_string();
        assert!(
            err.contains("has 1 features but") && err.contains("has 2"),
            "{err}"
        );
    }

    /// Issue 22: a source whose label column is not named `label` (or that has no header
    /// line) was refused with a width error ("t.csv has 2 features but s.csv has 3").
    #[test]
    fn a_source_without_a_found_label_column_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let target = write("t.csv", "a,b\n1,2\n3,4\n");
        let options = LoadOptions::default();
        let named = write("y.csv", "a,b,y\n1,2,0\n3,4,1\n");
        let err = load_pair(&named, &target, &options, false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no label column found"), "{err}");
        assert!(err.contains("--label-column"), "{err}");
        let headerless = write("n.csv", "1,2,0\n3,4,1\n");
        let err = load_pair(&headerless, &target, &options, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{}: the source data must be labelled, but the file has no header line",
                headerless.display()
            )),
            "{err}"
        );
        assert!(err.contains("--label-column <its 0-based index>"), "{err}");
    }
}
