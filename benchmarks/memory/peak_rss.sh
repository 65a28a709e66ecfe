#!/usr/bin/env bash
# Peak resident memory of loading each shared data set (`dann data info`, one fresh process
# per file, which reads it as `train` would) and of the Amazon table (`reproduce amazon`,
# measured with GNU time), written to results/memory.md.
#
#   bash benchmarks/memory/peak_rss.sh [--pairs all|books:kitchen,...]   (default: all)
#
# The data comes from $DANN_DATA (default ../shared/data). Each row compares the peak with
# the bytes the loaded data set holds (features and labels): a ratio near 1 plus the
# process's baseline means the loader keeps one copy.
set -euo pipefail
cd "$(dirname "$0")/../.."
pairs=all
[[ "${1:-}" == --pairs ]] && pairs=$2
data=${DANN_DATA:-../shared/data}
cargo build --release -q -p dann-cli
dann=target/release/dann
out=results/memory.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "# Peak resident memory"
  echo
  echo "\`bash benchmarks/memory/peak_rss.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores; one process per row."
  echo
  echo "| data | rows x features | in memory (MB) | peak RSS (MB) | read (s) |"
  echo "|---|---|---|---|---|"
  # The process itself (burn and the allocator) before any data: an empty CSV.
  printf 'x\n' > "$tmp/empty.csv"
  for f in "$tmp/empty.csv" "$data"/amazon/*.svmlight.gz "$data"/mnist/*images* "$data"/usps/*images*; do
    "$dann" data info --json "$f" > "$tmp/info.json"
    python3 - "$tmp/info.json" "$f" <<'PY'
import json, sys, os
j = json.load(open(sys.argv[1])); i = j["files"][0]
name = "(no data: the process alone)" if sys.argv[2].endswith("empty.csv") else os.path.basename(sys.argv[2])
print(f"| {name} | {i['rows']} x {i['features']} | {i['bytes_in_memory']/1e6:.1f} | {j['peak_rss_bytes']/1e6:.1f} | {i['seconds']:.2f} |")
PY
  done
  echo
  /usr/bin/time -f "%M %e" -o "$tmp/time" "$dann" data mnist-m --mnist "$data/mnist" --bsds "$data/bsds500" --out "$tmp/mnist-m" 2>/dev/null
  read -r kb secs < "$tmp/time"
  echo "Building MNIST-M (\`dann data mnist-m\`, 70,000 colour digits written as IDX): peak $((kb / 1000)) MB, ${secs} s."
  "$dann" data info --json "$tmp/mnist-m/mnist-m-train-images-idx4-ubyte.gz" > "$tmp/info.json"
  python3 - "$tmp/info.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); i = j["files"][0]
print(f"Reading its training set back: {i['rows']} x {i['features']}, {i['bytes_in_memory']/1e6:.1f} MB in memory, peak {j['peak_rss_bytes']/1e6:.1f} MB.")
PY
  echo
  /usr/bin/time -f "%M %e" -o "$tmp/time" "$dann" reproduce amazon --pad --pairs "$pairs" \
    --data-dir "$data" --out "$tmp/amazon" > /dev/null 2>&1
  read -r kb secs < "$tmp/time"
  echo "The Amazon table (\`reproduce amazon --pad --pairs $pairs\`): peak $((kb / 1000)) MB, ${secs} s."
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
