#!/usr/bin/env bash
# Where the bytes of the browser package's WebAssembly module go (BENCHMARKS.md, "Size"):
# the module built as `npm run build` builds it (pkg/build.sh: wasm-release profile, then
# wasm-opt -Oz), but keeping the function names, then twiggy: the bytes by crate, the largest
# functions, and what retains them.
#
#   bash scripts/size-breakdown.sh [TOP]        (TOP functions listed; default 25)
#
# Needs what pkg/build.sh needs, plus twiggy (installed here with cargo when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
top=${1:-25}
command -v twiggy >/dev/null 2>&1 || cargo install twiggy --version 0.8.0 --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SIO_ROOT=$PWD
# shellcheck source=scripts/wasm-toolchain.sh
. scripts/wasm-toolchain.sh
# shellcheck disable=SC2086
wasm-pack --log-level error build client-wasm --target web --profile wasm-release \
  --out-dir "$tmp/out" --out-name sio_wasm --no-pack --no-gitignore --no-opt -- $SIO_WASM_CARGO_ARGS >/dev/null
target=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).target_directory))')
wasm-bindgen --target web --keep-debug --out-dir "$tmp/named" --out-name sio_wasm \
  "$target/wasm32-unknown-unknown/wasm-release/sio_wasm.wasm"
features="--enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-multivalue --enable-mutable-globals --low-memory-unused --zero-filled-memory"
# shellcheck disable=SC2086
pkg/node_modules/.bin/wasm-opt "$tmp/named/sio_wasm_bg.wasm" -o "$tmp/named.wasm" -Oz $features --debuginfo
# shellcheck disable=SC2086
pkg/node_modules/.bin/wasm-opt "$tmp/out/sio_wasm_bg.wasm" -o "$tmp/shipped.wasm" -Oz --converge $features \
  --strip-debug --strip-producers --strip-target-features
twiggy top -n 100000 --format csv "$tmp/named.wasm" >"$tmp/top.csv"
node - "$tmp/top.csv" "$tmp/shipped.wasm" "$top" <<'EOF'
const fs = require("node:fs");
const zlib = require("node:zlib");
const [csvFile, shipped, top] = process.argv.slice(2);
const lines = fs.readFileSync(csvFile, "utf8").trim().split("\n").slice(1);
const rows = lines.map((l) => {
  const m = l.match(/^(?:"((?:[^"]|"")*)"|([^,]*)),(\d+),/);
  return { name: (m[1] ?? m[2]).replace(/""/g, '"'), size: Number(m[3]) };
}).filter((r) => !/function names|data names|Σ|^\.\.\./.test(r.name));
const total = rows.reduce((s, r) => s + r.size, 0);
const crateOf = (name) => {
  if (name.startsWith("data segment")) return "(data: strings, tables)";
  if (/shim|^export |^import |^[a-z]+_[A-Za-z_]+$/.test(name)) return "(wasm-bindgen export/import shims)";
  const n = name.replace(/^[<&(]+/, "").replace(/^(mut |dyn )/, "");
  const m = n.match(/^([a-z_][a-z0-9_]*)/);
  if (!m) return "(other)";
  const c = m[1];
  return ["core", "alloc", "std", "char", "str", "u8", "u32", "u64", "usize", "f64", "i64", "T"].includes(c) ? "Rust std (core, alloc, std: formatting, collections, panics)" : c;
};
const by = new Map();
for (const r of rows) by.set(crateOf(r.name), (by.get(crateOf(r.name)) || 0) + r.size);
const data = fs.readFileSync(shipped);
const gz = zlib.gzipSync(data, { level: 9 }).length;
console.log(`shipped module: ${(data.length / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip -9`);
console.log(`(below: bytes of the same module before --converge and with names, ${(total / 1024).toFixed(1)} KB of code and data)\n`);
console.log("| crate | KB | share |\n|---|---:|---:|");
for (const [c, s] of [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 18)) {
  console.log(`| ${c} | ${(s / 1024).toFixed(1)} | ${((100 * s) / total).toFixed(1)}% |`);
}
console.log(`\n| largest items | bytes |\n|---|---:|`);
for (const r of rows.sort((a, b) => b.size - a.size).slice(0, Number(top))) {
  console.log(`| \`${r.name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "").replace(/\|/g, "\\|").slice(0, 110)}\` | ${r.size} |`);
}
EOF
