"""IDX files (MNIST's format, gzipped) as numpy arrays, for the reference and benchmark
scripts."""

import gzip

import numpy as np


def read_idx(path):
    """An IDX file (gzipped) as a numpy array of its shape."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)
