#!/usr/bin/env node
// Throughput of the pinned reference socket.io-parser (and socket.io-msgpack-parser for the
// msgpack_* cases), the anchor for the Rust codec benchmarks. Prints one JSON line per case to stdout:
//   {"name":"chat_encode","ops_per_sec":1234567.8}
//
//   node bench-parser.js [--seconds S] [--only NAME]
//
// Cases:
//   chat_encode    Encoder.encode of the chat EVENT on "/"
//   chat_decode    Decoder.add of its encoded string
//   binary_encode  Encoder.encode of ["file",{"name":"a.bin","data":<1024 B>},{"thumb":<256 B>}]
//   binary_decode  Decoder.add of its header string plus its 2 attachments
//   msgpack_*      the same four with socket.io-msgpack-parser (one binary message per packet)
"use strict";

const { Encoder, Decoder, PacketType } = require("socket.io-parser");
const msgpack = require("socket.io-msgpack-parser");

function parseArgs(argv) {
  const opts = { seconds: 2, only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--seconds") opts.seconds = Number(argv[++i]);
    else if (argv[i] === "--only") opts.only = argv[++i];
    else {
      process.stderr.write(`bench-parser.js: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  if (!(opts.seconds > 0)) {
    process.stderr.write("bench-parser.js: --seconds must be positive\n");
    process.exit(2);
  }
  return opts;
}

const chatPacket = () => ({
  type: PacketType.EVENT,
  nsp: "/",
  data: ["message", { user: "alice", text: "hello world", ts: 1234567890, tags: ["a", "b"] }],
});

const fileData = Buffer.alloc(1024, 0xab);
const thumbData = Buffer.alloc(256, 0xcd);
const binaryPacket = () => ({
  type: PacketType.EVENT,
  nsp: "/",
  data: ["file", { name: "a.bin", data: fileData }, { thumb: thumbData }],
});

const encoder = new Encoder();
const chatEncoded = encoder.encode(chatPacket());
const binaryEncoded = encoder.encode(binaryPacket());
if (chatEncoded.length !== 1 || binaryEncoded.length !== 3) {
  throw new Error("unexpected reference encoding");
}
const chatString = chatEncoded[0];
const [binaryHeader, ...binaryAttachments] = binaryEncoded;

// one long-lived decoder, as on a connection; every op must yield exactly one packet
let decodedCount = 0;
const decoder = new Decoder();
decoder.on("decoded", () => {
  decodedCount++;
});

const mpEncoder = new msgpack.Encoder();
const mpChat = mpEncoder.encode(chatPacket());
const mpBinary = mpEncoder.encode(binaryPacket());
if (mpChat.length !== 1 || mpBinary.length !== 1) throw new Error("unexpected msgpack encoding");
const mpDecoder = new msgpack.Decoder();
mpDecoder.on("decoded", () => {
  decodedCount++;
});

// the sink keeps results observable so that the work cannot be optimised away
let sink = 0;

const cases = {
  chat_encode: () => {
    sink += encoder.encode(chatPacket()).length;
  },
  chat_decode: () => {
    decoder.add(chatString);
  },
  binary_encode: () => {
    sink += encoder.encode(binaryPacket()).length;
  },
  binary_decode: () => {
    decoder.add(binaryHeader);
    decoder.add(binaryAttachments[0]);
    decoder.add(binaryAttachments[1]);
  },
  msgpack_chat_encode: () => {
    sink += mpEncoder.encode(chatPacket())[0].length;
  },
  msgpack_chat_decode: () => {
    mpDecoder.add(mpChat[0]);
  },
  msgpack_binary_encode: () => {
    sink += mpEncoder.encode(binaryPacket())[0].length;
  },
  msgpack_binary_decode: () => {
    mpDecoder.add(mpBinary[0]);
  },
};

// runs fn in batches until `seconds` have passed; returns ops per second
function measure(fn, seconds) {
  const budget = BigInt(Math.round(seconds * 1e9));
  let batch = 64;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = process.hrtime.bigint() - start;
    if (batch < 65536 && elapsed < budget / 100n) batch *= 2;
  }
  return ops / (Number(elapsed) / 1e9);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const [name, fn] of Object.entries(cases)) {
    if (opts.only !== null && opts.only !== name) continue;
    const before = decodedCount;
    measure(fn, Math.min(0.5, opts.seconds / 4)); // warm-up: let the JIT settle
    const warmOps = decodedCount - before;
    const opsPerSec = measure(fn, opts.seconds);
    if (name.endsWith("_decode") && warmOps === 0) throw new Error(`${name}: decoder produced nothing`);
    process.stdout.write(JSON.stringify({ name, ops_per_sec: Math.round(opsPerSec * 10) / 10 }) + "\n");
  }
  if (sink < 0) process.stderr.write("unreachable\n");
}

main();
