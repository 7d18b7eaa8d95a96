#!/usr/bin/env bash
# Rebuild models/*.onnx from the PyPI wheel mediapipe==0.10.14 (see models/README.md).
# Heavy (TensorFlow, ~1 GB of packages): run by a human refreshing the models, never by CI.
#
#   bash models/recipe/convert.sh              # from anywhere inside the repo
#
# Environment:
#   PYTHON     interpreter for the venv (default python3; must be 3.11, the pins and wheels are for it)
#   CACHE      venv + downloads + scratch (default <repo>/.cache/models-recipe, git-ignored)
#   REFERENCE  folder of reference conversions to compare with (default: the shared models folder beside
#              the repository; skipped when missing)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODELS="$(dirname "$HERE")"
ROOT="$(dirname "$MODELS")"
PYTHON="${PYTHON:-python3}"
CACHE="${CACHE:-$ROOT/.cache/models-recipe}"
REFERENCE="${REFERENCE:-$ROOT/../shared/models}"

MEDIAPIPE_WHEEL=mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
MEDIAPIPE_SHA256=a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4
# sample photo for the checks: skimage/data/astronaut.png (public domain) from the scikit-image wheel
SKIMAGE_WHEEL=scikit_image-0.25.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
SKIMAGE_SHA256=24cc986e1f4187a12aa319f777b36008764e856e5013666a4a83f8df083c2641
WHEEL_ARGS=(--no-deps --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311
            --platform manylinux_2_17_x86_64)

"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "need Python 3.11, got " + sys.version' 

mkdir -p "$CACHE/downloads" "$CACHE/work"
VENV="$CACHE/venv"
STAMP="$VENV/.requirements.sha256"
REQ_SUM="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$REQ_SUM" ]; then
    echo "== creating $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -r "$HERE/requirements.txt"
    echo "$REQ_SUM" > "$STAMP"
fi

fetch() {  # fetch <requirement> <file> <sha256>
    local file="$CACHE/downloads/$2"
    if [ ! -f "$file" ]; then
        echo "== pip download $1"
        "$VENV/bin/pip" download --quiet "${WHEEL_ARGS[@]}" "$1" -d "$CACHE/downloads"
    fi
    echo "$3  $file" | sha256sum --check --quiet
}
fetch mediapipe==0.10.14 "$MEDIAPIPE_WHEEL" "$MEDIAPIPE_SHA256"
fetch scikit-image==0.25.2 "$SKIMAGE_WHEEL" "$SKIMAGE_SHA256"
"$VENV/bin/python" - "$CACHE/downloads/$SKIMAGE_WHEEL" "$CACHE/work/astronaut.png" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    data = z.read("skimage/data/astronaut.png")
open(sys.argv[2], "wb").write(data)
EOF

REF_ARGS=()
if [ -d "$REFERENCE" ]; then
    REF_ARGS=(--reference "$REFERENCE")
else
    echo "== no reference folder at $REFERENCE: comparing with the .tflite only"
fi

echo "== converting"
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
"$VENV/bin/python" "$HERE/convert.py" \
    --wheel "$CACHE/downloads/$MEDIAPIPE_WHEEL" \
    --work "$CACHE/work" \
    --out "$MODELS" \
    --image "$CACHE/work/astronaut.png" \
    "${REF_ARGS[@]}"

echo "== models/SHA256SUMS"
cat "$MODELS/SHA256SUMS"
(cd "$MODELS" && sha256sum --check --quiet SHA256SUMS)
