# Shared environment for the .ci scripts (sourced, not run): puts the Rust
# tools and the project-local wasm-opt (npm binaryen) first on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.ci/node/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive
