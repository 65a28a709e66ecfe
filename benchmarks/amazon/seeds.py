#!/usr/bin/env python3
"""Summarises `dann reproduce amazon` over several seeds (the seed tables of docs/reproduce.md).

Run the table once per seed, then summarise (Python standard library only):

    for s in 0 1 2 3 4; do
      out=results/amazon-seed$s; [ $s = 0 ] && out=results
      cargo run --release -p dann-cli -- reproduce amazon --pad --seed $s --out $out
    done
    python3 benchmarks/amazon/seeds.py results/amazon.csv results/amazon-seed{1,2,3,4}/amazon.csv

Prints, in Markdown: the 12-pair means of DANN, NN and SVM per seed and their mean and
standard deviation over the seeds, and the mean proxy A-distances with the number of pairs
where DANN's hidden layer is harder to tell apart by domain than the NN's.
"""

import csv
import statistics
import sys


def main(paths):
    if not paths:
        sys.exit(__doc__)
    runs = []
    for path in paths:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows:
            sys.exit(f"{path}: no pairs")
        runs.append((path, rows))

    def mean(rows, key):
        return statistics.fmean(float(r[key]) for r in rows)

    print("| | DANN | NN | SVM |")
    print("|---|---|---|---|")
    per_seed = {k: [mean(rows, k) for _, rows in runs] for k in ("dann", "nn", "svm")}
    for path, rows in runs:
        print(f"| {path} ({len(rows)} pairs) | "
              + " | ".join(f"{mean(rows, k):.4f}" for k in ("dann", "nn", "svm")) + " |")
    sd = (lambda v: statistics.stdev(v)) if len(runs) > 1 else (lambda v: 0.0)
    print(f"| mean of {len(runs)} (standard deviation) | "
          + " | ".join(f"{statistics.fmean(v):.4f} ({sd(v):.4f})" for v in per_seed.values())
          + " |")

    if all(r.get("pad_raw") for _, rows in runs for r in rows):
        print()
        print("| | PAD raw | PAD NN hidden | PAD DANN hidden | pairs with DANN < NN (ties) |")
        print("|---|---|---|---|---|")
        pads = {k: [] for k in ("pad_raw", "pad_nn", "pad_dann")}
        for path, rows in runs:
            for k in pads:
                pads[k].append(mean(rows, k))
            below = sum(float(r["pad_dann"]) < float(r["pad_nn"]) for r in rows)
            ties = sum(float(r["pad_dann"]) == float(r["pad_nn"]) for r in rows)
            print(f"| {path} | " + " | ".join(f"{mean(rows, k):.2f}" for k in pads)
                  + f" | {below} of {len(rows)} ({ties}) |")
        print(f"| mean of {len(runs)} | "
              + " | ".join(f"{statistics.fmean(v):.2f}" for v in pads.values()) + " | |")


if __name__ == "__main__":
    main(sys.argv[1:])
