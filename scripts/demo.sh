#!/usr/bin/env bash
# The main job: the CLI checks the bundled sample portrait (table + JSON), then the H5 capture page is
# built and served locally together with the upload receiver (`photo-check serve`): the page's POST /upload
# goes through the page server (same origin, strict CSP) to the receiver, which checks the photo again and
# stores it in .cache/receiver/ (both URLs are printed; Ctrl-C stops both). DEMO=cli stops after the CLI.
#   PORT (page, 8080), RECEIVER_PORT (8081), PHOTO_CHECK_TOKEN (the reviewer's token; made up when unset)
set -euo pipefail
cd "$(dirname "$0")/.."
sample=$(bash scripts/fetch-sample.sh)
cargo build --locked --quiet --bin photo-check
bin=${CARGO_TARGET_DIR:-target}/debug/photo-check
status=0
"$bin" check "$sample" || status=$?
"$bin" check --json "$sample" || true
echo "exit status of the check: $status (0 = pass, 1 = fail or undecided, 2 = error)"
[ "${DEMO:-}" = cli ] && exit 0

receiver_port=${RECEIVER_PORT:-8081}
export PHOTO_CHECK_TOKEN=${PHOTO_CHECK_TOKEN:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
"$bin" serve --port "$receiver_port" --data .cache/receiver &
receiver=$!
trap 'kill "$receiver" 2>/dev/null || true' EXIT INT TERM
echo "uploads: curl -H 'Authorization: Bearer $PHOTO_CHECK_TOKEN' http://127.0.0.1:$receiver_port/uploads"
bash scripts/serve.sh --upload-proxy "http://127.0.0.1:$receiver_port"
