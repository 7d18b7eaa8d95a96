#!/usr/bin/env bash
# The whole test suite: fetches the sample portrait (once), checks format and lints (scripts/lint.sh), runs
# every native test, then the web tests (wasm API in headless Chromium and the page end to end;
# scripts/test-web.sh installs what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-sample.sh >/dev/null
bash scripts/lint.sh
cargo test --locked
bash scripts/test-web.sh
