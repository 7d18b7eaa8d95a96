#!/usr/bin/env bash
# Builds the page (scripts/build-web.sh) and serves www/ on http://127.0.0.1:${PORT:-8080}/ with the strict CSP.
# getUserMedia needs a secure context: localhost works; from a phone, serve over HTTPS.
# Extra arguments go to scripts/serve.mjs (e.g. --upload-proxy http://127.0.0.1:8081, as scripts/demo.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
# PAGE_BUILT=1: www/ is already built (skips the tools check and scripts/build-web.sh)
if [ -z "${PAGE_BUILT:-}" ]; then
  bash scripts/web-tools.sh page >&2
  bash scripts/build-web.sh
fi
exec node scripts/serve.mjs --port "${PORT:-8080}" --host "${HOST:-127.0.0.1}" "$@"
