#!/usr/bin/env bash
# Browser tests in headless Chromium: the app's components (tests/browser.rs) and
# the GPU backend on WebGPU against the CPU (tests/browser_gpu.rs). cargo builds
# each test for wasm32 and runs it through wasm-bindgen-test-runner, which starts
# chromedriver; webdriver.json adds Chromium's path and flags, among them
# --enable-unsafe-webgpu, which gives a SwiftShader WebGPU adapter on a machine
# without a GPU (the runner itself adds headless and no-sandbox). A browser that
# cannot start, or no WebGPU adapter, is a failure. Extra arguments go to the test
# binaries, e.g. a test name filter.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/webdriver.json"
# Chromium's first start on a cold machine can be slow.
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-30}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
# The test failures say what went wrong; the runner's own Rust backtrace adds nothing.
export RUST_LIB_BACKTRACE=0

[[ -x "$CHROMEDRIVER" ]] || { echo "browser-tests: chromedriver not found at $CHROMEDRIVER (run make setup)" >&2; exit 1; }

cargo test --target wasm32-unknown-unknown --test browser --test browser_gpu -- "$@"
