"""The estimators: scikit-learn's conventions over ``dann._native.Model``.

Everything that trains, predicts, saves or checks settings is the Rust library's; this file
only turns Python inputs into arrays and keeps scikit-learn's attributes.
"""

import inspect
import json
import os
import tempfile
import warnings

import numpy as np

from . import _native

try:  # scikit-learn is optional: with it, the estimators are its estimators (tags, clone, repr)
    from sklearn.base import BaseEstimator as _SkBase
    from sklearn.base import ClassifierMixin as _SkClassifier
    from sklearn.base import RegressorMixin as _SkRegressor
    from sklearn.base import TransformerMixin as _SkTransformer
except ImportError:  # pragma: no cover - exercised where scikit-learn is absent
    _SkBase = object

    class _SkClassifier:
        pass

    class _SkRegressor:
        pass

    class _SkTransformer:
        pass

    class _DataConversionWarning(UserWarning):
        pass

else:
    from sklearn.exceptions import DataConversionWarning as _DataConversionWarning


# A model directory's extra file: what Python gave that the CLI's files do not keep (the
# classes' Python values, a DataFrame's column names). The CLI ignores it.
_PYTHON_FILE = "python.json"


def _is_sparse(X):
    return hasattr(X, "tocsr") and hasattr(X, "nnz")


def _is_frame(X):
    return hasattr(X, "columns") and hasattr(X, "to_numpy") and hasattr(X, "dtypes")


def _rows(X, what, names=None):
    """X as the native module takes it: a 2-d float32 array, or CSR parts
    ``(indptr, indices, data, n_cols)``; with its layout: a DataFrame's column names, an
    image array's ``[C, H, W]`` (``N x C x H x W`` arrays stay 4-d: the native side flattens
    each image row-major).
    ``names``: the columns a fitted model wants (a DataFrame is reordered to them)."""
    frame_names = None
    if _is_frame(X):
        frame_names = [str(c) for c in X.columns]
        if names is not None:
            missing = [n for n in names if n not in frame_names]
            if missing:
                raise ValueError(
                    f"{what} lacks the column(s) {missing} the model was fitted on "
                    f"(it has {frame_names})"
                )
            X = X[[c for c in X.columns if str(c) in names]]
            X = X[sorted(X.columns, key=lambda c: names.index(str(c)))]
            frame_names = list(names)
        text = [str(c) for c, t in zip(X.columns, X.dtypes) if t.kind not in "fiub"]
        if text:
            raise ValueError(
                f"{what}: column(s) {text} do not hold numbers; encode them first (the CLI's "
                f"CSV reader one-hot encodes text columns)"
            )
        X = X.to_numpy(dtype=np.float32)
    if _is_sparse(X):
        X = X.tocsr(copy=True)
        X.sum_duplicates()  # sorted, unique column indices per row
        parts = (
            np.asarray(X.indptr, dtype=np.int64),
            np.asarray(X.indices, dtype=np.int64),
            np.asarray(X.data, dtype=np.float32),
            int(X.shape[1]),
        )
        return parts, {"names": frame_names, "shape": None}
    X = np.asarray(X)
    if X.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {what} has dtype {X.dtype}")
    if X.dtype.kind == "O":
        X = X.astype(np.float64)  # numbers stored as objects; anything else is a TypeError
    if X.dtype.kind not in "fiub":
        raise ValueError(
            f"{what} must hold numbers, got an array of dtype {X.dtype} (strings or objects)"
        )
    shape = None
    if X.ndim == 4 and frame_names is None:
        # Passed as is: the native side flattens each image row-major while it copies (one
        # copy, whatever the memory order; numpy's reshape would copy a transposed view first).
        shape = [int(d) for d in X.shape[1:]]
    elif X.ndim != 2:
        raise ValueError(
            f"Expected 2D array, got {X.ndim}D array instead for {what}. Reshape your data "
            f"either using array.reshape(-1, 1) if your data has a single feature or "
            f"array.reshape(1, -1) if it contains a single sample."
        )
    width = int(np.prod(X.shape[1:]))
    if X.shape[0] == 0 or width == 0:
        kind, n = ("sample", X.shape[0]) if X.shape[0] == 0 else ("feature", width)
        raise ValueError(
            f"Found array with {n} {kind}(s) (shape={X.shape}) while a minimum of 1 is "
            f"required ({what})."
        )
    return np.asarray(X, dtype=np.float32), {"names": frame_names, "shape": shape}


def _n_rows(X):
    return X[0].shape[0] - 1 if isinstance(X, tuple) else X.shape[0]


class _Base(_SkBase):
    """Settings as keywords; ``None`` keeps the value of ``config`` (a TOML file as ``dann
    train --config`` reads) or of ``preset``."""

    _task = "classification"

    def __init__(
        self,
        *,
        hidden_layer_sizes=None,
        activation=None,
        domain_hidden_layer_sizes=None,
        engine=None,
        optimizer=None,
        learning_rate=None,
        lambda_max=None,
        max_label_shift=None,
        standardize=None,
        iterations=None,
        batch_size=None,
        seed=None,
        preset="default",
        config=None,
        network=None,
        device="cpu",
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.domain_hidden_layer_sizes = domain_hidden_layer_sizes
        self.engine = engine
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lambda_max = lambda_max
        self.max_label_shift = max_label_shift
        self.standardize = standardize
        self.iterations = iterations
        self.batch_size = batch_size
        self.seed = seed
        self.preset = preset
        self.config = config
        self.network = network
        self.device = device
        self.verbose = verbose

    # scikit-learn's parameter protocol ------------------------------------------------
    @classmethod
    def _get_param_names(cls):
        sig = inspect.signature(_Base.__init__)
        return sorted(p for p in sig.parameters if p != "self")

    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = type(self)()
        changed = [
            f"{k}={v!r}"
            for k, v in self.get_params().items()
            if v is not getattr(defaults, k) and v != getattr(defaults, k)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    # settings ---------------------------------------------------------------------------
    def _overrides(self, mode):
        model, train = {}, {"mode": mode, "task": self._task}
        if self.hidden_layer_sizes is not None:
            model.setdefault("feature", {})["hidden"] = [int(h) for h in self.hidden_layer_sizes]
        if self.activation is not None:
            model.setdefault("feature", {})["activation"] = str(self.activation)
        if self.domain_hidden_layer_sizes is not None:
            model["domain"] = {"hidden": [int(h) for h in self.domain_hidden_layer_sizes]}
        if self.engine is not None:
            train["engine"] = str(self.engine)
        if self.optimizer is not None:
            train["optimizer"] = {"kind": str(self.optimizer)}
        if self.learning_rate is not None:
            train["lr"] = {"kind": "constant", "value": float(self.learning_rate)}
        if self.lambda_max is not None:
            train["lambda"] = {"max": float(self.lambda_max)}
        if self.max_label_shift is not None:
            train["max_label_shift"] = float(self.max_label_shift)
        if self.standardize is not None:
            train["standardize"] = str(self.standardize)
        if self.iterations is not None:
            train["iterations"] = int(self.iterations)
        if self.batch_size is not None:
            train["batch_size"] = int(self.batch_size)
        if self.seed is not None:
            train["seed"] = int(self.seed)
        return {"model": model, "train": train}

    def _settings(self, mode):
        if self.device != "cpu":
            raise ValueError(
                f"device {self.device!r}: this build of the Python package trains on the CPU "
                f"only (the CLI built with --features cuda trains on a GPU)"
            )
        config = None if self.config is None else os.fspath(self.config)
        network = None if self.network is None else str(self.network)
        return _native.settings(
            json.dumps(self._overrides(mode)), config, str(self.preset), network
        )

    # fitting ----------------------------------------------------------------------------
    def fit(self, X, y, X_target=None):
        """Trains DANN on labelled source rows ``X, y`` and unlabelled target rows
        ``X_target`` (never their labels); without ``X_target``, the source-only network.
        Returns self."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        Xs, layout = _rows(X, "X")
        names = layout["names"]
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is ravelled.",
                _DataConversionWarning,
            )
            y = np.ravel(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-d, got shape {y.shape}")
        if len(y) != _n_rows(Xs):
            raise ValueError(f"X has {_n_rows(Xs)} rows but y has {len(y)} values")
        if len(y) < 2:
            raise ValueError(f"n_samples={len(y)}: fitting needs at least 2 labelled rows")
        if X_target is None:
            Xt, t_layout, mode = Xs, layout, "source_only"
        else:
            Xt, t_layout = _rows(X_target, "X_target", names)
            mode = "dann"
            if (names is None) != (t_layout["names"] is None):
                raise ValueError("X and X_target must both be DataFrames, or neither")
            if (t_layout["shape"] is None) != (layout["shape"] is None):
                raise ValueError("X and X_target must both be image arrays, or neither")
        labels, values = self._labels(y)
        settings = self._settings(mode)
        self._model = _native.Model.fit(
            settings, Xs, labels, Xt, layout=layout, target_layout=t_layout,
            verbose=bool(self.verbose),
        )
        self._set_fitted(names, values)
        if layout["shape"] is not None:
            self.sample_shape_ = tuple(layout["shape"])
        else:
            self.__dict__.pop("sample_shape_", None)
        return self

    def _set_fitted(self, names, values=None):
        """The fitted attributes of ``self._model``: ``names``, a DataFrame's columns;
        ``values``, the Python value of each class name (classifiers)."""
        m = self._model
        self.n_features_in_ = m.n_features
        if names is not None:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.settings_ = json.loads(m.settings())
        self.label_shift_ = m.label_shift

    def _check_fitted(self):
        if not hasattr(self, "_model"):
            raise _not_fitted(self)

    def _input(self, X):
        self._check_fitted()
        names = getattr(self, "feature_names_in_", None)
        rows, layout = _rows(X, "X", None if names is None else [str(n) for n in names])
        width = rows[3] if isinstance(rows, tuple) else rows.shape[1]
        if layout["shape"] is None and width != self.n_features_in_:
            raise ValueError(
                f"X has {width} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return rows, layout

    def _tags(self, tags):
        tags.input_tags.sparse = True  # scipy.sparse: the sparse kernels
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = ["float32"]  # the engine computes in float32
        return tags

    def transform(self, X):
        """The learned features (the feature extractor's output), ``n x width``, float32."""
        rows, layout = self._input(X)
        return self._model.transform(rows, layout)

    def domain_proba(self, X):
        """The domain classifier's probability that each row comes from the target."""
        rows, layout = self._input(X)
        return self._model.domain_proba(rows, layout)

    # saving -----------------------------------------------------------------------------
    def save(self, path):
        """Writes a model directory as ``dann train --out`` does (``dann eval --model`` and
        ``dann predict --model`` read it), plus ``python.json`` (the classes' Python values
        and a DataFrame's column names)."""
        self._check_fitted()
        path = os.fspath(path)
        self._model.save(path)
        extra = {"task": self._task}
        if hasattr(self, "classes_"):
            extra["classes"] = [c.item() if hasattr(c, "item") else c for c in self.classes_]
        if hasattr(self, "feature_names_in_"):
            extra["feature_names_in"] = [str(n) for n in self.feature_names_in_]
        with open(os.path.join(path, _PYTHON_FILE), "w") as f:
            json.dump(extra, f)
        return self

    def __getstate__(self):
        state = dict(self.__dict__)
        model = state.pop("_model", None)
        if model is not None:
            with tempfile.TemporaryDirectory() as d:
                model.save(d)
                files = {}
                for name in sorted(os.listdir(d)):
                    with open(os.path.join(d, name), "rb") as f:
                        files[name] = f.read()
            state["_model_files"] = files
        return state

    def __setstate__(self, state):
        files = state.pop("_model_files", None)
        self.__dict__.update(state)
        if files is not None:
            with tempfile.TemporaryDirectory() as d:
                for name, data in files.items():
                    with open(os.path.join(d, os.path.basename(name)), "wb") as f:
                        f.write(data)
                self._model = _native.Model.load(d)


class DANN(_SkClassifier, _SkTransformer, _Base):
    """DANN classifier (or, fitted without ``X_target``, the source-only network).

    Parameters (``None``: the value of ``config``, else of ``preset``):

    hidden_layer_sizes : the feature extractor's hidden layers (``[model.feature] hidden``)
    activation : ``"sigmoid"`` or ``"relu"`` (``[model.feature] activation``)
    domain_hidden_layer_sizes : the domain classifier's hidden layers
    engine : ``"auto"``, ``"shallow"`` (the paper's kernels) or ``"burn"``
    optimizer : ``"sgd"`` (momentum 0.9) or ``"adam"``
    learning_rate : a constant learning rate (default: the paper's annealed schedule)
    lambda_max : the reversal weight's final value (``[train.lambda] max``)
    max_label_shift : the label-shift check's threshold (1 turns it off)
    standardize : ``"auto"``, ``"on"`` or ``"off"``
    iterations, batch_size, seed : as ``[train]``
    preset : ``"default"`` (the benchmark's defaults) or ``"paper"`` (JMLR 2016)
    config : a TOML file (``dann config`` prints one) whose ``[model]`` and ``[train]`` start
        the settings; the keywords above override it
    network : ``"mnist"``, ``"svhn"`` or ``"gtsrb"``: the paper's image network, its input
        size and preprocessing start the settings (as ``dann config --network``); X is then
        an ``N x C x H x W`` array
    device : ``"cpu"``
    verbose : print the progress lines (to stderr) while training

    Fitted attributes: ``classes_``, ``n_features_in_``, ``feature_names_in_`` (DataFrames),
    ``sample_shape_`` (image arrays),
    ``settings_`` (the resolved settings), ``label_shift_`` (what the label-shift check
    found, or None).
    """

    def __sklearn_tags__(self):
        return self._tags(super().__sklearn_tags__())

    def _labels(self, y):
        if y.dtype.kind == "f" and np.any(np.asarray(y, dtype=np.float64) % 1 != 0):
            raise ValueError(
                "Unknown label type: continuous (y holds fractional numbers); "
                "dann.DANNRegressor fits a numeric target"
            )
        if len(np.unique(y)) < 2:
            raise ValueError(
                "y has 1 class; a classifier needs labelled rows of at least two classes"
            )
        labels = [str(v.item() if hasattr(v, "item") else v) for v in y]
        values = {}
        for key, v in zip(labels, y):
            values.setdefault(key, v)
        return labels, values

    def _set_fitted(self, names, values=None):
        super()._set_fitted(names)
        values = values or {}
        self.classes_ = np.asarray([values.get(n, n) for n in self._model.class_names])

    def predict_proba(self, X):
        """Class probabilities, columns in ``classes_`` order."""
        rows, layout = self._input(X)
        return self._model.predict_proba(rows, layout)

    def predict(self, X):
        """The most probable class of each row (values of ``classes_``)."""
        self._check_fitted()
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y):
        """Accuracy on labelled rows."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class DANNRegressor(_SkRegressor, _SkTransformer, _Base):
    """DANN for a numeric label (``[train] task = "regression"``): squared loss on the label
    head, the domain head unchanged; burn only. Parameters as :class:`DANN`."""

    _task = "regression"

    def __sklearn_tags__(self):
        return self._tags(super().__sklearn_tags__())

    def _labels(self, y):
        y = np.asarray(y, dtype=np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError("y has a value that is not a finite number (NaN or infinity)")
        return [repr(float(v)) for v in y], None

    def predict(self, X):
        """The predicted value of each row."""
        rows, layout = self._input(X)
        return self._model.predict_values(rows, layout)

    def score(self, X, y):
        """R^2 on labelled rows."""
        y = np.asarray(y, dtype=np.float64)
        p = self.predict(X)
        ss_res = float(np.sum((y - p) ** 2))
        ss_tot = float(np.sum((y - y.mean()) ** 2))
        return 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0


def load(path):
    """Loads a model directory (from ``dann train --out`` or ``save``) as a fitted
    :class:`DANN` or :class:`DANNRegressor`."""
    path = os.fspath(path)
    model = _native.Model.load(path)
    extra = {}
    extra_path = os.path.join(path, _PYTHON_FILE)
    if os.path.exists(extra_path):
        with open(extra_path) as f:
            extra = json.load(f)
    est = DANNRegressor() if model.task == "regression" else DANN()
    est._model = model
    classes = extra.get("classes")
    values = None
    if classes is not None and [str(c) for c in classes] == model.class_names:
        values = {str(c): c for c in classes}
    est._set_fitted(extra.get("feature_names_in"), values)
    return est


def _not_fitted(est):
    try:
        from sklearn.exceptions import NotFittedError
    except ImportError:  # scikit-learn is optional
        NotFittedError = AttributeError
    return NotFittedError(
        f"This {type(est).__name__} instance is not fitted yet. Call 'fit' with appropriate "
        f"arguments before using this estimator."
    )
