#!/usr/bin/env bash
# Builds what www/ needs and is not committed:
#   www/pkg/         the wasm module built with WebAssembly SIMD (+simd128) + JS glue + TypeScript types
#   www/models/      copies of the three committed NNEF archives models/*.nnef.tar (fetched by the page from its
#                    own origin; made from the ONNX files by examples/to_nnef.rs, see models/README.md)
#   www/vendor/jweixin.js  the WeChat JS-SDK from npm weixin-js-sdk (loaded only inside WeChat), when installed
#   www/photo-check.js, www/engine.js, www/worker.js  the npm package's JS (npm/), which the page imports, and
#   target/npm/photo-check-VERSION.tgz  the package itself (scripts/build-npm.sh)
# The wasm build has no embedded models (--no-default-features): the page fetches them with progress,
# and the browser caches them apart from the code. It reads NNEF only (tract-core + tract-nnef; tract-onnx is
# the native feature `onnx`): no ONNX parser or inference rules in the module.
#   ONLY=nosimd bash scripts/build-web.sh   builds only www/pkg-nosimd/, for bench/: the same module without
#       -C target-feature=+simd128, i.e. without tract's own SIMD kernels. It still needs wasm SIMD: tract-core
#       switches on rustfft's `wasm_simd` code, and LLVM gives a wasm module's features to every function of
#       it (fat LTO makes one module), so no build of tract-core 0.23 runs without SIMD. The page therefore
#       needs SIMD (app.js supported(): Chrome/WeChat XWeb 91+, Safari/iOS 16.4+, Firefox 89+).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# cargo + wasm-bindgen directly (not wasm-pack): two RUSTFLAGS variants, each in its own target dir so
# neither rebuilds the other's dependencies, and the name section removed (~1.5 MB raw, 0.37 MB gzip of
# function names that only a debugger reads). Profile `wasm` (Cargo.toml): opt-level "s" except the crates that
# run the networks (3.82 → 3.40 MB gzip, no slower in bench/). wasm-opt is not used: Debian's (binaryen 108)
# is too old for wasm-bindgen's output (the module then fails to load), and binaryen 132's -Oz made the module
# smaller raw but not smaller gzipped.
# RUSTFLAGS replaces .cargo/config.toml's rustflags, so the getrandom backend is repeated here.
# A missing wasm-bindgen CLI (a first run) is installed while the module builds: both are long, mostly
# single-threaded stretches on a first build.
bindgen=
if ! wasm-bindgen --version 2>/dev/null | grep -q ' 0.2.130'; then
  bash scripts/web-tools.sh bindgen &
  bindgen=$!
fi
build() {  # build OUT_DIR TARGET_DIR EXTRA_RUSTFLAGS
  RUSTFLAGS="--cfg getrandom_backend=\"wasm_js\" $3" \
    cargo build --locked --profile wasm --lib --target wasm32-unknown-unknown --no-default-features --target-dir "$2"
  if [ -n "$bindgen" ]; then wait "$bindgen"; bindgen=; fi
  wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir "$1" \
    "$2/wasm32-unknown-unknown/wasm/photo_check.wasm"
}
# WASM_TARGET: where the two target dirs go (default target/; a git worktree can share another tree's)
case "${ONLY:-simd}" in
  simd) build www/pkg "${WASM_TARGET:-target}/wasm-simd" "-C target-feature=+simd128" ;;
  nosimd) build www/pkg-nosimd "${WASM_TARGET:-target}/wasm-nosimd" "" ;;
  *) echo "ONLY must be simd or nosimd" >&2; exit 2 ;;
esac
mkdir -p www/models
cp models/face_detection_short_range.nnef.tar models/face_landmark.nnef.tar models/selfie_segmentation.nnef.tar \
  www/models/
if [ -f node_modules/weixin-js-sdk/index.js ]; then
  mkdir -p www/vendor
  # The npm file is CommonJS (module.exports); as a plain script it needs a module object. It sets window.wx.
  { echo '/* weixin-js-sdk (MIT), vendored from npm by scripts/build-web.sh */' \
      '(function () { var module = { exports: {} };';
    cat node_modules/weixin-js-sdk/index.js
    echo '})();'; } > www/vendor/jweixin.js
else
  echo "note: node_modules/weixin-js-sdk missing (run npm ci):" \
    "the mini-program bridge then needs the host to provide window.wx" >&2
fi
for wasm in www/pkg/photo_check_bg.wasm www/pkg-nosimd/photo_check_bg.wasm; do
  [ -f "$wasm" ] && echo "$wasm: $(stat -c %s "$wasm") B raw, $(gzip -9c "$wasm" | wc -c) B gzip" >&2
done
echo "models: $(cat www/models/*.nnef.tar | wc -c) B raw, $(cat www/models/*.nnef.tar | gzip -9c | wc -c) B gzip" >&2
# the npm package (npm/): its JS copied into www/ (the page imports it) and packed into target/npm/
if [ "${ONLY:-simd}" = simd ]; then bash scripts/build-npm.sh >/dev/null; fi
