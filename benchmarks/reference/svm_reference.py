"""Reference numbers for the linear SVM test (crates/dann/tests/svm.rs).

Part 2 ("pad"): the solver settings the proxy A-distance uses (tol 1e-3, at most 200
epochs, C over the paper's 10 values in [1e-5, 1]) on a fixed domain-classification split:
books_train[:500] (class 0) and kitchen_train[:500] (class 1), even rows to train, odd rows
to test. For each C: the held-out error of LinearSVC at those settings and converged
(tol 1e-6).

scikit-learn's LinearSVC (L2-regularised squared hinge, dual coordinate descent, bias as a
constant feature of scale 1 -- the same problem our solver minimises) on the first 1,000
reviews of books_train, evaluated on the first 2,000 of kitchen_test.

Run from the repository root:
    pip install scikit-learn numpy scipy
    python3 benchmarks/reference/svm_reference.py > benchmarks/reference/svm_reference.json
"""
import json

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.svm import LinearSVC

N_FEATURES = 5000
xs, ys = load_svmlight_file("data/amazon/books_train.svmlight.gz", n_features=N_FEATURES, zero_based=True)
xt, yt = load_svmlight_file("data/amazon/kitchen_test.svmlight.gz", n_features=N_FEATURES, zero_based=True)
xs, ys, xt, yt = xs[:1000], ys[:1000], xt[:2000], yt[:2000]

out = {"source_rows": 1000, "test_rows": 2000, "results": []}
for c in [1e-4, 1e-3, 1e-2]:
    clf = LinearSVC(C=c, loss="squared_hinge", dual=True, tol=1e-6, max_iter=100000,
                    fit_intercept=True, intercept_scaling=1.0)
    clf.fit(xs, ys)
    dec = clf.decision_function(xt)
    out["results"].append({
        "c": c,
        "accuracy": float((clf.predict(xt) == yt).mean()),
        "weight_norm": float(np.linalg.norm(clf.coef_)),
        "bias": float(clf.intercept_[0]),
        "decision_first_10": [float(v) for v in dec[:10]],
    })
xk, _ = load_svmlight_file("data/amazon/kitchen_train.svmlight.gz", n_features=N_FEATURES, zero_based=True)
import scipy.sparse as sp
xd = sp.vstack([xs[:500], xk[:500]]).tocsr()
yd = np.array([0] * 500 + [1] * 500)
tr, te = np.arange(0, 1000, 2), np.arange(1, 1000, 2)
out["pad"] = []
for c in [10 ** (-5 + 5 * i / 9) for i in range(10)]:
    row = {"c": c}
    for name, tol, it in [("pad_settings", 1e-3, 200), ("converged", 1e-6, 100000)]:
        clf = LinearSVC(C=c, loss="squared_hinge", dual=True, tol=tol, max_iter=it,
                        fit_intercept=True, intercept_scaling=1.0, random_state=0)
        clf.fit(xd[tr], yd[tr])
        row[name] = {"error": float((clf.predict(xd[te]) != yd[te]).mean()),
                     "weight_norm": float(np.linalg.norm(clf.coef_)),
                     "bias": float(clf.intercept_[0])}
    out["pad"].append(row)
print(json.dumps(out, indent=1))
