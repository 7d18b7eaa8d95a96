#!/usr/bin/env bash
# The npm package (npm/: index.js, engine.js, worker.js, index.d.ts, package.json, README.md) and the page's copy:
#   1. www/photo-check.js, www/engine.js, www/worker.js  copies of npm/index.js, engine.js, worker.js: the page
#      imports the package's entry, so www/ is the package's first integration test (git-ignored copies)
#   2. target/npm/photo-check/  the package folder: npm/ + www/pkg/ (module, glue, types) + the models that
#      npm/index.js MODEL_FILES names (from models/)
#   3. target/npm/photo-check-VERSION.tgz  `npm pack` of it (VERSION: Cargo.toml's)
# Needs www/pkg/ (scripts/build-web.sh builds it, then calls this). Prints the tarball's path on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in index.js engine.js worker.js; do
  [ "$f" = index.js ] && out=www/photo-check.js || out="www/$f"
  cp npm/$f "$out"
done
[ -f www/pkg/photo_check_bg.wasm ] || { echo "www/pkg missing: run scripts/build-web.sh" >&2; exit 1; }
stage=target/npm/photo-check
rm -rf "$stage" && mkdir -p "$stage/pkg" "$stage/models"
cp npm/index.js npm/engine.js npm/worker.js npm/index.d.ts npm/package.json npm/README.md "$stage/"
cp www/pkg/photo_check.js www/pkg/photo_check.d.ts www/pkg/photo_check_bg.wasm "$stage/pkg/"
models=$(node --input-type=module -e \
  "import { MODEL_FILES } from './npm/index.js'; console.log(Object.values(MODEL_FILES).join('\n'))")
for m in $models; do cp "models/$m" "$stage/models/"; done
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
(cd "$stage" && npm pkg set version="$version" >/dev/null)
tgz=$(cd target/npm && npm pack ./photo-check --silent 2>/dev/null | tail -1)
echo "npm package: target/npm/$tgz, $(stat -c %s "target/npm/$tgz") B packed;" \
  "unpacked $(du -sb "$stage" | cut -f1) B" >&2
echo "target/npm/$tgz"
