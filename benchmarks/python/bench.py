"""Python against the CLI on the same data and settings (issue 25): training time of
`dann.DANN().fit` against `dann train`'s own training time (the "trained ... in X s" of its
summary: the fit alone, as here), on
- books -> kitchen from scipy.sparse (the Amazon reviews shipped in data/amazon, read by
  scikit-learn's load_svmlight_file on the Python side), the defaults;
- with --digits DIR (MNIST's IDX files in DIR/mnist, BSDS500 in DIR/bsds500): MNIST ->
  MNIST-M from numpy (N x C x H x W arrays read from the same IDX files the CLI reads,
  MNIST-M made by `dann data mnist-m`), the paper's MNIST network (`network="mnist"`,
  `dann config --network mnist`), --digit-steps steps.

    cargo build --release -p dann-cli && pip install ./crates/dann-py scikit-learn
    python benchmarks/python/bench.py [--iterations N] [--repeats R] [--digits ../shared/data]
        [--out results/python.md]

With --torch-python PY (a Python that has PyTorch) and --adapt-python PY (one that has ADAPT),
a second table times the same fits by `benchmarks/reference/dann_torch.py` (a plain PyTorch
DANN: same network, data, batches, optimiser and schedules) and `dann_adapt.py` (ADAPT's DANN,
books -> kitchen only) against `dann.DANN().fit` with `max_label_shift=1.0` (one DANN, as the
references train: at its defaults the estimator also trains the source-only network for its
label-shift check). Their target accuracies are printed too, as a check that each trained a
working DANN.

    python benchmarks/python/bench.py --torch-python /path/to/torch-venv/bin/python \
        --adapt-python /path/to/adapt-venv/bin/python --digits ../shared/data

Prints markdown tables; --out writes them too. Each side runs R times (median reported), the
sides interleaved so that a slower moment of the machine hits all of them.
"""

import argparse
import json
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
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "reference"))
from idx import read_idx  # noqa: E402  (benchmarks/reference/idx.py)


def cli_seconds(binary, source, target, iterations, seed, extra=()):
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run(
            [binary, "train", "--source", source, "--target", target, "--out", d, "--force",
             "--iterations", str(iterations), "--seed", str(seed), *extra],
            capture_output=True, text=True,
        )
        if r.returncode != 0:
            sys.exit(f"dann train failed:\n{r.stderr}")
        m = re.search(r"trained .* in ([0-9.]+) s", r.stderr)
        if not m:
            sys.exit(f"no training time in dann train's summary:\n{r.stderr}")
        return float(m.group(1))


def python_seconds(Xs, ys, Xt, iterations, seed, **kw):
    est = dann.DANN(iterations=iterations, seed=seed, **kw)
    start = time.perf_counter()
    est.fit(Xs, ys, X_target=Xt)
    return time.perf_counter() - start


def reference_seconds(python, script, args):
    """(seconds, target accuracy) of a reference script's fit (its JSON line)."""
    r = subprocess.run([python, os.path.join(ROOT, "benchmarks", "reference", script), *args],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{script} failed:\n{r.stderr[-3000:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    return out["seconds"], out["target_accuracy"], out


def compare(a, task, fit_dann, refs):
    """A row of the second table: `fit_dann()` -> (seconds, target accuracy) against each
    reference `(name, python, script, args)`, interleaved, `a.repeats` times."""
    ours, theirs = [], {name: [] for name, *_ in refs}
    versions = {}
    for _ in range(a.repeats):
        ours.append(fit_dann())
        for name, python, script, args in refs:
            seconds, acc, out = reference_seconds(python, script, args)
            theirs[name].append((seconds, acc))
            versions[name] = out.get("torch") or f"adapt {out.get('adapt')}, tf {out.get('tensorflow')}"
    med = lambda xs: statistics.median(x[0] for x in xs)  # noqa: E731
    acc = lambda xs: statistics.median(x[1] for x in xs)  # noqa: E731
    cells = [f"{med(ours):.2f} ({acc(ours):.3f})"]
    for name, *_ in refs:
        cells.append(f"{name} {versions[name]}: {med(theirs[name]):.2f} ({acc(theirs[name]):.3f}), "
                     f"{med(theirs[name]) / med(ours):.1f}x dann's time")
    return f"| {task} | " + " | ".join([cells[0], "; ".join(cells[1:])]) + " |"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--iterations", type=int, default=10000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--dann", default=os.path.join(ROOT, "target", "release", "dann"))
    p.add_argument("--amazon", default=os.path.join(ROOT, "data", "amazon"))
    p.add_argument("--digits", help="the shared data folder (mnist/, bsds500/)")
    p.add_argument("--digit-steps", type=int, default=200)
    p.add_argument("--torch-python", help="a Python with PyTorch: time dann_torch.py too")
    p.add_argument("--adapt-python", help="a Python with ADAPT: time dann_adapt.py too")
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
    rows = [row("books -> kitchen (scipy.sparse CSR, "
                f"{Xs.shape[0]} + {Xt.shape[0]} rows x {Xs.shape[1]}), {a.iterations} iterations",
                cl, py)]
    refs = []
    if a.torch_python:
        refs.append(("PyTorch", a.torch_python, "dann_torch.py",
                     ["--task", "amazon", "--source", source, "--target", target,
                      "--steps", str(a.iterations), "--threads", str(os.cpu_count())]))
    if a.adapt_python:
        refs.append(("ADAPT", a.adapt_python, "dann_adapt.py",
                     ["--source", source, "--target", target, "--steps", str(a.iterations)]))
    _, yt = load_svmlight_file(target, n_features=Xs.shape[1])
    versus = []
    if refs:
        def fit_one():
            est = dann.DANN(iterations=a.iterations, seed=0, max_label_shift=1.0)
            start = time.perf_counter()
            est.fit(Xs, ys, X_target=Xt)
            return time.perf_counter() - start, est.score(Xt, yt.astype(int))
        versus.append(compare(a, f"books -> kitchen, {a.iterations} steps of 32 + 32", fit_one,
                              refs))
    if a.digits:
        row_, digit_versus = digits(a)
        rows.append(row_)
        versus.extend(digit_versus)
    tables = []
    if versus:
        tables = [
            "",
            f"The fit against other implementations of DANN, same network, data and settings, "
            f"median of {a.repeats} (interleaved), seconds (target accuracy):",
            "",
            "| task | dann (Python) | references |",
            "|---|---|---|",
            *versus,
        ]
    table = "\n".join([
        f"Training time (the fit alone), `dann.DANN(...).fit` against `dann train` with the "
        f"same data and settings, median of {a.repeats} (interleaved):",
        "",
        "| task | CLI s (runs) | Python s (runs) | Python / CLI |",
        "|---|---|---|---|",
        *rows,
        "",
        f"Command: `python benchmarks/python/bench.py --iterations {a.iterations} --repeats "
        f"{a.repeats}" + (f" --digits DATA --digit-steps {a.digit_steps}" if a.digits else "")
        + (" --torch-python TORCH_PY" if a.torch_python else "")
        + (" --adapt-python ADAPT_PY" if a.adapt_python else "") + "`",
        *tables,
    ])
    print(table)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n")


def row(task, cl, py):
    py_m, cl_m = statistics.median(py), statistics.median(cl)
    runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    return f"| {task} | {cl_m:.2f} ({runs(cl)}) | {py_m:.2f} ({runs(py)}) | {py_m / cl_m:.3f} |"


def digits(a):
    """MNIST -> MNIST-M, the paper's network, from numpy arrays of the CLI's files."""
    tmp = tempfile.mkdtemp()
    r = subprocess.run([a.dann, "data", "mnist-m", "--mnist", os.path.join(a.digits, "mnist"),
                        "--bsds", os.path.join(a.digits, "bsds500"), "--out", tmp],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"dann data mnist-m failed:\n{r.stderr}")
    src_images = os.path.join(a.digits, "mnist", "train-images-idx3-ubyte.gz")
    tgt_images = os.path.join(tmp, "mnist-m-train-images-idx4-ubyte.gz")
    Xs = read_idx(src_images).astype(np.float32)[:, None, :, :]          # N x 1 x 28 x 28
    ys = read_idx(os.path.join(a.digits, "mnist", "train-labels-idx1-ubyte.gz")).astype(int)
    Xt = read_idx(tgt_images).astype(np.float32).transpose(0, 3, 1, 2)   # N x 3 x 28 x 28
    config = os.path.join(tmp, "mnist.toml")
    with open(config, "w") as f:
        f.write(subprocess.run([a.dann, "config", "--network", "mnist"], capture_output=True,
                               text=True, check=True).stdout)
    # One untimed run of each side first: on a virtual machine the first touch of memory
    # the guest has not used for a while costs seconds per GB, whoever touches it.
    cli_seconds(a.dann, src_images, tgt_images, 1, 0, ("--config", config))
    python_seconds(Xs, ys, Xt, 1, 0, config=config)
    py, cl = [], []
    for _ in range(a.repeats):
        cl.append(cli_seconds(a.dann, src_images, tgt_images, a.digit_steps, 0,
                              ("--config", config)))
        py.append(python_seconds(Xs, ys, Xt, a.digit_steps, 0, config=config))
    task = f"MNIST -> MNIST-M (numpy N x C x 28 x 28, {len(Xs)} + {len(Xt)} images), the " \
        f"paper's MNIST network, {a.digit_steps} steps"
    versus = []
    if a.torch_python:
        tgt_labels = os.path.join(tmp, "mnist-m-train-labels-idx1-ubyte.gz")
        yt = read_idx(tgt_labels).astype(int)

        def fit_one():
            est = dann.DANN(iterations=a.digit_steps, seed=0, config=config)
            start = time.perf_counter()
            est.fit(Xs, ys, X_target=Xt)
            return time.perf_counter() - start, est.score(Xt[:10000], yt[:10000])
        ref = ("PyTorch", a.torch_python, "dann_torch.py",
               ["--task", "mnist", "--source", src_images, "--source-labels",
                os.path.join(a.digits, "mnist", "train-labels-idx1-ubyte.gz"),
                "--target", tgt_images, "--target-labels", tgt_labels,
                "--steps", str(a.digit_steps), "--threads", str(os.cpu_count())])
        versus.append(compare(a, f"MNIST -> MNIST-M, {a.digit_steps} steps of 64 + 64", fit_one,
                              [ref]))
    return row(task, cl, py), versus


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
