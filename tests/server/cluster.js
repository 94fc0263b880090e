#!/usr/bin/env node
// A production-shaped Socket.IO cluster on 127.0.0.1, as plain processes on free ports:
// redis-server, N nodes of server.js sharing rooms through a Redis adapter, and HAProxy in
// front with cookie stickiness, health checks and redispatch. Used by the Rust fixture
// (sio_test_support::Cluster), by `make demo-cluster` and by browser tests.
//
//   node cluster.js [--nodes N] [--adapter redis|redis-streams] [--ping-interval MS]
//                   [--ping-timeout MS] [--lb-port N] [--log-dir DIR] [--no-stdin]
//                   [--maxconn N]
//
// Needs redis-server and haproxy on PATH (Debian: apt-get install redis-server haproxy).
// Nodes are named a, b, c, ...; HAProxy's cookie SERVERID holds the name.
//
// stdout carries only JSON lines. Startup, in order:
//   {"event":"logs","dir":"..."}
//   {"event":"redis","port":P,"pid":X}
//   {"event":"node","name":"a","port":P,"pid":X}          (one per node)
//   {"event":"haproxy","port":P,"pid":X}
//   {"event":"ready","url":"http://127.0.0.1:P","port":P}  (the load balancer)
// stdin takes one JSON command per line; an optional "id" is echoed in the answer:
//   {"cmd":"node","node":"a","command":{...}}  a server.js stdin command for that node
//        -> {"event":"node-answer","node":"a","answer":{...}}
//   {"cmd":"kill","node":"a"}        SIGKILL   -> {"event":"killed","node":"a"}
//   {"cmd":"start","node":"a"}       again, same port -> {"event":"started","node":"a",...}
//   {"cmd":"lb","node":"a","state":"ready|drain|maint"}  HAProxy runtime API -> {"event":"lb-done"}
//   {"cmd":"wait-lb","node":"a","status":"UP|DOWN|MAINT"} until HAProxy's check says so
//        -> {"event":"lb-status","node":"a","status":"UP"}
//   {"cmd":"stats"}  -> {"event":"stats","nodes":{"a":{"status":"UP","current":N,"total":N}}}
//   {"cmd":"redis-stop"} SIGKILL redis -> {"event":"redis-stopped"}
//   {"cmd":"redis-start"} same port    -> {"event":"redis-started"}
//   anything invalid -> {"event":"error","message":"..."}
// EOF on stdin (unless --no-stdin), SIGTERM and SIGINT stop every process by pid and exit.
"use strict";

const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");
const { spawn } = require("node:child_process");

function usage(message) {
  process.stderr.write(`cluster.js: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    nodes: 2,
    adapter: "redis",
    pingInterval: null,
    pingTimeout: null,
    lbPort: 0,
    logDir: null,
    stdin: true,
    maxconn: null,
  };
  const int = (flag, value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) usage(`${flag} needs a non-negative integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case "--nodes":
        opts.nodes = int(flag, next());
        if (opts.nodes < 1 || opts.nodes > 26) usage("--nodes is 1 to 26");
        break;
      case "--adapter":
        opts.adapter = next();
        if (opts.adapter !== "redis" && opts.adapter !== "redis-streams") {
          usage("--adapter is redis or redis-streams");
        }
        break;
      case "--ping-interval":
        opts.pingInterval = int(flag, next());
        break;
      case "--ping-timeout":
        opts.pingTimeout = int(flag, next());
        break;
      case "--lb-port":
        opts.lbPort = int(flag, next());
        break;
      case "--log-dir":
        opts.logDir = next();
        break;
      case "--no-stdin":
        opts.stdin = false;
        break;
      case "--maxconn":
        opts.maxconn = int(flag, next());
        break;
      default:
        usage(`unknown argument ${flag}`);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const logDir = opts.logDir || fs.mkdtempSync(path.join(os.tmpdir(), "sio-cluster-"));
fs.mkdirSync(logDir, { recursive: true });

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function log(...parts) {
  process.stderr.write(`[cluster ${new Date().toISOString()}] ${parts.join(" ")}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A port that was free a moment ago (redis-server and haproxy cannot report one they chose).
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

async function waitFor(what, check, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms (logs in ${logDir})`);
}

// ---------------------------------------------------------------------------------------
// processes

const children = new Set();

function startProcess(name, command, args, pipeStdout) {
  const logFile = fs.openSync(path.join(logDir, `${name}.log`), "a");
  const child = spawn(command, args, {
    stdio: ["pipe", pipeStdout ? "pipe" : logFile, logFile],
  });
  fs.closeSync(logFile);
  children.add(child);
  child.exitPromise = new Promise((resolve) => child.once("exit", resolve));
  child.once("exit", (code, signal) => {
    children.delete(child);
    log(`${name} (pid ${child.pid}) exited: ${signal || code}`);
  });
  child.once("error", (err) => log(`${name}: ${err.message}`));
  return child;
}

async function stopProcess(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGKILL");
  await child.exitPromise;
}

// ----- redis

const redis = { port: 0, child: null };

async function startRedis() {
  redis.child = startProcess("redis", "redis-server", [
    "--port", String(redis.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--protected-mode", "no", "--daemonize", "no",
  ]);
  await waitFor("redis-server", async () => {
    if (redis.child.exitCode !== null) throw new Error(`redis-server exited (see ${logDir})`);
    return canConnect(redis.port);
  });
}

// ----- nodes

const nodes = new Map(); // name -> {name, port, child, pending: Map(id -> resolve)}
let nextNodeCommand = 1;
const serverScript = path.join(__dirname, "server.js");

function nodeArgs(node) {
  const args = [serverScript, "--port", String(node.port), "--node-name", node.name,
    "--adapter", opts.adapter, "--redis-url", `redis://127.0.0.1:${redis.port}`];
  if (opts.pingInterval !== null) args.push("--ping-interval", String(opts.pingInterval));
  if (opts.pingTimeout !== null) args.push("--ping-timeout", String(opts.pingTimeout));
  return args;
}

function startNode(node) {
  return new Promise((resolve, reject) => {
    const child = startProcess(`node-${node.name}`, process.execPath, nodeArgs(node), true);
    node.child = child;
    const lines = readline.createInterface({ input: child.stdout });
    let started = false;
    lines.on("line", (line) => {
      const port = /^PORT (\d+)$/.exec(line);
      if (port) {
        node.port = Number(port[1]);
        started = true;
        resolve(node);
        return;
      }
      let answer;
      try {
        answer = JSON.parse(line);
      } catch {
        return;
      }
      const waiter = node.pending.get(answer.id);
      if (waiter) {
        node.pending.delete(answer.id);
        delete answer.id;
        waiter(answer);
      }
    });
    child.exitPromise.then(() => {
      if (!started) reject(new Error(`node ${node.name} exited at start (see ${logDir})`));
      for (const waiter of node.pending.values()) waiter({ event: "error", message: "node exited" });
      node.pending.clear();
    });
  });
}

function nodeCommand(node, command) {
  if (!node.child || node.child.exitCode !== null || node.child.signalCode !== null) {
    return Promise.resolve({ event: "error", message: `node ${node.name} is not running` });
  }
  const id = nextNodeCommand++;
  return new Promise((resolve) => {
    node.pending.set(id, resolve);
    node.child.stdin.write(JSON.stringify({ ...command, id }) + "\n");
  });
}

// ----- haproxy

const haproxy = { port: 0, child: null, socket: path.join(logDir, "haproxy.sock") };

function haproxyConfig() {
  const servers = [...nodes.values()]
    .map((n) => `  server ${n.name} 127.0.0.1:${n.port} check cookie ${n.name}`)
    .join("\n");
  // without maxconn HAProxy derives it from the file descriptor limit
  const maxconn = opts.maxconn === null ? "" : `  maxconn ${opts.maxconn}\n`;
  return `global
${maxconn}  nbthread 1
  stats socket ${haproxy.socket} mode 600 level admin

defaults
  mode http
  option redispatch
  retries 2
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-request 10s
  timeout http-keep-alive 10s
  timeout tunnel 1h

frontend socketio_in
  bind 127.0.0.1:${haproxy.port}
  default_backend socketio

backend socketio
  balance roundrobin
  cookie SERVERID insert indirect nocache
  option httpchk GET /health
  http-check expect status 200
  default-server inter 250ms fastinter 150ms downinter 250ms fall 2 rise 1
${servers}
`;
}

async function startHaproxy() {
  const config = path.join(logDir, "haproxy.cfg");
  fs.writeFileSync(config, haproxyConfig());
  haproxy.child = startProcess("haproxy", "haproxy", ["-db", "-f", config]);
  await waitFor("haproxy", async () => {
    if (haproxy.child.exitCode !== null) throw new Error(`haproxy exited (see ${logDir})`);
    return (await canConnect(haproxy.port)) && fs.existsSync(haproxy.socket);
  });
}

// One command on HAProxy's runtime API; resolves with its whole answer.
function haproxyCommand(command) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(haproxy.socket);
    let answer = "";
    sock.setEncoding("utf8");
    sock.on("data", (chunk) => (answer += chunk));
    sock.on("end", () => resolve(answer));
    sock.on("error", reject);
    sock.write(command + "\n");
  });
}

async function lbStats() {
  const csv = await haproxyCommand("show stat");
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  const header = lines[0].replace(/^# /, "").split(",");
  const col = (name) => header.indexOf(name);
  const stats = {};
  for (const line of lines.slice(1)) {
    const f = line.split(",");
    if (f[col("pxname")] !== "socketio" || !nodes.has(f[col("svname")])) continue;
    stats[f[col("svname")]] = {
      status: f[col("status")],
      current: Number(f[col("scur")]),
      total: Number(f[col("stot")]),
    };
  }
  return stats;
}

// ---------------------------------------------------------------------------------------
// commands

async function handle(cmd) {
  const node = cmd.node === undefined ? null : nodes.get(cmd.node);
  if (cmd.node !== undefined && !node) throw new Error(`no node ${JSON.stringify(cmd.node)}`);
  switch (cmd.cmd) {
    case "node":
      return { event: "node-answer", node: node.name, answer: await nodeCommand(node, cmd.command || {}) };
    case "kill":
      await stopProcess(node.child);
      return { event: "killed", node: node.name };
    case "start":
      if (node.child && node.child.exitCode === null && node.child.signalCode === null) {
        throw new Error(`node ${node.name} is running`);
      }
      await startNode(node);
      return { event: "started", node: node.name, port: node.port, pid: node.child.pid };
    case "lb": {
      if (!["ready", "drain", "maint"].includes(cmd.state)) throw new Error("state is ready, drain or maint");
      const answer = await haproxyCommand(`set server socketio/${node.name} state ${cmd.state}`);
      if (answer.trim() !== "") throw new Error(`haproxy: ${answer.trim()}`);
      return { event: "lb-done", node: node.name };
    }
    case "wait-lb": {
      const want = String(cmd.status || "UP");
      let status = "";
      await waitFor(`haproxy status ${want} for ${node.name}`, async () => {
        status = ((await lbStats())[node.name] || {}).status || "";
        // "UP 1/2" is still up but failing checks: wait for the settled state
        return want === "UP" ? status === "UP" : status.startsWith(want);
      }, Number(cmd.timeout_ms || 20000));
      return { event: "lb-status", node: node.name, status };
    }
    case "stats":
      return { event: "stats", nodes: await lbStats() };
    case "redis-stop":
      await stopProcess(redis.child);
      return { event: "redis-stopped" };
    case "redis-start":
      await startRedis();
      return { event: "redis-started" };
    default:
      throw new Error(`unknown command ${JSON.stringify(cmd.cmd)}`);
  }
}

function onLine(line) {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (err) {
    out({ event: "error", message: `invalid JSON: ${err.message}` });
    return;
  }
  const tag = cmd && cmd.id !== undefined ? { id: cmd.id } : {};
  handle(cmd || {}).then(
    (answer) => out({ ...answer, ...tag }),
    (err) => out({ event: "error", message: err.message, ...tag }),
  );
}

// ---------------------------------------------------------------------------------------
// start and stop

let stopping = false;
async function shutdown(why, code) {
  if (stopping) return;
  stopping = true;
  log(`stopping: ${why}`);
  await Promise.all([...children].map(stopProcess));
  process.exit(code);
}

process.on("SIGTERM", () => shutdown("SIGTERM", 0));
process.on("SIGINT", () => shutdown("SIGINT", 0));
process.stdout.on("error", () => shutdown("stdout closed", 0));

async function main() {
  out({ event: "logs", dir: logDir });
  redis.port = await freePort();
  await startRedis();
  out({ event: "redis", port: redis.port, pid: redis.child.pid });
  for (let i = 0; i < opts.nodes; i++) {
    const node = { name: String.fromCharCode(97 + i), port: 0, child: null, pending: new Map() };
    nodes.set(node.name, node);
    await startNode(node);
    out({ event: "node", name: node.name, port: node.port, pid: node.child.pid });
  }
  haproxy.port = opts.lbPort || (await freePort());
  await startHaproxy();
  out({ event: "haproxy", port: haproxy.port, pid: haproxy.child.pid });
  for (const node of nodes.values()) await handle({ cmd: "wait-lb", node: node.name, status: "UP" });
  out({ event: "ready", url: `http://127.0.0.1:${haproxy.port}`, port: haproxy.port });
  if (opts.stdin) {
    const rl = readline.createInterface({ input: process.stdin });
    rl.on("line", (line) => line.trim() !== "" && onLine(line));
    rl.on("close", () => shutdown("stdin closed", 0));
  }
}

main().catch((err) => {
  log(`cannot start the cluster: ${err.message}`);
  shutdown("start failed", 1);
});
