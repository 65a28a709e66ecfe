"""Reference for the mSDA test (crates/dann/tests/msda.rs): Chen et al.'s mDA/mSDA closed form
(their MATLAB code, transcribed to NumPy) on a small synthetic count matrix.

Writes the data as SVMlight (crates/dann/tests/fixtures/msda_small.svm) and prints the expected
representation of the first 5 rows as JSON:
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
print(json.dumps({"n": n, "d": d, "layers": layers, "corruption": p,
                  "first_rows": rep[:5].tolist()}))
