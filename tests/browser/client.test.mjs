// The connection driver of sio-client (`CoreClient`: the Rust core compiled to WebAssembly,
// driven from TypeScript with the browser's WebSocket, fetch and timers) in a real Chromium
// (Debian's /usr/bin/chromium driven by playwright-core), against the bundled reference
// server. These are the network scenarios that used to run as `wasm-pack test` when the
// driver was written in Rust; the Rust side of the boundary is tested there now
// (client-wasm/tests/browser.rs).
//
//   node --test client.test.mjs        (scripts/test-browser.sh builds the page first)
//
// The page is the one `vite build` makes in this folder (it exposes `window.sio`). The test
// starts its own server (tests/server/server.js on a free port, with short heartbeats so that
// several pings happen in a few seconds) and a static file server for dist/; both stop when
// the test ends. Every scenario runs inside the page with a small harness (HARNESS below).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = resolve(here, "dist");
const serverScript = resolve(here, "../server/server.js");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

async function startServer() {
  const proc = spawn(
    process.execPath,
    [serverScript, "--port", "0", "--no-stdin", "--ping-interval", "1000", "--ping-timeout", "1000"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  proc.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-20000);
  });
  const lines = createInterface({ input: proc.stdout });
  const port = await new Promise((resolvePort, reject) => {
    proc.once("exit", (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    lines.once("line", (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) resolvePort(Number(m[1]));
      else reject(new Error(`unexpected first line ${line}`));
    });
  });
  return { proc, url: `http://127.0.0.1:${port}`, log: () => stderr };
}

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

function serveDist() {
  const http = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    let file = join(dist, path);
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(dist, "index.html");
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolveUrl) => {
    http.listen(0, "127.0.0.1", () => resolveUrl({ http, url: `http://127.0.0.1:${http.address().port}` }));
  });
}

// Runs in the page: `window.h` holds the harness for the scenarios.
const HARNESS = `
window.h = (() => {
  const { CoreClient } = window.sio;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const json = (v) => JSON.stringify(v);
  function check(ok, message) {
    if (!ok) throw new Error("assertion failed: " + message);
  }
  function equal(actual, expected, message) {
    if (json(actual) !== json(expected)) {
      throw new Error((message ?? "values differ") + ": " + json(actual) + " !== " + json(expected));
    }
  }
  function bytes(value) {
    check(value instanceof ArrayBuffer, "expected an ArrayBuffer, got " + Object.prototype.toString.call(value));
    return [...new Uint8Array(value)];
  }

  /** A client plus everything it reported. */
  class Harness {
    constructor(url, options = {}) {
      this.events = [];
      this.reaction = undefined;
      this.client = new CoreClient(url, options, (kind, ns, a, b, c) => {
        const rec = { kind, ns, a, b, c };
        this.events.push(rec);
        if (this.reaction) this.reaction(rec);
      });
    }
    count(kind, ns) {
      return this.events.filter((r) => r.kind === kind && (r.ns ?? "") === ns).length;
    }
    /** Waits (up to 10 s) until pick finds something among the events. */
    async wait(what, pick) {
      const start = performance.now();
      for (;;) {
        const found = pick(this.events);
        if (found !== undefined && found !== false) return found;
        if (performance.now() - start > 10000) {
          throw new Error("timed out waiting for " + what + "; events: " +
            json(this.events.map((r) => r.kind + "(" + (r.ns ?? "") + ") " + (typeof r.a === "object" ? "" : String(r.a)))));
        }
        await sleep(5);
      }
    }
    /** The n-th (1-based) event kind on ns. */
    nth(kind, ns, n) {
      return this.wait(kind + " #" + n + " on " + ns, (events) =>
        events.filter((r) => r.kind === kind && (r.ns ?? "") === ns)[n - 1]);
    }
    async connect(ns) {
      const before = this.count("connect", ns);
      this.client.connect(ns);
      return this.nth("connect", ns, before + 1);
    }
    /** Emits with an ack and waits for the ack's arguments. */
    async call(ns, event, args) {
      const handle = this.client.emit(ns, event, args, true, 5000, false);
      check(typeof handle === "number", "ack handle");
      const rec = await this.wait("ack of " + event, (events) =>
        events.find((r) => (r.kind === "ack" || r.kind === "ack_error") && r.a === handle));
      equal(rec.kind, "ack", event + ": " + (rec.b && rec.b.message));
      return rec.b;
    }
    async whoami(ns) {
      return (await this.call(ns, "whoami", []))[0];
    }
    close() {
      this.client.close();
    }
  }
  /** Binary values both ways; returns the harness (still connected). */
  async function binaryRoundTrip(url, options) {
    const t = new Harness(url, options);
    await t.connect("/");
    const data = new Uint8Array([9, 8, 7, 6]);
    const sub = data.subarray(1, 3); // a view with an offset: [8, 7]
    const raw = new Uint8Array([4, 5]).buffer;
    const nested = { nested: [raw, "x"] };
    const answer = await t.call("/", "echo", [sub, nested, "text"]);
    equal(answer.length, 3);
    equal(bytes(answer[0]), [8, 7]);
    equal(bytes(answer[1].nested[0]), [4, 5]);
    equal(answer[1].nested[1], "x");
    equal(answer[2], "text");
    // the user's objects were not modified
    check(nested.nested[0] instanceof ArrayBuffer, "the caller's object is untouched");
    // server -> client binary event (no ack: the recovery offset follows as a last string)
    t.client.emit("/", "echo", [new Uint8Array([1, 2, 3])], false, undefined, false);
    const echoed = await t.wait("binary echo", (events) => events.find((r) => r.kind === "event" && r.a === "echo"));
    equal(bytes(echoed.b[0]), [1, 2, 3]);
    check(typeof echoed.b[1] === "string", "recovery offset");
    return t;
  }
  return { Harness, binaryRoundTrip, sleep, check, equal, bytes, json };
})();
`;

describe("CoreClient in Chromium", () => {
  let server;
  let site;
  let browser;
  let page;

  before(async () => {
    assert.ok(existsSync(join(dist, "index.html")), "build the page first: npx vite build");
    server = await startServer();
    site = await serveDist();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    page = await browser.newPage();
    await page.goto(`${site.url}/?server=${encodeURIComponent(server.url)}`);
    await page.waitForFunction(() => window.sio !== undefined);
    await page.evaluate(() => window.sio.ready());
    await page.evaluate(HARNESS);
  });

  after(async () => {
    await browser?.close();
    site?.http.close();
    server?.proc.kill("SIGTERM");
  });

  /**
   * Runs `scenario(url, options)` in the page (it closes its clients); failures carry the
   * server log.
   */
  async function run(scenario, options) {
    try {
      return await page.evaluate(([s, url, o]) => (0, eval)(s)(url, o), [String(scenario), server.url, options]);
    } catch (e) {
      e.message += `\n--- server log (tail)\n${server.log().split("\n").slice(-30).join("\n")}`;
      throw e;
    }
  }

  test("connects and reports its namespace id", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      const connect = await t.connect("/");
      const id = connect.a;
      check(typeof id === "string", "id");
      equal(connect.b, false, "not recovered");
      check(t.client.connected("/"), "connected");
      check(t.client.active("/"), "active");
      equal(t.client.id("/"), id);
      const me = await t.whoami("/");
      equal(me.nsp, "/");
      equal(me.id, id);
      equal(t.count("open", ""), 1);
      t.close();
    }));

  test("query and auth object reach the server", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url, { query: { room: "lobby", n: 7 } });
      t.client.setAuth("/guarded", { token: "secret", user: "ann" });
      await t.connect("/guarded");
      const me = await t.whoami("/guarded");
      equal(me.auth, { token: "secret", user: "ann" });
      equal(me.query.room, "lobby");
      equal(me.query.n, "7");
      equal(me.query.EIO, "4");
      t.close();
    }));

  test("the auth function is called on every connect", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url, { reconnectionDelay: 50, reconnectionDelayMax: 100 });
      let calls = 0;
      t.client.setAuth("/guarded", (cb) => {
        calls += 1;
        const data = { token: "secret", n: calls };
        // answer asynchronously, like a token refresh would
        setTimeout(() => cb(data), 5);
      });
      await t.connect("/guarded");
      equal(calls, 1);
      equal((await t.whoami("/guarded")).auth, { token: "secret", n: 1 });
      // the server drops the transport: the client reconnects and asks for auth again
      t.client.emit("/guarded", "close-transport", [], false, undefined, false);
      await t.nth("disconnect", "/guarded", 1);
      await t.nth("connect", "/guarded", 2);
      equal(calls, 2);
      t.close();
    }));

  test("a rejected connect is an error with data", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      t.client.setAuth("/guarded", { token: "wrong" });
      t.client.connect("/guarded");
      const rec = await t.nth("connect_error", "/guarded", 1);
      check(rec.a instanceof Error, "an Error");
      equal(rec.a.message, "unauthorized");
      equal(rec.a.data, { reason: "bad token" });
      check(!t.client.active("/guarded"), "no automatic retry after a rejection");
      check(!t.client.connected("/guarded"), "not connected");
      // the application fixes its credentials and connects again, on the same client
      t.client.setAuth("/guarded", { token: "secret" });
      await t.connect("/guarded");
      equal((await t.whoami("/guarded")).auth, { token: "secret" });
      t.close();
    }));

  test("acks in both directions", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      await t.connect("/");
      // client -> server
      equal(await t.call("/", "echo", [1, "two", { three: [3, null, true] }]), [1, "two", { three: [3, null, true] }]);
      // server -> client: the server asks, the client answers from outside the handler
      const ask = { event: "question", args: ["what?", 2], timeoutMs: 3000 };
      const handle = t.client.emit("/", "ask", [ask], true, undefined, false);
      const question = await t.wait("question", (events) => events.find((r) => r.kind === "event" && r.a === "question"));
      equal(question.b, ["what?", 2]);
      const ackId = question.c;
      check(typeof ackId === "number", "the server wants an ack");
      check(t.client.ack("/", ackId, ["forty", 42]), "ack");
      check(!t.client.ack("/", ackId, ["forty", 42]), "answered once only");
      const result = await t.wait("ask's ack", (events) => events.find((r) => r.kind === "ack" && r.a === handle));
      equal(result.b, [{ ok: true, args: ["forty", 42] }]);
      t.close();
    }));

  test("an unanswered ack times out", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      await t.connect("/");
      const handle = t.client.emit("/", "nobody-answers", [], true, 100, false);
      const rec = await t.wait("ack_error", (events) => events.find((r) => r.kind === "ack_error" && r.a === handle));
      equal(rec.c, "timeout");
      check(rec.b instanceof Error, "an Error");
      equal(rec.b.message, "operation has timed out");
      t.close();
    }));

  test("binary anywhere in the arguments, over WebSocket", () =>
    run(async (url) => {
      const { binaryRoundTrip, equal } = window.h;
      const t = await binaryRoundTrip(url, { transports: ["websocket"] });
      equal(t.client.transport(), "websocket");
      t.close();
    }));

  test("binary over polling only", () =>
    run(async (url) => {
      const { binaryRoundTrip, equal } = window.h;
      const t = await binaryRoundTrip(url, { transports: ["polling"] });
      equal((await t.whoami("/")).transport, "polling");
      equal(t.count("upgrade", ""), 0);
      t.close();
    }));

  test("polling upgrades to WebSocket", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url);
      await t.connect("/");
      await t.wait("upgrade", (events) => events.find((r) => r.kind === "upgrade"));
      equal(t.client.transport(), "websocket");
      equal((await t.whoami("/")).transport, "websocket");
      t.close();
    }));

  test("namespaces share one connection", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      const main = await t.connect("/");
      const admin = await t.connect("/admin");
      check(main.a !== admin.a, "different ids");
      equal(t.count("open", ""), 1, "one Engine.IO connection");
      equal((await t.whoami("/admin")).nsp, "/admin");
      t.client.disconnect("/admin");
      equal((await t.nth("disconnect", "/admin", 1)).a, "io client disconnect");
      check(t.client.connected("/"), "/ still connected");
      equal((await t.whoami("/")).nsp, "/");
      t.close();
    }));

  test("a server disconnect does not reconnect", () =>
    run(async (url) => {
      const { Harness, equal, check, sleep } = window.h;
      const t = new Harness(url, { reconnectionDelay: 20, reconnectionDelayMax: 40 });
      await t.connect("/");
      t.client.emit("/", "server-disconnect", [], false, undefined, false);
      equal((await t.nth("disconnect", "/", 1)).a, "io server disconnect");
      check(!t.client.active("/"), "not active");
      await sleep(200);
      equal(t.count("reconnect_attempt", ""), 0);
      // connect() brings it back
      await t.connect("/");
      t.close();
    }));

  test("connection state recovery keeps the session", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url, { transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 100 });
      const first = await t.connect("/");
      // receive events so that the client holds an offset to recover from
      equal(await t.call("/", "emit-n", [{ event: "tick", count: 3 }]), [3]);
      await t.wait("three ticks", (events) => events.filter((r) => r.kind === "event" && r.a === "tick").length === 3);
      t.client.emit("/", "close-transport", [], false, undefined, false);
      equal((await t.nth("disconnect", "/", 1)).a, "transport close");
      const second = await t.nth("connect", "/", 2);
      equal(second.b, true, "recovered");
      equal(second.a, first.a, "same id");
      check(t.client.recovered("/"), "recovered()");
      check(t.count("reconnect", "") >= 1, "reconnect reported");
      t.close();
    }));

  test("a restart reconnects and re-joins the rooms", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url, { reconnectionDelay: 100, reconnectionDelayMax: 300 });
      await t.connect("/");
      t.client.join("/", "room-a");
      await t.nth("joined", "/", 1);
      check((await t.call("/", "rooms", []))[0].includes("room-a"), "joined on the server");
      equal(t.client.rooms("/"), ["room-a"]);
      t.client.emit("/", "restart", [{ downMs: 300, forgetSessions: true }], false, undefined, false);
      await t.nth("disconnect", "/", 1);
      check(t.client.active("/"), "still wants to be connected");
      const connect = await t.nth("connect", "/", 2);
      equal(connect.b, false, "sessions were forgotten: not recovered");
      check(t.count("reconnect_attempt", "") >= 1, "reconnect_attempt reported");
      check(t.count("reconnect", "") >= 1, "reconnect reported");
      // the room is re-joined by itself (the join is sent before `connect` is reported; the
      // server's ack, `joined`, follows)
      equal((await t.nth("joined", "/", 2)).a, "room-a");
      check((await t.call("/", "rooms", []))[0].includes("room-a"), "re-joined on the server");
      // and messages to the room arrive again
      await t.call("/", "broadcast", [{ room: "room-a", event: "news", args: ["hello room"] }]);
      const news = await t.wait("news", (events) => events.find((r) => r.kind === "event" && r.a === "news"));
      equal(news.b[0], "hello room");
      t.close();
    }));

  test("listeners may call the client while it dispatches", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      const results = [];
      t.reaction = (rec) => {
        // re-entrant emit from inside the connect listener
        if (rec.kind === "connect") results.push(t.client.emit("/", "echo", ["from the listener"], true, undefined, false));
      };
      await t.connect("/");
      const handle = results[0];
      check(typeof handle === "number", "emit from a listener");
      const rec = await t.wait("ack", (events) => events.find((r) => r.kind === "ack" && r.a === handle));
      equal(rec.b, ["from the listener"]);
      t.close();
    }));

  test("bad arguments are refused with errors", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const { CoreClient } = window.sio;
      const t = new Harness(url);
      await t.connect("/");
      const thrown = (f) => {
        try {
          f();
        } catch (e) {
          return e;
        }
        throw new Error("no exception");
      };
      const reserved = thrown(() => t.client.emit("/", "connect", [], false, undefined, false));
      check(reserved instanceof Error, "an Error");
      equal(reserved.message, '"connect" is a reserved event name');
      check(thrown(() => t.client.emit("/", "echo", [new Blob()], false, undefined, false)) instanceof TypeError, "Blob");
      const cyclic = {};
      cyclic.self = cyclic;
      check(thrown(() => t.client.emit("/", "echo", [cyclic], false, undefined, false)) instanceof TypeError, "cycle");
      check(thrown(() => t.client.emit("/", "echo", [], true, -1, false)) instanceof TypeError, "negative timeout");
      const noop = () => {};
      check(thrown(() => new CoreClient(url, { transports: "websocket" }, noop)) instanceof TypeError, "transports must be an array");
      check(thrown(() => new CoreClient(url, { reconnectionDelay: "1" }, noop)) instanceof TypeError, "numbers are numbers");
      equal(
        thrown(() => new CoreClient(url, { transports: ["webtransport"] }, noop)).message,
        'option `transports` must list "polling" and/or "websocket", got "webtransport"',
      );
      equal(
        thrown(() => new CoreClient("ftp://nowhere", {}, noop)).message,
        'unsupported URL scheme "ftp" (expected http, https, ws or wss)',
      );
      // the connection is still fine
      equal(await t.call("/", "echo", [1]), [1]);
      t.close();
    }));

  test("an unreachable server reports connect errors and retries", () =>
    run(async () => {
      const { Harness, equal, check } = window.h;
      // port 9 (discard) on loopback: nothing listens there
      const t = new Harness("http://127.0.0.1:9", { reconnectionDelay: 20, reconnectionDelayMax: 20, reconnectionAttempts: 2 });
      t.client.connect("/");
      await t.wait("reconnect_failed", (events) => events.find((r) => r.kind === "reconnect_failed"));
      const kinds = t.events.map((r) => r.kind);
      equal(kinds.filter((k) => k === "connect_error").length, 3, kinds.join(","));
      equal(kinds.filter((k) => k === "reconnect_attempt").length, 2, kinds.join(","));
      check(!t.client.connected("/"), "not connected");
      t.close();
    }));

  // The server pings every second: over polling, after the upgrade and over WebSocket only, the
  // client answers and the connection stays up for several intervals.
  for (const [name, options] of [
    ["polling then WebSocket", {}],
    ["polling only", { transports: ["polling"] }],
    ["WebSocket only", { transports: ["websocket"] }],
  ]) {
    test(`stays up across heartbeats: ${name}`, () =>
      run(async (url, options) => {
        const { Harness, equal, check, sleep } = window.h;
        const t = new Harness(url, options);
        await t.connect("/");
        await sleep(3500);
        const pings = t.count("ping", "");
        check(pings >= 2, "pings seen: " + pings);
        equal(t.count("disconnect", "/"), 0, "no disconnect");
        equal(t.count("close", ""), 0, "no close");
        equal(await t.call("/", "echo", ["still here"]), ["still here"]);
        t.close();
      }, options));
  }

  test("volatile emits are dropped while they cannot be sent", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url, { transports: ["websocket"] });
      t.client.connect("/");
      // nothing is open yet: a volatile emit is dropped, its ack fails at once
      const dropped = t.client.emit("/", "echo", ["lost"], true, undefined, true);
      equal((await t.wait("not_sent", (events) => events.find((r) => r.kind === "ack_error" && r.a === dropped))).c, "not_sent");
      // a plain emit made at the same time is buffered and delivered once connected
      const kept = t.client.emit("/", "echo", ["kept"], true, undefined, false);
      await t.nth("connect", "/", 1);
      equal((await t.wait("buffered ack", (events) => events.find((r) => r.kind === "ack" && r.a === kept))).b, ["kept"]);
      // connected over WebSocket, a volatile emit goes through
      const sent = t.client.emit("/", "echo", ["sent"], true, 2000, true);
      const rec = await t.wait("volatile ack", (events) => events.find((r) => (r.kind === "ack" || r.kind === "ack_error") && r.a === sent));
      equal(rec.kind, "ack");
      t.close();
    }));
});
