#!/usr/bin/env bash
# Installs what the browser tests need, skipping everything already satisfied (so a second
# run takes about a second):
#   - Debian chromium + chromium-driver (headless Chromium for wasm-pack test and Playwright)
#   - the wasm32-unknown-unknown target, wasm-bindgen-cli at the exact Cargo.lock version,
#     wasm-pack
#   - npm ci in pkg/ (TypeScript, binaryen's wasm-opt) and tests/browser/ (Vite, React,
#     playwright-core), each only when its package-lock.json changed since the last install.
# Nothing downloads a browser: Playwright uses /usr/bin/chromium.
# (Debian's binaryen 108 is not used: it cannot read the reference-types code that
# wasm-bindgen 0.2.130 emits; the npm binaryen in pkg/ can.)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in chromium chromium-driver; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "browser-deps: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown

# The npm package's build toolchain (scripts/wasm-toolchain.sh): a dated nightly with the
# standard library's sources (-Zbuild-std) and the wasm32 target (wasm-pack checks for it).
SIO_ROOT=$PWD
# shellcheck source=scripts/wasm-toolchain.sh
. scripts/wasm-toolchain.sh
unset RUSTUP_TOOLCHAIN RUSTFLAGS CARGO_TARGET_DIR
if ! rustup toolchain list | grep -q "^$SIO_WASM_TOOLCHAIN-" \
  || ! rustup component list --installed --toolchain "$SIO_WASM_TOOLCHAIN" | grep -q '^rust-src' \
  || ! rustup target list --installed --toolchain "$SIO_WASM_TOOLCHAIN" | grep -qx wasm32-unknown-unknown; then
  echo "browser-deps: rustup toolchain install $SIO_WASM_TOOLCHAIN (rust-src, wasm32-unknown-unknown)"
  rustup toolchain install "$SIO_WASM_TOOLCHAIN" --profile minimal --component rust-src \
    --target wasm32-unknown-unknown
fi

# The CLI must match the wasm-bindgen library version in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [[ -z "$want" ]]; then
  echo "browser-deps: wasm-bindgen not found in Cargo.lock" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [[ "$have" != "$want" ]]; then
  echo "browser-deps: cargo install wasm-bindgen-cli $want (had: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want" --force --quiet
fi
if ! command -v wasm-pack >/dev/null 2>&1; then
  echo "browser-deps: cargo install wasm-pack"
  cargo install wasm-pack --version 0.15.1 --quiet
fi

# npm ci only when the lock file is newer than the last install's stamp.
npm_ci() {
  local dir=$1 stamp=$1/node_modules/.sio-stamp
  if [[ ! -f "$stamp" || "$dir/package-lock.json" -nt "$stamp" ]]; then
    echo "browser-deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
}
npm_ci tests/server
npm_ci pkg
npm_ci tests/browser
