#!/usr/bin/env bash
# Installs everything needed to build, lint and test the project; skips what is
# already installed, so it is cheap to run again. Installs:
#   - Rust: wasm32-unknown-unknown target, rustfmt, clippy
#   - trunk 0.21.14 and wasm-bindgen-cli (the version Cargo.lock resolves)
#   - wasm-opt from the npm package binaryen, into .ci/node (git-ignored)
#   - chromium, chromium-driver (browser tests), mesa-vulkan-drivers (wgpu tests)
#   - pdflatex (texlive-latex-base, texlive-latex-recommended; the LaTeX export check)
#   - python3-ipython (the Jupyter recipe's test), python3-sympy (the second derivatives'
#     oracle in tests/properties.rs), mdbook (the mdBook recipe's test)
#   - the E2E tests' npm packages (npm ci in tests/e2e) when the lockfile changed
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

TRUNK_VERSION=0.21.14
MDBOOK_VERSION=0.5.4
BINARYEN_VERSION=132

say() { printf 'setup: %s\n' "$*"; }

command -v cargo >/dev/null || { say "cargo not found; install Rust with rustup first"; exit 1; }

# Rust target and components.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "installing Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
        say "installing Rust component $component"
        rustup component add "$component"
    fi
done

# trunk (0.22 needs a newer rustc; --locked keeps its dependencies buildable).
if [[ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]]; then
    say "installing trunk $TRUNK_VERSION (takes a while)"
    cargo install --locked "trunk@$TRUNK_VERSION"
fi

# mdBook, for the README's mdBook recipe (tests/e2e/recipes.test.js); about a minute to build.
if [[ "$(mdbook --version 2>/dev/null)" != "mdbook v$MDBOOK_VERSION" ]]; then
    say "installing mdbook $MDBOOK_VERSION"
    cargo install --locked --no-default-features "mdbook@$MDBOOK_VERSION"
fi

# wasm-bindgen-cli must match the wasm-bindgen crate version in Cargo.lock.
[[ -f Cargo.lock ]] || cargo generate-lockfile
BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$BINDGEN_VERSION" ]] || { say "wasm-bindgen not found in Cargo.lock"; exit 1; }
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $BINDGEN_VERSION" ]]; then
    say "installing wasm-bindgen-cli $BINDGEN_VERSION"
    cargo install "wasm-bindgen-cli@$BINDGEN_VERSION"
fi

# wasm-opt from npm (Debian's binaryen is too old and breaks the wasm).
if ! "$ROOT/.ci/node/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -qF "(version_$BINARYEN_VERSION)"; then
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .ci/node"
    mkdir -p .ci/node
    npm install --prefix .ci/node --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
fi

# Debian packages, with one apt-get update only when something is missing.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
# Installed without recommended packages (TeX's documentation and fonts).
lean=()
command -v pdflatex >/dev/null || lean+=(texlive-latex-base)
dpkg -s texlive-latex-recommended >/dev/null 2>&1 || lean+=(texlive-latex-recommended)
# IPython, for the Jupyter recipe's test (tests/e2e/recipes.test.js).
python3 -c 'import IPython' >/dev/null 2>&1 || lean+=(python3-ipython)
# sympy, the independent oracle of the second-derivative property test (tests/properties.rs).
python3 -c 'import sympy' >/dev/null 2>&1 || lean+=(python3-sympy)
if ((${#missing[@]} + ${#lean[@]})); then
    say "installing Debian packages: ${missing[*]} ${lean[*]}"
    apt-get update
    if ((${#missing[@]})); then apt-get install -y "${missing[@]}"; fi
    # TeX and IPython without what they recommend: about 90 MB, 40 s.
    if ((${#lean[@]})); then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${lean[@]}"
    fi
fi

# E2E test packages: playwright-core only, which drives the system Chromium and
# downloads no browser. Reinstalled when package-lock.json changes.
E2E_DIR=tests/e2e
e2e_lock="$(sha256sum "$E2E_DIR/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$E2E_DIR/node_modules/.lock-sha256" 2>/dev/null)" != "$e2e_lock" ]]; then
    say "installing the E2E test packages (npm ci in $E2E_DIR)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$E2E_DIR" --no-audit --no-fund --loglevel=error
    echo "$e2e_lock" >"$E2E_DIR/node_modules/.lock-sha256"
fi

# Browser libraries the build copies into dist/ (reveal.js for the demo deck), pinned in
# www/vendor/package-lock.json. Reinstalled when it changes.
VENDOR_DIR=www/vendor
vendor_lock="$(sha256sum "$VENDOR_DIR/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$VENDOR_DIR/node_modules/.lock-sha256" 2>/dev/null)" != "$vendor_lock" ]]; then
    say "installing the vendored browser libraries (npm ci in $VENDOR_DIR)"
    npm ci --prefix "$VENDOR_DIR" --no-audit --no-fund --loglevel=error
    echo "$vendor_lock" >"$VENDOR_DIR/node_modules/.lock-sha256"
fi

say "ready: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version), $(chromium --version 2>/dev/null || echo chromium?)"
