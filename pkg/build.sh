#!/bin/sh
# `npm run build`: the WebAssembly module into wasm/ (wasm-pack with the size profile, then
# wasm-opt), and the TypeScript into dist/. Both folders are generated (see /.gitignore).
#
# Needs: wasm-pack, wasm-bindgen-cli at the Cargo.lock version, the dated nightly of
# scripts/wasm-toolchain.sh with rust-src and the wasm32-unknown-unknown target
# (scripts/browser-deps.sh installs them), and `npm ci` here (TypeScript, binaryen).
set -eu
cd "$(dirname "$0")"
rm -rf wasm dist
# the dated nightly, its flags and its target directory
SIO_ROOT=$(cd .. && pwd)
. ../scripts/wasm-toolchain.sh
# shellcheck disable=SC2086
wasm-pack --log-level warn build ../client-wasm --target web --profile wasm-release \
  --out-dir ../pkg/wasm --out-name sio_wasm --no-pack --no-gitignore --no-opt -- $SIO_WASM_CARGO_ARGS
# Debian's binaryen (108) cannot read the reference-types code wasm-bindgen emits; the npm
# binaryen (a pinned devDependency) can.
./node_modules/.bin/wasm-opt wasm/sio_wasm_bg.wasm -o wasm/sio_wasm_bg.wasm -Oz --converge \
  --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-multivalue --enable-mutable-globals \
  --low-memory-unused --zero-filled-memory --strip-debug --strip-producers --strip-target-features
# The JavaScript is shipped minified (terser), like socket.io-client's dist bundles: the
# generated wasm-bindgen glue as is, the compiled TypeScript with source maps back to src/
# (the declarations keep the doc comments, which editors show).
./node_modules/.bin/tsc -p tsconfig.json --emitDeclarationOnly
./node_modules/.bin/tsc -p tsconfig.json --declaration false --removeComments --sourceMap --inlineSources
minify() {
  input=$1
  shift
  ./node_modules/.bin/terser "$input" --module --compress --mangle --keep-classnames "$@"
}
minify wasm/sio_wasm.js -o wasm/sio_wasm.js
for f in dist/*.js; do
  minify "$f" --source-map "content='$f.map',url='$(basename "$f").map'" -o "$f"
done
