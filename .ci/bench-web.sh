#!/usr/bin/env bash
# The browser benchmark (bench/web): our wgpu backend on WebGPU against TensorFlow.js's
# WebGPU backend and jax-js's WebGPU device, in headless Chromium on one adapter
# (SwiftShader without a GPU). Builds the wasm of examples/bench_web.rs (release, wasm32, outside Trunk) and its JS
# glue (wasm-bindgen --target web) into bench/web/pkg/, installs the page's pinned npm
# packages (npm ci, only when the lockfile changed), then runs bench/web/run.mjs, which
# prints the figures and fails if WebGPU is missing or the sides disagree (after
# bench/web/bench.test.mjs has checked those checks).
# Arguments go to run.mjs, e.g. --quick or --sizes=256,512.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

BENCH_DIR=bench/web

command -v wasm-bindgen >/dev/null || { echo "bench-web: wasm-bindgen not found (run make setup)" >&2; exit 1; }
[[ -x /usr/bin/chromium || -n "${CHROMIUM:-}" ]] || { echo "bench-web: Chromium not found (run make setup)" >&2; exit 1; }

cargo build --release --target wasm32-unknown-unknown --example bench_web
rm -rf "$BENCH_DIR/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$BENCH_DIR/pkg" \
    target/wasm32-unknown-unknown/release/examples/bench_web.wasm
# The digits workload's data, fetched by the page (the wasm embeds no dataset).
cp www/data/digits.csv.gz "$BENCH_DIR/pkg/"

lock="$(sha256sum "$BENCH_DIR/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$BENCH_DIR/node_modules/.lock-sha256" 2>/dev/null)" != "$lock" ]]; then
    echo "bench-web: installing the page's packages (npm ci in $BENCH_DIR)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$BENCH_DIR" --no-audit --no-fund --loglevel=error
    echo "$lock" >"$BENCH_DIR/node_modules/.lock-sha256"
fi

# The benchmark's own checks first: a broken verdict must not pass for a measurement.
node --test --test-reporter=dot "$BENCH_DIR/bench.test.mjs"
node "$BENCH_DIR/run.mjs" "$@"
