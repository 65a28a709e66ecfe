"""PyTorch CPU reference for `dann bench cnn`: one DANN training step of the paper's MNIST
network (JMLR 2016, appendix: conv 5x5 32, ReLU, max-pool 2; conv 5x5 48, ReLU, max-pool 2;
label head 768-100-100-10 with ReLU; domain head 768-100-1 with ReLU behind a gradient
reversal layer), SGD with momentum 0.9, on `--batch` source and `--batch` target images of
3 x 28 x 28, as a PyTorch user would write it. The images are random (the step's cost does not
depend on their values) and made once, so only the step is timed.

On a GPU (`--device cuda`) every round ends with a synchronisation, so that the time is the
GPU's; the warm-up steps (cuDNN's algorithm search, allocator growth) are timed on their own.

Prints one JSON object: {"steps_per_s": ..., "rates": [...], "warmup_s": ..., "threads": ...,
"device": ..., "torch": ...}.

    pip install torch numpy
    python3 benchmarks/reference/cnn_step_torch.py --batch 128 --threads 2
    python3 benchmarks/reference/cnn_step_torch.py --batch 1024 --device cuda
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from grl import ReverseGradient


class Dann(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 5)
        self.conv2 = nn.Conv2d(32, 48, 5)
        self.label = nn.Sequential(nn.Linear(768, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
        self.domain = nn.Sequential(nn.Linear(768, 100), nn.ReLU(), nn.Linear(100, 1))

    def forward(self, x, lam):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        f = h.flatten(1)
        return self.label(f), self.domain(ReverseGradient.apply(f, lam)).squeeze(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=128, help="source images per step (as many target)")
    p.add_argument("--steps", type=int, default=20, help="timed steps per repetition")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="0: PyTorch's default")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    torch.manual_seed(0)
    model = Dann().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    b = args.batch
    x = torch.rand(2 * b, 3, 28, 28, device=device)
    y = torch.randint(0, 10, (b,), device=device)
    d = torch.cat([torch.zeros(b), torch.ones(b)]).to(device)

    def step():
        labels, domains = model(x, 0.5)
        loss = F.cross_entropy(labels[:b], y) + F.binary_cross_entropy_with_logits(domains, d)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    start = time.perf_counter()
    for _ in range(args.warmup):
        step()
    sync()
    warmup_s = time.perf_counter() - start
    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        sync()
        rates.append(args.steps / (time.perf_counter() - start))
    rates.sort()
    print(json.dumps({
        "steps_per_s": rates[len(rates) // 2],
        "rates": rates,
        "warmup_s": warmup_s,
        "batch": b,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
