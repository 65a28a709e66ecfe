"""Compares reverse-validation selection rules over the candidates `dann reproduce amazon
--json` recorded (see run.sh). Each rule picks one candidate per pair and seed from what the
selection may see (reverse error, reverse log loss on the held-out source rows, forward error);
the pick is graded by its target test accuracy, which no rule reads.

Usage: python3 analyze.py results/rv-noise/seed*.json > results/rv-noise/README.md
"""

import json
import statistics
import sys


def first_min(cands, key):
    """Index of the first candidate with the lowest key (ties: grid order), as dann does."""
    best = 0
    for i, c in enumerate(cands):
        if key(c) < key(cands[best]):
            best = i
    return best


def split_mean(c, k, score):
    """Mean of the first k splits' reverse scores (the JSON of `--rv-splits N` has N)."""
    per = c["reverse_per_split"][:k]
    return sum(s[score] for s in per) / len(per)


RULES = {
    "reverse error (paper; dann's default)": lambda c: split_mean(c, 1, "error"),
    "reverse log loss": lambda c: split_mean(c, 1, "log_loss"),
    "reverse error, ties by log loss": lambda c: (
        split_mean(c, 1, "error"),
        split_mean(c, 1, "log_loss"),
    ),
    "reverse error, mean of 2 splits": lambda c: split_mean(c, 2, "error"),
    "reverse error, mean of 3 splits": lambda c: split_mean(c, 3, "error"),
    "reverse log loss, mean of 3 splits": lambda c: split_mean(c, 3, "log_loss"),
    "forward error on S_v only (no adaptation signal)": lambda c: c["forward_error"],
}


def main(paths):
    runs = []  # (seed, pair result)
    for p in paths:
        report = json.load(open(p))
        seed = p.rsplit("seed", 1)[-1].split(".")[0]
        for r in report["pairs"]:
            runs.append((seed, r))
    seeds = sorted({s for s, _ in runs}, key=int)
    rows = {}  # rule -> seed -> list of accuracies
    for name, key in RULES.items():
        rows[name] = {s: [] for s in seeds}
        for s, r in runs:
            cands = r["candidates"]
            rows[name][s].append(cands[first_min(cands, key)]["test_accuracy"])
    extra = {
        "best candidate (oracle, reads target labels)": lambda cands: max(
            c["test_accuracy"] for c in cands
        ),
        "mean candidate": lambda cands: statistics.mean(c["test_accuracy"] for c in cands),
    }
    for name, f in extra.items():
        rows[name] = {s: [] for s in seeds}
        for s, r in runs:
            rows[name][s].append(f(r["candidates"]))
    rows["NN (source-only, chosen on S_v)"] = {s: [r["nn"] for t, r in runs if t == s] for s in seeds}

    n_pairs = len(runs) // len(seeds)
    print("# Reverse validation: which score picks better?\n")
    print(
        f"{n_pairs} Amazon pairs x {len(seeds)} seeds (`bash benchmarks/rv-noise/run.sh`), "
        "the paper's grid (9 lambdas x hidden 50, 100). Each rule picks one candidate per pair "
        "and seed without target labels; the table gives the picks' mean target test accuracy "
        "(over pairs), its mean and standard deviation over seeds, and each seed's mean.\n"
    )
    print("| rule | mean | std over seeds | " + " | ".join(f"seed {s}" for s in seeds) + " |")
    print("|---|---|---|" + "---|" * len(seeds))
    for name, per_seed in rows.items():
        means = [statistics.mean(v) for v in per_seed.values()]
        sd = statistics.stdev(means) if len(means) > 1 else 0.0
        print(
            f"| {name} | {statistics.mean(means):.4f} | {sd:.4f} | "
            + " | ".join(f"{m:.4f}" for m in means)
            + " |"
        )
    # Paired comparison with the paper's rule, pick by pick.
    base = RULES["reverse error (paper; dann's default)"]
    print("\nPick by pick against the paper's rule (same pair and seed):\n")
    print("| rule | better | same | worse | mean difference | its standard error |")
    print("|---|---|---|---|---|---|")
    for name, key in RULES.items():
        diffs = []
        for _, r in runs:
            cands = r["candidates"]
            a = cands[first_min(cands, key)]["test_accuracy"]
            b = cands[first_min(cands, base)]["test_accuracy"]
            diffs.append(a - b)
        print(
            f"| {name} | {sum(d > 0 for d in diffs)} | {sum(d == 0 for d in diffs)} | "
            f"{sum(d < 0 for d in diffs)} | {statistics.mean(diffs):+.4f} | "
            f"{statistics.stdev(diffs) / len(diffs) ** 0.5:.4f} |"
        )
    # `dann select`'s verdict: DANN's and the NN's reverse errors side by side, a difference
    # within two standard errors (S_v: 200 reviews per split) too close to call.
    splits = len(runs[0][1]["candidates"][0]["reverse_per_split"])
    n = 200 * splits
    calls = {"helps": [0, 0], "does not help": [0, 0], "too close to call": [0, 0]}
    for _, r in runs:
        cands = r["candidates"]
        pick = cands[first_min(cands, lambda c: c["reverse"]["error"])]
        d, b = pick["reverse"]["error"], r["nn_reverse"]["error"]
        se = ((d * (1 - d) + b * (1 - b)) / n) ** 0.5
        call = "helps" if b - d > 2 * se else "does not help" if d - b > 2 * se else "too close to call"
        calls[call][0] += 1
        calls[call][1] += pick["test_accuracy"] > r["nn"]
    print(
        f"\n`dann select`'s verdict (reverse errors averaged over the run's {splits} split(s), "
        f"DANN picked by them):\n"
    )
    print("| verdict | runs | of which DANN's pick beat the NN on the target test set |")
    print("|---|---|---|")
    for call, (k, wins) in calls.items():
        print(f"| {call} | {k} | {wins} |")


if __name__ == "__main__":
    main(sys.argv[1:])
