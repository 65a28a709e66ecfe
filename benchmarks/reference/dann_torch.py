"""A plain PyTorch DANN, as a PyTorch user would write it, with the network, data and settings
that `dann.DANN().fit` trains at its defaults, for the Python benchmark
(`benchmarks/python/bench.py --torch-python`, issue 25). Times the fit alone: from the arrays
in memory (the same numpy arrays the `dann` estimator is given) to the trained model, the
preprocessing the `dann` estimator does inside its fit included.

--task amazon: books -> kitchen (SVMlight, read by scikit-learn), the defaults on sparse rows:
    5000 -> 100 sigmoid -> 2 (label), 100 -> 1 (domain, behind the gradient reversal layer),
    batches of 32 source + 32 target rows (the scipy.sparse matrices made dense tensors once,
    inside the timed part: faster here than densifying each batch or torch.sparse), SGD momentum 0.9, lr 0.01 / (1 + 10 p)^0.75,
    lambda_p = 2 / (1 + exp(-10 p)) - 1.
--task mnist: MNIST -> MNIST-M (IDX files; MNIST-M from `dann data mnist-m`), the paper's
    MNIST network (JMLR 2016 appendix, `dann config --network mnist`): conv 5x5 32, ReLU,
    max-pool 2; conv 5x5 48, ReLU, max-pool 2; label 768-100-100-10 ReLU; domain 768-100-1
    ReLU; grey digits repeated to 3 channels, scaled by 1/255, the per-channel mean of both
    sets subtracted; batches of 64 + 64, the same optimiser and schedules.

The loss is dann's: cross-entropy on the source half plus the mean binary cross-entropy of
the domain classifier over the whole batch. Each domain is read as a shuffled stream (a new
permutation when one runs out).

Prints one JSON object: {"seconds": ..., "steps": ..., "threads": ..., "torch": ...,
"target_accuracy": ...} (the accuracy on the target's labelled rows, up to 10,000 of them,
after training: a check that this is a working DANN, not timed).

    pip install torch numpy scipy scikit-learn
    python benchmarks/reference/dann_torch.py --task amazon --source data/amazon/books_train.svmlight.gz \
        --target data/amazon/kitchen_train.svmlight.gz --steps 10000
    python benchmarks/reference/dann_torch.py --task mnist \
        --source DATA/mnist/train-images-idx3-ubyte.gz --source-labels DATA/mnist/train-labels-idx1-ubyte.gz \
        --target MNISTM/mnist-m-train-images-idx4-ubyte.gz --target-labels MNISTM/mnist-m-train-labels-idx1-ubyte.gz \
        --steps 200
"""

import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from cnn_step_torch import Dann as PaperMnistNet
from grl import ReverseGradient
from idx import read_idx


class Shallow(nn.Module):
    def __init__(self, n_in, hidden=100, classes=2):
        super().__init__()
        self.feature = nn.Linear(n_in, hidden)
        self.label = nn.Linear(hidden, classes)
        self.domain = nn.Linear(hidden, 1)

    def forward(self, x, lam):
        h = torch.sigmoid(self.feature(x))
        return self.label(h), self.domain(ReverseGradient.apply(h, lam)).squeeze(1)


class Stream:
    """Indices 0..n in shuffled order, a new permutation when one runs out."""

    def __init__(self, n, gen):
        self.n, self.gen, self.order, self.at = n, gen, None, n

    def take(self, k):
        out = []
        while k > 0:
            if self.at == self.n:
                self.order, self.at = torch.randperm(self.n, generator=self.gen), 0
            m = min(k, self.n - self.at)
            out.append(self.order[self.at:self.at + m])
            self.at, k = self.at + m, k - m
        return torch.cat(out)


def train(model, rows_s, ys, rows_t, steps, batch):
    """DANN's loop: `rows_s(idx)` / `rows_t(idx)` give a batch's input tensors."""
    gen = torch.Generator().manual_seed(0)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    s, t = Stream(len(ys), gen), Stream(rows_t.n, gen)
    half = batch // 2
    domains = torch.cat([torch.zeros(half), torch.ones(half)])
    for step in range(steps):
        p = step / steps
        lam = 2.0 / (1.0 + math.exp(-10.0 * p)) - 1.0
        for g in opt.param_groups:
            g["lr"] = 0.01 / (1.0 + 10.0 * p) ** 0.75
        i, j = s.take(half), t.take(half)
        x = torch.cat([rows_s(i), rows_t(j)])
        label_out, domain_out = model(x, lam)
        loss = F.cross_entropy(label_out[:half], ys[i]) + \
            F.binary_cross_entropy_with_logits(domain_out, domains)
        opt.zero_grad()
        loss.backward()
        opt.step()


def accuracy(model, rows, labels, n):
    with torch.no_grad():
        idx = torch.arange(min(n, len(labels)))
        pred = torch.cat([model(rows(idx[k:k + 1000]), 0.0)[0].argmax(1) for k in range(0, len(idx), 1000)])
        return float((pred == labels[idx]).float().mean())


class Rows:
    def __init__(self, n, get):
        self.n, self.get = n, get

    def __call__(self, idx):
        return self.get(idx)


def amazon(a):
    from sklearn.datasets import load_svmlight_file

    xs, ys = load_svmlight_file(a.source)
    xt, yt = load_svmlight_file(a.target)
    n = max(xs.shape[1], xt.shape[1])
    xs, ys = load_svmlight_file(a.source, n_features=n)
    xt, yt = load_svmlight_file(a.target, n_features=n)
    xs, xt = xs.astype(np.float32).tocsr(), xt.astype(np.float32).tocsr()
    classes = np.unique(ys)
    start = time.perf_counter()
    ys_t = torch.as_tensor(np.searchsorted(classes, ys), dtype=torch.long)
    xs_t, xt_t = torch.from_numpy(xs.toarray()), torch.from_numpy(xt.toarray())
    model = Shallow(n, 100, len(classes))
    rows_s, rows_t = Rows(len(xs_t), lambda i: xs_t[i]), Rows(len(xt_t), lambda i: xt_t[i])
    train(model, rows_s, ys_t, rows_t, a.steps, 64)
    seconds = time.perf_counter() - start
    yt_t = torch.as_tensor(np.searchsorted(classes, yt), dtype=torch.long)
    return seconds, accuracy(model, rows_t, yt_t, 10000)


def mnist(a):
    xs = read_idx(a.source).astype(np.float32)[:, None]                  # N x 1 x 28 x 28
    ys = read_idx(a.source_labels).astype(np.int64)
    xt = read_idx(a.target).astype(np.float32).transpose(0, 3, 1, 2)     # N x 3 x 28 x 28
    yt = read_idx(a.target_labels).astype(np.int64)
    start = time.perf_counter()
    xs_t = torch.from_numpy(xs).expand(-1, 3, -1, -1) / 255.0
    xt_t = torch.from_numpy(np.ascontiguousarray(xt)) / 255.0
    mean = (xs_t.sum((0, 2, 3)) + xt_t.sum((0, 2, 3))) / ((len(xs_t) + len(xt_t)) * 28 * 28)
    xs_t = xs_t - mean[None, :, None, None]
    xt_t = xt_t - mean[None, :, None, None]
    model = PaperMnistNet()
    rows_s, rows_t = Rows(len(xs_t), lambda i: xs_t[i]), Rows(len(xt_t), lambda i: xt_t[i])
    train(model, rows_s, torch.from_numpy(ys), rows_t, a.steps, 128)
    seconds = time.perf_counter() - start
    return seconds, accuracy(model, rows_t, torch.from_numpy(yt), 10000)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--task", choices=["amazon", "mnist"], required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--source-labels", help="mnist: the source's IDX labels")
    p.add_argument("--target-labels", help="mnist: the target's IDX labels (for the check)")
    p.add_argument("--steps", type=int, default=10000)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's choice)")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    seconds, acc = (amazon if a.task == "amazon" else mnist)(a)
    print(json.dumps({"seconds": seconds, "steps": a.steps, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "target_accuracy": acc}))


if __name__ == "__main__":
    main()
