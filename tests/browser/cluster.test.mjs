// The npm package in Chromium through a production-shaped cluster (tests/server/cluster.js):
// redis-server, two nodes of the bundled server on @socket.io/redis-adapter, HAProxy in front
// with cookie stickiness (SERVERID), health checks and redispatch. The page is served from
// another port of 127.0.0.1 than the balancer (another origin, the same site), so HAProxy's
// cookie is only kept and sent with `withCredentials: true` (fetch `credentials: "include"`).
//
//   node --test cluster.test.mjs       (scripts/test-browser.sh builds the pages first;
//                                       needs redis-server and haproxy: make cluster-deps)
//
// The cluster is started once for the file; every test has its own browser context (its own
// cookie jar) and records the page's long-polling requests to the balancer, with the cookies
// the browser really sent (Playwright's allHeaders()).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, launchChromium, openPage, runIn, serveDist } from "./support.mjs";

const serverId = (cookieHeader) => /(?:^|;\s*)SERVERID=([^;]+)/.exec(cookieHeader ?? "")?.[1];

describe("sio-client in Chromium through HAProxy and two Redis-backed nodes", () => {
  let cluster;
  let site;
  let browser;
  let logDir;
  const pageErrors = [];

  before(async () => {
    logDir = mkdtempSync(join(tmpdir(), "sio-browser-cluster-"));
    [cluster, site, browser] = await Promise.all([
      Cluster.start(["--nodes", "2", "--log-dir", logDir, "--ping-interval", "5000", "--ping-timeout", "5000"]),
      serveDist(),
      launchChromium(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await cluster?.stop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  /**
   * A fresh context (no cookies) with the harness page, and the page's HTTP requests to the
   * balancer's /socket.io/ as { url, cookie, setCookie } (read when `requests()` is called).
   */
  async function freshPage() {
    const context = await browser.newContext();
    const seen = [];
    context.on("requestfinished", (request) => {
      if (request.url().startsWith(`${cluster.url}/socket.io/`)) {
        const read = async () => {
          const response = await request.response();
          return {
            url: request.url(),
            method: request.method(),
            cookie: (await request.allHeaders()).cookie,
            setCookie: response ? await response.headerValue("set-cookie") : null,
          };
        };
        // (a request that finishes as its context closes cannot be read any more: left out)
        seen.push(read().catch(() => null));
      }
    });
    const page = await openPage(context, site.url, pageErrors);
    const run = (scenario, ...args) => runIn(page, scenario, [cluster.url, ...args], () => cluster.log());
    return { context, page, run, requests: async () => (await Promise.all(seen)).filter(Boolean) };
  }

  /** Checks that every polling request after the handshake carried the SERVERID of `node`. */
  async function assertSticky(requests, node) {
    const all = await requests();
    const polls = all.filter((r) => r.method !== "OPTIONS");
    assert.ok(polls.length >= 3, `handshake and polls: ${JSON.stringify(polls)}`);
    const [handshake, ...later] = polls;
    assert.ok(!handshake.url.includes("sid="), "the first request is the handshake");
    assert.equal(handshake.cookie, undefined, "no cookie yet on the handshake");
    assert.equal(serverId(handshake.setCookie), node, "HAProxy set the cookie of the node that answered");
    for (const r of later) assert.equal(serverId(r.cookie), node, `cookie sent on ${r.method} ${r.url}`);
  }

  test("polling only, withCredentials: the balancer's cookie is kept and sent, every request reaches one node", async () => {
    const { context, run, requests } = await freshPage();
    const node = await run(async (url) => {
      const { Harness, equal, bytes } = window.h;
      const t = new Harness(url, { transports: ["polling"], withCredentials: true });
      await t.nth("connect", "/", 1);
      const me = await t.whoami();
      equal(me.transport, "polling");
      for (let i = 0; i < 5; i++) {
        const [echoed, n] = await t.call(t.socket, "echo", new Uint8Array([i, 1]), i);
        equal([bytes(echoed), n], [[i, 1], i]);
        equal((await t.whoami()).node, me.node, "the same node every time");
      }
      equal(t.count("disconnect", "/"), 0);
      t.close();
      return me.node;
    });
    assert.match(node, /^[ab]$/);
    await assertSticky(requests, node);
    const cookies = await context.cookies(cluster.url);
    assert.deepEqual(cookies.map((c) => [c.name, c.value]), [["SERVERID", node]]);
    await context.close();
  });

  test("polling then WebSocket, withCredentials: the upgrade reaches the same node", async () => {
    const { context, run, requests } = await freshPage();
    const node = await run(async (url) => {
      const { Harness, equal } = window.h;
      const t = new Harness(url, { withCredentials: true });
      await t.nth("connect", "/", 1);
      const first = (await t.whoami()).node;
      await t.nth("upgrade", "", 1);
      equal(t.socket.io.transport, "websocket");
      const me = await t.whoami();
      equal([me.transport, me.node], ["websocket", first]);
      equal(await t.socket.timeout(5000).emitWithAck("echo", "over ws"), "over ws");
      t.close();
      return first;
    });
    await assertSticky(requests, node);
    await context.close();
  });

  test("without withCredentials the cookie is neither kept nor sent: connect_error, not a silent loop", async () => {
    const { context, run, requests } = await freshPage();
    const messages = await run(async (url) => {
      const { Harness, equal, check } = window.h;
      const t = new Harness(url, {
        transports: ["polling"],
        reconnectionDelay: 50,
        reconnectionDelayMax: 50,
        reconnectionAttempts: 2,
      });
      await t.nth("reconnect_failed", "", 1, 20000);
      const errors = t.events.filter((r) => r.kind === "connect_error");
      equal(errors.length, 3, "one connect_error per attempt");
      check(errors.every((r) => r.args[0] instanceof Error), "Errors");
      equal(t.count("connect", "/"), 0, "never connected");
      t.close();
      return errors.map((r) => r.args[0].message);
    });
    const all = (await requests()).filter((r) => r.method !== "OPTIONS");
    assert.ok(all.some((r) => serverId(r.setCookie)), "HAProxy did set its cookie");
    for (const r of all) assert.equal(r.cookie, undefined, `no cookie on ${r.method} ${r.url}`);
    assert.deepEqual(await context.cookies(cluster.url), [], "the cookie was not stored");
    console.log(`  without credentials: ${JSON.stringify(messages[0])}`);
    await context.close();
  });

  for (const [name, transports] of [
    ["polling then WebSocket", undefined],
    ["polling only", ["polling"]],
  ]) {
    test(`failover (${name}): SIGKILL the page's node, it moves to the other, re-joins its room, outage emits land once`, async () => {
      const { context, page, run } = await freshPage();
      const killed = await run(async (url, transports) => {
        const { Harness, equal } = window.h;
        const t = new Harness(url, {
          withCredentials: true,
          reconnectionDelay: 100,
          reconnectionDelayMax: 500,
          ...(transports ? { transports } : {}),
        });
        window.t = t;
        await t.nth("connect", "/", 1);
        if (!transports) await t.nth("upgrade", "", 1);
        t.socket.join("failover-room");
        await t.wait("joined", async () => (await t.call(t.socket, "rooms"))[0].includes("failover-room"));
        const me = await t.whoami();
        equal(me.recovered, false);
        return me.node;
      }, transports);
      await cluster.command({ cmd: "kill", node: killed });
      const moved = await run(async () => {
        const { equal, check } = window.h;
        const t = window.t;
        await t.nth("disconnect", "/", 1);
        check(t.socket.active, "still wants to be connected");
        // emitted while there is no connection: buffered, sent once on the next one
        const acks = [0, 1, 2, 3, 4].map((i) => t.socket.timeout(30000).emitWithAck("seq", "outage-" + i));
        await t.nth("connect", "/", 2, 30000);
        const replies = await Promise.all(acks);
        equal(replies, [0, 1, 2, 3, 4].map((i) => ({ value: "outage-" + i, n: i })), "each delivered once, in order");
        // nothing was delivered twice: the next one is the sixth this socket sent
        equal(await t.socket.timeout(5000).emitWithAck("seq", "after"), { value: "after", n: 5 });
        const me = await t.whoami();
        equal(me.recovered, false, "a new session (the pub/sub adapter keeps none across nodes)");
        check((await t.call(t.socket, "rooms"))[0].includes("failover-room"), "re-joined the room by itself");
        check(t.count("reconnect", "") >= 1, "reconnect reported");
        return me.node;
      });
      assert.notEqual(moved, killed, "moved to the other node");
      // the killed node comes back; a broadcast it makes reaches the page on the other node
      await cluster.command({ cmd: "start", node: killed });
      await cluster.command({ cmd: "wait-lb", node: killed, status: "UP" });
      const answer = await cluster.command({
        cmd: "node",
        node: killed,
        command: { cmd: "broadcast", nsp: "/", room: "failover-room", event: "news", args: [`from ${killed}`] },
      });
      assert.equal(answer.answer.event, "broadcast-done");
      await run(async (url, from) => {
        const { equal } = window.h;
        const t = window.t;
        equal((await t.received("news")).args[0], "from " + from);
        equal((await t.whoami()).node !== from, true, "still on the other node");
        t.close();
      }, killed);
      await page.close();
      await context.close();
    });
  }

  test("no errors on the pages", () => {
    assert.deepEqual(pageErrors, []);
  });
});
