#!/usr/bin/env bash
# The README's two-moons table: `dann demo moons` over seeds 0-9 on the default engine (the
# shallow kernels) and on burn, written to results/moons/{shallow,burn}.json and, as the
# README's rows, results/moons/table.md (tests/readme.rs checks the README quotes it).
#   bash benchmarks/moons/table.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p dann-cli
dann=target/release/dann
mkdir -p results/moons
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The demo's settings (experiments::moons::demo_settings) with the burn engine.
cat > "$tmp/burn.toml" <<'TOML'
[model.feature]
hidden = [15]
activation = "sigmoid"
[train]
engine = "burn"
iterations = 10000
batch_size = 64
log_every = 0
[train.lr]
kind = "constant"
value = 0.05
[train.lambda]
kind = "constant"
value = 6.0
TOML
for engine in shallow burn; do
  config=()
  [[ $engine == burn ]] && config=(--config "$tmp/burn.toml")
  start=$(date +%s.%N)
  "$dann" demo moons --seeds 10 --json "${config[@]}" > "$tmp/$engine.json"
  secs=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
  python3 - "$tmp/$engine.json" "$secs" > "results/moons/$engine.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); j["seconds"] = float(sys.argv[2]); print(json.dumps(j, indent=1))
PY
done
python3 - > results/moons/table.md <<'PY'
import json
def row(name, r):
    per = " ".join(f"{a:.2f}" for a in r["target_accuracy_per_seed"])
    return f"| {name} | {r['target_accuracy']:.3f} | {per} |"
s = json.load(open("results/moons/shallow.json")); b = json.load(open("results/moons/burn.json"))
print("| | target accuracy (mean of 10 seeds) | per seed |")
print("|---|---|---|")
print(row("source-only NN", s["source_only"]))
print(row("DANN", s["dann"]))
print(row("source-only NN, burn engine", b["source_only"]))
print(row("DANN, burn engine", b["dann"]))
print()
wins = sum(d > n for d, n in zip(s["dann"]["target_accuracy_per_seed"], s["source_only"]["target_accuracy_per_seed"]))
bw = sum(d > n for d, n in zip(b["dann"]["target_accuracy_per_seed"], b["source_only"]["target_accuracy_per_seed"]))
print(f"DANN beats source-only on {wins} of 10 seeds (kernels, {s['seconds']} s) and {bw} of 10 (burn, {b['seconds']} s); source accuracy {s['dann']['source_accuracy']:.3f} / {s['source_only']['source_accuracy']:.3f}.")
PY
cat results/moons/table.md
