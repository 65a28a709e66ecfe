"""PyTorch CPU reference for `dann bench shallow`: the shallow DANN per-example update
(Algorithm 1: one source and one target review per step, 100 sigmoid hidden units, gradient
reversal, plain SGD) on the Amazon books -> kitchen data, dense inputs as a PyTorch user
would write it.

Prints one JSON object: {"examples_per_s": ..., "steps": ..., "threads": ...}.

    pip install torch scikit-learn
    python3 benchmarks/reference/shallow_dann_torch.py --data-dir data --steps 2000
"""
import argparse
import json
import time

import numpy as np
import torch
from sklearn.datasets import load_svmlight_file

from grl import ReverseGradient


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", default="data")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--hidden", type=int, default=100)
    args = p.parse_args()
    torch.manual_seed(0)
    xs, ys = load_svmlight_file(f"{args.data_dir}/amazon/books_train.svmlight.gz", n_features=5000, zero_based=True)
    xt, _ = load_svmlight_file(f"{args.data_dir}/amazon/kitchen_train.svmlight.gz", n_features=5000, zero_based=True)
    xs = torch.tensor(xs.toarray(), dtype=torch.float32)
    xt = torch.tensor(xt.toarray(), dtype=torch.float32)
    ys = torch.tensor((ys > 0).astype(np.int64))
    feat = torch.nn.Linear(5000, args.hidden)
    label = torch.nn.Linear(args.hidden, 2)
    domain = torch.nn.Linear(args.hidden, 1)
    params = list(feat.parameters()) + list(label.parameters()) + list(domain.parameters())
    opt = torch.optim.SGD(params, lr=0.01)
    lam = 0.1
    rng = np.random.default_rng(0)

    def step(i):
        s = i % xs.shape[0]
        t = int(rng.integers(xt.shape[0]))
        x = torch.cat([xs[s:s + 1], xt[t:t + 1]])
        h = torch.sigmoid(feat(x))
        loss_y = torch.nn.functional.cross_entropy(label(h[:1]), ys[s:s + 1])
        z = domain(ReverseGradient.apply(h, lam)).squeeze(1)
        loss_d = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor([0.0, 1.0]))
        opt.zero_grad()
        (loss_y + loss_d).backward()
        opt.step()

    for i in range(50):
        step(i)
    start = time.perf_counter()
    for i in range(args.steps):
        step(i)
    elapsed = time.perf_counter() - start
    print(json.dumps({"examples_per_s": args.steps / elapsed, "steps": args.steps,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
