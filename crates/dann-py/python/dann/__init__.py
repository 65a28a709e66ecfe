"""Domain-Adversarial Neural Networks (Ganin et al., JMLR 2016) from Python.

The same engine as the ``dann`` command line (the Rust library, compiled into
``dann._native``), with scikit-learn's conventions::

    import dann
    model = dann.DANN(iterations=2000, seed=0).fit(X_source, y_source, X_target=X_target)
    model.predict(X_new)          # labels, as y_source's
    model.predict_proba(X_new)    # columns in model.classes_ order
    model.save("run")             # a model directory `dann eval --model run` reads
    dann.load("run")              # and back (also a directory `dann train --out` wrote)
    dann.shift(X_source, X_target).pad   # how shifted the target is (``dann shift``)
    dann.select(X_source, y_source, X_target, grid={"lambdas": [0.1, 1.0]})  # ``dann select``

Inputs: numpy arrays (float32 used as they are, in C or Fortran order; other numbers are
converted to float32), ``scipy.sparse`` matrices (kept sparse: the paper's shallow kernels) and
pandas DataFrames (columns matched by name at predict time).
"""

from ._analysis import Shift, proxy_a_distance, shift
from ._estimator import DANN, DANNRegressor, load
from ._native import __version__
from ._select import Selection, select

__all__ = [
    "DANN",
    "DANNRegressor",
    "Selection",
    "Shift",
    "load",
    "proxy_a_distance",
    "select",
    "shift",
    "__version__",
]
