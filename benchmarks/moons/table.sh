#!/usr/bin/env bash
# The README's two-moons table: `dann demo moons` over seeds 0-9 with the authors' procedure
# (the default: Algorithm 1 on the kernels) and with batched iterations on the kernels and
# on burn, written to results/moons/{authors,shallow,burn}.json and, as the README's rows,
# results/moons/table.md (tests/readme.rs checks the README quotes it).
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
for engine in authors shallow burn; do
  config=(--procedure iterations)
  [[ $engine == authors ]] && config=(--procedure authors)
  [[ $engine == burn ]] && config=(--procedure iterations --config "$tmp/burn.toml")
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
a, s, b = (json.load(open(f"results/moons/{e}.json")) for e in ["authors", "shallow", "burn"])
print("| | target accuracy (mean of 10 seeds) | per seed |")
print("|---|---|---|")
print(row("source-only NN, authors' procedure", a["source_only"]))
print(row("DANN, authors' procedure", a["dann"]))
print(row("source-only NN, batches on the kernels", s["source_only"]))
print(row("DANN, batches on the kernels", s["dann"]))
print(row("source-only NN, batches on burn", b["source_only"]))
print(row("DANN, batches on burn", b["dann"]))
print()
def wins(r):
    return sum(d > n for d, n in zip(r["dann"]["target_accuracy_per_seed"], r["source_only"]["target_accuracy_per_seed"]))
print(f"DANN beats source-only on {wins(a)} of 10 seeds with the authors' procedure ({a['seconds']} s for the 20 trainings), "
      f"{wins(s)} of 10 with batches on the kernels ({s['seconds']} s) and {wins(b)} of 10 on burn ({b['seconds']} s); "
      f"source accuracy {a['dann']['source_accuracy']:.3f} / {a['source_only']['source_accuracy']:.3f} (authors').")
PY
cat results/moons/table.md
