"""Python against the CLI on the same data and settings (issue 25): training time of
`dann.DANN().fit` on scipy.sparse rows against `dann train`'s own training time (the
"trained ... in X s" of its summary: the fit alone, as here), books -> kitchen (the Amazon
reviews shipped in data/amazon, read by scikit-learn's load_svmlight_file on the Python side).

    cargo build --release -p dann-cli && pip install ./crates/dann-py scikit-learn
    python benchmarks/python/bench.py [--iterations N] [--repeats R] [--out results/python.md]

Prints a markdown table; --out writes it too. Each side runs R times (median reported), the
two interleaved so that a slower moment of the machine hits both.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import dann

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def cli_seconds(binary, source, target, iterations, seed):
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run(
            [binary, "train", "--source", source, "--target", target, "--out", d, "--force",
             "--iterations", str(iterations), "--seed", str(seed)],
            capture_output=True, text=True,
        )
        if r.returncode != 0:
            sys.exit(f"dann train failed:\n{r.stderr}")
        m = re.search(r"trained .* in ([0-9.]+) s", r.stderr)
        if not m:
            sys.exit(f"no training time in dann train's summary:\n{r.stderr}")
        return float(m.group(1))


def python_seconds(Xs, ys, Xt, iterations, seed):
    est = dann.DANN(iterations=iterations, seed=seed)
    start = time.perf_counter()
    est.fit(Xs, ys, X_target=Xt)
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--iterations", type=int, default=10000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--dann", default=os.path.join(ROOT, "target", "release", "dann"))
    p.add_argument("--amazon", default=os.path.join(ROOT, "data", "amazon"))
    p.add_argument("--out")
    a = p.parse_args()
    from sklearn.datasets import load_svmlight_file

    source = os.path.join(a.amazon, "books_train.svmlight.gz")
    target = os.path.join(a.amazon, "kitchen_train.svmlight.gz")
    Xs, ys, Xt, _ = load_svmlight_file_pair(load_svmlight_file, source, target)
    py, cl = [], []
    for r in range(a.repeats):
        cl.append(cli_seconds(a.dann, source, target, a.iterations, 0))
        py.append(python_seconds(Xs, ys, Xt, a.iterations, 0))
    py_m, cl_m = statistics.median(py), statistics.median(cl)
    table = "\n".join([
        f"Training time, books -> kitchen (scipy.sparse CSR, {Xs.shape[0]} + {Xt.shape[0]} rows x "
        f"{Xs.shape[1]} features), `dann.DANN(iterations={a.iterations})` against `dann train "
        f"--iterations {a.iterations}` (the fit alone), median of {a.repeats}:",
        "",
        "| front | seconds (median) | runs | ratio to the CLI |",
        "|---|---|---|---|",
        f"| CLI (`dann train`) | {cl_m:.3f} | {', '.join(f'{x:.3f}' for x in cl)} | 1.000 |",
        f"| Python (`DANN.fit`) | {py_m:.3f} | {', '.join(f'{x:.3f}' for x in py)} | {py_m / cl_m:.3f} |",
        "",
        f"Command: `python benchmarks/python/bench.py --iterations {a.iterations} --repeats {a.repeats}`",
    ])
    print(table)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n")


def load_svmlight_file_pair(load, source, target):
    """Both files with one width (the wider of the two), labels as read."""
    Xs, ys = load(source)
    Xt, yt = load(target)
    n = max(Xs.shape[1], Xt.shape[1])
    Xs, ys = load(source, n_features=n)
    Xt, yt = load(target, n_features=n)
    return Xs.astype(np.float32), ys.astype(int), Xt.astype(np.float32), yt


if __name__ == "__main__":
    main()
