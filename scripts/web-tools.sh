#!/usr/bin/env bash
# Installs what the web build and tests need, skipping what is present.
#   bash scripts/web-tools.sh page   what building and serving the page needs: the wasm32 target, Node and the
#                                    page's npm package (scripts/demo.sh); scripts/build-web.sh adds the rest
#   bash scripts/web-tools.sh bindgen   the wasm32 target and wasm-bindgen-cli 0.2.130 (= Cargo.lock)
#   bash scripts/web-tools.sh        all that, and what the tests need: wasm-pack, the three browser engines
#                                    (Chromium + ChromeDriver; Firefox ESR; WebKitGTK's MiniBrowser + WebKitWebDriver,
#                                    run under Xvfb), CJK and emoji fonts for readable screenshots, the tests' npm
#                                    packages
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# the wasm-bindgen CLI matching Cargo.lock (=0.2.130); wasm-pack cannot download its own here either. `page`
# leaves it to scripts/build-web.sh, which installs it (`bindgen`) while the module builds.
if [ "${1:-all}" != page ] && ! wasm-bindgen --version 2>/dev/null | grep -q ' 0.2.130'; then
  cargo install wasm-bindgen-cli --version 0.2.130 --locked || cargo install wasm-bindgen-cli --version 0.2.130
fi
[ "${1:-all}" = bindgen ] && exit 0
command -v node >/dev/null || { sudo_ apt-get update -qq && sudo_ apt-get install -y -qq nodejs npm; }
[ -d node_modules/weixin-js-sdk ] || npm ci --no-audit --no-fund
[ "${1:-all}" = page ] && exit 0

command -v wasm-pack >/dev/null || cargo install wasm-pack --locked
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v firefox-esr >/dev/null || need+=(firefox-esr)
command -v WebKitWebDriver >/dev/null || need+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null || need+=(xvfb)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi 'color emoji' || need+=(fonts-noto-color-emoji) # the 🔊 button
if [ ${#need[@]} -gt 0 ]; then
  sudo_ apt-get update -qq && sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
[ -d tests/e2e/node_modules/puppeteer-core ] && [ -d tests/e2e/node_modules/typescript ] \
  || (cd tests/e2e && npm ci --no-audit --no-fund)

