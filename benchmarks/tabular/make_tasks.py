#!/usr/bin/env python3
"""Writes the shifted tabular tasks of the tabular benchmark (issue 24) as CSV files.

    python3 benchmarks/tabular/make_tasks.py [OUT_DIR]    # default benchmarks/tabular/tasks

Each task is a folder OUT_DIR/<task>/ with three files:

    source.csv   labelled rows of the source distribution (feature columns, then `label`)
    target.csv   unlabelled rows of the shifted distribution (no `label` column)
    test.csv     other labelled rows of the same shifted distribution (what accuracy is on)

Features are written with 6 decimals. Everything is deterministic (fixed seeds), so two runs
write the same bytes. Needs numpy, scikit-learn and (for the digit images) pillow.

The tasks (the README's table has the same recipes):

gauss_rot
    sklearn make_classification(n_samples=6000, n_features=10, n_informative=4,
    n_redundant=0, n_classes=3, n_clusters_per_class=2, class_sep=1.5, random_state=11).
    Source: rows 0-1999 as drawn. Target: rows 2000-3999, test: rows 4000-5999, both
    rotated by 50 degrees in the planes (x0, x2) and (x1, x3), then scaled by 1.3, then
    translated by +1.5 on x0 and -1.5 on x2.
breast_cancer_split
    sklearn load_breast_cancer (569 rows, 30 features, 2 classes). Source: the rows whose
    `mean radius` is below its median (284 rows); the rows at or above it (285) are shuffled
    with numpy default_rng(0) and split: the first half (142) is the target, the rest the
    test. Columns keep sklearn's feature names, spaces replaced by underscores.
wine_split
    sklearn load_wine (178 rows, 13 features, 3 classes), split on `alcohol`'s median the
    same way (source below the median, target/test the rest, halved with default_rng(0)).
digits_intensity
    sklearn load_digits (1797 8x8 images, pixels 0..16, 10 classes). The rows are shuffled
    with default_rng(0); the first half (898) is the source with its pixels as they are.
    The other half is shifted one pixel to the right (the leftmost column becomes
    background, 0) and its intensities mapped x -> 16 - 0.7 x + 2, clipped to [0, 16]
    (so the background becomes 16 and the strokes darker); it is halved into target (449)
    and test (450). Columns p0..p63, row-major.
moons_rot
    sklearn make_moons(n_samples=1800, noise=0.1, random_state=0) (shuffled by sklearn).
    Source: rows 0-599; target: rows 600-1199, test: rows 1200-1799, both rotated by 35
    degrees (anticlockwise) around the centre of the two moons, (0.5, 0.25).
tabular_conditional
    The data of ../shared/acceptance/tabular without its id, colour and missing-value
    complications: numpy default_rng(3); 5 standard normal features a..e, e multiplied by
    1000; label = 1 if a - shift + b + e/1000 > 0 else 0, where the target and test have
    a shifted by shift = 1 (a + 1) and the source shift = 0. So the labelling rule moves
    with the shift: p(y | x) differs between domains (a conditional shift), which no
    feature alignment can undo. 1500 rows each for source, target and test, drawn in that
    order (source and target are the acceptance script's rows, as it draws them).
mnist_usps, usps_mnist
    Only when DANN_DATA_DIR (or ../shared/data next to the repository) holds mnist/ and
    usps/ with the IDX files (train-images-idx3-ubyte.gz, ..., usps-train-images-...).
    USPS's 16x16 images are resized to 28x28 with PIL's bilinear filter; both are scaled
    to [0, 1] (divided by 255) and flattened row-major to 784 columns p0..p783. Source: the
    first 2000 images of the source domain's training file; target: the first 2000 of the
    target domain's training file; test: the first 2000 of its test file. Skipped, with a
    message, when the data is absent.
"""

import gzip
import os
import struct
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def write_csv(path, X, y=None, names=None):
    """One header line, the features with 6 decimals, then `label` (an integer) when given."""
    X = np.asarray(X, dtype=np.float64)
    if names is None:
        names = [f"x{i}" for i in range(X.shape[1])]
    header = list(names) + (["label"] if y is not None else [])
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for i in range(X.shape[0]):
            cells = ["%.6f" % v for v in X[i]]
            if y is not None:
                cells.append(str(int(y[i])))
            f.write(",".join(cells) + "\n")


def write_task(out, name, source, target, test, names=None):
    d = Path(out) / name
    d.mkdir(parents=True, exist_ok=True)
    write_csv(d / "source.csv", source[0], source[1], names)
    write_csv(d / "target.csv", target[0], None, names)
    write_csv(d / "test.csv", test[0], test[1], names)
    print(f"{name}: source {len(source[0])}, target {len(target[0])}, test {len(test[0])} rows,"
          f" {np.asarray(source[0]).shape[1]} features, classes {sorted(set(np.asarray(source[1]).tolist()))}")


def rotate(X, degrees, i, j):
    """Rotates the columns i, j of X by `degrees` (anticlockwise) in their plane."""
    a = np.deg2rad(degrees)
    c, s = np.cos(a), np.sin(a)
    X = X.copy()
    xi, xj = X[:, i].copy(), X[:, j].copy()
    X[:, i] = c * xi - s * xj
    X[:, j] = s * xi + c * xj
    return X


def gauss_rot(out):
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=6000, n_features=10, n_informative=4, n_redundant=0,
                               n_classes=3, n_clusters_per_class=2, class_sep=1.5,
                               random_state=11)

    def shift(Z):
        Z = rotate(Z, 50, 0, 2)
        Z = rotate(Z, 50, 1, 3)
        Z = Z * 1.3
        Z[:, 0] += 1.5
        Z[:, 2] -= 1.5
        return Z

    write_task(out, "gauss_rot", (X[:2000], y[:2000]), (shift(X[2000:4000]), y[2000:4000]),
               (shift(X[4000:]), y[4000:]))


def median_split(out, name, X, y, names, column):
    """Source: rows with `column` below its median; the others halved into target and test."""
    v = X[:, names.index(column)]
    med = np.median(v)
    low = np.flatnonzero(v < med)
    high = np.flatnonzero(v >= med)
    high = high[np.random.default_rng(0).permutation(len(high))]
    half = len(high) // 2
    tgt, tst = high[:half], high[half:]
    names = [n.replace(" ", "_") for n in names]
    write_task(out, name, (X[low], y[low]), (X[tgt], y[tgt]), (X[tst], y[tst]), names)


def breast_cancer_split(out):
    from sklearn.datasets import load_breast_cancer
    d = load_breast_cancer()
    median_split(out, "breast_cancer_split", d.data, d.target, list(d.feature_names), "mean radius")


def wine_split(out):
    from sklearn.datasets import load_wine
    d = load_wine()
    median_split(out, "wine_split", d.data, d.target, list(d.feature_names), "alcohol")


def digits_intensity(out):
    from sklearn.datasets import load_digits
    d = load_digits()
    X, y = d.data.astype(np.float64), d.target
    order = np.random.default_rng(0).permutation(len(X))
    half = len(X) // 2
    src, rest = order[:half], order[half:]
    imgs = X[rest].reshape(-1, 8, 8)
    moved = np.zeros_like(imgs)
    moved[:, :, 1:] = imgs[:, :, :-1]          # one pixel to the right, background enters left
    moved = np.clip(16.0 - moved * 0.7 + 2.0, 0.0, 16.0).reshape(-1, 64)
    yr = y[rest]
    q = len(rest) // 2
    names = [f"p{i}" for i in range(64)]
    write_task(out, "digits_intensity", (X[src], y[src]), (moved[:q], yr[:q]),
               (moved[q:], yr[q:]), names)


def moons_rot(out):
    from sklearn.datasets import make_moons
    X, y = make_moons(n_samples=1800, noise=0.1, random_state=0)
    centre = np.array([0.5, 0.25])

    def shift(Z):
        return rotate(Z - centre, 35, 0, 1) + centre

    write_task(out, "moons_rot", (X[:600], y[:600]), (shift(X[600:1200]), y[600:1200]),
               (shift(X[1200:]), y[1200:]))


def tabular_conditional(out):
    r = np.random.default_rng(3)

    def make(n, shift):
        X = r.normal(size=(n, 5))
        X[:, 0] += shift
        X[:, 4] *= 1000.0
        y = (X[:, 0] - shift + X[:, 1] + X[:, 4] / 1000.0 > 0).astype(int)
        r.random(n)  # the acceptance script's missing-value draw, kept so the rows match it
        return X, y

    source = make(1500, 0.0)
    target = make(1500, 1.0)
    test = make(1500, 1.0)
    write_task(out, "tabular_conditional", source, target, test, list("abcde"))


def read_idx(path):
    """An IDX file (gzipped or not) as a numpy array of its shape."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def find(folder, stem):
    for name in (stem + ".gz", stem):
        p = folder / name
        if p.exists():
            return p
    return None


def load_digit_domain(root, domain, split, n):
    """The first n images (flattened 28x28 in [0, 1]) and labels of mnist/ or usps/."""
    from PIL import Image
    prefix = "" if domain == "mnist" else "usps-"
    kind = "train" if split == "train" else "t10k"
    folder = root / domain
    ip = find(folder, f"{prefix}{kind}-images-idx3-ubyte")
    lp = find(folder, f"{prefix}{kind}-labels-idx1-ubyte")
    if ip is None or lp is None:
        raise FileNotFoundError(f"{folder}: no {prefix}{kind}-images/labels IDX files")
    imgs = read_idx(ip)[:n]
    labels = read_idx(lp)[:n].astype(int)
    if imgs.shape[1:] != (28, 28):
        imgs = np.stack([np.asarray(Image.fromarray(im).resize((28, 28), Image.BILINEAR))
                         for im in imgs])
    return imgs.reshape(len(imgs), -1).astype(np.float64) / 255.0, labels


def digit_pairs(out):
    env = os.environ.get("DANN_DATA_DIR")
    root = Path(env) if env else REPO.parent / "shared" / "data"
    if not ((root / "mnist").is_dir() and (root / "usps").is_dir()):
        print(f"mnist_usps, usps_mnist: skipped, no mnist/ and usps/ in {root} (set DANN_DATA_DIR)")
        return
    try:
        data = {(dom, split): load_digit_domain(root, dom, split, 2000)
                for dom in ("mnist", "usps") for split in ("train", "test")}
    except (FileNotFoundError, ValueError) as e:
        print(f"mnist_usps, usps_mnist: skipped, {e}")
        return
    names = [f"p{i}" for i in range(784)]
    for s, t in (("mnist", "usps"), ("usps", "mnist")):
        write_task(out, f"{s}_{t}", data[(s, "train")], data[(t, "train")], data[(t, "test")], names)


TASKS = [gauss_rot, breast_cancer_split, wine_split, digits_intensity, moons_rot,
         tabular_conditional, digit_pairs]


def main(argv):
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        sys.exit(__doc__)
    out = Path(argv[0]) if argv else HERE / "tasks"
    out.mkdir(parents=True, exist_ok=True)
    for task in TASKS:
        task(out)


if __name__ == "__main__":
    main(sys.argv[1:])
