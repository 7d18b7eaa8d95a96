#!/usr/bin/env bash
# Batch checks on every core: images per second and peak memory of `photo-check check --jobs J` over a folder
# (default: the 150 labelled portraits of the evaluation set), for J = 1, 2 and every core. Release build
# (native).
# Usage: bash bench/batch.sh [FOLDER] [PROFILE=release|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:-../shared/eval/portraits}
profile=${PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --locked --release --quiet --bin photo-check; bin=target/release/photo-check
else
  cargo build --locked --quiet --bin photo-check; bin=target/debug/photo-check
fi
n=$(nproc)
files=$("$bin" check --json --jobs 1 "$folder" 2>/dev/null | wc -l || true)
echo "$files photos in $folder, $profile build, $n cores"
for jobs in $(printf '%s\n' 1 2 "$n" | sort -nu); do
  /usr/bin/time -f "%e %M" -o /tmp/photo-check-batch-time \
    "$bin" check --json --jobs "$jobs" "$folder" >/dev/null 2>&1 || true
  read -r secs kb < <(tail -n 1 /tmp/photo-check-batch-time)
  awk -v j="$jobs" -v s="$secs" -v k="$kb" -v f="$files" \
    'BEGIN { printf "  --jobs %-3s %6.1f s  %6.1f photos/s  peak RSS %5.0f MB\n", j, s, f / s, k / 1024 }'
done
rm -f /tmp/photo-check-batch-time
