"""``dann.select``: the paper's whole method without target labels (``dann select``): reverse
validation over a grid, the source-only baseline, and whether DANN is expected to help. The
selection is the library's; this file turns inputs and outputs into Python."""

import dataclasses
import json
import os
import tempfile
from typing import Any, List, Optional

import numpy as np

from . import _native
from ._estimator import DANN, _n_rows, _rows, load


@dataclasses.dataclass
class Selection:
    """What :func:`select` found."""

    model: Any
    """The chosen DANN (a fitted :class:`DANN`)."""
    baseline: Any
    """The chosen source-only network (a fitted :class:`DANN`)."""
    verdict: str
    """``helps``, ``does_not_help`` or ``too_close_to_call``: DANN's reverse-validation score
    against the baseline's, within two standard errors or not."""
    candidates: Any
    """DANN's candidates with their reverse-validation scores: a list of dicts, or a pandas
    DataFrame when pandas is installed."""
    baseline_candidates: Any
    """The source-only candidates, the same way."""
    summary: str
    """The summary ``dann select`` prints."""
    report: dict
    """``select.json``: everything above and more (the PADs, the held-out rows)."""
    path: Optional[str]
    """The run folder (``out``), or None when it was a temporary one."""


def _table(rows: List[dict]):
    try:
        import pandas as pd
    except ImportError:
        return rows
    return pd.DataFrame(rows)


def select(X, y, X_target, *, grid=None, estimator=None, out=None, force=False, verbose=False):
    """Reverse validation of DANN over ``grid`` on ``X, y`` (labelled source) and
    ``X_target`` (unlabelled), against the source-only baseline, as ``dann select`` does.

    grid : dict of ``[select]``'s keys (``lambdas``, ``hidden``, ``lrs``, ``optimizers``,
        ``engine``, ``splits``, ...); unset keys keep the defaults (the paper's 9 lambdas x
        hidden 50, 100).
    estimator : a :class:`DANN` whose settings the candidates share (default ``DANN()``);
        shallow settings select on the paper's kernels, others on burn (``engine``).
    out : a folder to keep the run in (the chosen model, ``source-only/``, the candidates'
        tables, ``select.json``; ``dann report`` reads it); a temporary one when None.
    force : replace a model already in ``out``.

    Returns a :class:`Selection`. The candidates train on every core with the GIL released;
    Ctrl-C stops them within an epoch or a step each (``KeyboardInterrupt``), and ``out``
    keeps what it held before.
    """
    est = DANN() if estimator is None else estimator
    Xs, layout = _rows(X, "X")
    names = layout["names"]
    Xt, _ = _rows(X_target, "X_target", names)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != _n_rows(Xs):
        raise ValueError(f"y must be 1-d with one value per row of X ({_n_rows(Xs)})")
    labels, values = est._labels(y)
    settings = est._settings("dann")
    grid = json.dumps({} if grid is None else dict(grid))
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.fspath(out) if out is not None else os.path.join(tmp, "select")
        report, summary, chosen = _native.select(
            settings, grid, Xs, labels, Xt, folder, force=bool(force),
            layout=layout, verbose=bool(verbose),
        )
        model, baseline = load(chosen), load(os.path.join(chosen, "source-only"))
    report = json.loads(report)
    for m in (model, baseline):
        m._set_fitted(names, values)
    return Selection(
        model=model,
        baseline=baseline,
        verdict=report["verdict"]["kind"],
        candidates=_table(report["candidates"]),
        baseline_candidates=_table(report["source_only_candidates"]),
        summary=summary,
        report=report,
        path=None if out is None else os.fspath(out),
    )
