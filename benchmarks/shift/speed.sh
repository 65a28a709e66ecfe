#!/usr/bin/env bash
# How long `dann shift` takes: two CSV files of 100,000 x 100 dense rows (one column shifted
# in the second), and the Amazon files (books_train against kitchen_train and against
# books_test). Whole command (reading included, GNU time) and the measurement alone (the
# JSON's `seconds`), median of 3; written to results/shift_speed.md.
#   bash benchmarks/shift/speed.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p dann-cli
dann=target/release/dann
data=${DANN_DATA:-../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import random, sys
random.seed(0)
for name, shift in [("a.csv", 0.0), ("b.csv", 0.3)]:
    with open(f"{sys.argv[1]}/{name}", "w") as f:
        f.write(",".join(f"x{j}" for j in range(100)) + "\n")
        for _ in range(100_000):
            row = [random.gauss(0, 1) for _ in range(100)]
            row[17] += shift
            f.write(",".join(f"{v:.4f}" for v in row) + "\n")
PY
run() {  # label source target
  for i in 1 2 3; do
    /usr/bin/time -f "%e" -o "$tmp/t" "$dann" shift --json --source "$2" --target "$3" > "$tmp/j"
    summary=$(python3 - "$tmp/j" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
top = j["top_features"][0]["name"] if j["top_features"] else "-"
print(f"{j['seconds']:.2f} {j['pad']:.3f} {top}")
PY
)
    echo "$(cat "$tmp/t") $summary"
  done | sort -n | sed -n 2p | while read -r whole alone pad top; do
    echo "| $1 | $whole | $alone | $pad | $top |"
  done
}
{
  echo "# dann shift: time"
  echo
  echo "\`bash benchmarks/shift/speed.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, median of 3 runs."
  echo
  echo "| data | whole command (s) | measurement alone (s) | PAD | top feature |"
  echo "|---|---|---|---|---|"
  run "100,000 x 100 dense CSV vs the same with x17 shifted by 0.3 sd" "$tmp/a.csv" "$tmp/b.csv"
  run "Amazon books_train vs kitchen_train (2,000 x 5,000 sparse each)" "$data/amazon/books_train.svmlight.gz" "$data/amazon/kitchen_train.svmlight.gz"
  run "Amazon books_train vs books_test (2,000 vs 4,465, one domain)" "$data/amazon/books_train.svmlight.gz" "$data/amazon/books_test.svmlight.gz"
} > results/shift_speed.md
cat results/shift_speed.md
