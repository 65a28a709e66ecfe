//! `dann._native`: the Rust side of the `dann` Python package. A thin front over the library:
//! numpy arrays and CSR parts become [`Dataset`]s, settings come from the same config file and
//! presets as `dann train`, training is [`Dann::fit_with`] (the GIL released, Ctrl-C checked
//! between steps), and models are [`FittedDann`]s saved in the CLI's model directories. The
//! scikit-learn conventions live in `python/dann/`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use dann::data::DenseMatrix;
use dann::run::{Network, Preset, RunConfig, RunDir, SelectOverrides, overlay, select_run};
use dann::{CpuAutodiff, CpuBackend, Dann, Dataset, FittedDann};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde_json::Value;

mod rows;
mod worker;

use rows::{Layout, unlabelled};
use worker::{PyListener, cancellable};

/// A library error as the Python exception a user expects: `ValueError` for bad data or
/// settings (the CLI's message), `OSError` for a file, `KeyboardInterrupt` for Ctrl-C.
pub(crate) fn py_err(e: dann::Error) -> PyErr {
    let message = e.to_string();
    match e {
        dann::Error::Io { .. } => PyOSError::new_err(message),
        dann::Error::Interrupted { .. } | dann::Error::Cancelled { .. } => {
            PyKeyboardInterrupt::new_err(message)
        }
        dann::Error::Diverged { .. } | dann::Error::Model { .. } => {
            PyRuntimeError::new_err(message)
        }
        _ => PyValueError::new_err(message),
    }
}

/// The settings of a run: `config` (a TOML file as `dann train --config` reads, its `[model]`
/// and `[train]`) or `preset` (`default` or `paper`), then `overrides` (JSON, the same keys
/// nested: `{"train": {"iterations": 100}}`), checked.
#[pyfunction]
#[pyo3(signature = (overrides, config = None, preset = "default", network = None))]
fn settings(
    overrides: &str,
    config: Option<PathBuf>,
    preset: &str,
    network: Option<&str>,
) -> PyResult<String> {
    let dann = resolve(overrides, config, preset, network)?;
    serde_json::to_string(&dann).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Settings as [`settings`] returns them.
fn parse_settings(json: &str) -> PyResult<Dann> {
    serde_json::from_str(json).map_err(|e| PyValueError::new_err(format!("invalid settings: {e}")))
}

fn resolve(
    overrides: &str,
    config: Option<PathBuf>,
    preset: &str,
    network: Option<&str>,
) -> PyResult<Dann> {
    let network = match network {
        None => None,
        Some("mnist") => Some(Network::Mnist),
        Some("svhn") => Some(Network::Svhn),
        Some("gtsrb") => Some(Network::Gtsrb),
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "network {other:?}: expected \"mnist\", \"svhn\" or \"gtsrb\" (the paper's \
                 image networks), or None"
            )));
        }
    };
    let base = match (config, network) {
        (Some(_), Some(_)) => {
            return Err(PyValueError::new_err(
                "give config or network, not both: a network starts the settings as a config \
                 file does",
            ));
        }
        (Some(path), None) => RunConfig::load(&path).map_err(py_err)?,
        (None, Some(n)) => RunConfig::starting_point(Some(n), false).map_err(py_err)?,
        (None, None) => RunConfig::preset(match preset {
            "default" => Preset::Default,
            "paper" => Preset::Paper,
            other => {
                return Err(PyValueError::new_err(format!(
                    "preset {other:?}: expected \"default\" or \"paper\""
                )));
            }
        }),
    };
    let patch: Value =
        serde_json::from_str(overrides).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let dann: Dann = overlay(&base.dann(), &patch).map_err(py_err)?;
    dann.check().map_err(py_err)?;
    Ok(dann)
}

/// A trained DANN (or source-only) model: the CLI's [`FittedDann`].
#[pyclass(module = "dann._native", frozen)]
struct Model {
    fitted: FittedDann<CpuBackend>,
    settings: Dann,
}

#[pymethods]
impl Model {
    /// Trains on `source` rows labelled `labels` (strings; numbers for a regression) and
    /// unlabelled `target` rows with the settings `settings` (JSON, from [`settings`]).
    #[staticmethod]
    #[pyo3(signature = (settings, source, labels, target, layout = Layout::default(), target_layout = None, verbose = false))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        settings: &str,
        source: &Bound<'_, PyAny>,
        labels: Vec<String>,
        target: &Bound<'_, PyAny>,
        layout: Layout,
        target_layout: Option<Layout>,
        verbose: bool,
    ) -> PyResult<Self> {
        let dann = parse_settings(settings)?;
        let source = unlabelled(source, "X", &layout)?
            .with_raw_labels(labels)
            .map_err(py_err)?;
        let target = unlabelled(
            target,
            "X_target",
            target_layout.as_ref().unwrap_or(&layout),
        )?;
        let fitted = cancellable(py, |cancel| {
            let mut listener = PyListener { verbose, cancel };
            dann.fit_with::<CpuAutodiff>(&source, &target, None, &mut listener, &Default::default())
        })?;
        Ok(Self {
            fitted,
            settings: dann,
        })
    }

    /// Loads a model directory (`dann train --out DIR`, or [`save`](Self::save)).
    #[staticmethod]
    fn load(dir: PathBuf) -> PyResult<Self> {
        let fitted = FittedDann::<CpuBackend>::load(&dir, &Default::default()).map_err(py_err)?;
        let config = dir.join(RunConfig::FILE);
        let settings = if config.exists() {
            RunConfig::load(&config).map_err(py_err)?.dann()
        } else {
            Dann::default()
        };
        Ok(Self { fitted, settings })
    }

    /// Writes the model directory `dir` as `dann train` does (`model.mpk`, `model.json`,
    /// `config.toml`): `dann eval --model DIR` and `dann predict` read it.
    fn save(&self, dir: PathBuf) -> PyResult<()> {
        self.fitted.save(&dir).map_err(py_err)?;
        let text = RunConfig::from(self.settings.clone())
            .to_toml()
            .map_err(py_err)?;
        let path = dir.join(RunConfig::FILE);
        dann::files::write_atomically(&path, |w| w.write_all(text.as_bytes())).map_err(py_err)
    }

    /// The settings it was trained with, as JSON.
    fn settings(&self) -> PyResult<String> {
        serde_json::to_string(&self.settings).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The class names, in the order of `predict_proba`'s columns.
    #[getter]
    fn class_names(&self) -> Vec<String> {
        self.fitted.class_names().to_vec()
    }

    /// `classification` or `regression`.
    #[getter]
    fn task(&self) -> String {
        match self.fitted.task() {
            dann::Task::Classification => "classification".into(),
            dann::Task::Regression => "regression".into(),
        }
    }

    /// The number of input features.
    #[getter]
    fn n_features(&self) -> usize {
        self.fitted.spec().n_features
    }

    /// What the label-shift check found (DANN's and source-only's predicted class
    /// proportions on the target, and which model was kept), when it ran.
    #[getter]
    fn label_shift(&self) -> Option<String> {
        self.fitted.label_shift().map(|c| c.summary())
    }

    /// Class probabilities, `n x n_classes`.
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        layout: Layout,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        matrix(py, self.apply(py, x, &layout, FittedDann::predict_proba)?)
    }

    /// A regression's predicted values.
    fn predict_values<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        layout: Layout,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let v = self.apply(py, x, &layout, FittedDann::predict_values)?;
        Ok(v.into_pyarray(py))
    }

    /// The learned features (the feature extractor's output), `n x width`.
    fn transform<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        layout: Layout,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        matrix(py, self.apply(py, x, &layout, FittedDann::features)?)
    }

    /// The domain classifier's probability that each row is from the target.
    fn domain_proba<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        layout: Layout,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let v = self.apply(py, x, &layout, FittedDann::domain_proba)?;
        Ok(v.into_pyarray(py))
    }
}

impl Model {
    /// `f` of the fitted model on the rows `x` (prepared as the model's inputs), the GIL
    /// released while it runs.
    fn apply<T: Send>(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        layout: &Layout,
        f: impl FnOnce(&FittedDann<CpuBackend>, &Dataset) -> dann::Result<T> + Send,
    ) -> PyResult<T> {
        let data = self
            .fitted
            .prepare(unlabelled(x, "X", layout)?)
            .map_err(py_err)?;
        py.allow_threads(|| f(&self.fitted, &data)).map_err(py_err)
    }
}

fn matrix(py: Python<'_>, m: DenseMatrix) -> PyResult<Bound<'_, PyArray2<f32>>> {
    let shape = (m.n_rows(), m.n_cols());
    let a = Array2::from_shape_vec(shape, m.as_slice().to_vec())
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

/// The shift between `source` and `target` rows (`dann shift`): on `model`'s learned
/// features when given, else on the inputs; the result as `dann shift --json` prints it.
#[pyfunction]
#[pyo3(signature = (source, target, model = None, seed = 0, layout = Layout::default()))]
fn shift(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    model: Option<&Model>,
    seed: u64,
    layout: Layout,
) -> PyResult<String> {
    let source = unlabelled(source, "X_source", &layout)?;
    let target = unlabelled(target, "X_target", &layout)?;
    let start = Instant::now();
    let measured = py.allow_threads(|| {
        let map = model.map(|m| &m.fitted as &dyn dann::FeatureMap);
        dann::analysis::shift::measure_shift(source, target, map, seed)
    });
    let json = measured
        .and_then(|s| s.to_json(start.elapsed().as_secs_f64()))
        .map_err(py_err)?;
    Ok(json.to_string())
}

/// The proxy A-distance between `source` and `target` rows (the paper's: linear SVMs over
/// `grid`'s C values, the paper's ten by default), with the domain classifier's held-out
/// error, its C and the rows it trained and tested on, as JSON.
#[pyfunction]
#[pyo3(signature = (source, target, grid = None, seed = 0))]
fn proxy_a_distance(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    grid: Option<Vec<f64>>,
    seed: u64,
) -> PyResult<String> {
    let source = unlabelled(source, "X_source", &Layout::default())?;
    let target = unlabelled(target, "X_target", &Layout::default())?;
    let pad = py
        .allow_threads(|| {
            dann::analysis::proxy_a_distance::proxy_a_distance(
                &source,
                &target,
                grid.as_deref(),
                seed,
            )
        })
        .map_err(py_err)?;
    serde_json::to_string(&pad).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// `dann select` on `source` rows labelled `labels` and unlabelled `target` rows, with the
/// shared settings `settings` (JSON, from [`settings`]) and `grid` (JSON: `[select]`'s keys
/// over its defaults), into the run folder `out` (refused when it holds a model, unless
/// `force`). Returns `select.json`'s report (JSON), the summary and the chosen DANN's folder
/// (the source-only baseline in its `source-only/`).
#[pyfunction]
#[pyo3(signature = (settings, grid, source, labels, target, out, force = false, layout = Layout::default(), verbose = false))]
#[allow(clippy::too_many_arguments)]
fn select(
    py: Python<'_>,
    settings: &str,
    grid: &str,
    source: &Bound<'_, PyAny>,
    labels: Vec<String>,
    target: &Bound<'_, PyAny>,
    out: PathBuf,
    force: bool,
    layout: Layout,
    verbose: bool,
) -> PyResult<(String, String, PathBuf)> {
    let dann = parse_settings(settings)?;
    let mut config = RunConfig::from(dann);
    let patch: Value =
        serde_json::from_str(grid).map_err(|e| PyValueError::new_err(e.to_string()))?;
    config.select = overlay(&config.select, &patch).map_err(py_err)?;
    let source = unlabelled(source, "X", &layout)?
        .with_raw_labels(labels)
        .map_err(py_err)?;
    let target = unlabelled(target, "X_target", &layout)?;
    let dir = RunDir::new(&out);
    let pending = dir.begin(&[]).map_err(py_err)?;
    dir.refuse_to_replace(force).map_err(py_err)?;
    let run = cancellable(py, |cancel| {
        let mut say = |line: &str| {
            if verbose {
                eprintln!("{line}");
            }
        };
        select_run::<CpuAutodiff>(
            pending,
            &config,
            &SelectOverrides::default(),
            (&source, &target),
            &mut say,
            cancel,
            &Default::default(),
        )
    })?;
    Ok((run.report.to_string(), run.summary, run.dir))
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    m.add_function(wrap_pyfunction!(settings, m)?)?;
    m.add_function(wrap_pyfunction!(shift, m)?)?;
    m.add_function(wrap_pyfunction!(select, m)?)?;
    m.add_function(wrap_pyfunction!(proxy_a_distance, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
