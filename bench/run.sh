#!/usr/bin/env bash
# The benchmark, in one command (not part of the tests; see bench/README.md):
#   bash bench/run.sh [--quick] [--detect-every N] [--segment-every N] [--only LIST] [--no-native]
# Installs bench/node_modules (npm ci) and builds what is missing: the sample, www/pkg (scripts/build-web.sh,
# only when missing), the native CLI (cargo build --release --features cli: a no-op when up to date).
# Prints a markdown table; writes bench/results/latest.json and latest.md (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
t0=$SECONDS
step() { echo "== $* ($((SECONDS - t0)) s)" >&2; }
for a in "$@"; do case "$a" in -h|--help) exec node bench/bench.mjs --help ;; esac; done

step "npm packages (bench/)"
if [ ! -f bench/node_modules/.package-lock.json ] ||
   ! cmp -s bench/package-lock.json bench/node_modules/.package-lock-source 2>/dev/null; then
  (cd bench && npm ci --no-audit --no-fund --loglevel=error) >&2
  cp bench/package-lock.json bench/node_modules/.package-lock-source
fi
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || {
  echo "Chromium missing: bash scripts/web-tools.sh installs it" >&2
  exit 1
}

step "sample"
bash scripts/fetch-sample.sh >/dev/null

if [ ! -f www/pkg/photo_check_bg.wasm ]; then
  step "www/pkg missing: scripts/build-web.sh"
  bash scripts/build-web.sh
fi

native=1
for a in "$@"; do [ "$a" = --no-native ] && native=0; done
if [ "$native" = 1 ]; then
  step "native CLI (cargo build --release --features cli; slow only the first time)"
  cargo build --release --features cli --quiet
fi

step "benchmark"
node bench/bench.mjs "$@"
step "done"
