#!/usr/bin/env python3
"""Merges the tabular benchmark's result CSVs into one Markdown table (issue 24).

    python3 benchmarks/tabular/table.py benchmarks/tabular/results_sklearn.csv \\
        benchmarks/tabular/runs/defaults.csv --out results/tabular.md

Each input is a CSV `task,method,seed,accuracy` (reference.py and run.sh write them). The
table has one row per task and one column per method, each cell the test accuracy's
`mean ± sd (n)` over the n seeds that have a result (sd is the sample standard deviation;
`-` when n = 1, empty when the method has no result on the task). The last row is each
method's mean over tasks of those per-task means (4 decimals), with the number of tasks it covers when
that is not all of them (means over different task sets do not compare). Below the table,
one line per task says whether DANN beat the source-only DANN network (`dann` against
`dann_source_only`, on the mean, and on how many of the seeds both have), once per config.

A file given as `FILE=NAME` has its methods named `NAME/<method>`, so that runs of several
configs sit side by side (`runs/defaults.csv=paper runs/relu_adam.csv=relu_adam`). A (task,
method, seed) given twice keeps the later file's value, with a warning. Standard
library only. Without --out the table is printed.
"""

import argparse
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ORDER = ["sklearn_logreg", "sklearn_mlp", "dann_source_only", "dann", "dann_select"]


def load(paths):
    """`paths` are files, or `FILE=NAME` to prefix that file's methods with `NAME/` (to put
    several configs' runs side by side)."""
    acc = {}
    for arg in paths:
        path, _, name = arg.partition("=")
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                method = f"{name}/{row['method']}" if name else row["method"]
                key = (row["task"], method, int(row["seed"]))
                if key in acc:
                    print(f"warning: {path}: {key} given twice, the later value kept", file=sys.stderr)
                acc[key] = float(row["accuracy"])
    return acc


def cell(values):
    if not values:
        return ""
    m = statistics.mean(values)
    sd = "%.3f" % statistics.stdev(values) if len(values) > 1 else "-"
    return f"{m:.3f} ± {sd} ({len(values)})"


def table(acc):
    by = defaultdict(dict)  # (task, method) -> {seed: accuracy}
    for (task, method, seed), a in acc.items():
        by[(task, method)][seed] = a
    tasks = sorted({t for t, _ in by})
    present = {m for _, m in by}
    methods = [m for m in ORDER if m in present] + sorted(present - set(ORDER))
    lines = ["| task | " + " | ".join(methods) + " |", "|---" * (len(methods) + 1) + "|"]
    means = defaultdict(list)
    for t in tasks:
        cells = []
        for m in methods:
            vals = list(by.get((t, m), {}).values())
            cells.append(cell(vals))
            if vals:
                means[m].append(statistics.mean(vals))
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    last = []
    for m in methods:
        v = means[m]
        s = f"**{statistics.mean(v):.4f}**" if v else ""
        if v and len(v) < len(tasks):
            s += f" ({len(v)} of {len(tasks)} tasks)"
        last.append(s)
    lines.append(f"| mean over tasks ({len(tasks)}) | " + " | ".join(last) + " |")

    # One comparison per config: `dann` against `dann_source_only`, or `NAME/dann` against
    # `NAME/dann_source_only` for a file given as FILE=NAME.
    prefixes = sorted({m[: -len("dann")] for m in present if m.endswith("dann")})
    for prefix in prefixes:
        dm, sm = prefix + "dann", prefix + "dann_source_only"
        lines += ["", f"Did DANN beat the source-only network (`{dm}` against `{sm}`)?", ""]
        wins = compared = 0
        for t in tasks:
            d, s = by.get((t, dm), {}), by.get((t, sm), {})
            if not d or not s:
                lines.append(f"- {t}: not compared (no {dm if not d else sm} results)")
                continue
            md, ms = statistics.mean(d.values()), statistics.mean(s.values())
            common = sorted(set(d) & set(s))
            better = sum(d[k] > s[k] for k in common)
            verdict = "yes" if md > ms else ("tie" if md == ms else "no")
            compared += 1
            wins += md > ms
            lines.append(f"- {t}: {verdict}, dann {md:.3f} vs source-only {ms:.3f} ({md - ms:+.3f});"
                         f" dann higher on {better} of {len(common)} seeds")
        lines += ["", f"DANN ahead on {wins} of {compared} tasks compared."]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "runs",
        nargs="+",
        help="CSV files task,method,seed,accuracy; FILE=NAME prefixes that file's methods with NAME/",
    )
    ap.add_argument("--out", help="Markdown file to write (default: print)")
    args = ap.parse_args()
    acc = load(args.runs)
    if not acc:
        sys.exit("no results in " + ", ".join(args.runs))
    text = ("Test accuracy on the shifted tabular tasks (benchmarks/tabular/README.md): "
            "mean ± sd (seeds) per method.\nFrom: " + ", ".join(args.runs) + "\n\n" + table(acc))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
