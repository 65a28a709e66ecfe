#!/usr/bin/env bash
# The GPU route, checked and measured in one go, for a machine with an NVIDIA GPU and PyTorch
# (CUDA). Build the binary elsewhere if this machine has no Rust:
#   CUDARC_CUDA_VERSION=13000 cargo build --release -p dann-cli --features cuda
#   strip target/release/dann   # then copy it and this repository over
# and run, from the repository root:
#   bash benchmarks/gpu/run.sh [--dry-run] [DATA_DIR]
#
# 1. `dann selftest --device cuda`: the gradient reversal layer and 5 training steps of the
#    paper's MNIST network on the GPU against burn's CPU backend.
# 2. A short MNIST -> MNIST-M run on the GPU (10,000 images per domain, 3,000 iterations):
#    DANN must beat source-only on the target.
# 3. `dann bench cnn` at 128 + 128 and 1024 + 1024 images, with the PyTorch reference in the
#    same run (rounds alternate): steps/s, images/s and the warm-up of each, as a table in
#    results/gpu.md (written when complete).
# --dry-run runs the same on the CPU with tiny sizes (no checks of speed or accuracy), to
# check the script itself on a machine without a GPU.
set -euo pipefail
dry=0
if [[ ${1:-} == --dry-run ]]; then dry=1; shift; fi
data=${1:-${DANN_DATA_DIR:-../shared/data}}
dann=${DANN:-target/release/dann}
script=benchmarks/reference/cnn_step_torch.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ $dry == 1 ]]; then
  device=cpu subset=300 iterations=20 batches="8 16" steps=2 repeats=1 warmup=1
  out=$tmp/gpu.md
else
  device=cuda subset=10000 iterations=3000 batches="128 1024" steps=50 repeats=5 warmup=10
  out=results/gpu.md
fi
[[ -x $dann ]] || { echo "no $dann: build it (see the top of this script) or set DANN=path"; exit 1; }
torch_ok=0
python3 -c "import torch" 2>/dev/null && torch_ok=1
if [[ $device == cuda ]]; then
  python3 -c "import torch; assert torch.cuda.is_available()" \
    || { echo "PyTorch with CUDA is needed for the reference"; exit 1; }
  gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
else
  gpu="CPU (dry run)"
fi

echo "== 1. selftest on $device"
"$dann" --device "$device" selftest

echo "== 2. MNIST -> MNIST-M, $subset images per domain, $iterations iterations, on $device"
"$dann" --device "$device" reproduce digits --pair mnist:mnist-m --data-dir "$data" \
  --subset "$subset" --iterations "$iterations" --models source-only,dann --tsne-n 0 \
  --out "$tmp/digits" -q --json >"$tmp/digits.json"
python3 - "$tmp/digits.json" "$dry" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
m = {x["model"]: x for x in j["models"]}
so, da = m["source-only"]["target_accuracy"], m["dann"]["target_accuracy"]
print(f"source-only {so:.4f} ({m['source-only']['seconds']:.1f} s), DANN {da:.4f} ({m['dann']['seconds']:.1f} s)")
if sys.argv[2] == "0" and not da > so:
    sys.exit("DANN does not beat source-only on the GPU")
PY

echo "== 3. speed, dann and PyTorch in the same run"
torch_args=()
[[ $torch_ok == 1 ]] && torch_args=(--torch-script "$script")
for b in $batches; do
  "$dann" --device "$device" bench cnn --batch "$b" --steps "$steps" --repeats "$repeats" \
    --warmup "$warmup" --skip-burn "${torch_args[@]}" --json >"$tmp/bench-$b.json"
done
python3 - "$gpu" "$tmp" $batches >"$tmp/table.md" <<'PY'
import json, sys
gpu, tmp, batches = sys.argv[1], sys.argv[2], sys.argv[3:]
print(f"# The paper's MNIST network on {gpu}\n")
print("`bash benchmarks/gpu/run.sh`: one DANN training step (SGD, momentum 0.9), median of the")
print("rounds, ours and PyTorch's alternating in one run; warm-up = building the model and the")
print("first steps (kernel compilation and tuning on the GPU).\n")
print("| batch | dann steps/s | dann images/s | dann warm-up (s) | PyTorch steps/s | PyTorch images/s | PyTorch warm-up (s) | ratio |")
print("|---|---|---|---|---|---|---|---|")
for b in batches:
    j = json.load(open(f"{tmp}/bench-{b}.json"))
    d, t = j["dann_steps_per_s"], j.get("torch_steps_per_s")
    n = 2 * int(b)
    fmt = lambda v, f: "-" if v is None else f.format(v)
    print(f"| {b} + {b} | {d:.1f} | {d * n:.0f} | {j['dann_warmup_s']:.1f} | {fmt(t, '{:.1f}')} | "
          f"{fmt(t and t * n, '{:.0f}')} | {fmt(j.get('torch_warmup_s'), '{:.1f}')} | {fmt(t and d / t, '{:.2f}x')} |")
PY
mv "$tmp/table.md" "$out"
cat "$out"
if [[ $dry == 0 ]]; then
  echo "== done: results/gpu.md"
else
  echo "== dry run done (nothing written)"
fi
