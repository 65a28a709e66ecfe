"""Target-free analyses: how shifted a target is (``dann shift``) and the proxy A-distance.
Both are the library's; this file turns inputs into arrays and the JSON into Python."""

import dataclasses
import json
from typing import List, Optional, Tuple

from . import _native
from ._estimator import _rows


@dataclasses.dataclass(frozen=True)
class Shift:
    """What ``dann shift`` measures: a linear domain classifier trained on half of the rows
    (the larger side subsampled to the smaller's size) and tested on the other half."""

    pad: float
    """Proxy A-distance, 2 (1 - 2 err): 0 no shift, 2 fully separable."""
    pad_interval: Tuple[float, float]
    """95% (Wilson) interval of the PAD."""
    auc: float
    """The domain classifier's held-out ROC AUC (0.5: no shift)."""
    auc_interval: Tuple[float, float]
    """95% bootstrap interval of the AUC."""
    p_value: float
    """One-sided permutation p-value of the AUC."""
    verdict: str
    """The verdict in words, as the CLI prints it."""
    space: str
    """Where it was measured: the inputs, or a model's learned features."""
    rows_per_domain: int
    top_features: List[dict]
    """The features that separate the domains most (inputs only): index, name, importance,
    mean_source, mean_target, standardized_difference."""
    least_like_source: List[int]
    """Target rows (1-based) least like the source, least like first."""
    error: float
    c: float
    n_train: int
    n_test: int
    seconds: float

    def to_dict(self):
        """The fields as a dict (JSON-ready)."""
        return dataclasses.asdict(self)


def shift(X_source, X_target, *, model=None, seed=0):
    """The shift between ``X_source`` and ``X_target`` (labels are not needed): on ``model``'s
    learned features when given (a fitted :class:`dann.DANN`), else on the inputs. Returns a
    :class:`Shift`."""
    if model is not None:
        (source, layout), (target, _) = model._input(X_source), model._input(X_target)
        native = model._model
    else:
        source, layout = _rows(X_source, "X_source")
        target, _ = _rows(X_target, "X_target", layout["names"])
        native = None
    v = json.loads(_native.shift(source, target, native, int(seed), layout))
    fields = {f.name for f in dataclasses.fields(Shift)}
    v = {k: v[k] for k in fields}
    v["pad_interval"] = tuple(v["pad_interval"])
    v["auc_interval"] = tuple(v["auc_interval"])
    return Shift(**v)


def proxy_a_distance(X_source, X_target, *, grid: Optional[List[float]] = None, seed=0):
    """The proxy A-distance between two sets of rows (Ben-David et al.; the paper's linear
    SVMs over ``grid``'s C values, its ten in [1e-5, 1] by default): a float in [0, 2]."""
    source, layout = _rows(X_source, "X_source")
    target, _ = _rows(X_target, "X_target", layout["names"])
    grid = None if grid is None else [float(c) for c in grid]
    return json.loads(_native.proxy_a_distance(source, target, grid, int(seed)))["pad"]
