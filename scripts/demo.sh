#!/usr/bin/env bash
# The main job: check the bundled sample portrait with the CLI (table, then the JSON report).
set -euo pipefail
cd "$(dirname "$0")/.."
sample=$(bash scripts/fetch-sample.sh)
cargo build --locked --quiet --bin photo-check
status=0
./target/debug/photo-check check "$sample" || status=$?
./target/debug/photo-check check --json "$sample" || true
echo "exit status of the check: $status (0 = pass, 1 = fail or undecided, 2 = error)"
