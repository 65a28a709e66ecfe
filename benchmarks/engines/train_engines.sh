#!/usr/bin/env bash
# How long `dann train` takes on the two engines, same settings: the default config (the
# paper's shallow network with 100 sigmoid units, schedules, SGD momentum 0.9, batches of 32
# source + 32 target rows) for ITERATIONS iterations on Amazon books -> kitchen, each engine
# REPEATS times, median wall time of the whole command (loading included).
#
# How to run, from the repository root (after `cargo build --release -p dann-cli`):
#   bash benchmarks/engines/train_engines.sh [ITERATIONS=4000] [REPEATS=3] > results/engines.md
set -euo pipefail
iterations=${1:-4000}
repeats=${2:-3}
dann=target/release/dann
data=${DANN_DATA_DIR:-data}/amazon
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$dann" config | sed "s/^iterations = .*/iterations = $iterations/" > "$tmp/run.toml"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A secs
for engine in shallow burn; do
  for _ in $(seq "$repeats"); do
    start=$(date +%s.%N)
    "$dann" train -q --engine "$engine" --config "$tmp/run.toml" --force \
      --source "$data/books_train.svmlight.gz" --target "$data/kitchen_train.svmlight.gz" \
      --out "$tmp/$engine"
    awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }'
  done > "$tmp/$engine.times"
  secs[$engine]=$(median < "$tmp/$engine.times")
done
rows=$((iterations * 64))
echo "| engine | seconds (median of $repeats) | rows/s | kernels faster by |"
echo "|---|---|---|---|"
for engine in shallow burn; do
  s=${secs[$engine]}
  awk -v e="$engine" -v s="$s" -v r="$rows" -v k="${secs[shallow]}" \
    'BEGIN { printf "| %s | %.2f | %.0f | %.1fx |\n", e, s, r / s, s / k }'
done
echo
echo "$iterations iterations of 64 rows, books -> kitchen, $(nproc) cores, $(date -u +%Y-%m-%d)."
