"""Reference for the mSDA test (crates/dann/tests/msda.rs): Chen et al.'s mDA/mSDA closed form
(their MATLAB code, transcribed to NumPy) on a small synthetic count matrix.

Writes the data as SVMlight (crates/dann/tests/fixtures/msda_small.svm, and a second domain
msda_small_b.svm) and prints the expected representations as JSON (the first 5 rows of a 2-layer
fit on the first set; a 3-layer fit on both sets: each set's first 10 rows and column means):
    python3 benchmarks/reference/msda_reference.py > benchmarks/reference/msda_reference.json
"""
import json

import numpy as np

rng = np.random.default_rng(0)
n, d, layers, p = 200, 30, 2, 0.5
x = rng.poisson(0.3, size=(n, d)).astype(np.float64)
x[:, :5] += rng.poisson(1.0, size=(n, 1))  # correlated block

with open("crates/dann/tests/fixtures/msda_small.svm", "w") as f:
    for row in x:
        f.write("0 " + " ".join(f"{k + 1}:{int(v)}" for k, v in enumerate(row) if v) + "\n")


def mda(xt, p, reg=1e-5):
    """xt: d x n. Returns (W, h) as in Chen et al. 2012, Algorithm 1."""
    xb = np.vstack([xt, np.ones((1, xt.shape[1]))])
    dd = xb.shape[0]
    q = np.concatenate([np.full(dd - 1, 1 - p), [1.0]])
    s = xb @ xb.T
    qm = s * np.outer(q, q)
    qm[np.diag_indices(dd)] = q * np.diag(s)
    pm = s * q[None, :]
    w = np.linalg.solve((qm + reg * np.eye(dd)).T, pm[:-1, :].T).T
    return w, np.tanh(w @ xb)


outs = [x.T]
for _ in range(layers):
    _, h = mda(outs[-1], p)
    outs.append(h)
rep = np.vstack(outs).T  # n x d(layers+1)
result = {"n": n, "d": d, "layers": layers, "corruption": p, "first_rows": rep[:5].tolist()}

# Two data sets (a second domain, sparser, with another correlated block), fitted together
# with 3 layers as mSDA is used for domain adaptation: each set's representation.
x2 = rng.poisson(0.15, size=(150, d)).astype(np.float64)
x2[:, 10:16] += rng.poisson(0.8, size=(150, 1))
with open("crates/dann/tests/fixtures/msda_small_b.svm", "w") as f:
    for row in x2:
        f.write("0 " + " ".join(f"{k + 1}:{int(v)}" for k, v in enumerate(row) if v) + "\n")
both = np.vstack([x, x2])
outs = [both.T]
for _ in range(3):
    _, h = mda(outs[-1], p)
    outs.append(h)
rep2 = np.vstack(outs).T
ra, rb = rep2[:n], rep2[n:]
result["two_sets"] = {"layers": 3, "first_rows_a": ra[:10].tolist(), "first_rows_b": rb[:10].tolist(),
                      "column_means_a": ra.mean(axis=0).tolist(), "column_means_b": rb.mean(axis=0).tolist()}
print(json.dumps(result))
