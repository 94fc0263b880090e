// The browser rows of `make bench` (bench/run.js calls `measureBrowser`, or run it alone:
// `node bench/browser.js [--repeat N] [--seconds S] [--events N]`): sio-client (pkg/ as
// `npm run build` leaves it) and socket.io-client 4.8.4 (its minified ESM bundle) in the same
// headless Chromium, on the same page (bench/browser/), against the same bundled server, in one
// run, scenario by scenario and client after client (interleaved, medians of the runs):
//
//   - ack round trip p50/p99: one `echo` with an ack in flight at a time, for S seconds;
//   - events/s received: the server floods N events (`emit-n`), timed from the request to the
//     last event;
//   - events/s sent: N events without acks, closed by an acked echo (the server has read them
//     all when it answers);
//   - main-thread time per received event: Chromium's TaskDuration (CDP Performance metrics,
//     all main-thread work: wasm, JavaScript, WebSocket handling) over the flood, / N.
//
// Chromium is Debian's /usr/bin/chromium through playwright-core (tests/browser/node_modules);
// nothing is downloaded.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const PAGE = path.join(__dirname, "browser");
const SERVER = path.join(ROOT, "tests", "server", "server.js");
const REF = path.join(ROOT, "tests", "server", "node_modules", "socket.io-client", "dist");
const PKG = path.join(ROOT, "pkg");
const PLAYWRIGHT = path.join(ROOT, "tests", "browser", "node_modules", "playwright-core");

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".map": "application/json" };

/** The page, sio-client under /sio/ and socket.io-client under /ref/. */
function serveFiles() {
  const roots = [
    ["/sio/", PKG],
    ["/ref/", REF],
    ["/", PAGE],
  ];
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const [prefix, dir] = roots.find(([p]) => url.startsWith(p));
    const file = path.normalize(path.join(dir, url.slice(prefix.length) || "index.html"));
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] || "application/octet-stream",
      // cross-origin isolated: performance.now() to 5 µs instead of 100 µs
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The bundled server on a free port; resolves with its URL and a stop function. */
async function startServer(log) {
  const proc = spawn(process.execPath, [SERVER, "--port", "0", "--no-stdin"], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stderr.on("data", (d) => log && log.write(d));
  const port = await new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/^PORT (\d+)$/m);
      if (m) resolve(Number(m[1]));
    });
    proc.on("close", (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        proc.on("close", resolve);
        proc.kill("SIGTERM");
      }),
  };
}

const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

/**
 * Measures both clients. Resolves with `{ sio: {...}, ref: {...} }` (medians: p50, p99 in µs,
 * recvEps, sendEps, mainUsPerEvent), or `{ error }` when something needed is missing.
 */
async function measureBrowser({ repeat = 3, seconds = 3, events = 30000, say = () => {}, log = null } = {}) {
  if (!fs.existsSync(path.join(PKG, "dist", "index.js")) || !fs.existsSync(path.join(PKG, "wasm", "sio_wasm_bg.wasm"))) {
    return { error: "pkg/ is not built (cd pkg && npm run build)" };
  }
  if (!fs.existsSync(path.join(REF, "socket.io.esm.min.js"))) return { error: "tests/server/node_modules is missing (npm ci)" };
  if (!fs.existsSync(PLAYWRIGHT)) return { error: "tests/browser/node_modules is missing (scripts/browser-deps.sh)" };
  const { chromium } = require(PLAYWRIGHT);
  const files = await serveFiles();
  const server = await startServer(log);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--headless=new",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const runs = { sio: [], ref: [] };
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${files.address().port}/`);
    await page.waitForFunction(() => window.bench && window.bench.ready, null, { timeout: 30000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const taskSeconds = async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      return metrics.find((m) => m.name === "TaskDuration").value;
    };
    const url = server.url;
    for (let run = 1; run <= repeat; run++) {
      for (const name of ["sio", "ref"]) {
        const label = name === "sio" ? "sio-client" : "socket.io-client";
        say(`browser ${label} run ${run}/${repeat}…`);
        const r = {};
        const one = (fn, ...args) => page.evaluate(([f, n, a]) => window.bench[f](n, ...a), [fn, name, args]);
        Object.assign(r, await one("rtt", url, seconds * 1000));
        await one("floodPrepare", url, events);
        const before = await taskSeconds();
        const flood = await page.evaluate(() => window.bench.floodRun());
        const after = await taskSeconds();
        r.recvEps = flood.eps;
        r.mainUsPerEvent = ((after - before) * 1e6) / events;
        r.sendEps = (await one("send", url, events)).eps;
        runs[name].push(r);
      }
    }
    if (errors.length > 0) return { error: `errors on the page: ${errors.join("; ").slice(0, 200)}` };
  } finally {
    await browser.close();
    await server.stop();
    files.close();
  }
  const pick = (name, key) => median(runs[name].map((r) => r[key]));
  const out = { runs };
  for (const name of ["sio", "ref"]) {
    out[name] = {
      p50: pick(name, "p50"),
      p99: pick(name, "p99"),
      recvEps: pick(name, "recvEps"),
      sendEps: pick(name, "sendEps"),
      mainUsPerEvent: pick(name, "mainUsPerEvent"),
    };
  }
  return out;
}

/** The browser table (markdown). */
function browserTable(result, { events = 30000 } = {}) {
  const head = "| metric (headless Chromium, same page and server) | sio-client | socket.io-client 4.8.4 | sio ÷ socket.io-client | target |";
  const rows = [head, "|---|---:|---:|---:|---|"];
  const fmt = (v, d) => (Number.isFinite(v) ? (d === "int" ? Math.round(v).toLocaleString("en-US") : v.toFixed(d)) : "n/a");
  const n = events.toLocaleString("en-US");
  const line = (label, key, digits, better, target) => {
    if (result.error) {
      rows.push(`| ${label} | n/a (${result.error}) | n/a | n/a | ${target} |`);
      return;
    }
    const s = result.sio[key];
    const r = result.ref[key];
    const q = Number.isFinite(s) && Number.isFinite(r) && r !== 0 ? s / r : undefined;
    const ok = q === undefined ? "(n/a)" : better(q) ? "✓" : "✗ missed";
    rows.push(`| ${label} | ${fmt(s, digits)} | ${fmt(r, digits)} | ${q === undefined ? "n/a" : q.toFixed(2) + "×"} | ${target} ${ok} |`);
  };
  line("ack round trip p50 (µs), one in flight", "p50", 0, (q) => q <= 1.0, "≤ 1.0×");
  line("ack round trip p99 (µs), one in flight", "p99", 0, () => true, "(reported)");
  line(`events/s received (server floods ${n})`, "recvEps", "int", (q) => q >= 1.0, "≥ 1.0×");
  line(`events/s sent (${n}, then an acked echo)`, "sendEps", "int", (q) => q >= 1.0, "≥ 1.0×");
  line("main-thread time per received event (µs)", "mainUsPerEvent", 2, () => true, "(reported)");
  return rows.join("\n");
}

module.exports = { measureBrowser, browserTable };

if (require.main === module) {
  const args = process.argv.slice(2);
  const o = { repeat: 3, seconds: 3, events: 30000 };
  for (let i = 0; i < args.length; i++) {
    const key = { "--repeat": "repeat", "--seconds": "seconds", "--events": "events" }[args[i]];
    if (!key || !Number.isFinite(Number(args[i + 1]))) {
      process.stderr.write(`browser bench: unknown argument ${args[i]}\n`);
      process.exit(2);
    }
    o[key] = Number(args[++i]);
  }
  measureBrowser({ ...o, say: (l) => process.stderr.write(`bench: ${l}\n`) }).then(
    (r) => {
      process.stdout.write(browserTable(r, o) + "\n");
      process.stderr.write(JSON.stringify(r.runs ?? r) + "\n");
    },
    (e) => {
      process.stderr.write(`browser bench: ${e.stack || e}\n`);
      process.exit(1);
    },
  );
}
