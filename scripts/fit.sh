#!/usr/bin/env bash
# Refits the fitted thresholds on the train rows and prints train and val figures for each (see
# scripts/fit_thresholds.py): checks every labelled photo once with the CLI (reports cached in
# .cache/fit/), then replays each check's rule over candidate thresholds. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=${EVAL_DIR:-../shared/eval}
[ -d "$eval_dir" ] || { echo "no labelled photos at $eval_dir (set EVAL_DIR)" >&2; exit 0; }
cargo build --locked --quiet --bin photo-check
mkdir -p .cache/fit
for set in portraits celeba-5k; do
  out=.cache/fit/$set.jsonl
  if [ ! -s "$out" ]; then
    awk -F, -v d="$eval_dir/$set/" 'NR > 1 { print d $1 }' "$eval_dir/$set/labels.csv" \
      | xargs ./target/debug/photo-check check --json > "$out" || true
  fi
done
fit() { python3 scripts/fit_thresholds.py --labels "$eval_dir/$1/labels.csv" --reports ".cache/fit/$1.jsonl" "${@:2}"; }
fit portraits --check ears_visible --max-false-alarm 0.02
fit portraits --check body_frontal --max-false-alarm 0.04 --fixed max_width_asymmetry=0.35
fit portraits --check head_frontal
fit portraits --check mouth_closed
fit celeba-5k --check no_hat --max-false-alarm 0.02
fit celeba-5k --check mouth_closed --max-false-alarm 0.02
