// sio-client under Node, as Vitest, Jest (ESM) or server-side rendering would load it: the
// packed package installed in node_modules, resolved through its "node" export condition
// (which reads the WebAssembly module from disk), against the bundled reference server.
//
//   node --test node.test.mjs          (scripts/test-browser.sh installs the package first)
//
// Node 20 has no global WebSocket (Node 22 has; 20 and 21 with --experimental-websocket): the
// connection then stays on long-polling, which is what this test checks by default; with a
// WebSocket it also checks the upgrade.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { io, Manager } from "sio-client";
import msgpackParser from "socket.io-msgpack-parser";
import { FixtureServer } from "./support.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const serverScript = resolve(here, "../server/server.js");

let server;
let url;

before(async () => {
  server = spawn(process.execPath, [serverScript, "--port", "0", "--no-stdin"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  server.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-20000);
  });
  const lines = createInterface({ input: server.stdout });
  const port = await new Promise((resolvePort, reject) => {
    server.once("exit", (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    lines.once("line", (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) resolvePort(Number(m[1]));
      else reject(new Error(`unexpected first line ${line}`));
    });
  });
  url = `http://127.0.0.1:${port}`;
});

after(() => {
  server?.kill("SIGTERM");
});

const within = (what, promise, ms = 10000) =>
  Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref()),
  ]);

test("io() connects, acks with binary and auth, and closes, under Node", async () => {
  const socket = io(`${url}/guarded`, { forceNew: true, auth: { token: "secret" } });
  assert.ok(socket.io instanceof Manager, "the manager is a Manager");
  await within("connect", new Promise((r) => socket.once("connect", r)));
  assert.equal(socket.connected, true);
  assert.equal(typeof socket.id, "string");
  const me = await within("whoami", socket.timeout(5000).emitWithAck("whoami"));
  assert.equal(me.nsp, "/guarded");
  assert.equal(me.auth.token, "secret");
  const [data, text] = await within(
    "echo",
    new Promise((r, j) => socket.timeout(5000).emit("echo", new Uint8Array([1, 2, 3]), "x", (e, ...a) => (e ? j(e) : r(a)))),
  );
  assert.ok(data instanceof ArrayBuffer, "binary comes back as an ArrayBuffer");
  assert.deepEqual([...new Uint8Array(data)], [1, 2, 3]);
  assert.equal(text, "x");
  if (typeof WebSocket === "function") {
    await within("upgrade", new Promise((r) => (socket.io.transport === "websocket" ? r() : socket.io.once("upgrade", r))));
    assert.equal((await socket.emitWithAck("whoami")).transport, "websocket");
  } else {
    assert.equal(me.transport, "polling", "no WebSocket in this Node: long-polling");
  }
  const closed = new Promise((r) => socket.once("disconnect", r));
  socket.io.close();
  assert.equal(socket.connected, false);
  assert.equal(await within("disconnect", closed), "io client disconnect");
});

// Under Node, socket.io-msgpack-parser's Encoder gives a Buffer (in browsers an ArrayBuffer):
// the module is recognised all the same.
test("the parser option takes socket.io-msgpack-parser's module under Node", async () => {
  const msgpackServer = await FixtureServer.start("node", ["--parser", "msgpack"]);
  try {
    const socket = io(msgpackServer.url, { forceNew: true, parser: msgpackParser });
    await within("connect", new Promise((r) => socket.once("connect", r)));
    const data = await within("echo", socket.timeout(5000).emitWithAck("echo", new Uint8Array([4, 5])));
    assert.ok(data instanceof ArrayBuffer, "binary comes back as an ArrayBuffer");
    assert.deepEqual([...new Uint8Array(data)], [4, 5]);
    assert.equal((await socket.timeout(5000).emitWithAck("whoami")).nsp, "/");
    socket.io.close();
  } finally {
    await msgpackServer.stop();
  }
});
