# Developer commands for backprop-viz. `make help` lists them.
# Scripts under .ci/ hold the longer logic; recipes stay short.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/.ci/node/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

HOST ?= 127.0.0.1
PORT ?= 8080
# Seconds each fuzz target runs for (`make fuzz FUZZ_SECONDS=300`).
FUZZ_SECONDS ?= 60

.PHONY: help setup serve build test browser-test e2e latex-check bench-web fuzz lint fmt clean
.NOTPARALLEL:

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-6s %s\n", $$1, $$2 }'

setup: ## Install the toolchain, Trunk, wasm-bindgen, wasm-opt, Chromium (skips what is present)
	bash .ci/setup.sh

serve: setup ## Dev server with live reload at http://127.0.0.1:8080/
	@echo "Serving backprop-viz at http://$(HOST):$(PORT)/"
	cargo fetch --quiet
	trunk serve --offline --address $(HOST) --port $(PORT)

build: setup ## Release build of the browser app into dist/
	bash .ci/build-web.sh

lint: ## rustfmt check and clippy (host, and wasm32 for the browser app)
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --bins -- -D warnings

fmt: ## Format the code
	cargo fmt

test: setup lint ## Everything CI runs: lint, release web build (prints wasm size), cargo test, browser tests
	bash .ci/build-web.sh
	cargo test
	cargo test --test latex_fit -- --ignored
	bash .ci/browser-tests.sh
	bash .ci/e2e.sh

browser-test: setup ## Component tests (tests/browser.rs) in headless Chromium via wasm-bindgen-test
	bash .ci/browser-tests.sh

e2e: build ## End-to-end tests (tests/e2e) of a fresh release build in headless Chromium
	bash .ci/e2e.sh

latex-check: setup ## Compile every worked example's LaTeX export with pdflatex; fail on an overfull box over 1 pt
	cargo test --test latex_fit -- --ignored

bench-web: setup ## Benchmark: our WebGPU backend against TensorFlow.js and jax-js (WebGPU) in headless Chromium
	bash .ci/bench-web.sh

fuzz: ## Fuzz every entry point reading outside text, FUZZ_SECONDS each (nightly, cargo-fuzz); not part of test
	bash .ci/fuzz.sh $(FUZZ_SECONDS)

clean: ## Remove build outputs
	cargo clean
	rm -rf dist
