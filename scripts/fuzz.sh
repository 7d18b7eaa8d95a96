#!/usr/bin/env bash
# Runs one fuzz target for a while (not part of the test suite). Needs `cargo install cargo-fuzz`.
#   bash scripts/fuzz.sh decode 600        # target, seconds (default 300)
# Targets: decode, decode_small, profile, check_image, check_rgba, model_bytes (see fuzz/fuzz_targets/).
# decode_small (the decoders under 1 MP limits, for volume) also reads decode's corpus and seeds.
# Stable Rust, no sanitizer (-s none), debug assertions and overflow checks on (cargo-fuzz's default).
# With AddressSanitizer instead: RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET (from fuzz/).
# Crashes land in fuzz/artifacts/TARGET/; copy each to tests/regressions/TARGET/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?target: decode, decode_small, profile, check_image, check_rgba or model_bytes}
seconds=${2:-300}
bash scripts/fetch-sample.sh >/dev/null
# seeds: the committed ones, plus the real detector model for model_bytes, in both formats (not committed)
mkdir -p fuzz/corpus/model_bytes
cp -n models/face_detection_short_range.onnx fuzz/corpus/model_bytes/seed-face_detection_short_range.onnx
cp -n models/face_detection_short_range.nnef.tar fuzz/corpus/model_bytes/seed-face_detection_short_range.nnef.tar
case "$target" in
  decode|decode_small|check_image) max_len=65536 ;;
  check_rgba) max_len=262144 ;;
  profile) max_len=16384 ;;
  model_bytes) max_len=1048576 ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
cd fuzz
corpora=()
if [ "$target" = decode_small ]; then mkdir -p corpus/decode_small; corpora=(corpus/decode_small corpus/decode); fi
exec nice -n 10 cargo fuzz run -s none "$target" "${corpora[@]}" -- \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
