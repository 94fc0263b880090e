#!/usr/bin/env node
// Codec throughput of sio-core next to the pinned reference socket.io-parser (and, for the
// msgpack_* rows, socket.io-msgpack-parser), in one run.
//
//   node tests/bench/compare-codec.js [--skip-cargo] [--quick] [--seconds S]
//
//   --skip-cargo  reuse the last criterion results (target/criterion/<id>/new/estimates.json)
//   --quick       shorter criterion run (1 s warm-up, 2 s measurement per case)
//   --seconds S   measurement time per case for the Node side (default 2)
//
// Runs `cargo bench -p sio-core --features msgpack --bench codec` (criterion; its output goes to
// stderr), then `node tests/server/bench-parser.js`, and prints a markdown table on stdout:
//   case | sio ops/s | reference ops/s | ratio
// Ours is 1e9 / criterion's mean time per iteration. The `*_value` rows encode from a Value
// tree, which is what the reference always does (it serialises JavaScript objects); they are
// compared with the reference's plain encode figure. No dependencies beyond Node itself.
"use strict";

const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const CASES = [
  ["chat_encode", "chat_encode"],
  ["chat_encode_value", "chat_encode"],
  ["chat_decode", "chat_decode"],
  ["binary_encode", "binary_encode"],
  ["binary_encode_value", "binary_encode"],
  ["binary_decode", "binary_decode"],
  ["msgpack_chat_encode", "msgpack_chat_encode"],
  ["msgpack_chat_decode", "msgpack_chat_decode"],
  ["msgpack_binary_encode", "msgpack_binary_encode"],
  ["msgpack_binary_decode", "msgpack_binary_decode"],
];

function parseArgs(argv) {
  const opts = { skipCargo: false, quick: false, seconds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--skip-cargo") opts.skipCargo = true;
    else if (a === "--quick") opts.quick = true;
    else if (a === "--seconds") opts.seconds = Number(argv[++i]);
    else {
      process.stderr.write(`compare-codec.js: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!(opts.seconds > 0)) {
    process.stderr.write("compare-codec.js: --seconds must be positive\n");
    process.exit(2);
  }
  return opts;
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20, ...options });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}\n${r.stderr || ""}`);
  }
  return r.stdout;
}

function targetDir() {
  if (process.env.CARGO_TARGET_DIR) return path.resolve(ROOT, process.env.CARGO_TARGET_DIR);
  const meta = JSON.parse(run("cargo", ["metadata", "--format-version", "1", "--no-deps"]));
  return meta.target_directory;
}

function ours(opts) {
  if (!opts.skipCargo) {
    const extra = opts.quick ? ["--warm-up-time", "1", "--measurement-time", "2"] : [];
    // criterion's report is for humans: send it to stderr, keep stdout for the table.
    run("cargo", ["bench", "-p", "sio-core", "--features", "msgpack", "--bench", "codec", "--", ...extra], {
      stdio: ["ignore", process.stderr, process.stderr],
    });
  }
  const dir = path.join(targetDir(), "criterion");
  const result = {};
  for (const [id] of CASES) {
    const file = path.join(dir, id, "new", "estimates.json");
    if (!fs.existsSync(file)) continue;
    const ns = JSON.parse(fs.readFileSync(file, "utf8")).mean.point_estimate;
    result[id] = 1e9 / ns;
  }
  return result;
}

function reference(opts) {
  const script = path.join(ROOT, "tests", "server", "bench-parser.js");
  if (!fs.existsSync(script)) {
    process.stderr.write(`compare-codec.js: ${script} not found; reference column left empty\n`);
    return {};
  }
  const out = run(process.execPath, [script, "--seconds", String(opts.seconds)]);
  const result = {};
  for (const line of out.split("\n")) {
    if (!line.trim()) continue;
    const { name, ops_per_sec: ops } = JSON.parse(line);
    result[name] = ops;
  }
  return result;
}

function fmt(n) {
  if (n === undefined) return "n/a";
  return Math.round(n).toLocaleString("en-US");
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const mine = ours(opts);
  const ref = reference(opts);
  const rows = [
    "| case | sio ops/s | reference ops/s | ratio |",
    "|---|---:|---:|---:|",
  ];
  for (const [id, refId] of CASES) {
    const a = mine[id];
    const b = ref[refId];
    const ratio = a !== undefined && b ? `${(a / b).toFixed(1)}×` : "n/a";
    const label = id === refId ? id : `${id} (vs ${refId})`;
    rows.push(`| ${label} | ${fmt(a)} | ${fmt(b)} | ${ratio} |`);
  }
  rows.push("");
  rows.push("reference: socket.io-parser 4.2.7; msgpack_* rows: socket.io-msgpack-parser 3.0.2.");
  process.stdout.write(rows.join("\n") + "\n");
}

try {
  main();
} catch (e) {
  process.stderr.write(`compare-codec.js: ${e.message}\n`);
  process.exit(1);
}
