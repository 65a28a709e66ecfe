#!/usr/bin/env bash
# Steps/s of the paper's MNIST network on burn (batch 128 MNIST + 128 MNIST-M, SGD momentum):
# two whole `dann train` runs of 5 and 65 iterations (loading and preprocessing 120,000 images
# in both), the difference is 60 steps. Builds MNIST-M first when it is not there.
#
# From the repository root, after `cargo build --release -p dann-cli`:
#   bash benchmarks/cnn/train_speed.sh [DATA=../shared/data]
set -euo pipefail
data=${1:-${DANN_DATA_DIR:-../shared/data}}
dann=target/release/dann
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mnistm=$tmp/mnist-m
"$dann" data mnist-m --mnist "$data/mnist" --bsds "$data/bsds500" --out "$mnistm" 2>/dev/null
cat > "$tmp/base.toml" <<'TOML'
[model.conv]
input = [3, 28, 28]
layers = [{ channels = 32, kernel = 5, pool = 2 }, { channels = 48, kernel = 5, pool = 2 }]
activation = "relu"
[model.feature]
hidden = []
[model.label]
hidden = [100, 100]
activation = "relu"
[model.domain]
hidden = [100]
activation = "relu"
[train]
batch_size = 256
log_every = 0
monitor_rows = 256
[train.images]
channels = 3
scale = 0.00392156862745098
subtract_mean = true
TOML
declare -A secs
for n in 5 65; do
  sed "s/^batch_size = 256/batch_size = 256\niterations = $n/" "$tmp/base.toml" > "$tmp/it$n.toml"
  start=$(date +%s.%N)
  "$dann" train -q --config "$tmp/it$n.toml" --out "$tmp/m$n" \
    --source "$data/mnist/train-images-idx3-ubyte.gz" \
    --target "$mnistm/mnist-m-train-images-idx4-ubyte.gz"
  secs[$n]=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
done
awk -v a="${secs[5]}" -v b="${secs[65]}" -v c="$(nproc)" 'BEGIN {
  printf "5 iterations %.2f s, 65 iterations %.2f s: %.1f steps/s (batch 128 + 128, %d cores)\n", a, b, 60 / (b - a), c }'
