#!/usr/bin/env python3
"""scikit-learn's source-only reference accuracies for the tabular benchmark (issue 24).

    python3 benchmarks/tabular/reference.py [TASK_DIR] [OUT_CSV]
    # defaults: benchmarks/tabular/tasks  benchmarks/tabular/results_sklearn.csv

For every task folder under TASK_DIR (written by make_tasks.py) and, unless AMAZON=0, the 12
Amazon pairs (`amazon_<s>_<t>`: source <s>_train, test <t>_test from AMAZON_DIR, default the
repository's data/amazon), trains on the labelled source rows alone and measures accuracy on
the test rows, for seeds 0, 1, 2:

    sklearn_mlp     make_pipeline(StandardScaler(), MLPClassifier(random_state=seed, max_iter=500))
    sklearn_logreg  make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))

LogisticRegression (lbfgs) does not depend on the seed: it is fitted once per task and its
accuracy written for each seed. The target rows are not used (no adaptation): these are the
baselines DANN should beat. The Amazon files are read with load_svmlight_file(zero_based=True,
n_features = the widest file of the pair) and kept sparse, so their StandardScaler is
StandardScaler(with_mean=False) (scikit-learn cannot centre sparse rows; it only scales them).

Writes the CSV `task,method,seed,accuracy` (accuracy with 6 decimals), sorted by task. Needs
numpy, scipy and scikit-learn; MLP convergence warnings are silenced (max_iter is the recipe's).
"""

import csv
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SEEDS = (0, 1, 2)
DOMAINS = ("books", "dvd", "electronics", "kitchen")


def read_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    if "label" not in header:
        raise ValueError(f"{path}: no label column")
    j = header.index("label")
    return np.delete(data, j, axis=1), data[:, j].astype(int)


def models(seed, sparse):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def scaler():
        return StandardScaler(with_mean=False) if sparse else StandardScaler()

    out = {"sklearn_mlp": make_pipeline(scaler(), MLPClassifier(random_state=seed, max_iter=500))}
    if seed == SEEDS[0]:
        out["sklearn_logreg"] = make_pipeline(scaler(), LogisticRegression(max_iter=2000))
    return out


def evaluate(task, Xs, ys, Xt, yt, sparse=False):
    rows = []
    logreg = None
    for seed in SEEDS:
        for method, model in models(seed, sparse).items():
            t0 = time.time()
            model.fit(Xs, ys)
            acc = float(np.mean(model.predict(Xt) == yt))
            if method == "sklearn_logreg":
                logreg = acc
            rows.append((task, method, seed, acc))
            print(f"{task:28s} {method:15s} seed {seed}: {acc:.4f}  ({time.time() - t0:.1f} s)",
                  flush=True)
        if seed != SEEDS[0]:
            rows.append((task, "sklearn_logreg", seed, logreg))
    return rows


def amazon_pairs(folder):
    import scipy.sparse as sp
    from sklearn.datasets import load_svmlight_file
    files = {}
    for d in DOMAINS:
        for split in ("train", "test"):
            p = folder / f"{d}_{split}.svmlight.gz"
            if not p.exists():
                print(f"amazon: skipped, {p} is missing")
                return
            files[(d, split)] = load_svmlight_file(str(p), zero_based=True)
    for s in DOMAINS:
        for t in DOMAINS:
            if s == t:
                continue
            # the pair's files: the source, the target's unlabelled train file, its test file
            parts = [files[(s, "train")], files[(t, "train")], files[(t, "test")]]
            n = max(X.shape[1] for X, _ in parts)
            (Xs, ys), _, (Xt, yt) = [
                (sp.csr_matrix((X.data, X.indices, X.indptr), shape=(X.shape[0], n)), y.astype(int))
                for X, y in parts]
            yield f"amazon_{s}_{t}", Xs, ys, Xt, yt


def main(argv):
    if len(argv) > 2 or (argv and argv[0] in ("-h", "--help")):
        sys.exit(__doc__)
    task_dir = Path(argv[0]) if argv else HERE / "tasks"
    out_csv = Path(argv[1]) if len(argv) > 1 else HERE / "results_sklearn.csv"
    warnings.filterwarnings("ignore", category=Warning, module="sklearn")
    from sklearn.exceptions import ConvergenceWarning
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rows = []
    tasks = sorted(p for p in task_dir.iterdir() if (p / "source.csv").exists()) if task_dir.is_dir() else []
    if not tasks:
        print(f"no tasks in {task_dir} (run make_tasks.py first)")
    for t in tasks:
        Xs, ys = read_csv(t / "source.csv")
        Xt, yt = read_csv(t / "test.csv")
        rows += evaluate(t.name, Xs, ys, Xt, yt)
    if os.environ.get("AMAZON", "1") != "0":
        folder = Path(os.environ.get("AMAZON_DIR", REPO / "data" / "amazon"))
        for task, Xs, ys, Xt, yt in amazon_pairs(folder):
            rows += evaluate(task, Xs, ys, Xt, yt, sparse=True)
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with open(out_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task", "method", "seed", "accuracy"])
        for task, method, seed, acc in rows:
            w.writerow([task, method, seed, f"{acc:.6f}"])
    print(f"wrote {len(rows)} rows to {out_csv}")


if __name__ == "__main__":
    main(sys.argv[1:])
