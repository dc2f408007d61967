#!/usr/bin/env bash
# Release build of the browser app into dist/ (Trunk, offline, tools from
# PATH), then prints the size of the .wasm, raw and gzipped, and fails if the
# gzipped size is over the budget (the bundle size is a product metric).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

BUDGET_GZIP_BYTES=$((250 * 1024))

# trunk --offline also runs cargo offline, so make sure every crate is fetched.
cargo fetch --quiet
trunk build --release --offline "$@"

shopt -s nullglob
wasm=(dist/*.wasm)
((${#wasm[@]} == 1)) || { echo "expected one .wasm in dist/, found ${#wasm[@]}" >&2; exit 1; }
raw=$(wc -c <"${wasm[0]}")
gz=$(gzip -9 -c "${wasm[0]}" | wc -c)
awk -v f="${wasm[0]}" -v r="$raw" -v g="$gz" \
    'BEGIN { printf "wasm size: %s: %d bytes, %d bytes gzipped (%.1f KiB)\n", f, r, g, g / 1024 }'
if ((gz > BUDGET_GZIP_BYTES)); then
    echo "wasm size budget exceeded: $gz bytes gzipped > $BUDGET_GZIP_BYTES" >&2
    exit 1
fi
