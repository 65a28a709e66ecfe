#!/usr/bin/env bash
# The mSDA table (JMLR 2016 Table 1b) on a many-core machine without Rust: runs a dann binary
# built elsewhere (release, stripped, xz-compressed) from the repository root, where the
# Amazon data ships in data/amazon. Candidates of the reverse validation, the NN and the SVM
# grid run on all cores (rayon).
#
#   cargo build --release -p dann-cli && strip -o target/dann-dev target/release/dann \
#     && xz -f -k target/dann-dev
#   OUT=/some/dir LIMIT=530 benchmarks/device/msda_table.sh [extra reproduce flags]
#
# Per-pair lines go to $OUT/msda.log as they finish, so a run cut short by LIMIT (seconds)
# still reports the pairs it finished.
set -euo pipefail
BIN=target/dann-dev
OUT=${OUT:-results/device}
mkdir -p "$OUT"
if [ -f "$BIN.xz" ]; then xz -d -f -k "$BIN.xz"; fi
chmod +x "$BIN"
{ nproc; grep -m1 'model name' /proc/cpuinfo || true; } | tee "$OUT/machine.txt"
start=$(date +%s)
timeout "${LIMIT:-530}" "$BIN" reproduce amazon --data-dir data --features msda \
  --out "$OUT" "$@" 2>&1 | tee "$OUT/msda.log" || true
echo "wall seconds: $(( $(date +%s) - start ))" | tee -a "$OUT/msda.log"
