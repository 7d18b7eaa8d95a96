#!/usr/bin/env bash
# Format and lints, as CI runs them: rustfmt, clippy natively and for the browser build (warnings are errors,
# missing docs included), and two rules no tool checks: no line over 120 characters, and no comment pointing
# outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
# the browser build too: its wasm SIMD code and src/wasm.rs compile only there (tests/wasm.rs, which needs the
# sample's CLI report first, is linted by scripts/test-web.sh before it runs)
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128' \
  cargo clippy --locked --lib --target wasm32-unknown-unknown --no-default-features \
  --target-dir target/wasm-simd -- -D warnings
files=$(git ls-files '*.rs' '*.js' '*.mjs' '*.sh' '*.toml' '*.py' '.ci/run' | grep -v '^fuzz/corpus/' \
  | grep -v '^src/observe/canonical_face.rs$')
status=0
# characters, not bytes (Chinese messages are three bytes a character; Debian's awk counts bytes)
long=$(perl -CSD -ne 'print "$ARGV:$.: ", length($_) - 1, " chars\n" if length($_) > 121; close ARGV if eof' $files)
if [ -n "$long" ]; then echo "lines over 120 characters:" >&2; echo "$long" >&2; status=1; fi
# a comment naming the shared folder (or a machine path) points at files a reader of the repo does not have
# (the pattern is assembled so that this line does not match itself)
shared=shared work=work
outside=$(grep -nE "(//|#).*(\\.\\./$shared|/$work/)" $files || true)
if [ -n "$outside" ]; then echo "comments pointing outside the repository:" >&2; echo "$outside" >&2; status=1; fi
exit $status
