#!/usr/bin/env bash
# The main job: the H5 capture page, built and served locally with the upload receiver (`photo-check serve`)
# behind it — the page's POST /upload goes through the page server (same origin, strict CSP) to the receiver,
# which checks the photo again and stores it in .cache/receiver/ — and the CLI's check of the bundled sample
# portrait (table + JSON). Both URLs are printed; Ctrl-C stops everything. DEMO=cli: only the CLI's check.
#   PORT (page, 8080), RECEIVER_PORT (8081), PHOTO_CHECK_TOKEN (the reviewer's token; made up when unset)
# A first run builds what the page needs first: its wasm module in the foreground (cargo's progress below),
# served as soon as it is built. The CLI, which is also the receiver, builds beside it at low CPU priority
# (log: .cache/demo-cli.log, a line every 30 s says how far it got), then checks the sample and starts the
# receiver: an upload before then fails with "the upload receiver is unreachable" and the page keeps the
# photo for a retry.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
sample=$(bash scripts/fetch-sample.sh)
bin=${CARGO_TARGET_DIR:-target}/debug/photo-check
check_sample() {
  local status=0
  "$bin" check "$sample" || status=$?
  "$bin" check --json "$sample" || true
  echo "exit status of the check: $status (0 = pass, 1 = fail or undecided, 2 = error)"
}
if [ "${DEMO:-}" = cli ]; then
  cargo build --locked --bin photo-check
  check_sample
  exit 0
fi

mkdir -p .cache
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
echo "building the CLI and receiver at low priority in the background (log: .cache/demo-cli.log)" >&2
nice -n 15 cargo build --locked --bin photo-check > .cache/demo-cli.log 2>&1 &
cli=$!
pids+=("$cli")
(while sleep 30; do
  echo "… $((SECONDS - t0)) s: CLI build: $(grep -c '^ *Compiling' .cache/demo-cli.log || true) crates compiled" >&2
done) &
ticker=$!
pids+=("$ticker")

echo "building the page's wasm module (the first build takes minutes)" >&2
bash scripts/web-tools.sh page >&2
bash scripts/build-web.sh
receiver_port=${RECEIVER_PORT:-8081}
node scripts/serve.mjs --port "${PORT:-8080}" --host "${HOST:-127.0.0.1}" \
  --upload-proxy "http://127.0.0.1:$receiver_port" &
page=$!
pids+=("$page")
echo "page served after $((SECONDS - t0)) s; uploads work once the receiver has started (below)" >&2

if ! wait "$cli"; then
  tail -30 .cache/demo-cli.log >&2
  echo "the CLI's build failed (whole log: .cache/demo-cli.log)" >&2
  exit 1
fi
kill "$ticker" 2>/dev/null || true
check_sample
export PHOTO_CHECK_TOKEN=${PHOTO_CHECK_TOKEN:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
"$bin" serve --port "$receiver_port" --data .cache/receiver &
pids+=("$!")
echo "receiver started after $((SECONDS - t0)) s"
echo "uploads: curl -H 'Authorization: Bearer $PHOTO_CHECK_TOKEN' http://127.0.0.1:$receiver_port/uploads"
wait "$page"
