// The npm package in Chromium against every server a user runs, with both parsers: the
// bundled Node socket.io 4.8.4, python-socketio 5.18.1 and socketioxide 0.18.9 (the interop
// fixtures of tests/interop, installed by `make interop-deps`), each with socket.io-parser
// (JSON) and socket.io-msgpack-parser (MessagePack). The `parser` option is given the way
// socket.io-client users write it: the module (`import parser from "socket.io-msgpack-parser"`
// in the page, src/api.js) or a name (`"msgpack"`). Also: what the `parser` option refuses, and
// a parser mismatch failing loudly.
//
//   node --test interop.test.mjs       (scripts/test-browser.sh builds the pages first)
//
// Every server is started once (on a free port, `--no-recovery` like the Rust interop matrix,
// stopped by pid at the end); the scenarios of one column run one after the other on it. The
// page is api.html served by Vite's preview server on another port (cross-origin, as in
// production), except for socketioxide, whose fixture sends no CORS headers: its page is served
// with the server proxied under the page's own origin. A feature a server lacks is a named skip
// after checking what the client must do instead.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FixtureServer, KINDS, launchChromium, openPage, runIn, serveDist } from "./support.mjs";

/** In the page: the `parser` option a column names. */
const PARSER_OPTION = `
window.parserOption = (name) => ({
  default: undefined,
  json: "json",
  msgpack: "msgpack",
  "socket.io-parser": window.parsers.socketio,
  "socket.io-msgpack-parser": window.parsers.msgpack,
})[name];
`;

// kind, wire parser, and how the option names it
const COLUMNS = [
  { kind: "node", parser: "json", option: "socket.io-parser" },
  { kind: "node", parser: "msgpack", option: "socket.io-msgpack-parser" },
  { kind: "node", parser: "msgpack", option: "msgpack" },
  { kind: "python", parser: "json", option: "default" },
  { kind: "python", parser: "msgpack", option: "socket.io-msgpack-parser" },
  { kind: "socketioxide", parser: "json", option: "default" },
  { kind: "socketioxide", parser: "msgpack", option: "msgpack" },
];

const label = (c) => `${c.kind} · ${c.parser} · parser: ${c.option}`;

// Each scenario runs in the page with (url, column, lacks): it returns the name of a feature
// the server lacks (a key of KINDS[kind].lacks) for a named skip, once the client did what it
// must instead.
const SCENARIOS = {
  "connect + whoami": async (url, c) => {
    const { Harness, equal, check } = window.h;
    const t = new Harness(url, { parser: window.parserOption(c.option) });
    await t.nth("connect", "/", 1);
    const me = await t.whoami();
    equal(me.nsp, "/");
    equal(me.id, t.socket.id);
    check(["polling", "websocket"].includes(me.transport), "transport " + me.transport);
    t.close();
  },

  "auth accepted and rejected": async (url, c, lacks) => {
    const { Harness, equal, check } = window.h;
    const parser = window.parserOption(c.option);
    const ok = new Harness(url, { parser, auth: { token: "secret" } }, "/guarded");
    await ok.nth("connect", "/guarded", 1);
    equal((await ok.whoami()).auth.token, "secret");
    ok.close();
    const bad = new Harness(url, { parser, auth: { token: "wrong" } }, "/guarded");
    const [err] = (await bad.nth("connect_error", "/guarded", 1)).args;
    check(err instanceof Error, "an Error");
    equal(err.message, "unauthorized");
    check(!bad.socket.active, "no automatic retry after a rejection");
    bad.close();
    if (lacks["connect_error data"]) {
      equal(err.data, undefined, "no data");
      return "connect_error data";
    }
    equal(err.data, { reason: "bad token" });
  },

  "acks both ways, with binary": async (url, c) => {
    const { Harness, equal, check, bytes } = window.h;
    const t = new Harness(url, { parser: window.parserOption(c.option) });
    await t.nth("connect", "/", 1);
    // client -> server, plain callback
    const plain = await new Promise((r) =>
      t.socket.emit("echo", 1, "two", { three: [3, null, true] }, new Uint8Array([1, 2]).buffer, (...args) => r(args)));
    equal(plain.slice(0, 3), [1, "two", { three: [3, null, true] }]);
    equal(bytes(plain[3]), [1, 2]);
    // server -> client: the listener gets binary and answers with binary, once
    t.socket.on("question", (text, blob, ack) => {
      equal(text, "what?");
      equal(bytes(blob), [7, 7]);
      check(typeof ack === "function", "an ack function");
      ack("forty-two", new Uint8Array([4, 2]));
    });
    const answer = await t.socket.emitWithAck("ask", {
      event: "question",
      args: ["what?", new Uint8Array([7, 7]).buffer],
      timeoutMs: 5000,
    });
    equal(answer.ok, true, JSON.stringify(answer));
    equal(answer.args[0], "forty-two");
    equal(bytes(answer.args[1]), [4, 2]);
    t.close();
  },

  "binary both ways over WebSocket": async (url, c) => {
    const { binaryRoundTrip, equal } = window.h;
    const t = await binaryRoundTrip(url, { parser: window.parserOption(c.option), transports: ["websocket"] }, false);
    equal(t.socket.io.transport, "websocket");
    equal((await t.whoami()).transport, "websocket");
    t.close();
  },

  "binary over polling only": async (url, c) => {
    const { binaryRoundTrip, equal } = window.h;
    const t = await binaryRoundTrip(url, { parser: window.parserOption(c.option), transports: ["polling"] }, false);
    equal((await t.whoami()).transport, "polling");
    equal(t.socket.io.transport, "polling");
    equal(t.count("upgrade", ""), 0);
    t.close();
  },

  "polling upgrades to WebSocket": async (url, c) => {
    const { Harness, equal, bytes } = window.h;
    const t = new Harness(url, { parser: window.parserOption(c.option) });
    await t.nth("connect", "/", 1);
    await t.nth("upgrade", "", 1);
    equal(t.socket.io.transport, "websocket");
    equal((await t.whoami()).transport, "websocket");
    const [echoed] = await t.call(t.socket, "echo", new Uint8Array([5, 6]));
    equal(bytes(echoed), [5, 6]);
    t.close();
  },
};

describe("sio-client in Chromium against every server and parser", () => {
  let browser;
  let site;
  const servers = new Map(); // "kind/parser" -> { server, site, page }
  const pageErrors = [];

  before(async () => {
    browser = await launchChromium();
    site = await serveDist();
    const shared = openPage(browser, site.url, pageErrors);
    const wanted = [...new Set(COLUMNS.map((c) => `${c.kind}/${c.parser}`))];
    await Promise.all(
      wanted.map(async (key) => {
        const [kind, parser] = key.split("/");
        const server = await FixtureServer.start(kind, ["--no-recovery", "--parser", parser]);
        const entry = { server };
        if (KINDS[kind].cors) {
          entry.url = server.url;
          entry.page = await shared;
        } else {
          entry.site = await serveDist({ proxyTo: server.url });
          entry.url = entry.site.url;
          entry.page = await openPage(browser, entry.site.url, pageErrors);
        }
        servers.set(key, entry);
      }),
    );
    for (const page of new Set([...servers.values()].map((e) => e.page))) await page.evaluate(PARSER_OPTION);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await Promise.all([...servers.values()].map(async (e) => Promise.all([e.site?.close(), e.server.stop()])));
  });

  for (const column of COLUMNS) {
    describe(label(column), () => {
      for (const [name, scenario] of Object.entries(SCENARIOS)) {
        test(name, async (t) => {
          const entry = servers.get(`${column.kind}/${column.parser}`);
          const skip = await runIn(entry.page, scenario, [entry.url, column, KINDS[column.kind].lacks], () =>
            entry.server.log(),
          );
          if (typeof skip === "string") t.skip(`[${column.kind}] ${skip}: ${KINDS[column.kind].lacks[skip]}`);
        });
      }
    });
  }

  describe("the parser option", () => {
    const node = (parser) => servers.get(`node/${parser}`);
    const run = (parser, scenario) => {
      const entry = node(parser);
      return runIn(entry.page, scenario, [entry.url], () => entry.server.log());
    };

    test('a namespace object whose default is the module, and "json"', async () => {
      await run("msgpack", async (url) => {
        const { Harness, equal } = window.h;
        const t = new Harness(url, { parser: { default: window.parsers.msgpack } });
        equal(await t.socket.timeout(5000).emitWithAck("echo", "via default"), "via default");
        t.close();
      });
      await run("json", async (url) => {
        const { Harness, equal } = window.h;
        const t = new Harness(url, { parser: "json" });
        equal(await t.socket.timeout(5000).emitWithAck("echo", "json"), "json");
        t.close();
      });
    });

    test("other parsers are refused with a TypeError that says why", () =>
      run("json", async (url) => {
        const { io, check } = window.h;
        const refusal = (parser) => {
          try {
            io(url, { forceNew: true, autoConnect: false, parser });
          } catch (e) {
            check(e instanceof TypeError, "a TypeError: " + e);
            return e.message;
          }
          throw new Error("accepted " + String(parser));
        };
        const has = (message, part) => check(message.includes(part), JSON.stringify(message) + " mentions " + part);
        const expected = 'option `parser` must be "json", "msgpack", socket.io-parser or socket.io-msgpack-parser';
        has(refusal("cbor"), expected);
        has(refusal("cbor"), 'got "cbor"');
        has(refusal(42), expected);
        has(refusal({ encode: () => [] }), "no `protocol: 5` with `Encoder` and `Decoder` classes");
        // socket.io-json-parser's shape (that of socket.io-msgpack-parser) with its JSON encoder
        const PacketType = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4 };
        class JsonEncoder {
          encode(packet) {
            return [JSON.stringify(packet)];
          }
        }
        class Decoder {}
        has(
          refusal({ protocol: 5, PacketType, Encoder: JsonEncoder, Decoder }),
          "it looks like socket.io-msgpack-parser but its Encoder writes another wire format",
        );
        // a custom parser with socket.io-parser's table, and an encoder that fails
        class Failing {
          encode() {
            throw new Error("boom");
          }
        }
        const table = { ...PacketType, BINARY_EVENT: 5, BINARY_ACK: 6 };
        has(refusal({ protocol: 5, PacketType: table, Encoder: Failing, Decoder }), "its Encoder failed on a probe packet: boom");
        has(refusal({ protocol: 5, PacketType: { EVENT: 9 }, Encoder: JsonEncoder, Decoder }), "neither socket.io-parser's nor");
        has(refusal({ ...window.parsers.msgpack, protocol: 4 }), "no `protocol: 5`");
      }));

    // a client and a server on different parsers: connect_error, reported and retried, not
    // a silent loop
    for (const [client, server] of [
      ["json", "msgpack"],
      ["msgpack", "json"],
    ]) {
      test(`a ${client} client on a ${server} server fails with connect_error`, async () => {
        const entry = node(server);
        const messages = await runIn(
          entry.page,
          async (url, parser) => {
            const { Harness, check, equal } = window.h;
            const t = new Harness(url, { parser, reconnectionDelay: 50, reconnectionDelayMax: 50, reconnectionAttempts: 2 });
            await t.nth("reconnect_failed", "", 1, 20000);
            const errors = t.events.filter((r) => r.kind === "connect_error");
            equal(errors.length, 3, "one connect_error per attempt");
            check(errors[0].args[0] instanceof Error, "an Error: " + String(errors[0].args[0]));
            equal(t.count("connect", "/"), 0, "never connected");
            t.close();
            return errors.map((r) => r.args[0].message);
          },
          [entry.url, client],
          () => entry.server.log(),
        );
        console.log(`  ${client} client, ${server} server: ${JSON.stringify(messages[0])}`);
      });
    }
  });

  test("no errors on the pages", () => {
    assert.deepEqual(pageErrors, []);
  });
});
