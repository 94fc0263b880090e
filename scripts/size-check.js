#!/usr/bin/env node
// Prints the compressed size of the browser package (the wasm module + its JS glue + the
// sio-client API, as `npm run build` leaves them in pkg/) next to socket.io-client's
// minified ESM bundle, and fails when the package is above the budget.
//
//   node scripts/size-check.js [--budget-kb N]      (default budget: the Makefile's, 144 KB gzip)
//
// Everything is measured as `npm run build` leaves it, i.e. as published (the JavaScript is
// minified there, like socket.io-client's bundle; source maps are not counted: browsers only
// fetch them for the developer tools). The React shim is listed apart (only apps that import
// sio-client/react carry it).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const root = path.resolve(__dirname, "..");
let budgetKb = 144;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--budget-kb" && Number.isFinite(Number(args[i + 1]))) budgetKb = Number(args[++i]);
  else {
    process.stderr.write(`size-check: unknown argument ${args[i]}\n`);
    process.exit(2);
  }
}

function sizes(file) {
  const data = fs.readFileSync(file);
  return {
    raw: data.length,
    gzip: zlib.gzipSync(data, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
    }).length,
  };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const row = (name, s) =>
  `${name.padEnd(44)} ${kb(s.raw).padStart(10)} ${kb(s.gzip).padStart(10)} ${kb(s.brotli).padStart(10)}`;

// what a page that imports "sio-client" loads (dist/types.js holds declarations only)
const parts = ["pkg/wasm/sio_wasm_bg.wasm", "pkg/wasm/sio_wasm.js", "pkg/dist/index.js", "pkg/dist/api.js"];
const missing = parts.filter((p) => !fs.existsSync(path.join(root, p)));
if (missing.length > 0) {
  process.stderr.write(`size-check: missing ${missing.join(", ")}: run \`npm run build\` in pkg/ first\n`);
  process.exit(2);
}
const reference = path.join(root, "tests/server/node_modules/socket.io-client/dist/socket.io.esm.min.js");
if (!fs.existsSync(reference)) {
  process.stderr.write("size-check: socket.io-client is not installed: run `npm ci` in tests/server\n");
  process.exit(2);
}

console.log(`${"file".padEnd(44)} ${"raw".padStart(10)} ${"gzip -9".padStart(10)} ${"brotli".padStart(10)}`);
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const p of parts) {
  const s = sizes(path.join(root, p));
  for (const k of Object.keys(total)) total[k] += s[k];
  console.log(row(p, s));
}
console.log(row("sio-client total (wasm + JS glue + entry)", total));
const react = path.join(root, "pkg/dist/react.js");
if (fs.existsSync(react)) console.log(row("  + pkg/dist/react.js (sio-client/react)", sizes(react)));
const ref = sizes(reference);
console.log(row("socket.io-client 4.8.4 socket.io.esm.min.js", ref));
console.log(
  `sio-client is ${(total.gzip / ref.gzip).toFixed(1)}x socket.io-client (gzip); budget ${budgetKb} KB gzip`,
);
if (total.gzip > budgetKb * 1024) {
  console.log(`size-check: FAILED: ${kb(total.gzip)} gzip is above the ${budgetKb} KB budget`);
  process.exit(1);
}
console.log(`size-check: ok (${kb(total.gzip)} <= ${budgetKb} KB gzip)`);
