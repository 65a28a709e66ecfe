#!/usr/bin/env bash
# DANN on the shifted tabular tasks (issue 24): for every task folder under
# benchmarks/tabular/tasks (make_tasks.py writes them) and the 12 Amazon pairs, seeds 0 1 2,
# trains `dann train --mode source-only` (method dann_source_only) and `dann train` (method
# dann) on source.csv + target.csv, scores each on test.csv with `dann eval --json`, and runs
# `dann select` once per task (seed 0; method dann_select, the chosen model's test accuracy).
# Rows `task,method,seed,accuracy` are appended to benchmarks/tabular/runs/<label>.csv, label
# = CONFIG's file name without .toml, or `defaults` (with `-itN` added under ITERATIONS=N). Rows already in that file are skipped, so
# an interrupted run picks up where it stopped (delete the file to start again). A command
# that fails is recorded in runs/<label>.errors.log, and the run goes on.
#
# From the repository root, after `cargo build --release -p dann-cli`:
#   python3 benchmarks/tabular/make_tasks.py
#   bash benchmarks/tabular/run.sh [CONFIG]
#
# Environment:
#   DANN=path         the binary (default target/release/dann)
#   ITERATIONS=N      adds --iterations N to every `dann train` (not to select: its grid is
#                     the paper's shallow Algorithm 1 with early stopping)
#   AMAZON=0          leaves out the Amazon pairs (books, dvd, electronics, kitchen from
#                     AMAZON_DIR, default data/amazon: source <s>_train, target <t>_train,
#                     test <t>_test, SVMlight)
#   SELECT=0          leaves out dann select
#   TASKS="a b"       only these tasks (folder names, or amazon_<s>_<t>)
#   SEEDS="0 1 2"     the seeds of train
#   TASKS_DIR=dir     where the task folders are (default benchmarks/tabular/tasks)
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
here=benchmarks/tabular

dann=${DANN:-target/release/dann}
[[ $dann == /* ]] || dann="$root/$dann"
[[ -x $dann ]] || { echo "no dann binary at $dann (cargo build --release -p dann-cli, or set DANN)" >&2; exit 1; }
config=${1:-}
cfg=()
label=defaults
if [[ -n $config ]]; then
  [[ -f $config ]] || { echo "no config file $config" >&2; exit 1; }
  config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
  cfg=(--config "$config")
  label=$(basename "$config" .toml)
fi
iters=()
if [[ -n ${ITERATIONS:-} ]]; then
  iters=(--iterations "$ITERATIONS")
  label=$label-it$ITERATIONS  # short smoke runs never mix with (or get resumed as) full ones
fi
seeds=${SEEDS:-0 1 2}
tasks_dir=${TASKS_DIR:-$here/tasks}
amazon_dir=${AMAZON_DIR:-data/amazon}

runs=$here/runs
out_csv=$runs/$label.csv
errors=$runs/$label.errors.log
models=$runs/$label
mkdir -p "$models"
[[ -s $out_csv ]] || echo "task,method,seed,accuracy" > "$out_csv"

wanted() { [[ -z ${TASKS:-} ]] || [[ " $TASKS " == *" $1 "* ]]; }
done_already() { grep -q "^$1,$2,$3," "$out_csv"; }
fail() { # task method seed message-file
  { echo "== $(date -u +%FT%TZ) $1 $2 seed $3"; tail -n 20 "$4"; echo; } >> "$errors"
  echo "  $1 $2 seed $3: failed, see $errors" >&2
}

# test accuracy of model $1 on $2, printed; non-zero when eval fails (its stderr in $3)
accuracy() {
  "$dann" eval --model "$1" --data "$2" --json 2>"$3" \
    | python3 -c "import json, sys; print('%.6f' % json.load(sys.stdin)['accuracy'])" 2>>"$3"
}

# one task: name, source, target, test
run_task() {
  local task=$1 src=$2 tgt=$3 tst=$4 seed mode method dir log acc t0
  wanted "$task" || return 0
  echo "$task"
  for seed in $seeds; do
    for mode in source-only dann; do
      method=dann; [[ $mode == source-only ]] && method=dann_source_only
      done_already "$task" "$method" "$seed" && continue
      dir=$models/$task/$method-s$seed
      log=$models/$task/$method-s$seed.log
      mkdir -p "$models/$task"
      t0=$SECONDS
      if ! "$dann" train -q --force --source "$src" --target "$tgt" --out "$dir" --mode "$mode" \
          --seed "$seed" "${cfg[@]}" "${iters[@]}" >"$log" 2>&1; then
        fail "$task" "$method" "$seed" "$log"; continue
      fi
      if ! acc=$(accuracy "$dir" "$tst" "$log.eval"); then
        fail "$task" "$method eval" "$seed" "$log.eval"; continue
      fi
      echo "$task,$method,$seed,$acc" >> "$out_csv"
      echo "  $method seed $seed: $acc ($((SECONDS - t0)) s)"
    done
  done
  [[ ${SELECT:-1} == 0 ]] && return 0
  done_already "$task" dann_select 0 && return 0
  dir=$models/$task/select
  log=$models/$task/select.log
  t0=$SECONDS
  if ! "$dann" select -q --force --source "$src" --target "$tgt" --out "$dir" --seed 0 \
      "${cfg[@]}" >"$log" 2>&1; then
    fail "$task" dann_select 0 "$log"; return 0
  fi
  if ! acc=$(accuracy "$dir" "$tst" "$log.eval"); then
    fail "$task" "dann_select eval" 0 "$log.eval"; return 0
  fi
  echo "$task,dann_select,0,$acc" >> "$out_csv"
  echo "  dann_select seed 0: $acc ($((SECONDS - t0)) s)"
}

found=0
for d in "$tasks_dir"/*/; do
  [[ -f $d/source.csv ]] || continue
  found=1
  run_task "$(basename "$d")" "$d/source.csv" "$d/target.csv" "$d/test.csv"
done
((found)) || echo "no tasks in $tasks_dir (python3 $here/make_tasks.py writes them)" >&2

if [[ ${AMAZON:-1} != 0 ]]; then
  domains=(books dvd electronics kitchen)
  for s in "${domains[@]}"; do
    for t in "${domains[@]}"; do
      [[ $s == "$t" ]] && continue
      f_s=$amazon_dir/${s}_train.svmlight.gz f_t=$amazon_dir/${t}_train.svmlight.gz
      f_test=$amazon_dir/${t}_test.svmlight.gz
      if [[ ! -f $f_s || ! -f $f_t || ! -f $f_test ]]; then
        wanted "amazon_${s}_$t" && echo "amazon_${s}_$t: skipped, files missing in $amazon_dir" >&2
        continue
      fi
      run_task "amazon_${s}_$t" "$f_s" "$f_t" "$f_test"
    done
  done
fi
echo "rows in $out_csv; failures (if any) in $errors"
