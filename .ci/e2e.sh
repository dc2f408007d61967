#!/usr/bin/env bash
# End-to-end tests of the built site in headless Chromium. Node's built-in
# test runner runs tests/e2e/*.test.js; each file serves dist/ (built by
# .ci/build-web.sh) on 127.0.0.1 with a small Node server and drives the
# system Chromium through playwright-core. A browser that cannot start is a
# failure. Screenshots go to tests/e2e/screenshots/ (cleared first). E2E_DIST
# (an absolute path) serves another directory instead of dist/.
# Arguments go to `node --test`, e.g. a file: bash .ci/e2e.sh walkthrough.test.js
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT/tests/e2e"

DIST_DIR="${E2E_DIST:-$ROOT/dist}"
[[ -f "$DIST_DIR/index.html" ]] || { echo "e2e: no $DIST_DIR/index.html; build the site first (make build)" >&2; exit 1; }
[[ -d node_modules/playwright-core ]] || { echo "e2e: playwright-core is not installed; run make setup" >&2; exit 1; }

rm -rf screenshots
# Plain output in logs (Playwright's call logs are coloured otherwise).
export FORCE_COLOR=0
# One file at a time: each file starts its own Chromium, and the machine may have 2 cores.
node --test --test-concurrency=1 "$@"
