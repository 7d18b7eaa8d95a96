#!/usr/bin/env bash
# Every web test, on a fresh machine: installs what is missing, then
#   1. wasm-pack test --headless --chrome (profile wasm) (tests/wasm.rs: the wasm API in Chromium)
#   2. scripts/build-web.sh + the E2E tests            (tests/e2e/*.test.mjs: the page with a fake camera,
#                                                       faults, privacy; the CLI and the wasm module agree;
#                                                       the npm package: its types against the Rust ones, and
#                                                       consumer.test.mjs: the packed .tgz installed in a fresh
#                                                       folder, bundled with esbuild from the npm registry,
#                                                       checking the sample in Chromium like the CLI)
# Exits non-zero on any failure. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
t0=$SECONDS
step() { echo "== $* ($((SECONDS - t0)) s)" >&2; }

step "tools"
bash scripts/web-tools.sh
step "sample and the CLI's JSON for it"
bash scripts/fetch-sample.sh >/dev/null
# Exit 1 means the photo failed the profile (it does: she smiles); 2 would be an error.
rc=0; cargo run --quiet -- check .cache/sample/astronaut.png --json > .cache/sample/astronaut.cli.json || rc=$?
[ "$rc" -le 1 ] || { echo "photo-check CLI failed ($rc)" >&2; exit 1; }

step "wasm-pack test (tests/wasm.rs)"
profile_dir=$(mktemp -d /tmp/photo-check-wbt-XXXXXX)
trap 'rm -rf "$profile_dir"' EXIT
# Chromium as root in a container needs these flags; wasm-bindgen-test-runner reads ./webdriver.json.
# chromedriver must be given the real binary: Debian's /usr/bin/chromium is a wrapper script.
chrome_bin=$(test -x /usr/lib/chromium/chromium && echo /usr/lib/chromium/chromium || command -v chromium)
cat > webdriver.json <<JSON
{ "goog:chromeOptions": { "binary": "$chrome_bin", "args": [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
  "--user-data-dir=$profile_dir"] } }
JSON
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
# Same flags and target dir as build-web.sh's module, so the two share their dependencies. Its lints first
# (scripts/lint.sh lints the library for wasm; this file includes the CLI report written above).
RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128' \
  cargo clippy --locked --test wasm --target wasm32-unknown-unknown --no-default-features \
  --target-dir "${WASM_TARGET:-target}/wasm-simd" -- -D warnings
RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128' \
CARGO_TARGET_DIR="${WASM_TARGET:-target}/wasm-simd" WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-900} \
  wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER" -- --profile wasm --no-default-features --test wasm

step "build www/"
bash scripts/build-web.sh

step "E2E (tests/e2e)"
(cd tests/e2e && node --test --test-reporter=spec *.test.mjs)
step "done"
