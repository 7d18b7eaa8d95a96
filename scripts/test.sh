#!/usr/bin/env bash
# The whole test suite: fetches the sample portrait (once), then every native test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-sample.sh >/dev/null
cargo test --locked
