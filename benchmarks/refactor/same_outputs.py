#!/usr/bin/env python3
"""Do two `dann` binaries give the same outputs? A check for restructurings that must not
change behaviour (issue 21: every command a thin call into the library).

Usage (from the project root):
    cargo build --release -p dann-cli && cp target/release/dann /tmp/dann-new
    git stash / git checkout <before> && cargo build --release -p dann-cli && cp target/release/dann /tmp/dann-old
    python3 benchmarks/refactor/same_outputs.py /tmp/dann-old /tmp/dann-new [--data-dir ../shared/data] [--quick]

Each scenario runs both binaries in their own empty folder (so that relative paths in the
outputs are the same) and compares: JSON printed on stdout, and the files the command wrote
(JSON compared as data, other files byte for byte). Left out: wall times (keys named
`seconds` or ending in `_s`, Markdown lines with "wall time" and durations like `12 s`, CSV columns `seconds`), the
t-SNE maps' coordinates (not reproducible run to run even with one binary: Barnes-Hut t-SNE
runs in parallel), the weights file `model.mpk` and its CRC in `model.json` (burn gives every
saved parameter a random id; the weights are compared through `eval` and `predict`), the
report pages and pictures. Exits 1 on any difference, naming the scenario and the file.

Scenarios: `demo moons --json`; `config` (plain, --shallow, each --network); `reproduce amazon --pairs books:kitchen,dvd:electronics
--json` (--quick: books:kitchen with a smaller grid); `train` (burn engine and [shallow]),
`eval`, `predict` and `shift --json` on a CSV pair (written here, seeded) and on the Amazon
files; `select --json` on books -> kitchen (--quick: a smaller grid); `reproduce digits
--subset 2000 --iterations 200 --json` (needs mnist/ and bsds500/ in the data folder).
"""

import argparse
import filecmp
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

SKIP_SUFFIXES = (".png", ".html", ".svg", ".mpk")


def normalized(path):
    """A text output without what legitimately changes from run to run: wall-time lines of
    Markdown reports, the `seconds` column of CSV tables, and the coordinates of t-SNE maps
    (Barnes-Hut t-SNE runs in parallel: the same binary gives other coordinates each run;
    the rows, domains and labels are compared)."""
    with open(path) as f:
        lines = f.read().splitlines()
    name = os.path.basename(path)
    if name.endswith(".md"):
        return [re.sub(r"\d+(\.\d+)? s\b", "N s", l) for l in lines if "wall time" not in l.lower()]
    if name.endswith(".csv") and lines:
        header = lines[0].split(",")
        if "tsne" in name:
            keep = [i for i, h in enumerate(header) if h not in ("x", "y")]
        else:
            keep = [i for i, h in enumerate(header) if h != "seconds"]
        return [",".join(c for i, c in enumerate(l.split(",")) if i in keep) for l in lines]
    return None


def scrub(value):
    """JSON without wall times."""
    if isinstance(value, dict):
        return {
            k: scrub(v)
            for k, v in value.items()
            if k not in ("seconds", "crc32") and not k.endswith("_s")
        }
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def write_csv_pair(folder):
    """A seeded two-class problem with 20 features, the target shifted: source (labelled),
    target (labels kept: they are never read) and the target's test part."""
    rng = random.Random(7)

    def rows(n, shift):
        out = []
        for _ in range(n):
            label = rng.randrange(2)
            xs = [rng.gauss(1.5 * label - 0.75 + shift * (k % 3 == 0), 1.0) for k in range(20)]
            out.append(xs + [label])
        return out

    header = ",".join([f"f{k}" for k in range(20)] + ["label"])
    for name, n, shift in [("source.csv", 400, 0.0), ("target.csv", 400, 0.8), ("target_test.csv", 200, 0.8)]:
        with open(os.path.join(folder, name), "w") as f:
            f.write(header + "\n")
            for r in rows(n, shift):
                f.write(",".join(f"{x:.5f}" for x in r[:-1]) + f",{r[-1]}\n")


def scenarios(data, quick):
    amazon = os.path.join(data, "amazon")
    books, kitchen = (os.path.join(amazon, f"{d}_train.svmlight.gz") for d in ("books", "kitchen"))
    kitchen_test = os.path.join(amazon, "kitchen_test.svmlight.gz")
    pairs = "books:kitchen" if quick else "books:kitchen,dvd:electronics"
    grid = ["--lambdas", "3", "--hidden", "50"] if quick else []
    select_grid = ["--lambdas", "0.1,1", "--hidden", "50"] if quick else []
    shallow = "[shallow]\nepochs = 5\nhidden = 50\n"
    yield "demo moons", [["demo", "moons", "--json", "--seeds", "2"]]
    yield "config", [["config"], ["config", "--shallow"]] + [
        ["config", "--network", n] for n in ("mnist", "svhn", "gtsrb")]
    yield "reproduce amazon", [["reproduce", "amazon", "--pairs", pairs, "--json", "--out", "amazon",
                                 "--data-dir", data] + grid]
    for name, s, t, tt, extra in [
        ("csv", "source.csv", "target.csv", "target_test.csv", ["--iterations", "300"]),
        ("amazon files", books, kitchen, kitchen_test, ["--iterations", "100"]),
    ]:
        yield f"train/eval/predict/shift on {name}", [
            ["train", "--source", s, "--target", t, "--target-test", tt, "--out", "burn",
             "--engine", "burn", "-q"] + extra,
            ["eval", "--model", "burn", "--data", tt, "--json"],
            ["predict", "--model", "burn", "--data", tt, "--out", "predictions.csv"],
            ["shift", "--source", s, "--target", t, "--json"],
            ["shift", "--source", s, "--target", t, "--model", "burn", "--json"],
            ["train", "--source", s, "--target", t, "--target-test", tt, "--out", "shallow",
             "--config", "shallow.toml", "-q"],
            ["eval", "--model", "shallow", "--data", tt, "--json"],
        ], shallow
    yield "select books -> kitchen", [
        ["select", "--source", books, "--target", kitchen, "--out", "select", "--json", "-q"] + select_grid]
    if os.path.isdir(os.path.join(data, "mnist")) and os.path.isdir(os.path.join(data, "bsds500")):
        yield "reproduce digits", [["reproduce", "digits", "--subset", "2000", "--iterations",
                                    "200", "--json", "--quiet", "--out", "digits", "--data-dir", data]]


def run(binary, folder, commands, config):
    os.makedirs(folder)
    write_csv_pair(folder)
    if config:
        with open(os.path.join(folder, "shallow.toml"), "w") as f:
            f.write(config)
    printed = []
    for args in commands:
        done = subprocess.run([binary] + args, cwd=folder, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{binary} {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
        printed.append(done.stdout)
    return printed


def same_json(a, b):
    try:
        return scrub(json.loads(a)) == scrub(json.loads(b))
    except json.JSONDecodeError:
        return a == b


def compare_trees(old, new):
    """Files that differ (or exist on one side only) between two output folders."""
    diffs = []
    for root, _, files in os.walk(old):
        for name in files:
            p = os.path.join(root, name)
            rel = os.path.relpath(p, old)
            q = os.path.join(new, rel)
            if name.endswith(SKIP_SUFFIXES):
                continue
            if not os.path.exists(q):
                diffs.append(f"{rel}: only in the old output")
            elif name.endswith(".json"):
                with open(p) as f, open(q) as g:
                    if not same_json(f.read(), g.read()):
                        diffs.append(f"{rel}: differs")
            elif name.endswith(".jsonl"):
                with open(p) as f, open(q) as g:
                    if [scrub(json.loads(l)) for l in f] != [scrub(json.loads(l)) for l in g]:
                        diffs.append(f"{rel}: differs")
            elif normalized(p) is not None:
                if normalized(p) != normalized(q):
                    diffs.append(f"{rel}: differs")
            elif not filecmp.cmp(p, q, shallow=False):
                diffs.append(f"{rel}: differs")
    for root, _, files in os.walk(new):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), new)
            if not name.endswith(SKIP_SUFFIXES) and not os.path.exists(os.path.join(old, rel)):
                diffs.append(f"{rel}: only in the new output")
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--data-dir", default=os.environ.get("DANN_DATA_DIR", "data"))
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    a.data_dir = os.path.abspath(a.data_dir)
    work = tempfile.mkdtemp(prefix="same-outputs-")
    failed = 0
    for item in scenarios(a.data_dir, a.quick):
        name, commands = item[0], item[1]
        config = item[2] if len(item) > 2 else None
        old = run(os.path.abspath(a.old), os.path.join(work, "old", name), commands, config)
        new = run(os.path.abspath(a.new), os.path.join(work, "new", name), commands, config)
        diffs = [f"stdout of `{' '.join(c[:2])}`" for c, x, y in zip(commands, old, new) if not same_json(x, y)]
        diffs += compare_trees(os.path.join(work, "old", name), os.path.join(work, "new", name))
        print(f"{name}: {'same' if not diffs else 'DIFFERENT: ' + '; '.join(diffs)}", flush=True)
        failed += bool(diffs)
    if failed:
        print(f"outputs kept in {work}")
    else:
        shutil.rmtree(work)
    print(f"{failed} scenario(s) differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
