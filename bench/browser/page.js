// The browser benchmark's page: both clients, loaded as their packages ship (sio-client's
// pkg/dist + pkg/wasm as `npm run build` leaves them, socket.io-client's minified ESM bundle),
// the same scenarios for both, run from bench/browser.js with page.evaluate. Every scenario
// makes its own connection (WebSocket only, forceNew) and closes it.
import { io as sioIo } from "/sio/dist/index.js";
import { io as refIo } from "/ref/socket.io.esm.min.js";

const clients = { sio: sioIo, ref: refIo };
const PAYLOAD = "x".repeat(32);

async function connect(name, url) {
  const socket = clients[name](url, { forceNew: true, transports: ["websocket"], reconnection: false });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

const ack = (socket, event, ...args) => new Promise((resolve) => socket.emit(event, ...args, resolve));

function close(name, socket) {
  socket.disconnect();
  if (name === "sio") socket.io.close();
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** One echo with an ack in flight at a time, for `ms`; the round trips in µs. */
async function rtt(name, url, ms) {
  const socket = await connect(name, url);
  for (let i = 0; i < 200; i++) await ack(socket, "echo", PAYLOAD); // warm-up
  const samples = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    await ack(socket, "echo", PAYLOAD);
    samples.push((performance.now() - t0) * 1000);
  }
  close(name, socket);
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), n: samples.length };
}

/** Connects and prepares a flood of `count` events (`floodRun` starts it), so that the
 * main-thread time of the flood alone can be read around `floodRun`. */
async function floodPrepare(name, url, count) {
  const socket = await connect(name, url);
  await ack(socket, "emit-n", { event: "warm", count: 500 });
  let n = 0;
  let done;
  const all = new Promise((resolve) => (done = resolve));
  socket.on("tick", () => {
    if (++n === count) done(performance.now());
  });
  window.__flood = { name, socket, count, all };
}

/** The server floods the prepared events (`emit-n`); events per second received. */
async function floodRun() {
  const { name, socket, count, all } = window.__flood;
  const t0 = performance.now();
  socket.emit("emit-n", { event: "tick", count });
  const t1 = await all;
  close(name, socket);
  window.__flood = undefined;
  return { eps: count / ((t1 - t0) / 1000) };
}

/** `count` events emitted without acks, closed by an acked echo (the server has read them
 * all when it answers: Socket.IO keeps order); events per second sent. */
async function send(name, url, count) {
  const socket = await connect(name, url);
  for (let i = 0; i < 500; i++) socket.emit("bench-sink", PAYLOAD);
  await ack(socket, "echo", "warm");
  const t0 = performance.now();
  for (let i = 0; i < count; i++) socket.emit("bench-sink", PAYLOAD);
  await ack(socket, "echo", "done");
  const t1 = performance.now();
  close(name, socket);
  return { eps: count / ((t1 - t0) / 1000) };
}

window.bench = { rtt, floodPrepare, floodRun, send, ready: true };
