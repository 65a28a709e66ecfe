#!/usr/bin/env bash
# The retraining loop of docs/shift.md on a target that drifts in steps: for each step, `dann
# shift --model` measures how far the step's rows are from the source in the current model's
# features; above --fail-above (THRESHOLD, default 0.8) the model is retrained from itself on
# that step (`dann train --init`, ITERATIONS, default 2000). Prints, per step, the shift
# the model in use measured, what was done, and the step's test accuracy before and after.
#
# From the repository root, after `cargo build --release -p dann-cli` and
# `python3 benchmarks/drift/make_steps.py` (numpy):
#   bash benchmarks/drift/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dann=${DANN:-target/release/dann}
data=benchmarks/drift/data
runs=${RUNS:-$(mktemp -d)}
threshold=${THRESHOLD:-0.8}
iterations=${ITERATIONS:-2000}
acc() { "$dann" eval --model "$1" --data "$2" --json | python3 -c "import json,sys; print(f\"{json.load(sys.stdin)['accuracy']:.3f}\")"; }
"$dann" train -q --source "$data/source.csv" --target "$data/step_1.csv" --out "$runs/model_0"
current=$runs/model_0
echo "step  shift(PAD)  action      accuracy before  after"
for k in 1 2 3 4; do
  target=$data/step_$k.csv test=$data/step_${k}_test.csv
  before=$(acc "$current" "$test")
  if "$dann" shift --model "$current" --source "$data/source.csv" --target "$target" \
      --fail-above "$threshold" --json > "$runs/shift_$k.json" 2>/dev/null; then
    action=kept
  else
    "$dann" train -q --init "$current" --source "$data/source.csv" --target "$target" \
      --iterations "$iterations" --out "$runs/model_$k"
    current=$runs/model_$k action=retrained
  fi
  shift_pad=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['pad']:.2f}\")" "$runs/shift_$k.json")
  printf '%-5s %-11s %-11s %-16s %s\n' "$k" "$shift_pad" "$action" "$before" "$(acc "$current" "$test")"
done
echo "models in $runs"
