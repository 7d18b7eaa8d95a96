#!/usr/bin/env bash
# The whole test suite: fetches the sample portrait (once), runs every native test, then the web tests
# (wasm API in headless Chromium and the page end to end; scripts/test-web.sh installs what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-sample.sh >/dev/null
cargo test --locked
bash scripts/test-web.sh
