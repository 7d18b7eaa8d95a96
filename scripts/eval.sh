#!/usr/bin/env bash
# Accuracy on the labelled photos (EVAL_DIR, outside the repo). Prints one table per set.
# Thresholds are chosen on `train` and reported on `val`: sets with a `split` column are measured on
# SPLIT (default val; SPLIT=train or SPLIT=all for the others), sets without one on all their rows.
# Extra arguments go to every `photo-check eval` (e.g. --verbose, --profile icao).
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=${EVAL_DIR:-../shared/eval}
split=${SPLIT:-val}
case "$split" in
  train | val | all) ;;
  *)
    echo "SPLIT=$split: expected train, val or all" >&2
    exit 2
    ;;
esac
if [ ! -d "$eval_dir" ]; then
  echo "no labelled photos at $eval_dir (set EVAL_DIR); skipping" >&2
  exit 0
fi
cargo build --locked --quiet --bin photo-check
for set in pose portraits celeba-5k celeba lighting; do
  labels="$eval_dir/$set/labels.csv"
  # the header row names the columns; a set without `split` has only `all`
  if head -n 1 "$labels" | tr -d '\r' | tr ',' '\n' | grep -x split >/dev/null; then
    set_split=$split
  else
    set_split=all
  fi
  echo "== $set (split $set_split)"
  ./target/debug/photo-check eval --labels "$labels" --split "$set_split" "$@"
done
