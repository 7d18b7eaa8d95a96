#!/usr/bin/env bash
# The figures README quotes for glasses_clear and no_jewelry: checks every labelled photo of portraits/ and
# celeba-5k/ once with the CLI (reports cached in .cache/glasses-jewelry/; delete it after changing a
# measure), then fits the presence and jewellery limits on `train` and prints `val`
# (scripts/fit_glasses_jewelry.py). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=${EVAL_DIR:-../shared/eval}
[ -d "$eval_dir" ] || { echo "no labelled photos at $eval_dir (set EVAL_DIR)" >&2; exit 0; }
cargo build --locked --quiet --bin photo-check
bin=${CARGO_TARGET_DIR:-target}/debug/photo-check
cache=.cache/glasses-jewelry
mkdir -p "$cache"
for set in portraits celeba-5k; do
  out=$cache/$set.jsonl
  if [ ! -s "$out" ]; then
    # two processes, each on every other row; the fit matches reports to rows by file name
    for part in 0 1; do
      awk -F, -v d="$eval_dir/$set/" -v part=$part 'NR > 1 && NR % 2 == part { print d $1 }' \
        "$eval_dir/$set/labels.csv" | xargs "$bin" check --json > "$out.$part" || true &
    done
    wait
    cat "$out.0" "$out.1" > "$out" && rm "$out.0" "$out.1"
  fi
done
python3 scripts/fit_glasses_jewelry.py --eval-dir "$eval_dir" --reports "$cache"/*.jsonl \
  --profile profiles/chsi.toml "$@"
