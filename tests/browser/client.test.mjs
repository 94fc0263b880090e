// The JavaScript API of sio-client (`io()`, `Manager`, `Socket`: wasm-bindgen exports of the
// Rust crate sio-wasm, on sio-client's Rust API and its web-sys driver) in a real Chromium
// (Debian's /usr/bin/chromium driven by playwright-core), against the bundled reference
// server: the network scenarios, the socket.io-client emitter semantics, and bad input. The
// Rust API itself runs in Chromium under `wasm-pack test` (client-wasm/tests/rust_api.rs).
//
//   node --test client.test.mjs        (scripts/test-browser.sh builds the page first)
//
// The page is api.html as `vite build` makes it in this folder (it exposes `window.sio`). The
// test starts its own server (tests/server/server.js on a free port, with short heartbeats so
// that several pings happen in a few seconds) and Vite's preview server for dist/; both stop
// when the test ends. Every scenario runs inside the page with the harness of support.mjs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FixtureServer, launchChromium, openPage, runIn, serveDist } from "./support.mjs";

describe("sio-client's JavaScript API in Chromium", () => {
  let server;
  let site;
  let browser;
  let page;
  const pageErrors = [];

  before(async () => {
    server = await FixtureServer.start("node", ["--ping-interval", "1000", "--ping-timeout", "1000"]);
    site = await serveDist();
    browser = await launchChromium();
    page = await openPage(browser, site.url, pageErrors);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  /**
   * Runs `scenario(url, options)` in the page (it closes its clients); failures carry the
   * server log.
   */
  function run(scenario, options) {
    return runIn(page, scenario, [server.url, options], () => server.log());
  }

  test("connects and reports its namespace id", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      check(t.socket.active, "active at once");
      check(!t.socket.connected, "not connected yet");
      await t.nth("connect", "/", 1);
      check(t.socket.connected && !t.socket.disconnected, "connected");
      check(typeof t.socket.id === "string", "id");
      equal(t.socket.recovered, false, "not recovered");
      const me = await t.whoami();
      equal(me.nsp, "/");
      equal(me.id, t.socket.id);
      equal(t.count("open", ""), 1);
      t.close();
    }));

  test("query and auth object reach the server", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url, { query: { room: "lobby", n: 7 }, auth: { token: "secret", user: "ann" } }, "/guarded");
      await t.nth("connect", "/guarded", 1);
      const me = await t.whoami();
      equal(me.auth, { token: "secret", user: "ann" });
      equal(me.query.room, "lobby");
      equal(me.query.n, "7");
      equal(me.query.EIO, "4");
      t.close();
    }));

  test("the auth function is called on every connect", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      let calls = 0;
      const auth = (cb) => {
        calls += 1;
        const data = { token: "secret", n: calls };
        // answer asynchronously, like a token refresh would
        setTimeout(() => cb(data), 5);
      };
      const t = new Harness(url, { reconnectionDelay: 50, reconnectionDelayMax: 100, auth }, "/guarded");
      await t.nth("connect", "/guarded", 1);
      equal(calls, 1);
      // (the server's view also holds the recovery session id, `pid`, as with socket.io-client)
      const authSeen = async () => {
        const { token, n } = (await t.whoami()).auth;
        return { token, n };
      };
      equal(await authSeen(), { token: "secret", n: 1 });
      // the server drops the transport: the client reconnects and asks for auth again
      t.socket.emit("close-transport");
      await t.nth("disconnect", "/guarded", 1);
      await t.nth("connect", "/guarded", 2);
      equal(calls, 2);
      equal(await authSeen(), { token: "secret", n: 2 });
      t.close();
    }));

  test("a rejected connect is an Error with data, and can be retried with new auth", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url, { auth: { token: "wrong" } }, "/guarded");
      const rec = await t.nth("connect_error", "/guarded", 1);
      const [err] = rec.args;
      check(err instanceof Error, "an Error");
      equal(err.message, "unauthorized");
      equal(err.data, { reason: "bad token" });
      check(!t.socket.active, "no automatic retry after a rejection");
      check(!t.socket.connected, "not connected");
      // the application fixes its credentials and connects again, on the same socket
      t.socket.auth = { token: "secret" };
      t.socket.connect();
      await t.nth("connect", "/guarded", 1);
      equal((await t.whoami()).auth, { token: "secret" });
      t.close();
    }));

  test("acks in both directions", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      await t.nth("connect", "/", 1);
      // client -> server, plain callback (no timeout: not error-first)
      const plain = await new Promise((r) => t.socket.emit("echo", 1, "two", { three: [3, null, true] }, (...args) => r(args)));
      equal(plain, [1, "two", { three: [3, null, true] }]);
      // server -> client: the listener answers through its last argument, once
      let again;
      t.socket.on("question", (text, n, ack) => {
        equal([text, n], ["what?", 2]);
        check(typeof ack === "function", "an ack function");
        ack("forty", 42);
        again = ack("ignored");
      });
      const answer = await t.socket.emitWithAck("ask", { event: "question", args: ["what?", 2], timeoutMs: 3000 });
      equal(answer, { ok: true, args: ["forty", 42] });
      equal(again, false, "answered once only");
      t.close();
    }));

  test("an unanswered ack times out", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url);
      await t.nth("connect", "/", 1);
      const err = await new Promise((r) => t.socket.timeout(100).emit("nobody-answers", (e) => r(e)));
      check(err instanceof Error, "an Error");
      equal(err.message, "operation has timed out");
      const rejected = await t.socket.timeout(100).emitWithAck("nobody-answers").then(() => "resolved", (e) => e.message);
      equal(rejected, "operation has timed out");
      t.close();
    }));

  test("binary anywhere in the arguments, over WebSocket", () =>
    run(async (url) => {
      const { binaryRoundTrip, equal } = window.h;
      const t = await binaryRoundTrip(url, { transports: ["websocket"] });
      equal(t.socket.io.transport, "websocket");
      t.close();
    }));

  test("binary over polling only", () =>
    run(async (url) => {
      const { binaryRoundTrip, equal } = window.h;
      const t = await binaryRoundTrip(url, { transports: ["polling"] });
      equal((await t.whoami()).transport, "polling");
      equal(t.socket.io.transport, "polling");
      equal(t.count("upgrade", ""), 0);
      t.close();
    }));

  test("polling upgrades to WebSocket", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url);
      await t.nth("connect", "/", 1);
      await t.nth("upgrade", "", 1);
      equal(t.socket.io.transport, "websocket");
      equal((await t.whoami()).transport, "websocket");
      t.close();
    }));

  test("namespaces share one connection", () =>
    run(async (url) => {
      const { Harness, equal, check, io } = window.h;
      const t = new Harness(url);
      const admin = t.watch(t.socket.io.socket("/admin"));
      check(admin.io === t.socket.io, "one manager");
      check(t.socket.io.nsps["/admin"] === admin, "manager.nsps");
      await t.nth("connect", "/", 1);
      await t.nth("connect", "/admin", 1);
      check(t.socket.id !== admin.id, "different ids");
      equal(t.count("open", ""), 1, "one Engine.IO connection");
      equal((await t.whoami(admin)).nsp, "/admin");
      admin.disconnect();
      check(!admin.connected && !admin.active, "disconnected at once");
      equal((await t.nth("disconnect", "/admin", 1)).args[0], "io client disconnect");
      check(t.socket.connected, "/ still connected");
      equal((await t.whoami()).nsp, "/");
      // io() shares a manager per server, unless the namespace is taken or forceNew
      const a = io(url + "/admin", { autoConnect: false });
      const b = io(url + "/", { autoConnect: false });
      check(a.io === b.io, "shared per server");
      check(io(url + "/admin", { autoConnect: false }).io !== a.io, "a taken namespace gets its own manager");
      check(io(url, { forceNew: true, autoConnect: false }).io !== a.io, "forceNew");
      t.close();
      a.io.close();
    }));

  test("a server disconnect does not reconnect", () =>
    run(async (url) => {
      const { Harness, equal, check, sleep } = window.h;
      const t = new Harness(url, { reconnectionDelay: 20, reconnectionDelayMax: 40 });
      await t.nth("connect", "/", 1);
      t.socket.emit("server-disconnect");
      equal((await t.nth("disconnect", "/", 1)).args[0], "io server disconnect");
      check(!t.socket.active, "not active");
      await sleep(200);
      equal(t.count("reconnect_attempt", ""), 0);
      // connect() brings it back
      t.socket.connect();
      await t.nth("connect", "/", 2);
      t.close();
    }));

  test("connection state recovery keeps the session", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url, { transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 100 });
      await t.nth("connect", "/", 1);
      const id = t.socket.id;
      // receive events so that the client holds an offset to recover from
      equal(await t.call(t.socket, "emit-n", { event: "tick", count: 3 }), [3]);
      await t.wait("three ticks", (events) => events.filter((r) => r.event === "tick").length === 3);
      t.socket.emit("close-transport");
      equal((await t.nth("disconnect", "/", 1)).args[0], "transport close");
      await t.nth("connect", "/", 2);
      check(t.socket.recovered, "recovered");
      equal(t.socket.id, id, "same id");
      check(t.count("reconnect", "") >= 1, "reconnect reported");
      t.close();
    }));

  test("a restart reconnects and re-joins the rooms", () =>
    run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url, { reconnectionDelay: 100, reconnectionDelayMax: 300 });
      await t.nth("connect", "/", 1);
      t.socket.join("room-a");
      equal(t.socket.rooms, ["room-a"]);
      await t.wait("joined", async () => (await t.call(t.socket, "rooms"))[0].includes("room-a"));
      t.socket.emit("restart", { downMs: 300, forgetSessions: true });
      await t.nth("disconnect", "/", 1);
      check(t.socket.active, "still wants to be connected");
      await t.nth("connect", "/", 2);
      equal(t.socket.recovered, false, "sessions were forgotten: not recovered");
      check(t.count("reconnect_attempt", "") >= 1, "reconnect_attempt reported");
      check(t.count("reconnect", "") >= 1, "reconnect reported");
      // the room is re-joined by itself (the join goes out before `connect` is reported)
      check((await t.call(t.socket, "rooms"))[0].includes("room-a"), "re-joined on the server");
      await t.call(t.socket, "broadcast", { room: "room-a", event: "news", args: ["hello room"] });
      equal((await t.received("news")).args[0], "hello room");
      t.close();
    }));

  test("listeners may call the client while it dispatches", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url, { autoConnect: false });
      const reply = new Promise((resolve) =>
        t.socket.on("connect", () => t.socket.emit("echo", "from the listener", (v) => resolve(v))));
      t.socket.connect();
      equal(await reply, "from the listener");
      t.close();
    }));

  test("emitter semantics: once, off by identity, listeners, catch-alls, this, chaining", () =>
    run(async (url) => {
      const { Harness, equal, check, sleep, Manager } = window.h;
      const manager = new Manager(url, { autoConnect: false, transports: ["websocket"] });
      const socket = manager.socket("/");
      check(socket.io === manager, "socket.io is the manager created with new Manager()");
      check(manager instanceof Manager, "instanceof");
      check(socket.on("x", () => {}) === socket && manager.on("open", () => {}) === manager, "chaining returns this");
      const log = [];
      const a = (n) => log.push("a" + n);
      const b = (n) => log.push("b" + n);
      const c = function (n) {
        log.push("c" + n);
        check(this === socket, "this is the socket");
      };
      socket.on("tick", a).once("tick", b).on("tick", c);
      equal(socket.listeners("tick").length, 3);
      check(socket.hasListeners("tick") && !socket.hasListeners("tock"), "hasListeners");
      socket.off("tick", c);
      socket.on("tick", c);
      const order = [];
      socket.onAny((e) => order.push("any:" + e));
      socket.prependAny((e) => order.push("first:" + e));
      const removed = () => order.push("removed");
      socket.onAny(removed);
      socket.offAny(removed);
      equal(socket.listenersAny().length, 2);
      socket.connect();
      await new Promise((r) => socket.once("connect", r));
      await new Promise((r) => socket.emit("emit-n", { event: "tick", count: 2 }, r));
      while (log.length < 5) await sleep(5);
      await sleep(50);
      equal(log, ["a0", "b0", "c0", "a1", "c1"], "once ran once, off/on moved c last");
      equal(order.slice(0, 2), ["first:tick", "any:tick"]);
      // outgoing catch-alls, and an emit's arguments as sent
      const out = [];
      const spy = (event, ...args) => out.push([event, ...args]);
      socket.onAnyOutgoing(spy);
      await socket.emitWithAck("echo", "spied", new Uint8Array([5]));
      equal(out[0][0], "echo");
      equal(out[0][1], "spied");
      check(out[0][2] instanceof ArrayBuffer, "outgoing binary as ArrayBuffer");
      socket.offAnyOutgoing(spy);
      await socket.emitWithAck("echo", "not spied");
      equal(out.length, 1);
      socket.removeAllListeners("tick");
      equal(socket.listeners("tick").length, 0);
      manager.close();
      check(!socket.connected && !socket.active, "closed at once");
    }));

  test("bad arguments and options are refused with errors", () =>
    run(async (url) => {
      const { Harness, equal, check, io, Manager } = window.h;
      const t = new Harness(url);
      await t.nth("connect", "/", 1);
      const thrown = (f) => {
        try {
          f();
        } catch (e) {
          return e;
        }
        throw new Error("no exception");
      };
      const reserved = thrown(() => t.socket.emit("connect"));
      check(reserved instanceof Error, "an Error");
      equal(reserved.message, '"connect" is a reserved event name');
      equal(await t.socket.emitWithAck("disconnect").catch((e) => e.message), '"disconnect" is a reserved event name');
      check(thrown(() => t.socket.emit("echo", new Blob())) instanceof TypeError, "Blob");
      const cyclic = {};
      cyclic.self = cyclic;
      check(thrown(() => t.socket.emit("echo", cyclic)) instanceof TypeError, "cycle");
      check(thrown(() => t.socket.emit("echo", 1n)) instanceof TypeError, "BigInt");
      check(thrown(() => t.socket.timeout(-1)) instanceof TypeError, "negative timeout");
      check(thrown(() => io(url, { forceNew: true, transports: "websocket" })) instanceof TypeError, "transports must be an array");
      check(thrown(() => io(url, { forceNew: true, reconnectionDelay: "1" })) instanceof TypeError, "numbers are numbers");
      equal(
        thrown(() => io(url, { forceNew: true, reconnectionDelay: "1" })).message,
        "option `reconnectionDelay` must be a number",
      );
      equal(
        thrown(() => io(url, { forceNew: true, transports: ["webtransport"] })).message,
        'option `transports` must list "polling" and/or "websocket", got "webtransport"',
      );
      equal(thrown(() => new Manager("ftp://nowhere")).message, 'unsupported URL scheme "ftp" (expected http, https, ws or wss)');
      check(thrown(() => io(url, { forceNew: true, retries: 2 })) instanceof TypeError, "retries needs ackTimeout");
      check(thrown(() => new window.sio.Socket()) instanceof TypeError, "sockets come from io()");
      // the connection is still fine
      equal(await t.call(t.socket, "echo", 1), [1]);
      t.close();
    }));

  test("an unreachable server reports connect errors and retries", () =>
    run(async () => {
      const { Harness, equal, check } = window.h;
      // port 9 (discard) on loopback: nothing listens there
      const t = new Harness("http://127.0.0.1:9", { reconnectionDelay: 20, reconnectionDelayMax: 20, reconnectionAttempts: 2 });
      await t.nth("reconnect_failed", "", 1);
      const kinds = t.events.map((r) => r.kind);
      equal(kinds.filter((k) => k === "connect_error").length, 3, kinds.join(","));
      equal(kinds.filter((k) => k === "reconnect_attempt").length, 2, kinds.join(","));
      check(t.events.find((r) => r.kind === "connect_error").args[0] instanceof Error, "an Error");
      check(!t.socket.connected, "not connected");
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
        await t.nth("connect", "/", 1);
        await sleep(3500);
        const pings = t.count("ping", "");
        check(pings >= 2, "pings seen: " + pings);
        equal(t.count("disconnect", "/"), 0, "no disconnect");
        equal(t.count("close", ""), 0, "no close");
        equal(await t.call(t.socket, "echo", "still here"), ["still here"]);
        t.close();
      }, options));
  }

  test("volatile emits are dropped while they cannot be sent", () =>
    run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url, { transports: ["websocket"] });
      // nothing is open yet: a volatile emit is dropped, its ack fails at once
      const dropped = await t.socket.volatile.timeout(5000).emitWithAck("echo", "lost").then(() => "sent", (e) => e.message);
      // a plain emit made at the same time is buffered and delivered once connected
      const kept = t.socket.emitWithAck("echo", "kept");
      await t.nth("connect", "/", 1);
      equal(await kept, "kept");
      equal(dropped !== "sent", true, "the volatile emit was not sent: " + dropped);
      // connected over WebSocket, a volatile emit goes through
      equal(await t.socket.volatile.timeout(2000).emitWithAck("echo", "sent"), "sent");
      t.close();
    }));

  test("no errors on the page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
