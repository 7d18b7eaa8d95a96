#!/usr/bin/env bash
# Installs what the web build and tests need, skipping what is present: the wasm32 target, wasm-pack,
# wasm-bindgen-cli 0.2.130 (= Cargo.lock), the three browser engines (Chromium + ChromeDriver; Firefox ESR;
# WebKitGTK's MiniBrowser + WebKitWebDriver, run under Xvfb), CJK and emoji fonts for readable screenshots, Node, and
# the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
command -v wasm-pack >/dev/null || cargo install wasm-pack --locked
# wasm-pack cannot download its helpers here; give it the wasm-bindgen CLI matching Cargo.lock (=0.2.130).
if ! wasm-bindgen --version 2>/dev/null | grep -q ' 0.2.130'; then
  cargo install wasm-bindgen-cli --version 0.2.130 --locked || cargo install wasm-bindgen-cli --version 0.2.130
fi
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
command -v node >/dev/null || { sudo_ apt-get update -qq && sudo_ apt-get install -y -qq nodejs npm; }
[ -d node_modules/weixin-js-sdk ] || npm ci --no-audit --no-fund
[ -d tests/e2e/node_modules/puppeteer-core ] && [ -d tests/e2e/node_modules/typescript ] \
  || (cd tests/e2e && npm ci --no-audit --no-fund)

