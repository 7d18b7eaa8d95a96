#!/usr/bin/env bash
# Fetches the sample portrait: the public-domain astronaut.png (NASA, Eileen Collins) that the PyPI
# package scikit-image ships in skimage/data/. Writes .cache/sample/astronaut.png (git-ignored).
# Skips the download when the file is already there with the right checksum.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/sample/astronaut.png
want=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
if [ -f "$out" ] && echo "$want  $out" | sha256sum --check --status; then
  echo "$out"
  exit 0
fi
mkdir -p .cache/sample .cache/wheels
wheel=$(ls .cache/wheels/scikit_image-0.25.2-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux_2_17_x86_64 --implementation cp scikit-image==0.25.2 -d .cache/wheels >&2
  wheel=$(ls .cache/wheels/scikit_image-0.25.2-*.whl | head -n1)
fi
python3 - "$wheel" "$out" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as f:
    f.write(z.read("skimage/data/astronaut.png"))
PY
echo "$want  $out" | sha256sum --check --status || { echo "astronaut.png checksum mismatch" >&2; exit 1; }
echo "$out"
