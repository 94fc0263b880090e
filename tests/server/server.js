#!/usr/bin/env node
// The bundled reference test server for the sio Rust SDK: the real Node `socket.io`
// (version pinned by package-lock.json) with a fixed set of fixture namespaces and
// events, driven by integration tests.
//
//   node server.js [--port N] [--ping-interval MS] [--ping-timeout MS]
//                  [--transports polling,websocket] [--no-upgrades]
//                  [--max-http-buffer-size N] [--connect-timeout MS] [--no-recovery]
//                  [--parser json|msgpack] [--tls-cert FILE --tls-key FILE] [--no-stdin]
//                  [--adapter redis|redis-streams --redis-url URL] [--node-name NAME]
//
// --parser msgpack uses socket.io-msgpack-parser (pinned by package-lock.json) instead of
// the default socket.io-parser.
// --adapter makes this process one node of a cluster sharing rooms through Redis:
// @socket.io/redis-adapter (pub/sub) or @socket.io/redis-streams-adapter (streams, which also
// keeps connection state recovery sessions in Redis, so a client recovers on another node).
// --node-name is reported by whoami (default "node"); cluster.js starts whole clusters.
//
// stdout carries only machine-readable lines: first exactly one `PORT <n>` line once the
// server listens, then one JSON object per line (answers to stdin commands, and the
// `down`/`up` notices of a restart). Everything else is logged to stderr.
//
// stdin takes one JSON command per line (an optional "id" is echoed in the answer):
//   {"cmd":"restart","down_ms":500,"forget_sessions":true}
//        -> {"event":"down"} ... {"event":"up"}
//   {"cmd":"broadcast","nsp":"/","room":"r","event":"e","args":[...]}
//        -> {"event":"broadcast-done"}        (room optional: whole namespace)
//   {"cmd":"kill_transports"}   -> {"event":"killed","count":N}
//   {"cmd":"count"}             -> {"event":"count","clients":N}
//   anything invalid            -> {"event":"error","message":"..."}
// `{"$binary":"<base64>"}` inside broadcast args becomes a Buffer.
// EOF on stdin exits the process (so a crashed test never leaves a server behind),
// unless --no-stdin is given (for running it in the background by hand or from a script).
// SIGTERM and SIGINT exit too.
//
// Namespaces "/", "/admin" and "/guarded" (middleware: auth.token must be "secret", else
// connect_error "unauthorized" with data {"reason":"bad token"}) share these fixture events:
//   echo(...args, ack)        ack(...args); without an ack, emits "echo" back with the args
//   ask({event,args,timeoutMs}, ack)
//                             emits event(...args) to the client with an ack and a timeout,
//                             then ack({ok:true,args:[...client ack args]} | {ok:false,error})
//                             and emits "answer" with the same object
//   join(room, ack) / leave(room, ack)   ack({room, rooms:[...socket.rooms]})
//   broadcast({room,event,args}, ack)    nsp.to(room).emit(event, ...args) (sender included
//                             if in the room; no room = whole namespace), ack(true)
//   rooms(ack)                ack([...socket.rooms])
//   whoami(ack)               ack({nsp, id, recovered, auth, query, transport, node})
//   flood({event,count,payload}, ack)  emits event(payload) count times, then ack(count)
//   seq(value, ack)           ack({value, n}): n counts this socket's seq events in arrival order
//   server-disconnect         socket.disconnect()     (client: "io server disconnect")
//   close-transport           socket.conn.close()     (client: "transport close")
//   emit-n({event,count}, ack)   emits event(i) for i = 0..count-1, then ack(count)
//   restart({downMs,forgetSessions})   like the stdin restart (prints down/up without id)
// With connection state recovery on (default), every event the server emits without an ack
// carries the recovery offset as an extra last argument, as socket.io does.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");
const readline = require("node:readline");
const { Server } = require("socket.io");

// ---------------------------------------------------------------------------------------
// command line

function usage(message) {
  process.stderr.write(`server.js: ${message}\n`);
  process.exit(2);
}

function helpText() {
  const lines = fs.readFileSync(__filename, "utf8").split("\n").slice(1);
  const end = lines.findIndex((l) => !l.startsWith("//"));
  return lines.slice(0, end).map((l) => l.replace(/^\/\/ ?/, "")).join("\n");
}

function parseArgs(argv) {
  const opts = {
    port: 0,
    pingInterval: 25000,
    pingTimeout: 20000,
    transports: ["polling", "websocket"],
    allowUpgrades: true,
    maxHttpBufferSize: 1e6,
    connectTimeout: 45000,
    recovery: true,
    parser: "json",
    tlsCert: null,
    tlsKey: null,
    stdin: true,
    adapter: null,
    redisUrl: null,
    nodeName: "node",
  };
  const int = (flag, value) => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0) {
      usage(`${flag} needs a non-negative integer, got ${JSON.stringify(value)}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case "--port":
        opts.port = int(flag, next());
        break;
      case "--ping-interval":
        opts.pingInterval = int(flag, next());
        break;
      case "--ping-timeout":
        opts.pingTimeout = int(flag, next());
        break;
      case "--transports": {
        const value = next();
        if (!value) usage("--transports needs a list such as polling,websocket");
        opts.transports = value.split(",").map((t) => t.trim()).filter(Boolean);
        for (const t of opts.transports) {
          if (t !== "polling" && t !== "websocket") usage(`unknown transport ${t}`);
        }
        break;
      }
      case "--no-upgrades":
        opts.allowUpgrades = false;
        break;
      case "--max-http-buffer-size":
        opts.maxHttpBufferSize = int(flag, next());
        break;
      case "--connect-timeout":
        opts.connectTimeout = int(flag, next());
        break;
      case "--no-recovery":
        opts.recovery = false;
        break;
      case "--parser": {
        const value = next();
        if (value !== "json" && value !== "msgpack") usage("--parser takes json or msgpack");
        opts.parser = value;
        break;
      }
      case "--tls-cert":
        opts.tlsCert = next();
        break;
      case "--tls-key":
        opts.tlsKey = next();
        break;
      case "--no-stdin":
        opts.stdin = false;
        break;
      case "--adapter": {
        const value = next();
        if (value !== "redis" && value !== "redis-streams") {
          usage(`--adapter is redis or redis-streams, got ${JSON.stringify(value)}`);
        }
        opts.adapter = value;
        break;
      }
      case "--redis-url":
        opts.redisUrl = next();
        if (!opts.redisUrl) usage("--redis-url needs a URL such as redis://127.0.0.1:6379");
        break;
      case "--node-name":
        opts.nodeName = next();
        if (!opts.nodeName) usage("--node-name needs a name");
        break;
      case "-h":
      case "--help":
        process.stderr.write(helpText() + "\n");
        process.exit(0);
        break;
      default:
        usage(`unknown argument ${flag}`);
    }
  }
  if ((opts.tlsCert === null) !== (opts.tlsKey === null)) {
    usage("--tls-cert and --tls-key go together");
  }
  if ((opts.adapter === null) !== (opts.redisUrl === null)) {
    usage("--adapter and --redis-url go together");
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------------------
// output

function log(...parts) {
  process.stderr.write(`[${new Date().toISOString()}] ${parts.join(" ")}\n`);
}

function out(obj) {
  // one JSON object per line; stdout is a pipe, so write() is asynchronous but ordered
  process.stdout.write(JSON.stringify(obj) + "\n");
}

// ---------------------------------------------------------------------------------------
// HTTP(S) server

function notSocketIo(req, res) {
  // engine.io only forwards requests outside its path (/socket.io/) to this listener
  res.writeHead(200, { "content-type": "text/html" });
  res.end("<html>not socket.io</html>");
}

const httpServer =
  opts.tlsCert !== null
    ? https.createServer(
        { cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) },
        notSocketIo,
      )
    : http.createServer(notSocketIo);

// every raw TCP connection, so that a restart can kill keep-alive HTTP and upgraded sockets
const rawSockets = new Set();
httpServer.on("connection", (sock) => {
  rawSockets.add(sock);
  sock.once("close", () => rawSockets.delete(sock));
});
httpServer.on("clientError", (err, sock) => {
  log("clientError", err.message);
  sock.destroy();
});

const io = new Server(httpServer, {
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  transports: opts.transports,
  allowUpgrades: opts.allowUpgrades,
  maxHttpBufferSize: opts.maxHttpBufferSize,
  connectTimeout: opts.connectTimeout,
  serveClient: false,
  // browser tests (wasm-pack, Playwright) load their page from another origin
  cors: { origin: true, credentials: true },
  connectionStateRecovery: opts.recovery
    ? { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true }
    : undefined,
  ...(opts.parser === "msgpack" ? { parser: require("socket.io-msgpack-parser") } : {}),
});

io.engine.on("connection_error", (err) => {
  log("engine connection_error", err.code, err.message);
});

// ---------------------------------------------------------------------------------------
// fixtures

// `{"$binary":"<base64>"}` -> Buffer, recursively (for stdin commands, which are JSON)
function fromJson(value) {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$binary" && typeof value.$binary === "string") {
      return Buffer.from(value.$binary, "base64");
    }
    const outObj = {};
    for (const k of keys) outObj[k] = fromJson(value[k]);
    return outObj;
  }
  return value;
}

function ackOf(args) {
  return typeof args[args.length - 1] === "function" ? args.pop() : null;
}

// run -> Map(id -> arrivals), for the "deliver" / "tally" fixtures
const deliveries = new Map();

function registerFixtures(nsp) {
  nsp.on("connection", (socket) => {
    log(`connect nsp=${nsp.name} id=${socket.id} recovered=${socket.recovered} transport=${socket.conn.transport.name}`);
    socket.on("disconnect", (reason) => log(`disconnect nsp=${nsp.name} id=${socket.id} reason=${reason}`));

    socket.on("echo", (...args) => {
      const ack = ackOf(args);
      if (ack) ack(...args);
      else socket.emit("echo", ...args);
    });

    socket.on("ask", (req, ack) => {
      const { event, args = [], timeoutMs = 5000 } = req || {};
      socket.timeout(timeoutMs).emit(event, ...args, (err, ...answer) => {
        const result = err ? { ok: false, error: err.message } : { ok: true, args: answer };
        if (typeof ack === "function") ack(result);
        socket.emit("answer", result);
      });
    });

    socket.on("join", async (room, ack) => {
      await socket.join(room);
      if (typeof ack === "function") ack({ room, rooms: [...socket.rooms] });
    });

    socket.on("leave", async (room, ack) => {
      await socket.leave(room);
      if (typeof ack === "function") ack({ room, rooms: [...socket.rooms] });
    });

    socket.on("broadcast", (req, ack) => {
      const { room, event, args = [] } = req || {};
      const target = room === undefined || room === null ? socket.nsp : socket.nsp.to(room);
      target.emit(event, ...args);
      if (typeof ack === "function") ack(true);
    });

    socket.on("rooms", (ack) => {
      if (typeof ack === "function") ack([...socket.rooms]);
    });

    socket.on("whoami", (ack) => {
      if (typeof ack !== "function") return;
      ack({
        nsp: nsp.name,
        id: socket.id,
        recovered: socket.recovered,
        auth: socket.handshake.auth,
        query: socket.handshake.query,
        transport: socket.conn.transport.name,
        node: opts.nodeName,
      });
    });

    // arrival order, per socket: seq(value, ack) -> ack({value, n}) with n = 0, 1, 2, ...
    let arrivals = 0;
    socket.on("seq", (value, ack) => {
      const n = arrivals++;
      if (typeof ack === "function") ack({ value, n });
    });

    // flood({event, count, payload}, ack): emits event(payload) count times, then ack(count)
    socket.on("flood", (req, ack) => {
      const count = Math.max(0, Math.min(Number(req && req.count) || 0, 1e7));
      for (let i = 0; i < count; i++) socket.emit(req.event, req.payload);
      if (typeof ack === "function") ack(count);
    });

    // delivery counting across reconnects (process-wide, per test run):
    // deliver(run, id, ack) -> ack(id); tally(run, ack) -> ack({received, distinct})
    socket.on("deliver", (run, id, ack) => {
      let ids = deliveries.get(run);
      if (!ids) deliveries.set(run, (ids = new Map()));
      ids.set(id, (ids.get(id) || 0) + 1);
      if (typeof ack === "function") ack(id);
    });

    socket.on("tally", (run, ack) => {
      const ids = deliveries.get(run) || new Map();
      let received = 0;
      for (const n of ids.values()) received += n;
      if (typeof ack === "function") ack({ received, distinct: ids.size });
    });

    socket.on("server-disconnect", () => socket.disconnect());

    socket.on("close-transport", () => socket.conn.close());

    socket.on("emit-n", (req, ack) => {
      const { event, count = 0 } = req || {};
      for (let i = 0; i < count; i++) socket.emit(event, i);
      if (typeof ack === "function") ack(count);
    });

    socket.on("restart", (req) => {
      const { downMs = 500, forgetSessions = false } = req || {};
      restart(downMs, forgetSessions).catch((err) => log("restart failed:", err.stack));
    });
  });
}

registerFixtures(io.of("/"));
registerFixtures(io.of("/admin"));
const guarded = io.of("/guarded");
guarded.use((socket, next) => {
  const auth = socket.handshake.auth;
  if (auth && auth.token === "secret") return next();
  const err = new Error("unauthorized");
  err.data = { reason: "bad token" };
  next(err);
});
registerFixtures(guarded);

// ---------------------------------------------------------------------------------------
// cluster adapter

// Connects to Redis and installs the adapter; node-redis reconnects by itself when Redis
// restarts (commands issued meanwhile wait in its offline queue).
async function setupAdapter() {
  if (opts.adapter === null) return;
  const { createClient } = require("redis");
  const client = (role) => {
    const c = createClient({
      url: opts.redisUrl,
      socket: { reconnectStrategy: (retries) => Math.min(50 * (retries + 1), 500) },
    });
    c.on("error", (err) => log(`redis ${role} error: ${err.message}`));
    c.on("ready", () => log(`redis ${role} ready`));
    return c;
  };
  if (opts.adapter === "redis") {
    const { createAdapter } = require("@socket.io/redis-adapter");
    const pub = client("pub");
    const sub = pub.duplicate();
    sub.on("error", (err) => log(`redis sub error: ${err.message}`));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
  } else {
    const { createAdapter } = require("@socket.io/redis-streams-adapter");
    const c = client("streams");
    await c.connect();
    io.adapter(createAdapter(c));
  }
  log(`adapter ${opts.adapter} on ${opts.redisUrl}`);
}

process.on("unhandledRejection", (err) => log("unhandled rejection:", err && err.stack));

// ---------------------------------------------------------------------------------------
// control

function engineClients() {
  return Object.values(io.engine.clients);
}

function killTransports() {
  const clients = engineClients();
  for (const client of clients) client.close(true);
  return clients.length;
}

function forgetSessions() {
  for (const nsp of io._nsps.values()) {
    if (nsp.adapter.sessions instanceof Map) nsp.adapter.sessions.clear();
  }
}

function listen(port) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    httpServer.once("error", onError);
    httpServer.listen(port, "127.0.0.1", () => {
      httpServer.off("error", onError);
      resolve(httpServer.address().port);
    });
  });
}

let boundPort = null;
let restarting = false;

async function restart(downMs, forget, id) {
  const tag = id === undefined ? {} : { id };
  if (restarting) {
    out({ event: "error", message: "restart already in progress", ...tag });
    return;
  }
  restarting = true;
  try {
    log(`restart: down for ${downMs} ms, forget_sessions=${forget}`);
    killTransports();
    // let the close packets written to pending polling requests reach the kernel
    await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise((resolve) => httpServer.close(() => resolve()));
    for (const sock of rawSockets) sock.destroy();
    await closed;
    // closing the HTTP server also closes engine.io's WebSocket server; engine.io makes a
    // new one on the next "listening" event, so the same io instance keeps working
    if (forget) forgetSessions();
    out({ event: "down", ...tag });
    await new Promise((resolve) => setTimeout(resolve, downMs));
    if (forget) forgetSessions();
    let lastErr;
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await listen(boundPort);
        lastErr = null;
        break;
      } catch (err) {
        lastErr = err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    if (lastErr) throw lastErr;
    log(`restart: up again on port ${boundPort}`);
    out({ event: "up", ...tag });
  } finally {
    restarting = false;
  }
}

function handleCommand(line) {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (err) {
    out({ event: "error", message: `invalid JSON: ${err.message}` });
    return;
  }
  if (cmd === null || typeof cmd !== "object" || Array.isArray(cmd)) {
    out({ event: "error", message: "a command is a JSON object" });
    return;
  }
  const tag = cmd.id === undefined ? {} : { id: cmd.id };
  switch (cmd.cmd) {
    case "restart":
      restart(Number(cmd.down_ms ?? 500), Boolean(cmd.forget_sessions), cmd.id).catch((err) => {
        log("restart failed:", err.stack);
        out({ event: "error", message: `restart failed: ${err.message}`, ...tag });
      });
      break;
    case "broadcast": {
      const nsp = io.of(cmd.nsp || "/");
      const target = cmd.room === undefined || cmd.room === null ? nsp : nsp.to(cmd.room);
      target.emit(cmd.event, ...fromJson(cmd.args || []));
      out({ event: "broadcast-done", ...tag });
      break;
    }
    case "kill_transports":
      out({ event: "killed", count: killTransports(), ...tag });
      break;
    case "count":
      out({ event: "count", clients: io.engine.clientsCount, ...tag });
      break;
    default:
      out({ event: "error", message: `unknown command ${JSON.stringify(cmd.cmd)}`, ...tag });
  }
}

// ---------------------------------------------------------------------------------------
// start

function shutdown(why) {
  log(`exiting: ${why}`);
  process.exit(0);
}

process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
// a test harness that died closes the pipe; never crash on EPIPE, just go away
process.stdout.on("error", () => shutdown("stdout closed"));

setupAdapter()
  .catch((err) => {
    log(`cannot set up the ${opts.adapter} adapter on ${opts.redisUrl}: ${err.message}`);
    process.exit(1);
  })
  .then(() => listen(opts.port))
  .then(
  (port) => {
    boundPort = port;
    process.stdout.write(`PORT ${port}\n`);
    log(
      `listening on ${opts.tlsCert !== null ? "https" : "http"}://127.0.0.1:${port}`,
      `pingInterval=${opts.pingInterval} pingTimeout=${opts.pingTimeout}`,
      `transports=${opts.transports.join(",")} allowUpgrades=${opts.allowUpgrades}`,
      `recovery=${opts.recovery} node=${opts.nodeName} parser=${opts.parser}`,
    );
    if (opts.stdin) {
      const rl = readline.createInterface({ input: process.stdin });
      rl.on("line", (line) => {
        if (line.trim() !== "") handleCommand(line);
      });
      rl.on("close", () => shutdown("stdin closed"));
    }
  },
  (err) => {
    log(`cannot listen on port ${opts.port}: ${err.message}`);
    process.exit(1);
  },
  );
