# sio — one command to test everything, one to see it run.
#
#   make test         install what is missing, then fmt, clippy, all tests, wasm32 build of the core
#   make demo         the React chat + Rust bot on the bundled server (Ctrl-C stops it)
#   make bench        sio vs socket.io-client (Node) vs rust_socketio 0.6: one table (BENCHMARKS.md)
#   make bench-codec  our codec vs socket.io-parser, side by side
#   make fuzz         every cargo-fuzz target for FUZZ_SECONDS (default 60) each (nightly; see
#                     scripts/fuzz.sh); `make test` replays the checked-in corpus on stable
#
# Installs are idempotent and skipped when already satisfied, so repeated runs stay fast.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
SERVER_DIR := tests/server
NODE_STAMP := $(SERVER_DIR)/node_modules/.sio-stamp

.PHONY: test deps node-deps wasm-target fmt-check clippy clippy-wasm cargo-test vectors-check \
	wasm-core browser-deps test-browser bench-codec doc-check demo demo-smoke bench fuzz

# The wasm package's gzip budget enforced by test-browser (see scripts/size-check.js).
# 60 -> 67 with issue 13's core work (measured 66.7 KB, was 59.4): the server's ack requests in a
# B-tree (any order of ids in O(log n), +3.4 KB), deadline and placeholder-key heaps (+1 KB), the
# placeholder rules for repeated keys (+1 KB), saturating deadlines, 1,000-level bit stack.
SIZE_BUDGET_KB ?= 67

test: deps fmt-check clippy clippy-wasm doc-check cargo-test vectors-check wasm-core test-browser
	@echo "make test: all green"

deps: node-deps wasm-target

# npm ci only when package-lock.json changed since the last install.
node-deps: $(NODE_STAMP)
$(NODE_STAMP): $(SERVER_DIR)/package-lock.json
	cd $(SERVER_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Every public item documented, no broken intra-doc links.
doc-check:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p sio-core -p sio-client -p sio-test-support

cargo-test:
	$(CARGO) test --workspace

# The checked-in golden vectors must be what the pinned reference parsers produce, and the JSON
# verdicts what the bundled Node's JSON.parse says.
vectors-check: node-deps
	node $(SERVER_DIR)/gen-vectors.js --check
	node $(SERVER_DIR)/gen-json-verdicts.js --check

# The core must build for the browser: no runtime, no clock, no I/O.
wasm-core: wasm-target
	$(CARGO) build -p sio-core --target wasm32-unknown-unknown --release

browser-deps: wasm-target
	bash scripts/browser-deps.sh

# Browser-only code is invisible to the host clippy run.
clippy-wasm: browser-deps
	$(CARGO) clippy -p sio-wasm --all-targets --target wasm32-unknown-unknown -- -D warnings

# wasm-pack test in headless Chromium, the React shim via Playwright, the size check.
test-browser: node-deps browser-deps
	SIZE_BUDGET_KB=$(SIZE_BUDGET_KB) bash scripts/test-browser.sh

bench: node-deps
	node bench/run.js

bench-codec: node-deps
	node tests/bench/compare-codec.js

# cargo-fuzz campaign, FUZZ_SECONDS per target (installs nightly and cargo-fuzz when missing).
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

# The React chat + Rust bot on the bundled server; prints the URL, Ctrl-C stops everything.
demo:
	bash scripts/demo.sh

# The same in headless Chromium: checks the chat end to end, refreshes docs/demo.png, stops.
demo-smoke:
	bash scripts/demo.sh --smoke
