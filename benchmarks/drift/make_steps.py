#!/usr/bin/env python3
"""Writes a source and a target that drifts in steps, for `run.sh` (issue 24's retraining loop).

    python3 benchmarks/drift/make_steps.py [OUT_DIR]     # default benchmarks/drift/data

Three Gaussian classes in 6 features (numpy default_rng(7); class means (2.5, 0), (-1, 2)
and (-1.5, -2.5) in features x0, x1, unit noise). source.csv: 1500 labelled rows. Then
steps 1..4: per step, the plane (x0, x1) rotated by 10 degrees and translated by
(0.7, 0.5), and x2 translated by 0.4; step_<k>.csv holds 1500 unlabelled rows,
step_<k>_test.csv 1500 other labelled rows. Needs numpy.
"""
import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data"
out.mkdir(parents=True, exist_ok=True)
r = np.random.default_rng(7)
means = np.array([[2.5, 0.0], [-1.0, 2.0], [-1.5, -2.5]])
names = [f"x{i}" for i in range(6)]


def draw(n, step):
    y = r.integers(0, 3, n)
    X = r.normal(size=(n, 6))
    X[:, :2] += means[y]
    a = np.deg2rad(10 * step)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    X[:, :2] = X[:, :2] @ R.T + np.array([0.7, 0.5]) * step
    X[:, 2] += 0.4 * step
    return X, y


def write(path, X, y=None):
    with open(path, "w") as f:
        f.write(",".join(names + (["label"] if y is not None else [])) + "\n")
        for i, row in enumerate(X):
            cells = [f"{v:.6f}" for v in row] + ([str(y[i])] if y is not None else [])
            f.write(",".join(cells) + "\n")


write(out / "source.csv", *draw(1500, 0))
for k in range(1, 5):
    X, _ = draw(1500, k)
    write(out / f"step_{k}.csv", X)
    write(out / f"step_{k}_test.csv", *draw(1500, k))
