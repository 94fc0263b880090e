#!/usr/bin/env node
// Benchmark anchor: socket.io-client 4.8.4 on Node (the copy pinned in tests/server), measured
// the way `sio bench` and bench/anchors/rust_socketio measure, against the bundled server.
//
//   node [--expose-gc] bench/anchors/node/bench.js rtt URL [--duration S] [--payload-bytes B]
//   node [--expose-gc] bench/anchors/node/bench.js ff  URL [--duration S] [--payload-bytes B]
//                                                         [--batch K] [--event E]
//   node [--expose-gc] bench/anchors/node/bench.js mem URL [--clients N] [--concurrency C]
//   node bench/anchors/node/bench.js cost URL [--count N]
//
// Each prints one JSON object on stdout (progress and errors on stderr):
// - rtt: one client, one `echo` with an ack in flight at a time, for S seconds:
//   {"count","p50_us","p99_us","p999_us","timeouts"}
// - ff: one client emits E (nobody answers it) without acks, in batches of K, each batch
//   followed by an `echo` with an ack as a barrier (socket.io keeps order, so the barrier's
//   ack means the server has read the batch): {"events","seconds","events_per_s",
//   "cpu_us_per_event"}, CPU = user+sys of this process (process.cpuUsage) while sending.
// - mem: N clients (forceNew: one connection each, WebSocket only), connected C at a time;
//   RSS (process.memoryUsage().rss, after a GC when --expose-gc is given, 1 s after the last
//   connect) before and after connecting, then again after one acked `echo` per client:
//   {"clients","connected","errors","rss_before_kib","rss_connected_kib","rss_after_echo_kib",
//    "kib_per_connection","kib_per_connection_after_echo"}
"use strict";

const path = require("node:path");
const { io } = require(path.resolve(__dirname, "../../../tests/server/node_modules/socket.io-client"));

function parse(argv) {
  const [mode, url, ...rest] = argv;
  if (!mode || !url) usage("MODE URL [options]");
  const o = { mode, url, duration: 5, payloadBytes: 32, batch: 500, event: "bench-sink", clients: 1000, concurrency: 100, count: 30000 };
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (value === undefined) usage(`${flag} needs a value`);
    switch (flag) {
      case "--duration": o.duration = Number(value); break;
      case "--payload-bytes": o.payloadBytes = Number(value); break;
      case "--batch": o.batch = Math.max(1, Number(value)); break;
      case "--event": o.event = value; break;
      case "--clients": o.clients = Number(value); break;
      case "--concurrency": o.concurrency = Math.max(1, Number(value)); break;
      case "--count": o.count = Math.max(1, Number(value)); break;
      default: usage(`unknown flag ${flag}`);
    }
  }
  return o;
}

function usage(message) {
  process.stderr.write(`bench.js: ${message}\n`);
  process.exit(2);
}

function connect(url) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: 30000 });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}

const now = () => process.hrtime.bigint();

function quantile(sorted, q) {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

async function rtt(o) {
  const socket = await connect(o.url);
  const payload = "x".repeat(o.payloadBytes);
  for (let i = 0; i < 100; i++) await socket.timeout(5000).emitWithAck("echo", payload); // warm-up
  const samples = [];
  let timeouts = 0;
  const end = now() + BigInt(Math.round(o.duration * 1e9));
  while (now() < end) {
    const start = now();
    try {
      await socket.timeout(5000).emitWithAck("echo", payload);
      samples.push(Number(now() - start) / 1000);
    } catch {
      timeouts++;
    }
  }
  socket.close();
  const sorted = Float64Array.from(samples).sort();
  return {
    count: samples.length,
    p50_us: quantile(sorted, 0.5),
    p99_us: quantile(sorted, 0.99),
    p999_us: quantile(sorted, 0.999),
    timeouts,
  };
}

async function ff(o) {
  const socket = await connect(o.url);
  const payload = "x".repeat(o.payloadBytes);
  await socket.timeout(5000).emitWithAck("echo", "barrier");
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const end = t0 + BigInt(Math.round(o.duration * 1e9));
  let events = 0;
  while (now() < end) {
    for (let i = 0; i < o.batch; i++) socket.emit(o.event, payload);
    await socket.timeout(10000).emitWithAck("echo", "barrier");
    events += o.batch + 1;
  }
  const seconds = Number(now() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  socket.close();
  return {
    events,
    seconds,
    events_per_s: events / seconds,
    cpu_us_per_event: (cpu.user + cpu.system) / events,
  };
}

function rssKib() {
  if (typeof global.gc === "function") {
    global.gc();
    global.gc();
  }
  return Math.round(process.memoryUsage().rss / 1024);
}

async function mem(o) {
  const before = rssKib();
  const sockets = [];
  let errors = 0;
  const t0 = Date.now();
  for (let left = o.clients; left > 0; ) {
    const n = Math.min(left, o.concurrency);
    left -= n;
    const batch = await Promise.allSettled(Array.from({ length: n }, () => connect(o.url)));
    for (const r of batch) {
      if (r.status === "fulfilled") sockets.push(r.value);
      else {
        if (errors === 0) process.stderr.write(`socket.io-client: connect failed: ${r.reason && r.reason.message}\n`);
        errors++;
      }
    }
    process.stderr.write(`\rsocket.io-client: ${sockets.length} connected`);
  }
  process.stderr.write(` in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  await new Promise((r) => setTimeout(r, 1000));
  const connected = rssKib();
  for (let i = 0; i < sockets.length; i += o.concurrency) {
    await Promise.allSettled(
      sockets.slice(i, i + o.concurrency).map((s) => s.timeout(30000).emitWithAck("echo", "x")),
    );
  }
  await new Promise((r) => setTimeout(r, 1000));
  const afterEcho = rssKib();
  const per = (kib) => (sockets.length > 0 ? (kib - before) / sockets.length : 0);
  return {
    clients: o.clients,
    connected: sockets.length,
    errors,
    rss_before_kib: before,
    rss_connected_kib: connected,
    rss_after_echo_kib: afterEcho,
    kib_per_connection: per(connected),
    kib_per_connection_after_echo: per(afterEcho),
  };
}

// cost: CPU per received event (the server floods --count `cost` events carrying
// bench/cost-payload.json, ~1 KB; a listener reads two fields of each) and per sent event
// (--count emits of the same object, an acked echo every 500 as a barrier):
// {"count","recv_cpu_us_per_event","recv_events_per_s","send_cpu_us_per_event","send_events_per_s"}
async function cost(o) {
  const payload = JSON.parse(require("node:fs").readFileSync(path.resolve(__dirname, "../../cost-payload.json"), "utf8"));
  const socket = await connect(o.url);
  let received = 0;
  let checksum = 0;
  let done = null;
  socket.on("cost", (order) => {
    checksum += order.items.length + order.id;
    received++;
    if (received === o.count && done) done();
  });
  const allIn = new Promise((resolve) => (done = resolve));
  let cpu0 = process.cpuUsage();
  let t0 = now();
  await socket.timeout(120000).emitWithAck("flood", { event: "cost", count: o.count, payload });
  await allIn;
  const recvSeconds = Number(now() - t0) / 1e9;
  let cpu = process.cpuUsage(cpu0);
  const recvCpu = (cpu.user + cpu.system) / o.count;
  cpu0 = process.cpuUsage();
  t0 = now();
  for (let i = 0; i < o.count; i++) {
    socket.emit("bench-sink", payload);
    if (i % 500 === 499) await socket.timeout(30000).emitWithAck("echo", 1);
  }
  await socket.timeout(30000).emitWithAck("echo", 1);
  const sendSeconds = Number(now() - t0) / 1e9;
  cpu = process.cpuUsage(cpu0);
  socket.close();
  return {
    count: o.count,
    recv_cpu_us_per_event: recvCpu,
    recv_events_per_s: o.count / recvSeconds,
    send_cpu_us_per_event: (cpu.user + cpu.system) / o.count,
    send_events_per_s: o.count / sendSeconds,
    checksum,
  };
}

async function main() {
  const o = parse(process.argv.slice(2));
  const run = { rtt, ff, mem, cost }[o.mode];
  if (!run) usage(`unknown mode ${o.mode}`);
  const result = await run(o);
  process.stdout.write(JSON.stringify(result) + "\n");
  // 10k open sockets would keep the process alive: leave at once
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
