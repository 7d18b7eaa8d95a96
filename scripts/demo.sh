#!/usr/bin/env bash
# The main job: the CLI checks the bundled sample portrait (table + JSON), then the H5 capture page is
# built and served locally together with the upload receiver (`photo-check serve`): the page's POST /upload
# goes through the page server (same origin, strict CSP) to the receiver, which checks the photo again and
# stores it in .cache/receiver/ (both URLs are printed; Ctrl-C stops both). DEMO=cli stops after the CLI.
#   PORT (page, 8080), RECEIVER_PORT (8081), PHOTO_CHECK_TOKEN (the reviewer's token; made up when unset)
# On a first run the page's wasm build (and its tools) runs in the background while the CLI builds in the
# foreground: the two share no artefacts (different targets), and on 2 cores each fills the other's
# single-threaded stretches. Its log is .cache/demo-web.log; a line every 30 s says how far both have got.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
sample=$(bash scripts/fetch-sample.sh)
mkdir -p .cache
web=
if [ "${DEMO:-}" != cli ]; then
  echo "building the page's wasm module in the background (log: .cache/demo-web.log)" >&2
  (bash scripts/web-tools.sh page && bash scripts/build-web.sh) > .cache/demo-web.log 2>&1 &
  web=$!
  (while sleep 30; do
    echo "… $((SECONDS - t0)) s: page build: $(grep -c '^ *Compiling' .cache/demo-web.log || true) crates compiled" >&2
  done) &
  ticker=$!
  trap 'kill "$ticker" "$web" 2>/dev/null || true' EXIT
fi
echo "building the CLI (cargo's progress below; the first build takes minutes)" >&2
cargo build --locked --bin photo-check
bin=${CARGO_TARGET_DIR:-target}/debug/photo-check
status=0
"$bin" check "$sample" || status=$?
"$bin" check --json "$sample" || true
echo "exit status of the check: $status (0 = pass, 1 = fail or undecided, 2 = error)"
echo "CLI ready after $((SECONDS - t0)) s" >&2
[ "${DEMO:-}" = cli ] && exit 0
if ! wait "$web"; then
  tail -30 .cache/demo-web.log >&2
  echo "the page's build failed (whole log: .cache/demo-web.log)" >&2
  exit 1
fi
kill "$ticker" 2>/dev/null || true
echo "page built after $((SECONDS - t0)) s" >&2

receiver_port=${RECEIVER_PORT:-8081}
export PHOTO_CHECK_TOKEN=${PHOTO_CHECK_TOKEN:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
"$bin" serve --port "$receiver_port" --data .cache/receiver &
receiver=$!
trap 'kill "$receiver" 2>/dev/null || true' EXIT INT TERM
echo "uploads: curl -H 'Authorization: Bearer $PHOTO_CHECK_TOKEN' http://127.0.0.1:$receiver_port/uploads"
PAGE_BUILT=1 bash scripts/serve.sh --upload-proxy "http://127.0.0.1:$receiver_port"
