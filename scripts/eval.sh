#!/usr/bin/env bash
# Accuracy on the labelled photos in ../shared/eval (not part of the repo). Prints one table per set.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=${EVAL_DIR:-../shared/eval}
if [ ! -d "$eval_dir" ]; then
  echo "no labelled photos at $eval_dir (set EVAL_DIR); skipping" >&2
  exit 0
fi
cargo build --locked --quiet --bin photo-check
for set in pose portraits celeba lighting; do
  echo "== $set"
  ./target/debug/photo-check eval --labels "$eval_dir/$set/labels.csv" "$@"
done
