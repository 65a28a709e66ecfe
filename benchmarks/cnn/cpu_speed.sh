#!/usr/bin/env bash
# The paper's MNIST network on the CPU: `dann bench cnn` (fused kernels, burn's own ops and
# the PyTorch reference in one run) three times, then a reduced MNIST -> MNIST-M reproduction
# (2,000 images per domain, 200 iterations, source-only and DANN) with burn's ops
# (DANN_CONV=burn) and with the fused kernels. Writes results/cnn_cpu.md (when done). Run one
# at a time: two at once share the cores and measure nothing.
#
# From the repository root, after `cargo build --release -p dann-cli`, with PyTorch importable
# by the python3 on PATH (e.g. PATH=~/.venvs/torch/bin:$PATH):
#   bash benchmarks/cnn/cpu_speed.sh [DATA=../shared/data]
set -euo pipefail
data=${1:-${DANN_DATA_DIR:-../shared/data}}
dann=target/release/dann
out=results/cnn_cpu.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "# The paper's MNIST network on the CPU"
  echo
  echo "\`bash benchmarks/cnn/cpu_speed.sh\` on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u +%Y-%m-%d)."
  echo
  echo "## One DANN training step, batch 128 + 128 (\`dann bench cnn\`, three runs)"
  echo
  for run in 1 2 3; do
    echo "Run $run:"
    echo
    "$dann" bench cnn --torch-script benchmarks/reference/cnn_step_torch.py --out "$tmp/t.md" >/dev/null
    cat "$tmp/t.md"
    echo
  done
  echo "## A reduced MNIST -> MNIST-M reproduction, training seconds per model"
  echo
  echo "| convolutions | source-only | DANN | whole command (s) |"
  echo "|---|---|---|---|"
  for conv in burn fused; do
    start=$(date +%s.%N)
    DANN_CONV=$conv "$dann" reproduce digits --pair mnist:mnist-m --data-dir "$data" \
      --subset 2000 --iterations 200 --models source-only,dann --tsne-n 0 \
      --out "$tmp/$conv" -q --json >"$tmp/$conv.json"
    end=$(date +%s.%N)
    python3 - "$tmp/$conv.json" "$conv" "$(echo "$end - $start" | bc)" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
m = {x["model"]: x for x in j["models"]}
print(f"| {sys.argv[2]} | {m['source-only']['seconds']:.1f} s (target accuracy {m['source-only']['target_accuracy']:.4f}) "
      f"| {m['dann']['seconds']:.1f} s ({m['dann']['target_accuracy']:.4f}) | {float(sys.argv[3]):.1f} |")
PY
  done
} >"$tmp/out.md"
# The old table stays until the new one is complete.
mv "$tmp/out.md" "$out"
cat "$out"
