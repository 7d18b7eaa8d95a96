#!/usr/bin/env bash
# The wasm soak (README "Robustness"): FRAMES (default 10,000) camera-like frames through one
# PhotoChecker.track in headless Chromium — the sample face jittered, no face, two faces, bad buffers
# interleaved as in the native soak (examples/soak.rs) — with wasm memory, the JS heap and the renderer's
# RSS every 500 frames. Not part of the test suite; exits non-zero on a trap, a bad buffer accepted or
# thrown without a code, or memory growing after the warm-up (frame 1,000).
#   bash scripts/soak-web.sh [FRAMES] [--every N] [--warmup N] [--pkg /www/pkg-nosimd/]
# Needs the built page (bash scripts/build-web.sh: www/pkg, www/models not required — models are served
# from models/), Chromium and tests/e2e's node_modules (scripts/web-tools.sh installs both).
# Results: .cache/soak/web-FRAMES.json (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-sample.sh >/dev/null
[ -f www/pkg/photo_check_bg.wasm ] || bash scripts/build-web.sh
[ -d tests/e2e/node_modules/playwright-core ] || bash scripts/web-tools.sh
exec node bench/soak/run.mjs "$@"
