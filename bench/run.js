#!/usr/bin/env node
// `make bench`: sio side by side with socket.io-client 4.8.4 (Node) and rust_socketio 0.6, in
// one run, against the bundled reference server and (round trip and fire-and-forget rows) the
// socketioxide 0.18.9 fixture server (tests/interop/socketioxide, built in release here), which
// takes the single-threaded Node server out of the way; prints one markdown table on stdout.
//
//   node bench/run.js [--quick] [--repeat N] [--seconds S] [--connections N] [--skip-build]
//                     [--only codec,rtt,ff,mem,cost,rtt-x,ff-x,size,browser] [--count N] [--before REV]
//
//   --repeat N       runs per latency/throughput measurement and client (default 3; medians)
//   --seconds S      length of each of those runs (default 4)
//   --connections N  connections held for the memory row (default 10000)
//   --quick          1 run of 2 s, 2000 connections, criterion's quick mode (a smoke test)
//   --skip-build     use the binaries already built
//   --only LIST      measure only these rows (the others print n/a; rtt-x and ff-x are the
//                    socketioxide-server rows)
//   --count N        events per direction for the cost rows (default 60000)
//   --before REV     also measure sio as of git revision REV (built in bench/results/), in an
//                    extra column: before/after figures from the same run
//
// Every measurement gets its own server (tests/server/server.js on a free port, started and
// stopped here); the clients are `sio bench` (cli/), bench/anchors/node/bench.js and
// bench/anchors/rust_socketio. A second table compares sio-client and socket.io-client 4.8.4 in
// the same headless Chromium (bench/browser.js). What each row means: BENCHMARKS.md. Progress
// goes to stderr; raw results and the servers' logs to bench/results/ (not committed).
"use strict";

const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const RESULTS = path.join(__dirname, "results");
const SERVER = path.join(ROOT, "tests", "server", "server.js");
const NODE_ANCHOR = path.join(__dirname, "anchors", "node", "bench.js");
const RUST_ANCHOR_MANIFEST = path.join(__dirname, "anchors", "rust_socketio", "Cargo.toml");
const SIOX_DIR = path.join(ROOT, "tests", "interop", "socketioxide");
const SIOX_BIN = path.join(SIOX_DIR, "target", "release", "sio-interop-socketioxide");

// The servers a measurement can run against (each started on a free port, stopped after).
const SERVERS = {
  node: { cmd: process.execPath, args: [SERVER, "--port", "0"] },
  socketioxide: { cmd: SIOX_BIN, args: ["--port", "0"] },
};

// Row id → (what the clients run, which server).
const NETWORK_ROWS = {
  rtt: ["rtt", "node"],
  ff: ["ff", "node"],
  mem: ["mem", "node"],
  cost: ["cost", "node"],
  "rtt-x": ["rtt", "socketioxide"],
  "ff-x": ["ff", "socketioxide"],
};

const { measureBrowser, browserTable } = require("./browser.js");

// ---------------------------------------------------------------------------------------
// options

function parseArgs(argv) {
  const o = { repeat: 3, seconds: 4, connections: 10000, quick: false, build: true, only: null, count: 60000, before: null };
  const num = (flag, v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) fail(`${flag} needs a positive number`, 2);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") Object.assign(o, { quick: true, repeat: 1, seconds: 2, connections: 2000, count: 10000 });
    else if (a === "--repeat") o.repeat = Math.round(num(a, argv[++i]));
    else if (a === "--seconds") o.seconds = num(a, argv[++i]);
    else if (a === "--connections") o.connections = Math.round(num(a, argv[++i]));
    else if (a === "--skip-build") o.build = false;
    else if (a === "--only") o.only = new Set(String(argv[++i] || "").split(","));
    else if (a === "--count") o.count = Math.round(num(a, argv[++i]));
    else if (a === "--before") o.before = String(argv[++i] || "");
    else fail(`unknown argument ${a}`, 2);
  }
  return o;
}

function fail(message, code = 1) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(code);
}

const say = (line) => process.stderr.write(`bench: ${line}\n`);

// ---------------------------------------------------------------------------------------
// child processes: every one is tracked and killed if we stop early

const children = new Set();

function killAll() {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

// Runs with the open-file soft limit raised to the hard limit (10k sockets need 10k files).
function withNoFile(cmd, args) {
  return ["/bin/sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", cmd, ...args]];
}

function runSync(cmd, args, options = {}) {
  return spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20, ...options });
}

/// Runs a measuring client; resolves with the JSON object on the last line of its stdout.
function runJson(label, cmd, args, timeoutMs, log) {
  return new Promise((resolve, reject) => {
    const [c, a] = withNoFile(cmd, args);
    const child = spawn(c, a, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => {
      err += d;
      log.write(d);
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label}: no result within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child);
      const last = out.trim().split("\n").pop() || "";
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last));
      } catch (e) {
        const why = err.trim().split("\n").pop() || e.message;
        reject(new Error(`${label}: ${why.replace(/\r/g, "").slice(0, 200)}`));
      }
    });
  });
}

/// Starts a server (`SERVERS[kind]`) on a free port, runs `fn(url)`, stops the server.
async function withServer(log, fn, kind = "node") {
  const [c, a] = withNoFile(SERVERS[kind].cmd, SERVERS[kind].args);
  const server = spawn(c, a, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  children.add(server);
  server.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => server.on("close", resolve));
  try {
    const port = await new Promise((resolve, reject) => {
      let buf = "";
      const timer = setTimeout(() => reject(new Error("the server did not start in 20 s")), 20000);
      server.stdout.on("data", (d) => {
        buf += d;
        const m = buf.match(/^PORT (\d+)$/m);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      server.on("close", (code) => reject(new Error(`the server exited (${code}) before listening`)));
    });
    return await fn(`http://127.0.0.1:${port}`);
  } finally {
    server.stdin.end(); // EOF on stdin stops it
    server.kill("SIGTERM");
    const timer = setTimeout(() => server.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    children.delete(server);
  }
}

// ---------------------------------------------------------------------------------------
// builds

function targetDir() {
  if (process.env.CARGO_TARGET_DIR) return path.resolve(ROOT, process.env.CARGO_TARGET_DIR);
  const r = runSync("cargo", ["metadata", "--format-version", "1", "--no-deps"]);
  if (r.status !== 0) fail(`cargo metadata failed:\n${r.stderr}`);
  return JSON.parse(r.stdout).target_directory;
}

function cargoBuild(args, label) {
  say(`building ${label} (release)…`);
  const r = runSync("cargo", ["build", "--release", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) {
    const first = (r.stderr || "").split("\n").find((l) => l.startsWith("error")) || `exit ${r.status}`;
    return first.trim();
  }
  return null;
}

// rust_socketio pulls in native-tls: OpenSSL headers and pkg-config, from Debian if missing.
function ensureOpenSslHeaders() {
  const missing = ["libssl-dev", "pkg-config"].filter((p) => runSync("dpkg", ["-s", p]).status !== 0);
  if (missing.length === 0) return null;
  say(`installing ${missing.join(" ")} for rust_socketio's native-tls…`);
  let r = runSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: "ignore" });
  if (r.status !== 0) {
    runSync("apt-get", ["update"], { stdio: "ignore" });
    r = runSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: "ignore" });
  }
  return r.status === 0 ? null : `apt-get install ${missing.join(" ")} failed`;
}

// `--before REV`: sio and the cost client as of REV, built from a git worktree in
// bench/results/ (reused when it is already there).
function prepareBefore(rev, build, unavailable) {
  const dir = path.join(RESULTS, `before-${rev.replace(/[^A-Za-z0-9._-]/g, "_")}`);
  const bins = {
    before: path.join(dir, "target", "release", "sio"),
    beforecost: path.join(dir, "target", "cost", "release", "bench-sio-cost"),
  };
  if (!build) return bins;
  if (!fs.existsSync(dir)) {
    const r = runSync("git", ["worktree", "add", "--detach", dir, rev]);
    if (r.status !== 0) {
      unavailable.before = `git worktree add ${rev} failed`;
      return bins;
    }
  }
  const env = { ...process.env, CARGO_TARGET_DIR: path.join(dir, "target") };
  say(`building sio at ${rev} (release)…`);
  let r = runSync("cargo", ["build", "--release", "-p", "sio-cli"], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) unavailable.before = `build of ${rev} failed`;
  // the same cost client source, against REV's client-native
  const costDir = path.join(dir, "bench-cost");
  fs.mkdirSync(path.join(costDir, "src"), { recursive: true });
  const manifest = fs.readFileSync(path.join(__dirname, "anchors", "sio_cost", "Cargo.toml"), "utf8")
    .replace('path = "../../../client-native"', `path = ${JSON.stringify(path.join(dir, "client-native"))}`);
  fs.writeFileSync(path.join(costDir, "Cargo.toml"), manifest);
  const source = fs.readFileSync(path.join(__dirname, "anchors", "sio_cost", "src", "main.rs"), "utf8")
    .replace('concat!(env!("CARGO_MANIFEST_DIR"), "/../../cost-payload.json")', JSON.stringify(path.join(__dirname, "cost-payload.json")));
  fs.writeFileSync(path.join(costDir, "src", "main.rs"), source);
  r = runSync("cargo", ["build", "--release", "--manifest-path", path.join(costDir, "Cargo.toml"), "--target-dir", path.join(dir, "target", "cost")],
    { env: process.env, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) unavailable.before = `the cost client does not build against ${rev}`;
  return bins;
}

// ---------------------------------------------------------------------------------------
// measurements

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

// One client's numbers, or why there are none.
class Cell {
  constructor() {
    this.runs = [];
    this.error = null;
  }
  add(v) {
    this.runs.push(v);
  }
  value() {
    return median(this.runs);
  }
}

// The sio client's commands, for the current tree or an older build (`--before`).
function sioClient(key, bin, costBin, o) {
  const secs = String(o.seconds);
  return {
      key,
      rtt: (url) => [bin, ["bench", url, "--clients", "1", "--duration", secs, "--transport", "websocket", "--json"]],
      ff: (url) => [
        bin,
        ["bench", url, "--clients", "1", "--duration", secs, "--transport", "websocket", "--json",
          "--fire-and-forget", "--event", "bench-sink", "--batch", "500"],
      ],
      mem: (url) => [
        bin,
        ["bench", url, "--clients", String(o.connections), "--duration", "1", "--rate", "1",
          "--transport", "websocket", "--connect-concurrency", "100", "--json"],
      ],
      cost: (url) => [costBin, [url, "--count", String(o.count)]],
      pick: {
        rtt: (j) => ({ p50: j.ack_rtt_us && j.ack_rtt_us.p50, p99: j.ack_rtt_us && j.ack_rtt_us.p99, errors: j.errors.ack_timeout + j.errors.failed }),
        ff: (j) => ({ eps: j.events_per_s, cpu: j.cpu_us_per_event, errors: j.errors.ack_timeout + j.errors.failed }),
        mem: (j) => ({ kib: j.rss_per_connection_kib, kibAfter: j.rss_per_connection_end_kib, connected: j.connected, errors: j.errors.connect }),
        cost: costPick,
      },
  };
}

const costPick = (j) => ({ recv: j.recv_cpu_us_per_event, send: j.send_cpu_us_per_event, recvEps: j.recv_events_per_s });

function clients(bins, o) {
  const secs = String(o.seconds);
  const all = [sioClient("sio", bins.sio, bins.siocost, o)];
  if (o.before) all.push(sioClient("before", bins.before, bins.beforecost, o));
  return [
    ...all,
    {
      key: "node",
      rtt: (url) => [process.execPath, [NODE_ANCHOR, "rtt", url, "--duration", secs]],
      ff: (url) => [process.execPath, [NODE_ANCHOR, "ff", url, "--duration", secs, "--batch", "500"]],
      mem: (url) => [process.execPath, ["--expose-gc", NODE_ANCHOR, "mem", url, "--clients", String(o.connections), "--concurrency", "100"]],
      cost: (url) => [process.execPath, [NODE_ANCHOR, "cost", url, "--count", String(o.count)]],
      pick: anchorPick,
    },
    {
      key: "rust",
      rtt: (url) => [bins.rust, ["rtt", url, "--duration", secs]],
      ff: (url) => [bins.rust, ["ff", url, "--duration", secs, "--batch", "500"]],
      mem: (url) => [bins.rust, ["mem", url, "--clients", String(o.connections), "--concurrency", "100"]],
      cost: (url) => [bins.rust, ["cost", url, "--count", String(o.count)]],
      pick: anchorPick,
    },
  ];
}

const anchorPick = {
  rtt: (j) => ({ p50: j.p50_us, p99: j.p99_us, errors: j.timeouts }),
  ff: (j) => ({ eps: j.events_per_s, cpu: j.cpu_us_per_event, errors: 0 }),
  mem: (j) => ({ kib: j.kib_per_connection, kibAfter: j.kib_per_connection_after_echo, connected: j.connected, errors: j.errors }),
  cost: costPick,
};

async function measureNetwork(o, bins, unavailable, log, results) {
  const all = clients(bins, o);
  const ids = Object.keys(NETWORK_ROWS).filter((k) => !o.only || o.only.has(k));
  for (const id of ids) {
    const [kind, server] = NETWORK_ROWS[id];
    const repeat = kind === "mem" ? 1 : o.repeat;
    for (let run = 1; run <= repeat; run++) {
      // interleaved, so a burst of load from elsewhere hits every client alike
      for (const c of all) {
        const cell = results[id][c.key];
        if (unavailable[c.key] || unavailable[server]) {
          cell.error = unavailable[c.key] || unavailable[server];
          continue;
        }
        if (cell.error) continue;
        say(`${id} ${c.key}${repeat > 1 ? ` run ${run}/${repeat}` : ""}…`);
        const [cmd, args] = c[kind]("URL");
        const timeout = kind === "mem" || kind === "cost" ? 300000 : (o.seconds + 60) * 1000;
        try {
          const json = await withServer(
            log,
            (url) => runJson(`${c.key} ${id}`, cmd, args.map((x) => (x === "URL" ? url : x)), timeout, log),
            server,
          );
          fs.appendFileSync(path.join(RESULTS, "raw.jsonl"), JSON.stringify({ client: c.key, kind, server, run, result: json }) + "\n");
          cell.add(c.pick[kind](json));
        } catch (e) {
          say(`  failed: ${e.message}`);
          cell.error = e.message;
        }
      }
    }
  }
}

function measureCodec(o) {
  say("codec: criterion vs socket.io-parser (tests/bench/compare-codec.js)…");
  const args = [path.join(ROOT, "tests", "bench", "compare-codec.js"), "--quick"];
  if (o.quick) args.push("--seconds", "1");
  const r = runSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) {
    const why = (r.stderr || "").trim().split("\n").filter(Boolean).pop() || `exit ${r.status}`;
    return { error: why.slice(0, 160) };
  }
  const rows = {};
  for (const line of r.stdout.split("\n")) {
    const m = line.match(/^\| (\w+)[^|]*\| ([\d,]+|n\/a) \| ([\d,]+|n\/a) \|/);
    if (!m) continue;
    const n = (s) => (s === "n/a" ? undefined : Number(s.replace(/,/g, "")));
    rows[m[1]] = { sio: n(m[2]), ref: n(m[3]) };
  }
  return { rows };
}

/// Builds pkg/ (`npm run build`) unless it is built; an error text if that fails.
function ensurePkgBuilt() {
  if (fs.existsSync(path.join(ROOT, "pkg", "wasm", "sio_wasm_bg.wasm")) && fs.existsSync(path.join(ROOT, "pkg", "dist", "index.js"))) {
    return null;
  }
  say("pkg/ is not built; building it (cd pkg && npm run build)…");
  const b = runSync("npm", ["run", "build"], { cwd: path.join(ROOT, "pkg"), stdio: ["ignore", "ignore", "pipe"] });
  return b.status === 0 ? null : "pkg/ is not built and `npm run build` failed (needs the browser deps of make test)";
}

function measureSize() {
  const check = () => runSync(process.execPath, [path.join(ROOT, "scripts", "size-check.js"), "--budget-kb", "1000000"]);
  let r = check();
  if (r.status !== 0 && /missing/.test(r.stderr || "")) {
    const err = ensurePkgBuilt();
    if (err) return { error: err };
    r = check();
  }
  if (r.status !== 0) return { error: (r.stderr || "size-check failed").trim().split("\n").pop() };
  const gz = (prefix) => {
    const line = r.stdout.split("\n").find((l) => l.startsWith(prefix));
    const m = line && line.match(/([\d.]+) KB\s+([\d.]+) KB\s+([\d.]+) KB\s*$/);
    return m ? Number(m[2]) : undefined;
  };
  return { sio: gz("sio-client total"), ref: gz("socket.io-client") };
}

// ---------------------------------------------------------------------------------------
// the table

function fmt(v, digits) {
  if (v === undefined || v === null || !Number.isFinite(v)) return "n/a";
  if (digits === "int") return Math.round(v).toLocaleString("en-US");
  return v.toFixed(digits);
}

function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : undefined;
}

function verdict(ok, text) {
  if (ok === undefined) return `${text} (n/a)`;
  return `${text} ${ok ? "✓" : "✗ missed"}`;
}

function table(o, results, codec, size) {
  const rows = [];
  const na = (cell) => (cell && cell.error ? `n/a (${cell.error})` : "n/a");
  const cellText = (cell, get, digits) => {
    const v = cell && !cell.error ? median(cell.runs.map(get)) : undefined;
    return { v, text: v === undefined ? na(cell) : fmt(v, digits) };
  };
  const push = (metric, s, n, r, target, b = { v: undefined, text: "n/a" }) => {
    const rn = ratio(s.v, n.v);
    const rr = ratio(s.v, r.v);
    const before = o.before ? [b.text] : [];
    rows.push([metric, s.text, ...before, n.text, r.text, rn === undefined ? "n/a" : `${rn.toFixed(2)}×`,
      rr === undefined ? "n/a" : `${rr.toFixed(2)}×`, target(rn, s.v)]);
  };
  const none = { v: undefined, text: "n/a" };

  const codecRows = [
    ["chat_encode", "codec: encode a chat event, args as JSON text (ops/s)"],
    ["chat_encode_value", "codec: encode a chat event, args as a value tree (ops/s)"],
    ["chat_decode", "codec: decode a chat event (ops/s)"],
    ["binary_encode", "codec: encode with 2 binary attachments, JSON text (ops/s)"],
    ["binary_encode_value", "codec: encode with 2 binary attachments, value tree (ops/s)"],
    ["binary_decode", "codec: decode with 2 binary attachments (ops/s)"],
    ["msgpack_chat_encode", "codec, msgpack: encode a chat event (ops/s)"],
    ["msgpack_chat_decode", "codec, msgpack: decode a chat event (ops/s)"],
    ["msgpack_binary_encode", "codec, msgpack: encode with 2 binary values (ops/s)"],
    ["msgpack_binary_decode", "codec, msgpack: decode with 2 binary values (ops/s)"],
  ];
  for (const [id, label] of codecRows) {
    const row = codec.rows && codec.rows[id];
    const s = row ? { v: row.sio, text: fmt(row.sio, "int") } : { v: undefined, text: `n/a${codec.error ? ` (${codec.error})` : ""}` };
    const refName = id.startsWith("msgpack_") ? "socket.io-msgpack-parser" : "socket.io-parser";
    const ref = row ? { v: row.ref, text: `${fmt(row.ref, "int")} (${refName})` } : none;
    push(label, s, ref, { v: undefined, text: "n/a (not compared)" }, (rn) =>
      verdict(rn === undefined ? undefined : rn >= 3, "≥ 3×"));
  }

  const get = (kind, key) => results[kind][key];
  const line = (kind, label, pick, digits, target) =>
    push(label, cellText(get(kind, "sio"), pick, digits), cellText(get(kind, "node"), pick, digits),
      cellText(get(kind, "rust"), pick, digits), target, cellText(get(kind, "before"), pick, digits));

  line("rtt", "ack round trip p50 (µs)", (x) => x.p50, 1, (rn) => verdict(rn === undefined ? undefined : rn <= 1.0, "≤ 1.0×"));
  line("rtt", "ack round trip p99 (µs)", (x) => x.p99, 1, (rn) => verdict(rn === undefined ? undefined : rn <= 0.8, "≤ 0.8×"));
  line("ff", "fire-and-forget throughput (events/s)", (x) => x.eps, "int", () => "(bounded by the server)");
  line("ff", "client CPU per fire-and-forget event (µs, user+sys)", (x) => x.cpu, 2, (rn) =>
    verdict(rn === undefined ? undefined : rn <= 0.15, "≤ 0.15×"));
  line("cost", "client CPU per received event, typed listener, 1 KB struct (µs)", (x) => x.recv, 2, (rn) =>
    verdict(rn === undefined ? undefined : rn <= 1.0, "≤ 1.0×"));
  line("cost", "client CPU per sent event, 1 KB struct (µs)", (x) => x.send, 2, (rn) =>
    verdict(rn === undefined ? undefined : rn <= 1.0, "≤ 1.0×"));
  const conns = o.connections.toLocaleString("en-US");
  line("mem", `memory per connection at ${conns} connections (KiB)`, (x) => x.kib, 1, (_, v) =>
    verdict(v === undefined ? undefined : v <= 8, "≤ 8 KiB"));
  line("mem", `  … after one acked echo each (KiB)`, (x) => x.kibAfter, 1, (_, v) =>
    verdict(v === undefined ? undefined : v <= 8, "≤ 8 KiB"));
  line("rtt-x", "ack round trip p50, socketioxide server (µs)", (x) => x.p50, 1, (rn) =>
    verdict(rn === undefined ? undefined : rn <= 1.0, "≤ 1.0×"));
  line("rtt-x", "ack round trip p99, socketioxide server (µs)", (x) => x.p99, 1, (rn) =>
    verdict(rn === undefined ? undefined : rn <= 0.8, "≤ 0.8×"));
  line("ff-x", "fire-and-forget throughput, socketioxide server (events/s)", (x) => x.eps, "int", () => "(informative)");
  line("ff-x", "client CPU per fire-and-forget event, socketioxide server (µs)", (x) => x.cpu, 2, (rn) =>
    verdict(rn === undefined ? undefined : rn <= 0.15, "≤ 0.15×"));

  const sz = size.error ? { v: undefined, text: `n/a (${size.error})` } : { v: size.sio, text: fmt(size.sio, 1) };
  const szRef = size.error ? none : { v: size.ref, text: `${fmt(size.ref, 1)} (socket.io.esm.min.js)` };
  push("browser package, gzip (KB)", sz, szRef, { v: undefined, text: "n/a (no browser build)" }, (_, v) =>
    verdict(v === undefined ? undefined : v <= 60, "≤ 60 KB (guard: make test's SIZE_BUDGET_KB)"));

  const head = ["metric", "sio", ...(o.before ? [`sio before (${o.before})`] : []), "socket.io-client (Node)", "rust_socketio 0.6", "sio ÷ socket.io-client", "sio ÷ rust_socketio", "target"];
  const out = [`| ${head.join(" | ")} |`, `|---|${"---:|".repeat(head.length - 2)}---|`];
  for (const r of rows) out.push(`| ${r.join(" | ")} |`);
  return out.join("\n");
}

function machine() {
  const cpus = os.cpus();
  const model = cpus.length ? cpus[0].model.replace(/\s+/g, " ").trim() : "unknown CPU";
  const gib = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${cpus.length} cores (${model}), ${gib} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

// ---------------------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, "raw.jsonl"), "");
  const log = fs.createWriteStream(path.join(RESULTS, "bench.log"));
  const wants = (k) => !o.only || o.only.has(k);

  const target = targetDir();
  const unavailableLater = {};
  const bins = {
    sio: path.join(target, "release", "sio"),
    rust: path.join(target, "bench-anchors", "release", "bench-anchor-rust-socketio"),
    siocost: path.join(target, "bench-anchors", "release", "bench-sio-cost"),
  };
  if (o.before) Object.assign(bins, prepareBefore(o.before, o.build, unavailableLater));
  const unavailable = unavailableLater;
  if (!fs.existsSync(path.join(ROOT, "tests", "server", "node_modules", "socket.io-client"))) {
    fail("tests/server/node_modules is missing: run `npm ci` in tests/server (make node-deps)");
  }
  if (o.build) {
    const err = cargoBuild(["-p", "sio-cli"], "sio");
    if (err) unavailable.sio = `build failed: ${err}`;
    const costErr = cargoBuild(
      ["--manifest-path", path.join(__dirname, "anchors", "sio_cost", "Cargo.toml"), "--target-dir", path.join(target, "bench-anchors")],
      "the sio cost client",
    );
    if (costErr) unavailable.sio = `build failed: ${costErr}`;
    const deps = ensureOpenSslHeaders();
    if (deps) unavailable.rust = deps;
    else {
      const e = cargoBuild(
        ["--manifest-path", RUST_ANCHOR_MANIFEST, "--target-dir", path.join(target, "bench-anchors")],
        "the rust_socketio anchor",
      );
      if (e) unavailable.rust = `build failed: ${e}`;
    }
  }
  if (o.build && (wants("rtt-x") || wants("ff-x"))) {
    const e = cargoBuild(
      ["--locked", "--manifest-path", path.join(SIOX_DIR, "Cargo.toml"), "--target-dir", path.join(SIOX_DIR, "target")],
      "the socketioxide server",
    );
    if (e) unavailable.socketioxide = `build failed: ${e}`;
  }
  for (const [k, bin] of Object.entries(bins)) {
    if (!unavailable[k] && !fs.existsSync(bin)) unavailable[k] = `${path.relative(ROOT, bin)} not built`;
  }
  if (!unavailable.socketioxide && !fs.existsSync(SIOX_BIN)) {
    unavailable.socketioxide = `${path.relative(ROOT, SIOX_BIN)} not built`;
  }

  const codec = wants("codec") ? measureCodec(o) : { error: "skipped" };
  const results = {};
  for (const id of Object.keys(NETWORK_ROWS)) {
    results[id] = { sio: new Cell(), before: new Cell(), node: new Cell(), rust: new Cell() };
    if (!wants(id)) for (const c of Object.values(results[id])) c.error = "skipped";
  }
  await measureNetwork(o, bins, unavailable, log, results);
  const size = wants("size") ? measureSize() : { error: "skipped" };
  let browser = { error: "skipped" };
  if (wants("browser")) {
    const err = ensurePkgBuilt();
    browser = err
      ? { error: err }
      : await measureBrowser({ repeat: o.repeat, seconds: Math.min(o.seconds, 3), events: o.quick ? 10000 : 30000, say, log }).catch(
          (e) => ({ error: String(e.message || e).slice(0, 160) }),
        );
    if (browser.runs) fs.appendFileSync(path.join(RESULTS, "raw.jsonl"), JSON.stringify({ kind: "browser", runs: browser.runs }) + "\n");
  }
  log.end();

  const when = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  const text = [
    table(o, results, codec, size),
    "",
    `Measured ${when} on ${machine()}; the whole run took ${secs} s.`,
    `Round trip and fire-and-forget: median of ${o.repeat} run(s) of ${o.seconds} s per client, each against its own`,
    "server (the Node one, or the socketioxide one, release build, for the rows that say so);",
    `one client connection over WebSocket, 32-byte string payload, fire-and-forget in batches of 500 closed by`,
    `an acked echo. The Node server is single-threaded and shares the ${os.cpus().length} cores with the client being measured, so`,
    "throughput is bounded by the server and latency includes its time. Memory: RSS growth of the client process / N,",
    "1 s after the last connect (Node: after a forced GC). Cost: one WebSocket client; the server floods",
    `${o.count.toLocaleString("en-US")} events carrying bench/cost-payload.json (1 KB) to a typed listener (sio: a serde struct; rust_socketio:`,
    "serde_json::from_value into the struct; socket.io-client: the parsed object), then the client emits as many; CPU is",
    "user+sys of the client process over each phase. Ratios are sio ÷ anchor (lower is better for time, CPU,",
    "memory and size; higher for ops/s and events/s). Figures vary by ±10–30% between runs on a shared machine.",
    "",
    browserTable(browser, { events: o.quick ? 10000 : 30000 }),
    "",
    `Browser: sio-client (pkg/ as built) and socket.io-client 4.8.4 (socket.io.esm.min.js) in one headless Chromium, one`,
    `page, one bundled server, WebSocket only; median of ${o.repeat} interleaved run(s); round trips for ${Math.min(o.seconds, 3)} s, floods and`,
    "sends of the stated number of 32-byte events; main-thread time is Chromium's TaskDuration over the flood.",
  ].join("\n");
  process.stdout.write(text + "\n");
  fs.writeFileSync(path.join(RESULTS, "latest.md"), text + "\n");
}

main().catch((e) => {
  killAll();
  fail(e && e.stack ? e.stack : String(e));
});
