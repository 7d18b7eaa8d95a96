#!/usr/bin/env bash
# The main job: the CLI checks the bundled sample portrait (table + JSON), then the H5 capture page is
# built and served locally (its URL is printed; Ctrl-C stops it). DEMO=cli stops after the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
sample=$(bash scripts/fetch-sample.sh)
cargo build --locked --quiet --bin photo-check
status=0
./target/debug/photo-check check "$sample" || status=$?
./target/debug/photo-check check --json "$sample" || true
echo "exit status of the check: $status (0 = pass, 1 = fail or undecided, 2 = error)"
[ "${DEMO:-}" = cli ] && exit 0
exec bash scripts/serve.sh
