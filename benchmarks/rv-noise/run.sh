#!/usr/bin/env bash
# How good is reverse validation's pick, and does a finer score pick better? Runs
# `dann reproduce amazon` on all 12 pairs for seeds 0..SEEDS-1 (every candidate's reverse error,
# reverse log loss and, for this study only, target test accuracy land in the JSON), then
# compares selection rules over the same candidates (analyze.py). No rule looks at target
# labels; the test accuracies only grade the picks.
#
# From the repository root, after `cargo build --release -p dann-cli` (about 3 minutes a seed
# on 2 cores):
#   bash benchmarks/rv-noise/run.sh [SEEDS=5] [OUT=results/rv-noise]
set -euo pipefail
seeds=${1:-5}
out=${2:-results/rv-noise}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for seed in $(seq 0 $((seeds - 1))); do
  target/release/dann reproduce amazon --pairs all --seed "$seed" --rv-splits 3 --json --out "$tmp" \
    > "$out/seed$seed.json"
done
python3 "$(dirname "$0")/analyze.py" "$out"/seed*.json > "$out/README.md"
cat "$out/README.md"
