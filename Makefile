# Developer commands for backprop-viz. `make help` lists them.
# Scripts under .ci/ hold the longer logic; recipes stay short.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/.ci/node/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: help setup serve build test lint fmt clean
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

test: setup lint ## Everything CI runs: lint, release web build (prints wasm size), cargo test
	bash .ci/build-web.sh
	cargo test

clean: ## Remove build outputs
	cargo clean
	rm -rf dist
