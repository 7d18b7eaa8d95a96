#!/usr/bin/env bash
# Builds what www/ needs and is not committed:
#   www/pkg/     the wasm module + JS glue + TypeScript types (wasm-pack build --target web, release)
#   www/models/  copies of the three committed ONNX models (fetched by the page from its own origin)
#   www/vendor/jweixin.js  the WeChat JS-SDK from npm weixin-js-sdk (loaded only inside WeChat), when installed
# The wasm build has no embedded models (--no-default-features): the page fetches them with progress,
# and the browser caches them apart from the code.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack build --target web --release --no-pack --out-dir www/pkg -- --no-default-features
rm -f www/pkg/.gitignore
mkdir -p www/models
cp models/face_detection_short_range.onnx models/face_landmark.onnx models/selfie_segmentation.onnx www/models/
if [ -f node_modules/weixin-js-sdk/index.js ]; then
  mkdir -p www/vendor
  # The npm file is CommonJS (module.exports); as a plain script it needs a module object. It sets window.wx.
  { echo '/* weixin-js-sdk (MIT), vendored from npm by scripts/build-web.sh */ (function () { var module = { exports: {} };';
    cat node_modules/weixin-js-sdk/index.js
    echo '})();'; } > www/vendor/jweixin.js
else
  echo "note: node_modules/weixin-js-sdk missing (run npm ci): the mini-program bridge then needs the host to provide window.wx" >&2
fi
wasm=www/pkg/photo_check_bg.wasm
echo "wasm: $(stat -c %s "$wasm") B raw, $(gzip -9c "$wasm" | wc -c) B gzip; models: $(cat www/models/*.onnx | wc -c) B raw, $(cat www/models/*.onnx | gzip -9c | wc -c) B gzip" >&2
