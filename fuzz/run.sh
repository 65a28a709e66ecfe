#!/usr/bin/env bash
# Fuzz every parser with libFuzzer: `bash fuzz/run.sh [SECONDS per target, default 60]`.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The corpus grows
# in fuzz/corpus/<target> (seeded from fuzz/seeds/<target>); a crash leaves its input in
# fuzz/artifacts/<target>/ and stops with the failing assertion. The same targets run on
# stable, under proptest, in `cargo test` (crates/dann/tests/fuzz_parsers.rs).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
for t in ${TARGETS:-svmlight csv idx npy image parquet}; do
  mkdir -p "corpus/$t"
  cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "== $t: $seconds s"
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 2>&1 |
    grep -E 'stat::number_of_executed_units|stat::peak_rss|Done|ERROR|panicked|SUMMARY' || true
  test ! -d "artifacts/$t" || test -z "$(ls -A "artifacts/$t")" || { echo "crash in $t: see fuzz/artifacts/$t"; exit 1; }
done
