// What the Playwright suites share: one headless Chromium (Debian's /usr/bin/chromium through
// playwright-core, no browser download), the built test pages (dist/, served by Vite's preview
// server), the fixture servers as child processes (the bundled Node server, python-socketio,
// socketioxide: the contract at the top of tests/server/server.js, started like
// sio_test_support does: `--port 0`, the `PORT n` line, stdin for commands, stopped by pid),
// the cluster launcher (tests/server/cluster.js), and the in-page harness (HARNESS).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { preview } from "vite";

export const here = fileURLToPath(new URL(".", import.meta.url));
export const dist = resolve(here, "dist");
const root = resolve(here, "../..");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Headless Chromium with the flags a container needs. */
export function launchChromium() {
  return chromium.launch({
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
}

/**
 * dist/ over HTTP on a free port of 127.0.0.1 (Vite's preview server); with `proxyTo`, the
 * page's own `/socket.io/` (HTTP and WebSocket) is forwarded to that server, so that the page
 * and the server share an origin (for servers that send no CORS headers).
 */
export async function serveDist({ proxyTo } = {}) {
  if (!existsSync(join(dist, "api.html"))) throw new Error("build the pages first: npx vite build");
  const server = await preview({
    root: here,
    configFile: false,
    logLevel: "warn",
    build: { outDir: "dist" },
    preview: {
      host: "127.0.0.1",
      port: 0,
      strictPort: true,
      proxy: proxyTo ? { "/socket.io": { target: proxyTo, ws: true } } : undefined,
    },
  });
  return { url: `http://127.0.0.1:${server.httpServer.address().port}`, close: () => server.close() };
}

/** Reads one child's stdout JSON lines; `waitFor(pick)` resolves with the first one pick takes. */
class Lines {
  constructor(stream, onFirst) {
    this.waiters = [];
    this.seen = [];
    const lines = createInterface({ input: stream });
    lines.once("line", onFirst);
    lines.on("line", (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      this.seen.push(msg);
      this.waiters = this.waiters.filter((w) => !w(msg));
    });
  }

  waitFor(what, pick, timeoutMs = 20000) {
    const found = this.seen.find(pick);
    if (found) return Promise.resolve(found);
    return new Promise((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push((msg) => {
        if (!pick(msg)) return false;
        clearTimeout(timer);
        resolveLine(msg);
        return true;
      });
    });
  }
}

/** A child process with its stderr kept (the tail) for failure messages. */
function start(command, args, cwd) {
  const proc = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
  const state = { proc, log: "" };
  proc.stderr.on("data", (d) => {
    state.log = (state.log + d).slice(-20000);
  });
  state.exited = new Promise((r) => proc.once("exit", (code, signal) => r(signal ?? code)));
  return state;
}

/** Stops a child by its pid (SIGTERM, then SIGKILL if it lingers) and waits for it. */
async function stop(state) {
  if (!state || state.proc.exitCode !== null || state.proc.signalCode !== null) return;
  state.proc.stdin.end();
  state.proc.kill("SIGTERM");
  const timer = setTimeout(() => state.proc.kill("SIGKILL"), 5000);
  await state.exited;
  clearTimeout(timer);
}

/**
 * The fixture server kinds, with what each lacks (the names and reasons of
 * sio_test_support::ServerKind::supports) and whether it answers cross-origin requests.
 */
export const KINDS = {
  node: {
    library: "socket.io 4.8.4",
    command: process.execPath,
    script: join(root, "tests/server/server.js"),
    needs: join(root, "tests/server/node_modules/socket.io"),
    install: "npm ci --prefix tests/server",
    cors: true,
    lacks: {},
  },
  python: {
    library: "python-socketio 5.18.1",
    command: join(root, "tests/interop/python/.venv/bin/python"),
    script: join(root, "tests/interop/python/server.py"),
    needs: join(root, "tests/interop/python/.venv/bin/python"),
    install: "make interop-deps",
    cors: true,
    lacks: { recovery: "python-socketio 5.18 has no connection state recovery" },
  },
  socketioxide: {
    library: "socketioxide 0.18.9",
    command: join(root, "tests/interop/socketioxide/target/debug/sio-interop-socketioxide"),
    script: null,
    needs: join(root, "tests/interop/socketioxide/target/debug/sio-interop-socketioxide"),
    install: "make interop-deps",
    // socketioxide leaves CORS to tower-http, which its fixture does not use
    cors: false,
    lacks: {
      recovery: "socketioxide 0.18 has no connection state recovery",
      "connect_error data": "socketioxide 0.18 middleware errors carry only a message (connect_error has no data)",
    },
  },
};

/** A fixture server of one kind on a free port (`args`: the contract's flags). */
export class FixtureServer {
  static async start(kind, args = []) {
    const spec = KINDS[kind];
    if (!existsSync(spec.needs)) throw new Error(`${spec.needs} is missing: run \`${spec.install}\` first`);
    const cwd = spec.script ? resolve(spec.script, "..") : undefined;
    const argv = [...(spec.script ? [spec.script] : []), "--port", "0", ...args];
    const server = new FixtureServer();
    server.kind = kind;
    server.child = start(spec.command, argv, cwd);
    const port = await new Promise((resolvePort, reject) => {
      server.child.proc.once("exit", (code) => reject(new Error(`${kind} server exited (${code}): ${server.log()}`)));
      server.lines = new Lines(server.child.proc.stdout, (line) => {
        const m = /^PORT (\d+)$/.exec(line);
        if (m) resolvePort(Number(m[1]));
        else reject(new Error(`${kind} server: unexpected first line ${line}`));
      });
    });
    server.url = `http://127.0.0.1:${port}`;
    return server;
  }

  /** The tail of the server's log. */
  log() {
    return this.child.log;
  }

  stop() {
    return stop(this.child);
  }
}

/**
 * tests/server/cluster.js: redis-server, `nodes` nodes of server.js on a Redis adapter, and
 * HAProxy in front (cookie SERVERID, health checks, redispatch); `url` is the balancer.
 */
export class Cluster {
  static async start(args = []) {
    const cluster = new Cluster();
    cluster.child = start(process.execPath, [join(root, "tests/server/cluster.js"), ...args], join(root, "tests/server"));
    cluster.nextId = 1;
    cluster.lines = new Lines(cluster.child.proc.stdout, () => {});
    const failed = cluster.child.exited.then((code) => {
      throw new Error(`cluster.js exited (${code}): ${cluster.log()}`);
    });
    const ready = await Promise.race([cluster.lines.waitFor("the cluster", (m) => m.event === "ready", 60000), failed]);
    failed.catch(() => {});
    cluster.url = ready.url;
    return cluster;
  }

  /** Sends one command and resolves with its answer (matched by id); an error answer throws. */
  async command(cmd, timeoutMs = 20000) {
    const id = this.nextId++;
    const answer = this.lines.waitFor(JSON.stringify(cmd), (m) => m.id === id, timeoutMs);
    this.child.proc.stdin.write(JSON.stringify({ ...cmd, id }) + "\n");
    const msg = await answer;
    if (msg.event === "error") throw new Error(`cluster: ${msg.message} (for ${JSON.stringify(cmd)})`);
    return msg;
  }

  log() {
    return this.child.log;
  }

  stop() {
    return stop(this.child);
  }
}

/**
 * Runs `scenario(...args)` in `page` (a function, sent as source: it only sees the page);
 * failures carry `log()` (a server's log tail).
 */
export async function runIn(page, scenario, args = [], log = () => "") {
  try {
    return await page.evaluate(([s, a]) => (0, eval)(s)(...a), [String(scenario), args]);
  } catch (e) {
    e.message += `\n--- server log (tail)\n${log().split("\n").slice(-30).join("\n")}`;
    throw e;
  }
}

/** A new page on `siteUrl/page` with the harness, its uncaught errors collected in `errors`. */
export async function openPage(context, siteUrl, errors, page = "api.html") {
  const p = await context.newPage();
  p.on("pageerror", (e) => errors.push(String(e)));
  await p.goto(`${siteUrl}/${page}`);
  await p.waitForFunction(() => window.sio !== undefined);
  await p.evaluate(HARNESS);
  return p;
}

// Runs in the page: `window.h` holds the harness for the scenarios.
export const HARNESS = `
window.h = (() => {
  const { io, Manager } = window.sio;
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
  const MANAGER_EVENTS = ["open", "close", "ping", "upgrade", "error", "reconnect_attempt", "reconnect",
    "reconnect_error", "reconnect_failed"];

  /** A socket on its own connection (forceNew) plus everything it and its manager reported. */
  class Harness {
    constructor(url, options = {}, nsp = "/") {
      this.events = [];
      this.socket = io(url + (nsp === "/" ? "" : nsp), { forceNew: true, ...options });
      this.watch(this.socket);
      for (const name of MANAGER_EVENTS) {
        this.socket.io.on(name, (...args) => this.events.push({ kind: name, ns: "", args }));
      }
    }
    /** Records the reserved events and every incoming event of \`socket\`. */
    watch(socket) {
      const ns = socket.nsp;
      for (const name of ["connect", "disconnect", "connect_error"]) {
        socket.on(name, (...args) => this.events.push({ kind: name, ns, args }));
      }
      socket.onAny((event, ...args) => this.events.push({ kind: "event", ns, event, args }));
      return socket;
    }
    count(kind, ns) {
      return this.events.filter((r) => r.kind === kind && r.ns === ns).length;
    }
    /** Waits (up to timeoutMs, default 10 s) until pick finds something among the events. */
    async wait(what, pick, timeoutMs = 10000) {
      const start = performance.now();
      for (;;) {
        const found = await pick(this.events);
        if (found !== undefined && found !== false) return found;
        if (performance.now() - start > timeoutMs) {
          throw new Error("timed out waiting for " + what + "; events: " +
            json(this.events.map((r) => r.kind + "(" + r.ns + ") " + (r.event ?? ""))));
        }
        await sleep(5);
      }
    }
    /** The n-th (1-based) event kind on ns. */
    nth(kind, ns, n, timeoutMs) {
      return this.wait(kind + " #" + n + " on " + ns, (events) =>
        events.filter((r) => r.kind === kind && r.ns === ns)[n - 1], timeoutMs);
    }
    /** The first incoming \`event\` on ns. */
    received(event, ns = "/", timeoutMs) {
      return this.wait("event " + event, (events) =>
        events.find((r) => r.kind === "event" && r.ns === ns && r.event === event), timeoutMs);
    }
    /** Emits with an ack (5 s timeout) and returns the ack's arguments. */
    call(socket, event, ...args) {
      return new Promise((resolve, reject) =>
        socket.timeout(5000).emit(event, ...args, (err, ...reply) => (err ? reject(err) : resolve(reply))));
    }
    async whoami(socket = this.socket) {
      return (await this.call(socket, "whoami"))[0];
    }
    close() {
      this.socket.io.close();
    }
  }

  /**
   * Binary values both ways; returns the harness (still connected). \`recovery\`: whether the
   * server appends its recovery offset to the events it emits without an ack.
   */
  async function binaryRoundTrip(url, options, recovery = true) {
    const t = new Harness(url, options);
    await t.nth("connect", "/", 1);
    const data = new Uint8Array([9, 8, 7, 6]);
    const sub = data.subarray(1, 3); // a view with an offset: [8, 7]
    const raw = new Uint8Array([4, 5]).buffer;
    const nested = { nested: [raw, "x"], view: new DataView(new Uint8Array([6]).buffer) };
    const answer = await t.call(t.socket, "echo", sub, nested, "text");
    equal(answer.length, 3);
    equal(bytes(answer[0]), [8, 7]);
    equal(bytes(answer[1].nested[0]), [4, 5]);
    equal(bytes(answer[1].view), [6]);
    equal(answer[1].nested[1], "x");
    equal(answer[2], "text");
    // the user's objects were not modified
    check(nested.nested[0] instanceof ArrayBuffer, "the caller's object is untouched");
    // server -> client binary event (no ack: with recovery, the offset follows as a last string)
    t.socket.emit("echo", new Uint8Array([1, 2, 3]));
    const echoed = await t.received("echo");
    equal(bytes(echoed.args[0]), [1, 2, 3]);
    if (recovery) check(typeof echoed.args[1] === "string", "recovery offset");
    else equal(echoed.args.length, 1, "no recovery offset");
    return t;
  }
  return { Harness, binaryRoundTrip, io, Manager, sleep, check, equal, bytes, json };
})();
`;
