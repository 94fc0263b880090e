// The React shim (sio-client/react) and the socket.io-client-shaped API in a real Chromium
// (Debian's /usr/bin/chromium driven by playwright-core; no browser download), on the page
// built by `vite build` in this folder, against the bundled reference server.
//
//   node --test react.test.mjs        (scripts/test-browser.sh builds the page first)
//
// The test starts its own server (tests/server/server.js on a free port, with a stdin pipe
// for `count`, `restart` and `broadcast`) and a static file server for dist/; both stop when
// the test ends.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./support.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = resolve(here, "dist");
const serverScript = resolve(here, "../server/server.js");

/** The reference server, with its stdin command channel. */
class TestServer {
  async start() {
    this.proc = spawn(process.execPath, [serverScript, "--port", "0"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.stderr = "";
    this.proc.stderr.on("data", (d) => {
      this.stderr = (this.stderr + d).slice(-20000);
    });
    this.waiters = [];
    this.lines = createInterface({ input: this.proc.stdout });
    const port = await new Promise((resolvePort, reject) => {
      this.proc.once("exit", (code) => reject(new Error(`server exited (${code}): ${this.stderr}`)));
      this.lines.once("line", (line) => {
        const m = /^PORT (\d+)$/.exec(line);
        if (m) resolvePort(Number(m[1]));
        else reject(new Error(`unexpected first line ${line}`));
      });
    });
    this.lines.on("line", (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      this.waiters = this.waiters.filter((w) => !w(msg));
    });
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Sends a command and resolves with the first output line `accept` takes. */
  command(cmd, accept) {
    return new Promise((resolveAnswer, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(cmd)}`)), 10000);
      this.waiters.push((msg) => {
        if (!accept(msg)) return false;
        clearTimeout(timer);
        resolveAnswer(msg);
        return true;
      });
      this.proc.stdin.write(JSON.stringify(cmd) + "\n");
    });
  }

  async count() {
    const answer = await this.command({ cmd: "count" }, (m) => m.event === "count");
    return answer.clients;
  }

  restart(downMs) {
    return this.command({ cmd: "restart", down_ms: downMs, forget_sessions: true }, (m) => m.event === "up");
  }

  broadcast(room, event, args) {
    return this.command({ cmd: "broadcast", nsp: "/", room, event, args }, (m) => m.event === "broadcast-done");
  }

  stop() {
    this.proc?.stdin.end();
    this.proc?.kill("SIGTERM");
  }
}

const types = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
};

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

async function until(what, check, timeoutMs = 10000) {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("sio-client in Chromium", () => {
  const server = new TestServer();
  let site;
  let browser;
  let page;
  const pageErrors = [];

  before(async () => {
    assert.ok(existsSync(join(dist, "index.html")), "build the page first: npx vite build");
    await server.start();
    site = await serveDist();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("console", (m) => {
      // the browser logs refused connections while the server restarts: expected
      if (m.type() === "error" && !/ERR_CONNECTION_REFUSED|WebSocket connection to/.test(m.text())) {
        pageErrors.push(m.text());
      }
    });
    await page.goto(`${site.url}/?server=${encodeURIComponent(server.url)}`);
  });

  after(async () => {
    await browser?.close();
    site?.http.close();
    server.stop();
  });

  const log = () => page.evaluate(() => window.__log);
  const status = () => page.textContent("#status");

  test("StrictMode's double mount opens exactly one connection", async () => {
    await until("connected", async () => (await status()) === "connected");
    assert.equal(await server.count(), 1);
    // the deferred release of the first (simulated) unmount did not close it later either
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await server.count(), 1);
    assert.equal(await status(), "connected");
    assert.ok((await page.textContent("#sid")).length > 0, "socket id shown");
  });

  test("useSocketEvent calls the latest handler, useRoom joined the room", async () => {
    for (let i = 0; i < 3; i++) await page.click("#bump");
    await until("counter 3", async () => (await page.textContent("#counter")) === "3");
    await server.broadcast("react-room", "news", ["first"]);
    const news = await until("news", async () => ((await log()).news.length === 1 ? (await log()).news : null));
    assert.deepEqual(news[0], { message: "first", counter: 3 });
  });

  test("status goes connected → reconnecting → connected across a restart; the room is re-joined", async () => {
    const before = (await log()).statuses.length;
    await server.restart(500);
    await until("reconnected", async () => {
      const s = (await log()).statuses.slice(before);
      return s.includes("reconnecting") && s[s.length - 1] === "connected";
    });
    const statuses = (await log()).statuses.slice(before);
    assert.deepEqual(statuses.filter((s, i) => s !== statuses[i - 1]), ["reconnecting", "connected"]);
    assert.equal(await server.count(), 1, "still one connection");
    await page.click("#bump");
    await until("counter 4", async () => (await page.textContent("#counter")) === "4");
    // the client re-joined by itself; give its join ack a moment to land on the server
    await until("room re-joined", async () => {
      await server.broadcast("react-room", "news", ["again"]);
      await new Promise((r) => setTimeout(r, 100));
      return (await log()).news.some((n) => n.message === "again");
    });
    const again = (await log()).news.find((n) => n.message === "again");
    assert.deepEqual(again, { message: "again", counter: 4 }, "handler is not stale after reconnect");
  });

  test("useRoom leaves on unmount and joins again on mount", async () => {
    await page.click("#toggle-room");
    const rooms = () =>
      page.evaluate(() => window.__app.ask("rooms"));
    await until("left", async () => !(await rooms()).includes("react-room"));
    await page.click("#toggle-room");
    await until("joined", async () => (await rooms()).includes("react-room"));
  });

  test("useEmitWithAck resolves with the ack and rejects on timeout", async () => {
    assert.equal(await page.evaluate(() => window.__app.ask("echo", "hi")), "hi");
    const error = await page.evaluate(() => window.__app.ask("nobody-answers").then(() => "resolved", (e) => e.message));
    assert.equal(error, "operation has timed out");
  });

  test("the socket.io-client-shaped API", async () => {
    const result = await page.evaluate(async (url) => {
      const { io } = window.sio;
      const out = {};
      const once = (emitter, event) => new Promise((r) => emitter.once(event, (...a) => r(a)));
      // multiplexing: same server → one Manager; forceNew → another
      const a = io(url, { forceNew: true });
      const admin = io(url + "/admin", { forceNew: false });
      const plain = io(url);
      out.multiplexed = plain.io === admin.io;
      out.forceNewSeparate = a.io !== plain.io;
      await once(a, "connect");
      out.connected = a.connected && typeof a.id === "string" && a.active;
      // ack callback, emitWithAck, binary anywhere
      out.ack = await new Promise((r) => a.emit("echo", 1, { x: [true] }, (...args) => r(args)));
      const bin = await a.emitWithAck("echo", { buf: new Uint8Array([1, 2, 3]) });
      out.binary = bin.buf instanceof ArrayBuffer ? [...new Uint8Array(bin.buf)] : String(bin.buf);
      // timeout(): error-first callback
      out.timeout = await new Promise((r) => a.timeout(50).emit("nobody-answers", (err) => r(err && err.message)));
      out.timeoutOk = await new Promise((r) => a.timeout(2000).emit("echo", 7, (err, v) => r([err, v])));
      // catch-all listeners and server-to-client acks
      const any = [];
      a.onAny((event, ...args) => any.push(event));
      const outgoing = [];
      a.onAnyOutgoing((event) => outgoing.push(event));
      a.on("question", (q, ack) => ack(q + "!"));
      out.ask = await a.emitWithAck("ask", { event: "question", args: ["why"] });
      out.any = any.includes("question");
      out.outgoing = outgoing.includes("ask");
      // reserved names throw
      try {
        a.emit("disconnect");
        out.reserved = "no error";
      } catch (e) {
        out.reserved = e.message;
      }
      // connect_error with data, then an auth function called on connect
      const guarded = io(url + "/guarded", { forceNew: true, auth: { token: "nope" } });
      const [err] = await once(guarded, "connect_error");
      out.connectError = { message: err.message, data: err.data, active: guarded.active };
      let calls = 0;
      guarded.auth = (cb) => {
        calls += 1;
        cb({ token: "secret" });
      };
      const retryStart = performance.now();
      guarded.connect();
      await once(guarded, "connect");
      // socket.io-client connects again at once (the docs' "fix auth in connect_error" pattern)
      out.reconnectedQuickly = performance.now() - retryStart < 3000;
      out.authCalls = calls;
      out.whoami = (await guarded.emitWithAck("whoami")).auth;
      // manager events across a server-side transport close, and disconnect reasons
      // (listeners first: `reconnect` and `connect` are delivered in one go)
      const reconnected = once(a.io, "reconnect");
      const reason = once(a, "disconnect");
      const connectedAgain = reason.then(() => once(a, "connect"));
      a.emit("close-transport");
      out.disconnectReason = (await reason)[0];
      await reconnected;
      await connectedAgain;
      out.recovered = a.recovered;
      for (const s of [a, admin, plain, guarded]) s.disconnect();
      out.afterDisconnect = a.connected || a.active;
      return out;
    }, server.url);
    assert.deepEqual(result, {
      multiplexed: true,
      forceNewSeparate: true,
      connected: true,
      ack: [1, { x: [true] }],
      binary: [1, 2, 3],
      timeout: "operation has timed out",
      timeoutOk: [null, 7],
      ask: { ok: true, args: ["why!"] },
      any: true,
      outgoing: true,
      reserved: '"disconnect" is a reserved event name',
      connectError: { message: "unauthorized", data: { reason: "bad token" }, active: false },
      reconnectedQuickly: true,
      authCalls: 1,
      whoami: { token: "secret" },
      disconnectReason: "transport close",
      recovered: true,
      afterDisconnect: false,
    });
  });

  test("no errors on the page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
